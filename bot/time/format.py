"""How instants look in chat (fixed, unambiguous formats)."""

from __future__ import annotations

from datetime import datetime, tzinfo


def local_when(instant: datetime, tz: tzinfo) -> str:
    """``Tue 1 Dec 2026, 10:00`` in the given zone."""
    local = instant.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def local_day(instant: datetime, tz: tzinfo) -> str:
    """``Tue 1 Dec 2026`` in the given zone."""
    local = instant.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b %Y}"
