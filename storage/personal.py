"""Forgetting a person: the placeholder they are left with, the rows that mention them, and
the columns where names and words are scrubbed.

Each capability reads and blanks its own rows of a person in its own storage module (``of_members``
in ``goals``, ``feedback``, ``surveys``, ``checkins``, ``requests``); rows other people need for
the program's counts (pairs, check-in outcomes, ratings) stay, without anything that says who or
what was written.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import String, cast, event, func, or_
from sqlmodel import Session, SQLModel, col, select

from storage.engine import checkpoint
from storage.models import (
    Announcement,
    CheckIn,
    Conversation,
    Feedback,
    Goal,
    GoalUpdate,
    MatchRun,
    Member,
    MentorRequest,
    OutboxMessage,
    Pair,
    PairClosure,
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
    (Program, "admins"),  # ids; forget takes the person out of them first
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
    (Pair, "end_note"),
    (PairClosure, "reason"),
    (PairClosure, "thanks"),
)
