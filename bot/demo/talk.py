"""Talking to the bot as its people do, on a fake clock: commands, typed answers, pressed
buttons and submitted forms; moving the clock runs the pulse, and what the bot sent is kept
for the plan (:mod:`bot.demo.plan`) to read and answer.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.app import MentorBot, build_dispatcher
from bot.delivery import DeliveryResult, Target
from bot.events import Action, Actor, Command, DirectMessage, FormSubmitted
from bot.pulse import Pulse
from bot.replies import Buttons, Form, Message, Reply

STEP = timedelta(hours=24)  # the pulse runs at least this often (planning looks 36 h ahead)


class DemoBroke(RuntimeError):
    """The bot answered the plan unexpectedly (a bug in the bot or in the plan)."""


def check(ok: object, reply: object = "") -> None:
    """Stop the run (``DemoBroke``) when the bot's answer is not what the plan expects."""
    if not ok:
        raise DemoBroke(f"unexpected answer: {reply!s:.200}")


class _Recorder:
    """A sender that keeps what the bot sent, for the plan to read and answer."""

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.sent: list[tuple[str, Message]] = []

    async def send(self, target: Target, message: Message) -> DeliveryResult:
        if target.kind == "user" and len(target.ids) == 1:
            self.sent.append((target.ids[0], message))
        return DeliveryResult.sent(f"rec-{len(self.sent)}")


def text_of(reply: Reply) -> str:
    """A reply as plain text."""
    return reply.plain() if isinstance(reply, Message) else str(reply)


def commands_of(message: Message) -> list[str]:
    """The commands of a message's buttons."""
    return [b.command for p in message.parts if isinstance(p, Buttons) for b in p.buttons]


class Talker:
    """People of ``platform`` (the console: its people are known by name) talking to ``bot``
    (whose clock must be a FakeClock), in one workspace named like the platform.
    """

    def __init__(self, bot: MentorBot, platform: str) -> None:
        self.bot = bot
        self.platform = platform
        self.surface = bot.surface_of(platform)
        self.forms = replace(self.surface, modals=True)  # forms pop up (as on Slack)
        self.recorder = _Recorder(platform)
        self.pulse = Pulse(bot, build_dispatcher(bot, {platform: self.recorder}))
        self.zone: dict[str, str] = {}

    def actor(self, who: str, *, forms: bool = False) -> Actor:
        """``who`` (in their zone), where forms pop up when ``forms``."""
        return Actor(
            platform=self.platform,
            user_id=who,
            display_name=who,
            workspace_id=self.platform,
            timezone=self.zone.get(who),
            surface=self.forms if forms else self.surface,
        )

    def say(self, who: str, text: str) -> str:
        """``who`` runs the command ``text``; the bot's answer."""
        return text_of(self.bot.handle(Command(self.actor(who), text)))

    def type(self, who: str, text: str) -> str:
        """``who`` types ``text`` in their conversation with the bot; its answer."""
        return text_of(self.bot.handle(DirectMessage(self.actor(who), text)))

    def press(self, who: str, command: str) -> str:
        """``who`` presses the button that runs ``command``; the bot's answer."""
        return text_of(self.bot.handle(Action(self.actor(who), command)))

    def form(self, who: str, command: str) -> Form | None:
        """The form ``command`` opens when pressed where forms pop up (Slack, Discord)."""
        reply = self.bot.handle(Action(self.actor(who, forms=True), command))
        return reply if isinstance(reply, Form) else None

    def submit(self, who: str, form: Form, values: dict[str, str]) -> str:
        """``who`` submits ``form`` with ``values``; the bot's answer."""
        actor = self.actor(who, forms=True)
        return text_of(self.bot.handle(FormSubmitted(actor, form.form_id, values)))

    def now(self) -> datetime:
        """The bot's (fake) time."""
        return self.bot.clock.now()

    async def advance(self, delta: timedelta) -> list[tuple[str, Message]]:
        """Move the clock, running the pulse as the console's ``/time`` does; what was sent."""
        clock: Any = self.bot.clock
        end = clock.now() + delta
        while clock.now() < end:
            now = clock.now()
            target = min(now + STEP, end)
            due = self.pulse.next_due(now)
            if due is not None and due < target:
                target = due
            clock.advance(target - now)
            await self.pulse.tick()
        sent, self.recorder.sent = self.recorder.sent, []
        return sent
