"""A circle's "why this circle", worded for the group: a language all of them speak, who
can help whom with what ("max can help amy and ben with Python"), else that they were the
best fit as a group. Stored like a pair's reasons (:mod:`bot.matching.reasons`).
"""

from __future__ import annotations

from typing import Any

from bot.matching.explain import shared_skills
from bot.matching.profiles import Candidate
from bot.matching.reasons import LANGUAGES, reason

KEYS = "match.circle_reason"
MAX_REASONS = 3
MAX_SKILLS = 3


def circle_reasons(people: list[Candidate], *, mentored: bool) -> list[dict[str, Any]]:
    """Up to three reasons for the circle ``people`` (a mentor first when ``mentored``)."""
    out = _helping(people, mentored)[: MAX_REASONS - 1]
    spoken = [c.language_set() for c in people if c.language_set()]
    common = set.intersection(*spoken) if len(spoken) == len(people) else set()
    if common:
        written = [lang for lang in people[0].languages if lang.strip().lower() in common]
        out.insert(0, reason(f"{KEYS}.language", **{LANGUAGES: written[:2]}))
    return out or [reason(f"{KEYS}.fallback")]


def _helping(people: list[Candidate], mentored: bool) -> list[dict[str, Any]]:
    """Who can help whom with what: the mentor (or each peer) and those who want their
    skills, the one helping most first.
    """
    givers = people[:1] if mentored else people
    found: list[tuple[int, dict[str, Any]]] = []
    for giver in givers:
        helped: list[str] = []
        skills: list[str] = []
        for other in people:
            shared = shared_skills(other, giver) if other is not giver else []
            if shared:
                helped.append(other.name)
                skills += [s for s in shared if s.lower() not in {k.lower() for k in skills}]
        if helped:
            key = f"{KEYS}.skills" if mentored else f"{KEYS}.skills_peer"
            found.append(
                (
                    len(helped),
                    reason(key, mentor=giver.name, people=helped, skills=skills[:MAX_SKILLS]),
                )
            )
    found.sort(key=lambda item: -item[0])
    return [r for _, r in found]
