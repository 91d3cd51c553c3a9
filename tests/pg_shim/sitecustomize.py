"""Loaded by commands that tests start as subprocesses in a PostgreSQL run: the same SQLite-to-PostgreSQL mapping."""

import os
import sys

if os.environ.get("MONITOR_TEST_BACKEND") == "postgresql":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    from tests.pg_backend import install

    install()
