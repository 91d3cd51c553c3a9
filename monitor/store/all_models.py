"""Imports every table module so the metadata is complete (for migrations and `create_all` in tests)."""

from monitor.store import delivery_models, models, task_models, template_models, user_models  # noqa: F401
