"""Everything stored about one person, to hand it to them or to forget it.

Reads gather a person's rows across every table; writes delete or blank them. Rows other people
need for the program's counts (pairs, check-in outcomes, ratings) stay, without anything that
says who or what was written.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import String, cast, delete, event, func, or_
from sqlmodel import Session, SQLModel, col, select

from storage.engine import checkpoint
from storage.models import (
    Announcement,
    CheckIn,
    Conversation,
    Feedback,
    Goal,
    GoalUpdate,
    MatchRule,
    MatchRun,
    Member,
    MentorRequest,
    OutboxMessage,
    Pair,
    PairMember,
    Person,
    Program,
    SurveyResponse,
)

log = logging.getLogger(__name__)

# A forgotten person keeps a random platform id with this prefix: a placeholder that says who
# no one is, so pairs and counts still add up.
FORGOTTEN_ID_PREFIX = "forgotten-"


def is_forgotten_id(user_id: str) -> bool:
    """Whether ``user_id`` is the placeholder a forgotten person was left with."""
    return user_id.startswith(FORGOTTEN_ID_PREFIX)


def memberships(*, session: Session, person_id: int) -> list[tuple[Member, Program]]:
    """The person's memberships with their programs."""
    rows = session.exec(
        select(Member, Program)
        .join(Program, col(Program.id) == col(Member.program_id))
        .where(Member.person_id == person_id)
        .order_by(col(Member.id))
    ).all()
    return [(m, p) for m, p in rows]


def pairs_of(*, session: Session, member_ids: list[int]) -> list[Pair]:
    """Every pair these members were in (proposals included), oldest first."""
    if not member_ids:
        return []
    return list(
        session.exec(
            select(Pair)
            .join(PairMember, col(PairMember.pair_id) == col(Pair.id))
            .where(col(PairMember.member_id).in_(member_ids))
            .order_by(col(Pair.id))
        ).all()
    )


def partners(
    *, session: Session, pair_ids: list[int], member_ids: list[int]
) -> dict[int, list[Person]]:
    """Pair id -> the other people in it."""
    out: dict[int, list[Person]] = {p: [] for p in pair_ids}
    if not pair_ids:
        return out
    for pair_id, person in session.exec(
        select(PairMember.pair_id, Person)
        .join(Member, col(Member.id) == col(PairMember.member_id))
        .join(Person, col(Person.id) == col(Member.person_id))
        .where(col(PairMember.pair_id).in_(pair_ids), col(PairMember.member_id).not_in(member_ids))
        .order_by(col(PairMember.id))
    ).all():
        out[pair_id].append(person)
    return out


def _of_members(session: Session, model: type[Any], member_ids: list[int]) -> list[Any]:
    if not member_ids:
        return []
    return list(
        session.exec(
            select(model).where(col(model.member_id).in_(member_ids)).order_by(col(model.id))
        ).all()
    )


def checkins_of(*, session: Session, member_ids: list[int]) -> list[CheckIn]:
    """The person's check-ins (their answers, not their partners')."""
    return _of_members(session, CheckIn, member_ids)


def goals_of(*, session: Session, member_ids: list[int]) -> list[Goal]:
    """The person's goals."""
    return _of_members(session, Goal, member_ids)


def updates_of(*, session: Session, goal_ids: list[int]) -> list[GoalUpdate]:
    """Progress updates of these goals."""
    if not goal_ids:
        return []
    return list(
        session.exec(
            select(GoalUpdate)
            .where(col(GoalUpdate.goal_id).in_(goal_ids))
            .order_by(col(GoalUpdate.id))
        ).all()
    )


def feedback_of(*, session: Session, member_ids: list[int]) -> list[Feedback]:
    """The feedback the person gave."""
    return _of_members(session, Feedback, member_ids)


def surveys_of(*, session: Session, member_ids: list[int]) -> list[SurveyResponse]:
    """The person's survey answers."""
    return _of_members(session, SurveyResponse, member_ids)


def requests_of(*, session: Session, member_ids: list[int]) -> list[MentorRequest]:
    """Requests for help the person made."""
    if not member_ids:
        return []
    return list(
        session.exec(
            select(MentorRequest)
            .where(col(MentorRequest.requester_member_id).in_(member_ids))
            .order_by(col(MentorRequest.id))
        ).all()
    )


