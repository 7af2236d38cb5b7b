"""How big a program's circles are: people per circle, a mentor included (``Program``'s
``circle_min`` and ``circle_max``; None takes the default of the kind of circle).
"""

from __future__ import annotations

MENTORED_SIZES = (4, 8)  # a mentor with 3-7 mentees: eight people fit one Slack group DM
PEER_SIZES = (3, 6)


def circle_sizes(low: int | None, high: int | None, *, mentored: bool) -> tuple[int, int]:
    """A program's circle sizes (people per circle, a mentor included), defaults by kind."""
    default_low, default_high = MENTORED_SIZES if mentored else PEER_SIZES
    lo = max(2, low or default_low)
    hi = max(lo, high or default_high)
    return lo, hi


def circle_setting(value: str, bad: Exception) -> tuple[int, int]:
    """``3-6`` (people per circle, a mentor included) as (low, high); ``bad`` when it isn't
    two sizes from 2 to 20, the first not above the second.
    """
    low, sep, high = value.replace(" ", "").partition("-")
    if not sep or not low.isdigit() or not high.isdigit():
        raise bad
    lo, hi = int(low), int(high)
    if not 2 <= lo <= hi <= 20:
        raise bad
    return lo, hi
