"""The recognition section of the admins' digest: thank-yous mentees wrote for their mentors
and agreed to share (recognition keeps mentors coming back). Their words stay their words:
shown as user text, never as markup.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.closure.together import name_of, partners_of
from bot.prompts import Prompts
from bot.replies import Part, Section
from bot.spans import Text
from storage import closure as closure_db
from storage import repo
from storage.models import Program, Role

SHOWN = 10


def recognition(
    session: Session, prompts: Prompts, program: Program, *, since: datetime, until: datetime
) -> list[Part]:
    """The thank-yous shared in [since, until): a header and one line each (none: nothing)."""
    assert program.id is not None
    rows = closure_db.shared_thanks(
        session=session, program_id=program.id, since=since, until=until
    )
    lines: list[Text] = []
    for row in rows[:SHOWN]:
        mentee = repo.person_of_member(session=session, member_id=row.member_id)
        mentors = [
            p for p in partners_of(session, row.pair_id, row.member_id) if p.role == Role.MENTOR
        ]
        lines.append(
            prompts.render(
                "closure.digest.line",
                mentee=mentee.display_name if mentee else "",
                mentor=name_of(prompts, mentors),
                thanks=row.thanks,
            )
        )
    if not lines:
        return []
    header = prompts.render("closure.digest.header", count=len(rows))
    return [Section(header), Section(Text.join(lines, "\n"))]
