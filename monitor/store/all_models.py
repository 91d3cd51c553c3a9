"""Imports every table module so the metadata is complete (for migrations and `create_all` in tests)."""

from monitor.store import (  # noqa: F401
    delivery_models,
    job_models,
    models,
    task_models,
    template_models,
    user_models,
)
