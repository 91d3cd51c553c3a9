"""Imports every table module so the metadata is complete (for migrations and `create_all` in tests)."""

from monitor import digest_models, models  # noqa: F401
from responders import outreach_models, template_models  # noqa: F401
