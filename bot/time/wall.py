"""Local wall times to instants and back, daylight-saving safe.

Rules (the same everywhere in mentorbot): a wall time inside a spring-forward gap moves to the
first valid minute after the gap; an ambiguous fall-back wall time takes its first occurrence.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo


def _wall(instant: datetime, tz: tzinfo) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


def localize(wall: datetime, tz: tzinfo) -> datetime:
    """The UTC instant at which clocks in ``tz`` show ``wall`` (naive), per the rules above."""
    if wall.tzinfo is not None:
        raise ValueError("localize takes a naive wall time")
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if _wall(first, tz) == wall:
        return first  # exists; fold=0 is the first occurrence when ambiguous
    # A gap: fold=1 reads the wall time with the offset after the transition, which lands
    # before the gap in real time; the transition instant lies between the two readings.
    lo = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    hi = first
    if lo > hi:
        lo, hi = hi, lo
    # Find the first minute whose wall time is at or after ``wall``.
    lo_m, hi_m = 0, int((hi - lo).total_seconds() // 60) + 1
    while lo_m < hi_m:
        mid = (lo_m + hi_m) // 2
        if _wall(lo + timedelta(minutes=mid), tz) >= wall:
            hi_m = mid
        else:
            lo_m = mid + 1
    return lo + timedelta(minutes=lo_m)


def local_midnight(day: datetime, tz: tzinfo) -> datetime:
    """The instant the local calendar day of naive ``day`` starts in ``tz``."""
    return localize(day.replace(hour=0, minute=0, second=0, microsecond=0), tz)


def to_local(instant: datetime, tz: tzinfo) -> datetime:
    """An instant as a naive wall time in ``tz``."""
    return instant.astimezone(tz)
