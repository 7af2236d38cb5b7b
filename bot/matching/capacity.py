"""Capacity planning for a mentoring round: how many mentees the preview cannot place, why,
and what would help.

``plan`` runs inside ``propose`` on what the solve itself used (the pool, each mentor's free
places, the reason each mentee was left out, and the weekly hours the scorer compares) and keeps
the facts as JSON in the run's summary; ``capacity_section`` renders them for any preview of
that run (the chat preview, or a preview a scheduled round sends to the admins), with the
button that asks full mentors to take one more (``bot.matching.capacity_ask``).

Overlapping hours are no hard rule of the matching: nobody is left out for them. So the zones
are told of the mentees left out for lack of places whose available hours overlap no mentor's
at all: more places among today's mentors would give them a partner they cannot easily meet.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.prompts import Prompts
from bot.replies import Button, Buttons, Context, Fields, Part, Section
from bot.spans import Text
from storage.models import MatchRun

if TYPE_CHECKING:
    import numpy as np

    from bot.matching.profiles import Candidate

# Why a mentee was left out (``rounds._left_out``), by what would place them.
PLACES = frozenset({"capacity", "fits_full", "waiting_full", "no_mentors"})  # more places
LANGUAGE = "language"  # a mentor who speaks one of their languages
DISTINCT_HOURS = 5_000  # the zone check's distinct weekly hours per side (about 1 s at most)
SHOWN = 5  # languages or zones named in a preview


def plan(
    left: Sequence[Candidate],
    right: Sequence[Candidate],
    places: np.ndarray,
    unmatched: Sequence[tuple[int, str]],
    week: date,
) -> dict[str, Any]:
    """The capacity facts of a mentoring round (JSON): mentees waiting, free mentor places,
    mentees left out, and of those how many for lack of places (with the zones none of the
    mentors' hours reach), for want of a shared language (by language), or for other rules.
    """
    row_of = {c.member_id: i for i, c in enumerate(left)}
    reasons = [(row_of[m], r) for m, r in unmatched if m in row_of]
    short = [i for i, r in reasons if r in PLACES]
    languages: dict[str, list[Any]] = {}
    for i, reason in reasons:
        if reason == LANGUAGE:
            spoken = sorted({x.strip() for x in left[i].languages if x.strip()}, key=str.lower)
            label = " / ".join(spoken)
            languages.setdefault(label.lower(), [label, 0])[1] += 1
    other = Counter(r for _, r in reasons if r not in PLACES and r != LANGUAGE)
    return {
        "mentees": len(left),
        "places": int(places.sum()),
        "unplaced": len(reasons),
        "short": len(short),
        "languages": _most(languages.values()),
        "zones": _zones_out_of_reach(left, right, short, week),
        "other": dict(sorted(other.items())),
    }


def _most(counted: Any) -> list[list[Any]]:
    """``[label, count]`` pairs, the most first (then by label)."""
    return sorted(([str(a), int(b)] for a, b in counted), key=lambda x: (-x[1], x[0].lower()))


def _zones_out_of_reach(
    left: Sequence[Candidate], right: Sequence[Candidate], rows: list[int], week: date
) -> list[list[Any]]:
    """The zones of the mentees in ``rows`` whose available hours in ``week`` (the scorer's
    reference week, office hours where none are set) overlap no mentor's, with how many:
    each distinct (zone, hours) against the union of every mentor's; skipped (empty) past
    ``DISTINCT_HOURS`` distinct weeks on a side.
    """
    import numpy as np

    from bot.matching.profiles import week_bitmap

    if not rows or not right:
        return []
    row_keys = _distinct([left[i] for i in rows])
    col_keys = _distinct(list(right))
    if max(len(row_keys), len(col_keys)) > DISTINCT_HOURS:
        return []
    reach = np.zeros_like(week_bitmap(right[0], week))
    for k in col_keys.values():
        reach |= week_bitmap(right[k], week)
    alone = {
        key for key, k in row_keys.items() if not (week_bitmap(left[rows[k]], week) & reach).any()
    }
    zones = Counter(left[i].timezone for i in rows if _key(left[i]) in alone)
    return _most(zones.items())


def _key(c: Candidate) -> tuple[str, str]:
    return c.timezone, repr(c.availability)


def _distinct(people: list[Candidate]) -> dict[tuple[str, str], int]:
    """Each distinct (zone, hours) with the position of the first person who has it."""
    out: dict[tuple[str, str], int] = {}
    for k, c in enumerate(people):
        out.setdefault(_key(c), k)
    return out


def facts_of(run: MatchRun) -> dict[str, Any]:
    """The capacity facts a preview run stored (empty for peer rounds and older runs)."""
    facts = run.summary.get("capacity")
    return facts if isinstance(facts, dict) else {}


def capacity_section(prompts: Prompts, run: MatchRun, *, button: bool = True) -> list[Part]:
    """The preview's capacity section for ``run``: waiting mentees against free places, why
    those left out are, what would help, and (``button``, when places are short) the button
    asking full mentors to take one more. Empty when every mentee is placed, and when the run
    stored no capacity facts (peer rounds, older runs).
    """
    facts = facts_of(run)
    mentees, places = int(facts.get("mentees", 0)), int(facts.get("places", 0))
    if not mentees:
        return []
    unplaced, short = int(facts.get("unplaced", 0)), int(facts.get("short", 0))
    if not unplaced:
        return []
    numbers = {"mentees": mentees, "places": places, "unplaced": unplaced}
    parts: list[Part] = [Section(prompts.render("match.capacity.header", **numbers))]
    rows = _rows(prompts, facts, short)
    if rows:
        parts.append(Fields(tuple(rows)))
    helps = _helps(prompts, facts, short)
    if helps:
        parts.append(Context(prompts.render("match.capacity.help", helps=Text.join(helps, "; "))))
    if button and short and run.id is not None:
        label = prompts.text("button.capacity_ask")
        parts.append(Buttons((Button(label, f"admin capacity ask {run.id}"),)))
    return parts


def _listed(pairs: list[list[Any]]) -> Text:
    """Like "Portuguese (3), Japanese (1)": people's own words, escaped."""
    shown = ", ".join(f"{label} ({count})" for label, count in pairs[:SHOWN])
    more = f", +{len(pairs) - SHOWN}" if len(pairs) > SHOWN else ""
    return Text.user(shown + more)


def _rows(prompts: Prompts, facts: dict[str, Any], short: int) -> list[tuple[str, Text]]:
    """One line per cause: places, languages, zones out of reach, other rules."""
    rows: list[tuple[str, Text]] = []
    if short:
        label = prompts.text("match.capacity.row_places")
        rows.append((label, prompts.render("match.capacity.mentees", count=short)))
    languages, zones = facts.get("languages") or [], facts.get("zones") or []
    if languages:
        rows.append((prompts.text("match.capacity.row_languages"), _listed(languages)))
    if zones:
        rows.append((prompts.text("match.capacity.row_zones"), _listed(zones)))
    for reason, count in sorted((facts.get("other") or {}).items()):
        label = prompts.text(f"match.unmatched_reason.{reason}")
        rows.append((label, prompts.render("match.capacity.mentees", count=int(count))))
    return rows


def _helps(prompts: Prompts, facts: dict[str, Any], short: int) -> list[Text]:
    """What would place them: more places (some reaching these zones), mentors who speak
    these languages.
    """
    helps: list[Text] = []
    if short:
        helps.append(prompts.render("match.capacity.help_places", count=short))
    zones = facts.get("zones") or []
    if zones:
        named = Text.user(", ".join(str(zone) for zone, _ in zones[:SHOWN]))
        reach = sum(int(count) for _, count in zones)
        helps.append(prompts.render("match.capacity.help_zones", count=reach, zones=named))
    for label, count in (facts.get("languages") or [])[:SHOWN]:
        language = Text.user(str(label))
        helps.append(prompts.render("match.capacity.help_language", count=count, language=language))
    return helps
