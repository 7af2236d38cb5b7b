"""A program on Slack or Discord with one pair and a channel, DMs queued through the outbox,
and what the admin and the database say about who can't be reached."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlmodel import select

from adapters.surfaces import DISCORD, SLACK
from bot.app import MentorBot
from bot.delivery import Target
from bot.events import Actor, Command
from bot.outbox import enqueue
from bot.replies import Message, Section
from bot.spans import Text
from fakes.programs import make_pair, make_program
from storage.engine import transaction
from storage.models import Member, OutboxMessage, Pair, Person, Program
from tests.conftest import text_of

CHANNEL = {"slack": "C0PROGRAM", "discord": "800000000000000001"}


def program_with_pair(bot: MentorBot, platform: str, workspace: str, a: str, b: str) -> int:
    """A program whose announcement channel is set, with ``a`` (mentee) paired to ``b``."""
    program_id = make_program(bot, platform=platform, workspace=workspace)
    with transaction(bot.engine) as s:
        program = s.get(Program, program_id)
        assert program is not None
        program.announcement_channel = CHANNEL[platform]
        s.add(program)
    make_pair(bot, program_id, a, b, platform=platform)
    admins = bot.settings.admins
    bot.settings = replace(bot.settings, admins=replace(admins, **{platform: ("ADMIN1",)}))
    return program_id


def queue_dm(
    bot: MentorBot,
    program_id: int,
    platform: str,
    workspace: str,
    to: str,
    key: str,
    *,
    later: timedelta = timedelta(0),
) -> None:
    """A DM for ``to`` in the outbox (due ``later`` from now), as every capability queues one."""
    now = bot.clock.now()
    with transaction(bot.engine) as s:
        enqueue(
            s,
            dedupe_key=key,
            target=Target(platform, workspace, "user", (to,)),
            message=Message((Section(Text.trusted(f"PRIVATE words for you ({key})")),)),
            not_before=now + later,
            now=now,
            program_id=program_id,
        )


def mark_of(bot: MentorBot, platform: str, user_id: str) -> tuple[object, str | None]:
    """(since, reason) of a person's unreachable mark."""
    with transaction(bot.engine) as s:
        person = s.exec(
            select(Person).where(Person.platform == platform, Person.platform_user_id == user_id)
        ).one()
        return person.unreachable_since, person.unreachable_reason


def as_admin(bot: MentorBot, platform: str, workspace: str, command: str) -> str:
    """``/mentor admin <command>`` from the platform's admin."""
    surface = SLACK if platform == "slack" else DISCORD
    who = Actor(platform, "ADMIN1", "coordinator", workspace, None, (), surface)
    return text_of(bot.handle(Command(who, f"admin {command}")))


def pair_and_member(bot: MentorBot, program_id: int, user_id: str) -> tuple[Pair, Member]:
    """The program's only pair and ``user_id``'s membership."""
    with transaction(bot.engine) as s:
        pair = s.exec(select(Pair).where(Pair.program_id == program_id)).one()
        member = s.exec(
            select(Member)
            .join(Person, Person.id == Member.person_id)
            .where(Person.platform_user_id == user_id)
        ).one()
        return pair, member


def outbox(bot: MentorBot) -> list[OutboxMessage]:
    """Every outbox row, oldest first."""
    with transaction(bot.engine) as s:
        return list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def weekly_digest_text(bot: MentorBot, program_id: int) -> str:
    """The program's weekly digest for the admins, as plain text."""
    from bot.checkins.digest import weekly_digest

    with transaction(bot.engine) as s:
        program = s.get(Program, program_id)
        assert program is not None
        return weekly_digest(s, program, bot.prompts, bot.settings, now=bot.clock.now()).plain()
