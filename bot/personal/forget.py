"""Forgetting a person: everything personal is deleted or irreversibly blanked.

What goes: their profile (name, platform id, zone, languages, availability, team, skills,
goals), every free-text answer (check-in notes, goals and their updates, feedback words, survey
free text, requests for help), their conversations, pins and blocks naming them, every outbox
row addressed to them (sent or not), and their name, platform id, mentions of them (``<@U123>``)
and the longer things they wrote wherever they were copied or written by others: messages to
others, match previews, conversation state, an admin's announcement text, a partner's check-in
note or feedback words, others' goals and requests (the columns are listed in
``storage.personal``). Those are replaced by "(forgotten)"; the rest of others' words stays.
Nicknames or a first name alone are not found: only the name the platform shows.

What stays, with nothing that says who: the fact that a member of some role took part, their
pairs' dates and check-in outcomes, ratings and scale answers, so totals already reported keep
their counts. Their active pairs end and each partner is told, without the name. After the
commit, SQLite's write-ahead log is emptied into the database file, where freed space is
zeroed (``secure_delete``), so the words are not left in the files either.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.checkins.planner import withdraw_future_nudges
from bot.delivery import Target
from bot.outbox import enqueue
from bot.prompts import Prompts
from bot.replies import Message, Section
from bot.spans import Text
from storage import personal
from storage.models import MemberStatus, OutboxMessage, OutboxStatus, PairStatus, Person, Program

FORGOTTEN = "(forgotten)"


@dataclass
class Forgotten:
    """What a forget did, for the confirmation and the admin's terminal."""

    memberships: int = 0
    pairs_ended: int = 0
    partners_told: int = 0
    messages_withdrawn: int = 0
    rows_blanked: int = 0


def _scrub(value: Any, needles: list[re.Pattern[str]]) -> Any:
    """``value`` (JSON) with every needle replaced, however deep."""
    if isinstance(value, str):
        for needle in needles:
            value = needle.sub(FORGOTTEN, value)
        return value
    if isinstance(value, list):
        return [_scrub(v, needles) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, needles) for k, v in value.items()}
    return value


def forget_person(
    session: Session, person: Person, *, now: datetime, prompts: Prompts
) -> Forgotten:
    """Forget ``person`` in every program (see the module's description)."""
    assert person.id is not None
    done = Forgotten()
    names = [w for w in {person.display_name, person.platform_user_id} if len(w) >= 2]
    texts = _free_texts(session, person)
    members = personal.memberships(session=session, person_id=person.id)
    member_ids = [m.id for m, _ in members if m.id is not None]
    done.memberships = len(members)
    programs = {p.id: p for _, p in members}
    _end_pairs(session, programs, member_ids, now=now, prompts=prompts, done=done)
    _blank_answers(session, member_ids)
    for row in personal.outbox_to(
        session=session, platform=person.platform, user_id=person.platform_user_id
    ):
        done.messages_withdrawn += row.status == OutboxStatus.PENDING
        session.delete(row)
    personal.delete_rows(
        session=session, rows=personal.conversations_of(session=session, person_id=person.id)
    )
    personal.delete_rows(
        session=session, rows=personal.rules_of(session=session, member_ids=member_ids)
    )
    session.flush()
    done.rows_blanked = _scrub_copies(session, person.platform_user_id, names + texts)
    for member, _program in members:
        member.skills_offered, member.skills_wanted, member.goals = [], [], ""
        member.seniority, member.paused_until = None, None
        if member.status != MemberStatus.LEFT:
            member.status, member.left_at = MemberStatus.LEFT, now
        session.add(member)
    person.platform_user_id = f"forgotten-{uuid.uuid4().hex[:16]}"
    person.display_name = ""
    person.timezone = person.timezone_source = person.team = None
    person.quiet_start = person.quiet_end = None
    person.languages, person.availability = [], []
    person.updated_at = now
    session.add(person)
    personal.checkpoint_after_commit(session=session)
    return done


def _free_texts(session: Session, person: Person) -> list[str]:
    """Longer things the person wrote, to find where they were copied (goal titles, notes,
    a request posted to the mentors' channel).
    """
    assert person.id is not None
    members = personal.memberships(session=session, person_id=person.id)
    member_ids = [m.id for m, _ in members if m.id]
    found: list[str] = [member.goals for member, _ in members]
    goals = personal.goals_of(session=session, member_ids=member_ids)
    for goal in goals:
        found += [goal.title, goal.measure, goal.why, goal.first_milestone]
    for update in personal.updates_of(session=session, goal_ids=[g.id for g in goals if g.id]):
        found += [update.note, update.blockers]
    for request in personal.requests_of(session=session, member_ids=member_ids):
        found += [request.topic, request.details]
    found += [c.note for c in personal.checkins_of(session=session, member_ids=member_ids)]
    for feedback in personal.feedback_of(session=session, member_ids=member_ids):
        found += [feedback.helped, feedback.change]
    for survey in personal.surveys_of(session=session, member_ids=member_ids):
        found += [v for v in survey.answers.values() if isinstance(v, str)]
    return [t for t in found if len(t) >= 8]


