"""What closure gives the cross-cutting views: each ended pair in a person's export (completed
or ended early, with how they closed it; their words blanked when forgotten), and the totals
admins see in ``mentorbot export``.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot.config import Settings
from bot.registry import PersonalData, Registry, Table, json_fields
from bot.suppression import Cells
from storage import closure as closure_db
from storage import pairs as pairs_db
from storage.models import EndReason, PairStatus, Program

CLOSURE = (
    "rating",
    "reason",
    "keep_in_touch",
    "rematch",
    "thanks",
    "share_thanks",
    "asked_at",
    "answered_at",
)


def register_contributions(registry: Registry) -> None:
    """Contribute closures to a person's export and forget, and a table to the export."""
    registry.personal_data(PersonalData("closure", _export, _words, _blank))
    registry.export_table("closure", _table)


def outcome(end_reason: str | None) -> str:
    """Whether the pair "completed" or "ended early", from how it ended."""
    try:
        completed = EndReason(end_reason or "").completed
    except ValueError:
        completed = False
    return "completed" if completed else "ended early"


def _export(session: Session, member_ids: list[int]) -> list[dict[str, Any]]:
    """Every pair of theirs that ended, how it ended, and how they closed it."""
    closures = {c.pair_id: c for c in closure_db.of_members(session=session, member_ids=member_ids)}
    rows: list[dict[str, Any]] = []
    for pair in pairs_db.pairs_of_members(session=session, member_ids=member_ids):
        if pair.status != PairStatus.ENDED or pair.started_at is None or pair.id is None:
            continue
        row: dict[str, Any] = {
            "pair_id": pair.id,
            "outcome": outcome(pair.end_reason),
            "end_reason": pair.end_reason,
        }
        found = closures.get(pair.id)
        if found is not None:
            row |= json_fields(found, CLOSURE)
        rows.append(row)
    return rows


def _words(session: Session, member_ids: list[int]) -> list[str]:
    found: list[str] = []
    for closure in closure_db.of_members(session=session, member_ids=member_ids):
        found += [closure.reason, closure.thanks]
    return found


def _blank(session: Session, member_ids: list[int]) -> None:
    """Their words go (and with them any sharing); ratings and choices stay for the totals."""
    for closure in closure_db.of_members(session=session, member_ids=member_ids):
        closure.reason, closure.thanks, closure.share_thanks = "", "", False
        session.add(closure)


def _table(session: Session, program: Program, settings: Settings) -> Table:
    """How pairs closed: completed or early, ratings over ``min_group_size`` people only."""
    assert program.id is not None
    facts = closure_db.closure_facts(session=session, program_id=program.id)
    cells = Cells(settings.surveys.min_group_size)
    asked = cells.people("asked", len(facts))
    completed = cells.people("completed", sum(outcome(f.end_reason) == "completed" for f in facts))
    early = cells.people(
        "early", len(facts) - sum(outcome(f.end_reason) == "completed" for f in facts)
    )
    cells.sum(asked, (completed, early))
    ratings = [float(f.rating) for f in facts if f.rating is not None]
    rated = cells.people("rated", len(ratings))
    keep = cells.people("keep", sum(f.keep_in_touch for f in facts))
    again = cells.people("again", sum(f.rematch for f in facts))
    rows: list[list[Any]] = [
        ["closures asked (one per person and pair)", cells.show(asked)],
        ["of pairs that completed", cells.show(completed)],
        ["of pairs that ended early", cells.show(early)],
        ["last ratings given", cells.show(rated)],
        ["mean last rating (1-5)", cells.mean(ratings, rated)],
        ["want to keep in touch", cells.show(keep)],
        ["asked to be matched again", cells.show(again)],
    ]
    return ["measure", "value"], rows
