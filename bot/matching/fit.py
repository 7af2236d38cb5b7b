"""How well two chosen people fit, scored and explained as a round would: for ``admin pair``
and ``admin move``, which make one pair outside a round.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.config import MatchingSettings
from bot.matching.explain import explain
from bot.matching.profiles import Candidate, week_start


@dataclass(frozen=True)
class Fit:
    """A pair's score (0..100), its reasons (stored form, :mod:`bot.matching.reasons`), and
    the configured hard rules it breaks (``"language"``: no shared language, ``"team"``: the
    same team).
    """

    score: float
    reasons: list[dict[str, Any]]
    broken: tuple[str, ...]


def pair_fit(
    waiting: Candidate,
    partner: Candidate,
    *,
    peer: bool,
    settings: MatchingSettings,
    now: datetime,
    reason_keys: str = "match.reason",
) -> Fit:
    """Score ``waiting`` (the mentee, or a peer) with ``partner`` as a round starting ``now``
    would, and explain it. NumPy and SciPy load here, as they do for a round.
    """
    import numpy as np

    from bot.matching.scoring import Cohort, Scorer

    if peer:  # peers are one list on both sides; the pair is (0, 1)
        both = [waiting, partner]
        cohort, row, col = Cohort(both, both, True), 0, 1
    else:
        cohort, row, col = Cohort([waiting], [partner], False), 0, 0
    scorer = Scorer(cohort, settings, reference_week=week_start(now))
    rows, cols = np.asarray([row]), np.asarray([col])
    block = scorer.pairs(rows, cols)
    hours = float(scorer.hours(rows, cols)[0])
    broken = []
    if not bool(block.language_ok[0]):
        broken.append("language")
    if not bool(block.team_ok[0]):
        broken.append("team")
    reasons = explain(
        waiting,
        partner,
        peer=peer,
        overlap_hours=hours,
        settings=settings,
        keys=reason_keys,
    )
    return Fit(round(float(block.total[0]), 1), reasons, tuple(broken))
