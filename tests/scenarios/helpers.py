"""A program run through the console adapter: a mentor with several mentees, and clicking the
buttons of particular messages in what the console printed."""

from __future__ import annotations

import re

from sqlmodel import select

from bot.app import MentorBot
from storage.engine import transaction
from storage.models import CheckIn, Member, Pair, PairMember, Person
from tests.conversations.helpers import Chat

MENTEES = (("ann", "Tokyo", "python"), ("bea", "New York", "testing"), ("cal", "Berlin", "go"))


async def mentor_with_three_mentees(chat: Chat) -> str:
    """mia (London, capacity 3) mentors ann (Tokyo), bea (New York) and cal (Berlin)."""
    for line in (
        "/mentor join mentor",
        "/mentor timezone London",
        "/mentor profile set capacity 3",
        "/mentor profile set skills python, testing, go",
    ):
        await chat.say(line, who="mia")
    for name, zone, wants in MENTEES:
        await chat.say("/mentor join mentee", who=name)
        await chat.say(f"/mentor timezone {zone}", who=name)
        await chat.say(f"/mentor profile set wants {wants}", who=name)
    await chat.say("/mentor admin match", who="admin")
    return await chat.say("/mentor admin publish", who="admin")


def button_number(output: str, heading: str, label: str) -> int:
    """The console number of button ``label`` in the first message containing ``heading``."""
    lines = output.splitlines()
    for k, line in enumerate(lines):
        if heading in line:
            for following in lines[k : k + 6]:
                found = re.search(r"\[(\d+)\] " + re.escape(label) + r"(?:  |\s*\(|$)", following)
                if found:
                    return int(found.group(1))
    raise AssertionError(f"no button {label!r} after {heading!r} in:\n{output}")


def pair_of(bot: MentorBot, a: str, b: str) -> int:
    """The id of the active pair of ``a`` and ``b`` (platform user ids)."""
    with transaction(bot.engine) as s:
        rows = s.exec(
            select(PairMember.pair_id, Person.platform_user_id)
            .join(Member, Member.id == PairMember.member_id)  # type: ignore[arg-type]
            .join(Person, Person.id == Member.person_id)  # type: ignore[arg-type]
            .join(Pair, Pair.id == PairMember.pair_id)  # type: ignore[arg-type]
            .where(Pair.status == "active")
        ).all()
    groups: dict[int, set[str]] = {}
    for pair_id, who in rows:
        groups.setdefault(pair_id, set()).add(who)
    found = [p for p, people in groups.items() if people == {a, b}]
    assert len(found) == 1, groups
    return found[0]


def outcomes(bot: MentorBot, who: str) -> dict[tuple[int, str], str]:
    """(pair id, cycle) -> outcome of every check-in ``who`` has."""
    with transaction(bot.engine) as s:
        rows = s.exec(
            select(CheckIn.pair_id, CheckIn.cycle_on, CheckIn.outcome)
            .join(Member, Member.id == CheckIn.member_id)  # type: ignore[arg-type]
            .join(Person, Person.id == Member.person_id)  # type: ignore[arg-type]
            .where(Person.platform_user_id == who)
        ).all()
    return {(p, c.isoformat() if c else ""): o for p, c, o in rows}
