"""Requests nobody answered in time lapse (a pulse job, from the database): the mentee hears
it kindly and may choose again or wait for the admin's matching; the mentor hears it lapsed.
"""

from __future__ import annotations

from bot.choosing.notices import tell, to_mentee
from bot.registry import JobContext
from bot.replies import Message, Section
from storage import choices as choices_db
from storage import repo
from storage.models import ChoiceStatus


def expire(job: JobContext) -> int:
    """Lapse every open request past its answer time, program by program; how many did."""
    lapsed = 0
    for program in repo.programs(session=job.session):
        assert program.id is not None
        for row in choices_db.due(session=job.session, program_id=program.id, now=job.now):
            assert row.id is not None
            won = choices_db.answer(
                session=job.session, choice_id=row.id, status=ChoiceStatus.EXPIRED, now=job.now
            )
            if not won:
                continue
            lapsed += 1
            mentee = repo.person_of_member(session=job.session, member_id=row.mentee_member_id)
            mentor = repo.person_of_member(session=job.session, member_id=row.mentor_member_id)
            if mentee is None or mentor is None:
                continue
            kind = to_mentee(
                job.prompts.for_person(mentee), "choose.mentee_expired", mentor.display_name
            )
            tell(job.session, program, mentee, kind, key=f"choice-end:{row.id}", now=job.now)
            note = job.prompts.for_person(mentor).render(
                "choose.mentor_expired", mentee=mentee.display_name
            )
            message = Message((Section(note),))
            tell(job.session, program, mentor, message, key=f"choice-off:{row.id}", now=job.now)
    return lapsed
