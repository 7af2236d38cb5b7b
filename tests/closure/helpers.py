"""A small program on the console: mia mentors, mentees in their own zones."""

from __future__ import annotations

from sqlmodel import select

from bot.app import MentorBot
from storage.engine import transaction
from storage.models import Member, OutboxMessage, Person
from tests.conversations.helpers import Chat


async def mentor_and_mentees(chat: Chat, mentees: list[tuple[str, str]], *, capacity: int) -> str:
    """mia (London) mentors python; each (name, zone) mentee wants python; one round published."""
    for line in (
        "/mentor join mentor",
        "/mentor timezone London",
        f"/mentor profile set capacity {capacity}",
        "/mentor profile set skills python",
    ):
        await chat.say(line, who="mia")
    for name, zone in mentees:
        await chat.say("/mentor join mentee", who=name)
        await chat.say(f"/mentor timezone {zone}", who=name)
        await chat.say("/mentor profile set wants python", who=name)
    await chat.say("/mentor admin match", who="admin")
    return await chat.say("/mentor admin publish", who="admin")


async def set_goal(chat: Chat, who: str) -> None:
    """``who`` sets one goal through the goal conversation."""
    await chat.say("/mentor goal", who=who)
    for answer in ("Give a 10 minute talk at the team demo", "talk given", "in 6 weeks"):
        await chat.say(answer, who=who)
    for answer in ("skip", "skip", "no", "no"):
        await chat.say(answer, who=who)


def priority(bot: MentorBot, who: str) -> int:
    """``who``'s match priority."""
    with transaction(bot.engine) as s:
        member = s.exec(
            select(Member)
            .join(Person, Person.id == Member.person_id)  # type: ignore[arg-type]
            .where(Person.platform_user_id == who)
        ).one()
        return member.match_priority


def keys(bot: MentorBot, prefix: str) -> list[str]:
    """The outbox's dedupe keys starting with ``prefix``."""
    with transaction(bot.engine) as s:
        rows = s.exec(select(OutboxMessage.dedupe_key)).all()
    return sorted(k for k in rows if k.startswith(prefix))


def message_to(output: str, who: str, start: str) -> str:
    """The console lines of the first DM to ``who`` starting with ``start`` (its indented
    continuation lines included)."""
    lines = output.splitlines()
    head = f"[DM to {who}] {start}"
    for k, line in enumerate(lines):
        if line.startswith(head):
            block = [line]
            for more in lines[k + 1 :]:
                if not more.startswith("  "):
                    break
                block.append(more)
            return "\n".join(block)
    raise AssertionError(f"no DM to {who} starting {start!r} in:\n{output}")
