"""Why two people were matched, in plain words ("you both work with Python; ...")."""

from __future__ import annotations

from bot.config import MatchingSettings
from bot.matching.profiles import Candidate, words
from bot.prompts import Prompts

MAX_REASONS = 3


def _shared_skills(wanting: Candidate, offering: Candidate) -> list[str]:
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
    prompts: Prompts,
    keys: str = "match.reason",
) -> list[str]:
    """The strongest reasons first, at most three; plain text (it contains users' words).
    ``keys``: ``match.reason`` speaks to the pair, another prefix may speak about them.
    """
    scored: list[tuple[float, str]] = []
    w = settings
    skills = _shared_skills(left, right)
    if skills:
        key = f"{keys}.skills_peer" if peer else f"{keys}.skills"
        text = prompts.text(key, mentor=right.name, skills=", ".join(skills[:3]))
        scored.append((w.weight_skills * min(1.0, len(skills) / 2 + 0.5), text))
    if peer:
        back = _shared_skills(right, left)
        if back:
            text = prompts.text(f"{keys}.skills_peer", mentor=left.name, skills=", ".join(back[:3]))
            scored.append((w.weight_skills * min(1.0, len(back) / 2 + 0.5) * 0.99, text))
    goal_words = words(left.goals) & (words(" ".join(right.skills_offered)) | words(right.goals))
    if goal_words:
        text = prompts.text(f"{keys}.goals", words=", ".join(sorted(goal_words)[:3]))
        scored.append((w.weight_goals * min(1.0, len(goal_words) / 2), text))
    shared_languages = sorted(left.language_set() & right.language_set())
    if shared_languages:
        names = [lang for lang in left.languages if lang.lower() in shared_languages]
        text = prompts.text(f"{keys}.language", languages=" and ".join(names[:2]))
        scored.append((w.weight_language * 0.9, text))
    unset = [c.name for c in (left, right) if not c.has_availability]
    if overlap_hours >= 1:
        if unset:
            # Without availability we assume weekday office hours: say so, never state it.
            text = prompts.text(
                f"{keys}.overlap_assumed",
                hours=f"{overlap_hours:g}",
                names=" and ".join(unset),
            )
        else:
            text = prompts.text(f"{keys}.overlap", hours=f"{overlap_hours:g}")
        scored.append((w.weight_overlap * min(1.0, overlap_hours / w.target_overlap_hours), text))
    if w.weight_team > 0 and left.team and right.team and left.team.lower() != right.team.lower():
        text = prompts.text(f"{keys}.team", team_a=left.team, team_b=right.team)
        scored.append((w.weight_team, text))
    if not peer and left.seniority is not None and right.seniority is not None:
        gap = right.seniority - left.seniority
        if gap > 0:
            text = prompts.text(f"{keys}.seniority", mentor=right.name, gap=str(gap))
            scored.append((w.weight_seniority * min(1.0, gap / 3), text))
    scored.sort(key=lambda item: -item[0])
    reasons = [text for _, text in scored[:MAX_REASONS]] or [prompts.text(f"{keys}.fallback")]
    if overlap_hours < 1:
        # A pair is never told only the good news: no common hours is worth knowing up front.
        reasons.append(prompts.text(f"{keys}.no_overlap"))
    return reasons
