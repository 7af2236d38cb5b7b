"""The console adapter: chat with the bot in a terminal, or script it through piped stdin.

Type ``/mentor <command>`` as the current user, plain text as a direct message to the bot,
``/as NAME`` to become someone else, ``/click N`` to press button N of the last reply,
``/submit field=value ...`` to submit the last form, ``/quit`` to stop. Every reply and every
DM or channel post the bot sends (through the outbox) is printed in order.
"""

from __future__ import annotations

import asyncio
import re
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from bot.app import MentorBot, build_dispatcher
from bot.delivery import DeliveryResult, Target
from bot.events import Action, Actor, Command, DirectMessage, Event, FormSubmitted
from bot.outbox import Dispatcher
from bot.pulse import Pulse
from bot.replies import Buttons, Context, Fields, Form, FormErrors, Message, Reply, Section
from bot.text import Text

PLATFORM = "console"
WORKSPACE = "console"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_HELP = """console commands:
  /mentor <command>      run a bot command as the current user (try /mentor help)
  /as NAME               switch to another user
  /click N               press button N of the last reply
  /submit f=value ...    submit the last form (quote values with spaces)
  /quit                  leave (Ctrl-D works too)
  anything else          a direct message to the bot"""


def escape(text: str) -> str:
    """User text may not carry terminal control sequences."""
    return _CONTROL.sub("", text)


def render_text(text: Text) -> str:
    return text.render(escape)


def render(reply: Reply, *, buttons: list[str] | None = None) -> str:
    """A reply as terminal lines; button commands are collected into ``buttons``."""
    if isinstance(reply, FormErrors):
        return "\n".join(f"  {name}: {error}" for name, error in reply.errors.items())
    if isinstance(reply, Form):
        form_lines = [f"[form] {reply.title}"]
        for f in reply.fields:
            current = escape(f.initial) if f.initial else "-"
            form_lines.append(f"  {f.name} ({f.label}): {current}    e.g. {f.hint}")
        form_lines.append(
            "  submit with: /submit "
            + " ".join(f'{f.name}="..."' for f in reply.fields[:2])
            + " ..."
        )
        return "\n".join(form_lines)
    lines: list[str] = []
    for part in reply.parts:
        if isinstance(part, Section | Context):
            lines.append(render_text(part.text))
        elif isinstance(part, Fields):
            width = max((len(label) for label, _ in part.items), default=0)
            lines.extend(
                f"  {label.ljust(width)}  {render_text(value)}" for label, value in part.items
            )
        elif isinstance(part, Buttons):
            shown = []
            for button in part.buttons:
                if buttons is not None:
                    buttons.append(button.command)
                    shown.append(f"[{len(buttons)}] {button.label}")
                else:
                    shown.append(f"[{button.label}]")
            hint = "   (type /click N)" if buttons is not None else ""
            lines.append("  " + "  ".join(shown) + hint)
    return "\n".join(lines)


class ConsoleSender:
    """Delivers outbox messages by printing them."""

    platform = PLATFORM

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write
        self._count = 0

    async def send(self, target: Target, message: Message) -> DeliveryResult:
        self._count += 1
        who = ", ".join(target.ids)
        label = {"user": f"DM to {who}", "group": f"group DM to {who}", "channel": f"#{who}"}[
            target.kind
        ]
        body = render(message)
        self._write(f"[{label}] " + body.replace("\n", "\n  "))
        return DeliveryResult.sent(f"console-{self._count}")


@dataclass
class ConsoleSession:
    """One terminal conversation: who is typing, and what the last reply offered."""

    bot: MentorBot
    out: TextIO
    user: str = "alice"
    echo: bool = False
    buttons: list[str] = field(default_factory=list)
    last_form: str | None = None
    dispatcher: Dispatcher | None = None

    def __post_init__(self) -> None:
        self.sender = ConsoleSender(self.write)
        if self.dispatcher is None:
            self.dispatcher = build_dispatcher(self.bot, {PLATFORM: self.sender})

    def write(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def actor(self) -> Actor:
        return Actor(
            platform=PLATFORM,
            user_id=self.user.lower(),
            display_name=self.user,
            workspace_id=WORKSPACE,
        )

    def parse(self, line: str) -> Event | str | None:
        """A typed line as an event, a console message to print, or None to ignore."""
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            return None
        word, _, rest = stripped.partition(" ")
        word = word.lower()
        if word in ("/mentor", "mentor"):
            return Command(self.actor(), rest.strip(), channel_id="console")
        if word == "/as":
            name = escape(rest.strip())
            if not re.fullmatch(r"[\w.\-]{1,40}", name):
                return "usage: /as NAME (letters, digits, . _ -)"
            self.user = name
            self.buttons = []
            return f"(you are now {name})"
        if word == "/click":
            if not rest.strip().isdigit() or not 1 <= int(rest) <= len(self.buttons):
                return "usage: /click N, where N is a button number from the last reply"
            return Action(self.actor(), self.buttons[int(rest) - 1])
        if word == "/submit":
            if self.last_form is None:
                return "there is no form to submit"
            try:
                pairs = shlex.split(rest)
            except ValueError:
                return "usage: /submit field=value ... (close your quotes)"
            values = {}
            for pair in pairs:
                name, sep, value = pair.partition("=")
                if not sep:
                    return "usage: /submit field=value ..."
                values[name] = value
            return FormSubmitted(self.actor(), self.last_form, values)
        if word in ("/help", "/?"):
            return _HELP
        if word.startswith("/") and word not in ("/quit", "/exit"):
            return f"unknown console command {escape(word)}; /help lists them"
        return DirectMessage(self.actor(), stripped)

    async def handle_line(self, line: str) -> None:
        if self.echo:
            self.write(f"{self.user}> {line.rstrip()}")
        parsed = self.parse(line)
        if parsed is None:
            return
        if isinstance(parsed, str):
            self.write(parsed)
            return
        reply = await self.bot.ahandle(parsed)
        self.buttons = []
        self.last_form = reply.form_id if isinstance(reply, Form) else self.last_form
        self.write("bot: " + render(reply, buttons=self.buttons).replace("\n", "\n     "))
        await self.flush_outbox()

    async def flush_outbox(self) -> None:
        assert self.dispatcher is not None
        await self.dispatcher.dispatch_all()

    async def run(self, stdin: TextIO, *, schedule: bool | None = None) -> None:
        """Chat until end of input. The pulse catches up first; interactive sessions (or
        ``schedule=True``) also keep it running in the background."""
        assert self.dispatcher is not None
        interactive = stdin.isatty()
        self.echo = not interactive
        if interactive:
            self.write(
                "mentorbot console. Type /help for console commands, /mentor help for the bot's."
            )
        pulse = Pulse(self.bot, self.dispatcher)
        await pulse.tick()
        if interactive if schedule is None else schedule:
            pulse.start()
        try:
            while True:
                if interactive:
                    self.out.write(f"{self.user}> ")
                    self.out.flush()
                line = await asyncio.to_thread(stdin.readline)
                if not line or line.strip().lower() in ("/quit", "/exit"):
                    break
                await self.handle_line(line)
        finally:
            pulse.shutdown()


def run_console(
    bot: MentorBot, *, user: str = "alice", stdin: TextIO | None = None, out: TextIO | None = None
) -> None:
    """Run the console chat until end of input or /quit."""
    session = ConsoleSession(bot, out or sys.stdout, user=user)
    asyncio.run(session.run(stdin or sys.stdin))
