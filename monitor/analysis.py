"""What happens after new data is stored: the analysis stages run in one place, in a fixed order."""

from __future__ import annotations

from sqlmodel import Session

from monitor.config import Settings
from monitor.models import SourceRow
from monitor.store import UpsertResult

__all__ = ["analyse_new_data"]


def analyse_new_data(*, session: Session, settings: Settings, source: SourceRow, result: UpsertResult) -> None:
    """Classify new replies and assess new or changed reviews of one source."""
    if not (result.new_ids or result.changed_ids):
        return
