"""Where "now" comes from. Everything timed asks a Clock, so tests and simulations can move time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that says what time it is."""

    def now(self) -> datetime:
        """The current instant, timezone-aware in UTC."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        """The current instant."""
        return datetime.now(UTC)


class FakeClock:
    """A clock that stands still until told to move; for tests, simulations and benchmarks."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware start instant")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """The instant the clock was set to."""
        return self._now

    def set(self, instant: datetime) -> None:
        """Jump to ``instant``."""
        if instant.tzinfo is None:
            raise ValueError("FakeClock needs aware instants")
        self._now = instant.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        """Move forward by ``delta``."""
        self._now += delta


class ShiftedClock:
    """The wall clock moved forward by an offset: the console's ``/time +7d`` tries a whole
    program in minutes while everything else keeps asking a normal clock. ``on_move`` hears
    every new offset (the console keeps it in the database, so restarts and the terminal
    commands agree on "now").
    """

    def __init__(
        self,
        base: Clock | None = None,
        *,
        offset: timedelta = timedelta(),
        on_move: Callable[[timedelta], None] | None = None,
    ) -> None:
        if offset < timedelta():
            raise ValueError("the clock is never behind the wall clock")
        self._base = base or SystemClock()
        self._offset = offset
        self._on_move = on_move

    @property
    def offset(self) -> timedelta:
        """How far ahead of the wall clock this clock is."""
        return self._offset

    def now(self) -> datetime:
        """The wall clock plus the offset."""
        return self._base.now() + self._offset

    def advance(self, delta: timedelta) -> None:
        """Move forward by ``delta`` (never back)."""
        if delta < timedelta():
            raise ValueError("time only moves forward")
        self._offset += delta
        if self._on_move is not None:
            self._on_move(self._offset)
