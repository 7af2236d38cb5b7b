"""The console's moved clock, kept in the database: a console trial that ran ``/time +30d``
restarts 30 days ahead, and ``mentorbot report`` on the same database reports as of then.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from storage.models import ConsoleClock

_ROW = 1


def load_offset(engine: Engine) -> timedelta:
    """How far ``/time`` moved the console's clock (zero when it never did)."""
    with Session(engine) as session:
        row = session.get(ConsoleClock, _ROW)
        return timedelta(seconds=row.offset_seconds) if row else timedelta()


def save_offset(engine: Engine, offset: timedelta) -> None:
    """Keep the console clock's new ``offset``."""
    with Session(engine) as session, session.begin():
        row = session.get(ConsoleClock, _ROW) or ConsoleClock(id=_ROW)
        row.offset_seconds = offset.total_seconds()
        row.moved_at = datetime.now(UTC)
        session.add(row)
