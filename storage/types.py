"""Column types that keep the database honest about time.

SQLite stores ``DateTime(timezone=True)`` without its offset, so every instant is converted
to UTC on the way in and has UTC re-attached on the way out, here and nowhere else.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, type_coerce
from sqlalchemy.engine import Dialect
from sqlalchemy.types import DateTime, NullType, TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """An aware instant stored as UTC; naive datetimes are refused rather than guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        """Aware instants are stored as naive UTC; naive ones are refused."""
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"UTCDateTime needs a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime refused: pass an aware instant (UTC)")
        utc = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return utc.replace(tzinfo=None)
        return utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Stored instants come back as aware UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def raw(column: Any) -> ColumnElement[Any]:
    """``column`` as the driver returns it, without SQLAlchemy's per-value result processing
    (for bulk reads that convert each distinct value once, see :class:`InstantReader`).
    """
    return type_coerce(column, NullType())


class InstantReader:
    """Turns raw stored instants (SQLite's text, PostgreSQL's datetimes) into aware UTC
    datetimes, converting each distinct value once.
    """

    def __init__(self) -> None:
        self._seen: dict[Any, datetime | None] = {None: None}

    def __call__(self, value: Any) -> datetime | None:
        """The aware UTC instant of one stored value (None stays None)."""
        try:
            return self._seen[value]
        except KeyError:
            pass
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value)
        elif isinstance(value, datetime):
            parsed = value
        else:
            raise TypeError(f"not a stored instant: {value!r}")
        instant = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
        self._seen[value] = instant
        return instant
