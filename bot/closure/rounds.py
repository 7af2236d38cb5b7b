"""Whether a next matching round can still come before the program ends.

A program with recurring rounds (``rounds_every_weeks``) knows when its next round is due
(:func:`bot.rounds.schedule.next_due`). Rounds run by the coordinators only show their
rhythm: the spacing of the last two published rounds (four weeks when there has been only
one). A program whose end comes before the next round would is in its last weeks, and nobody
is promised a next round.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.checkins.wrapup import closes_at
from bot.config import Settings
from bot.rounds.schedule import next_due
from storage import closure as closure_db
from storage.models import Program

DEFAULT_SPACING = timedelta(weeks=4)  # with one round so far, the usual rhythm


def next_round_expected(
    session: Session, program: Program, now: datetime, settings: Settings
) -> bool:
    """Whether a next round is expected before ``program`` ends (always, with no end set)."""
    if program.ends_on is None:
        return True
    if program.rounds_every_weeks is not None:  # the schedule says when
        due = next_due(program, settings, after=now)
        return due is not None and due < closes_at(program.ends_on)
    assert program.id is not None
    times = closure_db.published_round_times(session=session, program_id=program.id)
    spacing = times[0] - times[1] if len(times) == 2 else DEFAULT_SPACING
    last = times[0] if times else now
    expected = max(last + spacing, now)
    return expected < closes_at(program.ends_on)
