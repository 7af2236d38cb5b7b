"""A console chat driven line by line, for conversations over the fake clock."""

from __future__ import annotations

import io

from sqlmodel import select

from adapters.console import ConsoleSession
from bot.app import MentorBot
from storage.engine import transaction
from storage.models import Conversation, OutboxMessage
from tests.conftest import START

TODAY = START.date()  # the fake clock's first day, a Sunday


class Chat:
    """A ConsoleSession whose output is read back per turn."""

    def __init__(self, bot: MentorBot, user: str = "alice") -> None:
        self.out = io.StringIO()
        self.session = ConsoleSession(bot, self.out, user=user)
        self.bot = bot

    async def say(self, line: str, *, who: str | None = None) -> str:
        """Type one line (as ``who`` if given) and return everything printed for it."""
        if who is not None and who != self.session.user:
            await self.session.handle_line(f"/as {who}")
        start = self.out.tell()
        await self.session.handle_line(line)
        self.out.seek(start)
        text = self.out.read()
        self.out.seek(0, io.SEEK_END)
        return text

    async def click(self, label: str, reply: str) -> str:
        """Press the button called ``label`` in ``reply`` (the console numbers them)."""
        for line in reply.splitlines():
            for chunk in line.split("  "):
                chunk = chunk.strip()
                if chunk.startswith("[") and "] " in chunk and chunk.split("] ", 1)[1] == label:
                    return await self.say(f"/click {chunk[1 : chunk.index(']')]}")
        raise AssertionError(f"no button {label!r} in:\n{reply}")


def conversations(bot: MentorBot) -> list[Conversation]:
    with transaction(bot.engine) as s:
        return list(s.exec(select(Conversation).order_by(Conversation.id)).all())  # type: ignore[arg-type]


def outbox(bot: MentorBot, prefix: str = "") -> list[OutboxMessage]:
    with transaction(bot.engine) as s:
        rows = s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()  # type: ignore[arg-type]
        return [r for r in rows if r.dedupe_key.startswith(prefix)]


async def joined(bot: MentorBot, name: str = "alice") -> Chat:
    """A chat for ``name``, who has just joined the program as a mentee."""
    chat = Chat(bot, user=name)
    assert "You're in!" in await chat.say("/mentor join mentee")
    return chat
