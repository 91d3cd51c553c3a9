"""Playbook guidance for a task, in the reviewer's language."""
