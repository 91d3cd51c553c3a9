"""A long-held lock knows when it was lost: a PostgreSQL session that ends takes its advisory lock with it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from monitor.crawl.locks import lease
from monitor.store.db import make_engine


def _end_session_holding_locks(url: str) -> int:
    """End (as an administrator or a database restart would) every session of the test database holding one."""
    admin = make_engine(url)
    try:
        with admin.connect() as connection:
            ended = connection.execute(
                text(
                    "select count(pg_terminate_backend(pid)) from pg_locks"
                    " where locktype = 'advisory' and database = (select oid from pg_database"
                    " where datname = current_database()) and pid <> pg_backend_pid()"
                )
            ).scalar()
            connection.commit()
    finally:
        admin.dispose()
    return int(ended or 0)


def test_a_lease_held_on_postgresql_is_lost_with_its_session_and_then_free_for_another(pg_url: str) -> None:
    engine, other = make_engine(pg_url), make_engine(pg_url)
    try:
        with lease(engine, "scheduler", "serve") as mine:
            assert mine.held and mine.still_held()
            with lease(other, "scheduler", "serve") as theirs:
                assert not theirs.held and not theirs.still_held()
            assert _end_session_holding_locks(pg_url) == 1
            assert not mine.still_held()
            with lease(other, "scheduler", "serve") as theirs:
                assert theirs.held and theirs.still_held()  # free for the standby at once
            assert not mine.still_held()  # lost stays lost, even with the lock free again
        with lease(other, "scheduler", "serve") as again:
            assert again.held  # leaving the lost lease's block released nothing it did not hold
    finally:
        engine.dispose()
        other.dispose()


def test_a_lease_on_sqlite_is_a_file_lock_held_while_the_block_runs(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    try:
        with lease(engine, "scheduler", "serve") as mine:
            assert mine.held and mine.still_held()
            with lease(engine, "scheduler", "serve") as theirs:
                assert not theirs.held and not theirs.still_held()
        with lease(engine, "scheduler", "serve") as again:
            assert again.held
    finally:
        engine.dispose()
