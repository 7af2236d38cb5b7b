"""What check-ins give the rest of the bot: nudges withdrawn when pairs end or a member
pauses, re-planned when a schedule moves; a person's check-ins in their export (their notes
blanked when forgotten); the program's check-in outcomes in ``mentorbot export``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.checkins.planner import replan, withdraw_ended_pairs_nudges, withdraw_future_nudges
from bot.checkins.report import meetings_section
from bot.registry import (
    CircleLeft,
    PersonalData,
    Registry,
    ReportSection,
    ScheduleChange,
    Table,
    cell,
    json_fields,
)
from storage import checkins as checkins_db
from storage import pairs as pairs_db
from storage import roster as roster_db
from storage.models import Member, Program, Role

CHECKIN = ("pair_id", "cycle_on", "due_at", "outcome", "note", "recorded_at")


def register_contributions(registry: Registry) -> None:
    """Listen on pairs ended, members paused and schedules changed; contribute check-ins to a
    person's export and forget, the program's export and the report.
    """
    registry.on_pair_ended(
        lambda ended: withdraw_ended_pairs_nudges(
            ended.session, now=ended.now, pair_ids=ended.pair_ids
        )
    )
    registry.on_circle_left(_left_circle)
    registry.on_member_paused(_paused)
    registry.on_schedule_changed(_replan)
    registry.personal_data(PersonalData("checkins", _export, _words, _blank))
    registry.export_table("checkins", _table)
    registry.report_section(ReportSection("meetings", meetings_section))


def _left_circle(left: CircleLeft) -> None:
    """Whoever left a circle that carries on is asked nothing more about it."""
    for member_id in left.member_ids:
        withdraw_future_nudges(
            left.session, now=left.now, pair_ids=[left.pair_id], member_id=member_id, ended=True
        )


def _paused(session: Session, now: datetime, member_id: int) -> None:
    """A member's own nudges stop; a mentor's break stops their pairs' nudges (both sides)."""
    withdraw_future_nudges(session, now=now, member_id=member_id)
    member = session.get(Member, member_id)
    if member is not None and member.role == Role.MENTOR:
        pairs = pairs_db.active_pairs_of(session=session, member_id=member_id)
        withdraw_future_nudges(session, now=now, pair_ids=[p.id for p in pairs if p.id])


def _replan(change: ScheduleChange) -> None:
    replan(
        change.session,
        now=change.now,
        settings=change.settings,
        prompts=change.prompts,
        programs=change.programs,
        member_ids=change.member_ids,
    )


def _export(session: Session, member_ids: list[int]) -> list[dict[str, Any]]:
    rows = checkins_db.of_members(session=session, member_ids=member_ids)
    return [json_fields(c, CHECKIN) for c in rows]


def _words(session: Session, member_ids: list[int]) -> list[str]:
    return [c.note for c in checkins_db.of_members(session=session, member_ids=member_ids)]


def _blank(session: Session, member_ids: list[int]) -> None:
    """The notes go; the outcomes stay for the totals."""
    for checkin in checkins_db.of_members(session=session, member_ids=member_ids):
        checkin.note = ""
        session.add(checkin)


def _table(session: Session, program: Program, _settings: Any) -> Table:
    """Every check-in's outcome (never the note someone wrote)."""
    assert program.id is not None
    rows = [
        [c.pair_id, user, cell(c.cycle_on), cell(c.due_at), c.outcome, cell(c.recorded_at)]
        for c, user in roster_db.checkin_rows(session=session, program_id=program.id)
    ]
    return ["pair", "platform_id", "cycle_on", "due_at", "outcome", "recorded_at"], rows