def conversations_of(*, session: Session, person_id: int) -> list[Conversation]:
    """The person's guided conversations, finished or not."""
    return list(
        session.exec(
            select(Conversation)
            .where(Conversation.person_id == person_id)
            .order_by(col(Conversation.id))
        ).all()
    )


def rules_of(*, session: Session, member_ids: list[int]) -> list[MatchRule]:
    """Pins and blocks that name the person."""
    if not member_ids:
        return []
    return list(
        session.exec(
            select(MatchRule).where(
                or_(
                    col(MatchRule.member_a_id).in_(member_ids),
                    col(MatchRule.member_b_id).in_(member_ids),
                )
            )
        ).all()
    )


def outbox_to(*, session: Session, platform: str, user_id: str) -> list[OutboxMessage]:
    """Every outbox row addressed to the person (alone or in a group)."""
    needle = f'%"{user_id}"%'
    rows = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.platform == platform,
            cast(col(OutboxMessage.target_ids), String).like(needle),
        )
    ).all()
    return [r for r in rows if user_id in r.target_ids]


def rows_mentioning(
    *, session: Session, model: type[SQLModel], column: str, needles: list[str]
) -> list[Any]:
    """Rows whose ``column`` (JSON or text) contains any of ``needles`` in any case (a coarse
    text match: callers look closer).
    """
    # JSON columns may keep non-ASCII characters escaped ("Jos\u00e9"): look for both spellings.
    needles = sorted({v.lower() for n in needles if n for v in (n, json.dumps(n)[1:-1])})
    if not needles:
        return []
    field = func.lower(cast(col(getattr(model, column)), String))
    matches = (field.contains(n, autoescape=True) for n in needles)
    return list(session.exec(select(model).where(or_(*matches))).all())


def delete_rows(*, session: Session, rows: list[Any]) -> None:
    """Delete these rows."""
    for row in rows:
        session.delete(row)


def delete_updates(*, session: Session, goal_ids: list[int]) -> None:
    """Delete the progress updates of these goals."""
    if goal_ids:
        session.execute(delete(GoalUpdate).where(col(GoalUpdate.goal_id).in_(goal_ids)))


def checkpoint_after_commit(*, session: Session) -> None:
    """Once ``session`` commits, empty SQLite's write-ahead log (:func:`storage.engine.
    checkpoint`), so words just deleted are gone from the files too. A checkpoint that fails
    is logged: the forget itself is done either way.
    """
    engine = session.get_bind().engine

    def after_commit(_session: Session) -> None:
        try:
            if not checkpoint(engine):
                log.warning("write-ahead log not emptied yet (busy); SQLite checkpoints later")
        except Exception as exc:  # the change is committed; SQLite checkpoints later anyway
            log.warning("write-ahead log checkpoint failed: %s", type(exc).__name__)

    event.listen(session, "after_commit", after_commit, once=True)


# Columns where people write in their own words, or where the bot copies names and words
# into what it stores (message payloads, conversation state): forgetting someone replaces
# their name, ids and words there. Their own rows are blanked first (see bot.personal.forget);
# what is left are mentions in other people's rows. tests/personal checks that every other
# text column holds only ids, keys and fixed words.
SCRUBBED_JSON: tuple[tuple[type[SQLModel], str], ...] = (
    (MatchRun, "summary"),
    (OutboxMessage, "payload"),
    (Conversation, "context"),
    (Conversation, "answers"),
    (Pair, "reasons"),
    (Goal, "details"),
    (Feedback, "details"),
    (SurveyResponse, "answers"),
)
SCRUBBED_TEXT: tuple[tuple[type[SQLModel], str], ...] = (
    (Announcement, "text"),
    (CheckIn, "note"),
    (Goal, "title"),
    (Goal, "measure"),
    (Goal, "why"),
    (Goal, "first_milestone"),
    (GoalUpdate, "blockers"),
    (GoalUpdate, "note"),
    (Feedback, "helped"),
    (Feedback, "change"),
    (MentorRequest, "topic"),
    (MentorRequest, "details"),
    (Member, "goals"),
)