def _end_pairs(
    session: Session,
    programs: dict[int | None, Program],
    member_ids: list[int],
    *,
    now: datetime,
    prompts: Prompts,
    done: Forgotten,
) -> None:
    """End the person's active pairs; each partner hears that their partner left (no name)."""
    pairs = [p for p in personal.pairs_of(session=session, member_ids=member_ids)]
    active = [p for p in pairs if p.status == PairStatus.ACTIVE and p.id is not None]
    ids = [p.id for p in active if p.id is not None]
    withdraw_future_nudges(session, now=now, pair_ids=ids)
    others = personal.partners(session=session, pair_ids=ids, member_ids=member_ids)
    for pair in active:
        assert pair.id is not None
        pair.status, pair.ended_at, pair.end_reason = PairStatus.ENDED, now, "partner left"
        session.add(pair)
        done.pairs_ended += 1
        for partner in others.get(pair.id, []):
            message = Message(
                (Section(prompts.render("forget.partner_left", pair=Text.trusted(str(pair.id)))),)
            )
            row = enqueue(
                session,
                dedupe_key=f"left:{pair.id}:{partner.platform_user_id}",
                target=Target(
                    partner.platform,
                    programs[pair.program_id].workspace_id,
                    "user",
                    (partner.platform_user_id,),
                ),
                message=message,
                not_before=now,
                now=now,
                program_id=pair.program_id,
            )
            done.partners_told += row is not None
    for pair in pairs:
        pair.reasons = []
        session.add(pair)


def _blank_answers(session: Session, member_ids: list[int]) -> None:
    """Free text goes; outcomes, ratings and scale answers stay for the totals."""
    for checkin in personal.checkins_of(session=session, member_ids=member_ids):
        checkin.note = ""
        session.add(checkin)
    goals = personal.goals_of(session=session, member_ids=member_ids)
    personal.delete_updates(session=session, goal_ids=[g.id for g in goals if g.id])
    for goal in goals:
        goal.title, goal.measure, goal.why, goal.first_milestone = FORGOTTEN, "", "", ""
        goal.details = {}
        session.add(goal)
    for feedback in personal.feedback_of(session=session, member_ids=member_ids):
        if feedback.kind != "fit":  # the fit answer is a choice; session words are free text
            feedback.helped = ""
        feedback.change, feedback.details = "", {}
        session.add(feedback)
    for survey in personal.surveys_of(session=session, member_ids=member_ids):
        survey.answers = {k: v for k, v in survey.answers.items() if isinstance(v, int | float)}
        session.add(survey)
    for request in personal.requests_of(session=session, member_ids=member_ids):
        request.topic, request.details = FORGOTTEN, ""
        session.add(request)


def _patterns(user_id: str, needles: list[str]) -> list[re.Pattern[str]]:
    """Mentions of the person (``<@U123>``, ``<@!123>``, ``<@U123|zeb>``) and every needle as
    a whole word in any case, longest first (a full text before a name inside it).
    """
    mention = re.compile(rf"<@!?{re.escape(user_id)}(?:\|[^>]*)?>")
    words = sorted({n for n in needles if n}, key=len, reverse=True)
    return [mention] + [re.compile(rf"(?<!\w){re.escape(n)}(?!\w)", re.I) for n in words]


def _scrub_copies(session: Session, user_id: str, needles: list[str]) -> int:
    """Replace the person's name, id and words wherever other rows copied or wrote them."""
    patterns = _patterns(user_id, needles)
    changed = 0
    for model, column in personal.SCRUBBED_JSON + personal.SCRUBBED_TEXT:
        for row in personal.rows_mentioning(
            session=session, model=model, column=column, needles=needles
        ):
            before = getattr(row, column)
            after = _scrub(before, patterns)
            if after != before:
                setattr(row, column, after)
                if isinstance(row, OutboxMessage) and row.status == OutboxStatus.PENDING:
                    row.status = OutboxStatus.CANCELLED  # about someone who asked to be forgotten
                    row.last_error = "withdrawn: mentions a forgotten person"
                session.add(row)
                changed += 1
    return changed
