"""A small mentoring program for the per-person admin tests, and what they read back."""

from __future__ import annotations

from sqlmodel import select

from bot.app import MentorBot
from bot.replies import Message
from storage.engine import transaction
from storage.models import Member, OutboxMessage, Pair, PairMember, Person
from tests.conftest import run


def admin(bot: MentorBot, command: str) -> str:
    """``/mentor admin <command>`` as the admin."""
    return run(bot, f"admin {command}", who="admin")


def join(bot: MentorBot, name: str, role: str, *settings: str) -> None:
    """``name`` joins as ``role`` and sets each profile setting."""
    run(bot, f"join {role}", who=name)
    for setting in settings:
        run(bot, f"profile set {setting}", who=name)


def program(bot: MentorBot) -> None:
    """amy wants python (paired with cat), ben wants design (paired with dan); eve waits."""
    join(bot, "amy", "mentee", "wants python", "languages English")
    join(bot, "ben", "mentee", "wants design", "languages English")
    join(bot, "cat", "mentor", "skills Python", "languages English", "capacity 2")
    join(bot, "dan", "mentor", "skills design, figma", "languages English")
    admin(bot, "match")
    assert "2 pairs matched" in admin(bot, "publish")
    join(bot, "eve", "mentee", "wants python", "languages English")


def members(bot: MentorBot) -> dict[str, Member]:
    """Platform id -> membership."""
    with transaction(bot.engine) as s:
        rows = s.exec(select(Member, Person).join(Person, Person.id == Member.person_id)).all()
        return {p.platform_user_id: m for m, p in rows}


def pairs(bot: MentorBot) -> list[tuple[Pair, set[str]]]:
    """Every started pair with the platform ids in it, oldest first."""
    with transaction(bot.engine) as s:
        out = []
        for pair in s.exec(select(Pair).order_by(Pair.id)).all():
            ids = s.exec(
                select(Person.platform_user_id)
                .join(Member, Member.person_id == Person.id)
                .join(PairMember, PairMember.member_id == Member.id)
                .where(PairMember.pair_id == pair.id)
            ).all()
            out.append((pair, set(ids)))
        return out


def pair_of(bot: MentorBot, *people: str) -> Pair:
    """The newest pair of exactly these people."""
    found = [p for p, ids in pairs(bot) if ids == set(people)]
    assert found, pairs(bot)
    return found[-1]


def dms(bot: MentorBot, prefix: str = "admin-") -> dict[str, list[str]]:
    """Platform id -> the plain text of each message queued to them (keys with ``prefix``)."""
    with transaction(bot.engine) as s:
        rows = s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    out: dict[str, list[str]] = {}
    for row in rows:
        if row.dedupe_key.startswith(prefix):
            for user in row.target_ids:
                out.setdefault(user, []).append(Message.from_json(row.payload).plain())
    return out


def outbox_rows(bot: MentorBot, prefix: str) -> list[OutboxMessage]:
    """The queued rows whose dedupe key starts with ``prefix``."""
    with transaction(bot.engine) as s:
        rows = s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return [r for r in rows if r.dedupe_key.startswith(prefix)]
