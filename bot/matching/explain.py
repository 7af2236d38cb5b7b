"""Why two people were matched ("you both work with Python; ..."), as reasons stored with
their prompt keys and worded for each reader (:mod:`bot.matching.reasons`).
"""

from __future__ import annotations

from typing import Any

from bot.config import MatchingSettings
from bot.matching.profiles import Candidate, words
from bot.matching.reasons import LANGUAGES, reason

MAX_REASONS = 3


def shared_skills(wanting: Candidate, offering: Candidate) -> list[str]:
    """The skills ``offering`` has that ``wanting`` wants (as offered), else the words shared."""
    offered = {s.lower(): s for s in offering.skills_offered}
    exact = [offered[s.lower()] for s in wanting.skills_wanted if s.lower() in offered]
    if exact:
        return exact
    common = words(" ".join(wanting.skills_wanted)) & words(" ".join(offering.skills_offered))
    return sorted(common)


def explain(
    left: Candidate,
    right: Candidate,
    *,
    peer: bool,
    overlap_hours: float,
    settings: MatchingSettings,
    keys: str = "match.reason",
) -> list[dict[str, Any]]:
    """The strongest reasons first, at most three, each a prompt key and its values (users'
    words among them); :func:`bot.matching.reasons.render_reasons` words them for a reader.
    ``keys``: ``match.reason`` speaks to the pair, another prefix may speak about them.
    """
    scored: list[tuple[float, dict[str, Any]]] = []
    w = settings
    skills = shared_skills(left, right)
    if skills:
        key = f"{keys}.skills_peer" if peer else f"{keys}.skills"
        text = reason(key, mentor=right.name, skills=skills[:3])
        scored.append((w.weight_skills * min(1.0, len(skills) / 2 + 0.5), text))
    if peer:
        back = shared_skills(right, left)
        if back:
            text = reason(f"{keys}.skills_peer", mentor=left.name, skills=back[:3])
            scored.append((w.weight_skills * min(1.0, len(back) / 2 + 0.5) * 0.99, text))
    goal_words = words(left.goals) & (words(" ".join(right.skills_offered)) | words(right.goals))
    if goal_words:
        text = reason(f"{keys}.goals", words=sorted(goal_words)[:3])
        scored.append((w.weight_goals * min(1.0, len(goal_words) / 2), text))
    shared_languages = sorted(left.language_set() & right.language_set())
    if shared_languages:
        names = [lang for lang in left.languages if lang.lower() in shared_languages]
        text = reason(f"{keys}.language", **{LANGUAGES: names[:2]})
        scored.append((w.weight_language * 0.9, text))
    unset = [c.name for c in (left, right) if not c.has_availability]
    if overlap_hours >= 1:
        if unset:
            # Without availability we assume weekday office hours: say so, never state it.
            text = reason(f"{keys}.overlap_assumed", hours=float(overlap_hours), names=unset)
        else:
            text = reason(f"{keys}.overlap", hours=float(overlap_hours))
        scored.append((w.weight_overlap * min(1.0, overlap_hours / w.target_overlap_hours), text))
    if w.weight_team > 0 and left.team and right.team and left.team.lower() != right.team.lower():
        text = reason(f"{keys}.team", team_a=left.team, team_b=right.team)
        scored.append((w.weight_team, text))
    if not peer and left.seniority is not None and right.seniority is not None:
        gap = right.seniority - left.seniority
        if gap > 0:
            text = reason(f"{keys}.seniority", mentor=right.name, gap=int(gap))
            scored.append((w.weight_seniority * min(1.0, gap / 3), text))
    scored.sort(key=lambda item: -item[0])
    reasons = [text for _, text in scored[:MAX_REASONS]] or [reason(f"{keys}.fallback")]
    if overlap_hours < 1:
        # A pair is never told only the good news: no common hours is worth knowing up front.
        reasons.append(reason(f"{keys}.no_overlap"))
    return reasons
