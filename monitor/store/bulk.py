"""Writing many rows by primary key without ORM objects, and keeping the session's loaded objects true to them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, SQLModel

__all__ = ["update_by_id"]


def update_by_id(session: Session, model: type[SQLModel], rows: Sequence[Mapping[str, Any]]) -> None:
    """UPDATE `model` rows from dicts holding `id` and the new values, in multi-row statements.

    Objects of those rows that the session already holds are expired for the columns written, so a later read
    through the session sees the new values (a bulk UPDATE does not touch loaded objects).
    """
    if not rows:
        return
    session.execute(update(model), list(rows))
    for row in rows:
        loaded = session.identity_map.get(identity_key(model, row["id"]))
        if loaded is not None:
            session.expire(loaded, [name for name in row if name != "id"])
