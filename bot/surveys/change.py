"""Change in the same people: for one scale, the people who answered both the mid-program and
the end survey, how many, their mean change (end minus mid), its 95% interval (Student's t,
``scipy.stats``) and how many improved. Pure arithmetic over answers, so the report and any
split by group compute it the same way.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.surveys.instrument import Scale

LEVEL = 0.95  # the interval's confidence level


@dataclass(frozen=True)
class Change:
    """One scale's change mid to end in the people who answered both."""

    scale: str
    n: int
    mean: float | None  # end minus mid, averaged (None with nobody)
    low: float | None  # the 95% interval of the mean (None with fewer than two people)
    high: float | None
    improved: int  # people whose score rose


def change_key(name: str, scale: str) -> tuple[str, str, str, str]:
    """The page-wide key of a paired change's count ``name`` (n, up, not) of ``scale``."""
    return ("surveys", "change", name, scale)


def differences(
    scale: Scale, mid: Mapping[int, Mapping[str, Any]], end: Mapping[int, Mapping[str, Any]]
) -> list[float]:
    """Each person's end score minus their mid score, for those who have both (by id)."""
    out: list[float] = []
    for member in sorted(mid.keys() & end.keys()):
        before, after = scale.score(mid[member]), scale.score(end[member])
        if before is not None and after is not None:
            out.append(after - before)
    return out


def interval(values: list[float], level: float = LEVEL) -> tuple[float, float] | None:
    """The t interval of the mean of ``values`` (None with fewer than two)."""
    if len(values) < 2:
        return None
    mean = statistics.fmean(values)
    sem = statistics.stdev(values) / math.sqrt(len(values))
    if sem == 0:
        return mean, mean
    from scipy import stats  # only when a report is built: a running bot never loads it

    low, high = stats.t.interval(level, len(values) - 1, loc=mean, scale=sem)
    return float(low), float(high)


def paired_change(
    scale: Scale, mid: Mapping[int, Mapping[str, Any]], end: Mapping[int, Mapping[str, Any]]
) -> Change:
    """The scale's change in the people who answered it at mid-point and at the end."""
    diffs = differences(scale, mid, end)
    if not diffs:
        return Change(scale.id, 0, None, None, None, 0)
    bounds = interval(diffs)
    low, high = bounds if bounds else (None, None)
    improved = sum(1 for d in diffs if d > 0)
    return Change(scale.id, len(diffs), statistics.fmean(diffs), low, high, improved)
