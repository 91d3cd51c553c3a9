"""Imports every table module so the metadata is complete (for migrations and `create_all` in tests)."""

from monitor import models  # noqa: F401
from responders import outreach_models  # noqa: F401
