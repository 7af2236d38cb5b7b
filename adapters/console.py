"""The console adapter: chat with the bot in a terminal, or script it through piped stdin.

Type ``/mentor <command>`` as the current user, plain text as a direct message to the bot,
``/as NAME`` to become someone else, ``/click N`` to press button N (every button printed, in
replies and in the messages the bot sent on its own alike, has its own number for the whole
session, as old messages keep their buttons in a chat; a button in someone's DM or in the reply
to their command is pressed as them, who alone saw it), ``/submit field=value ...`` to submit
the last form (as the person it was shown to; only its own fields), ``/time +7d`` to move
the clock forward (running the pulse's due work: nudges, digests, surveys), ``/quit`` to stop.
Every reply and every DM or channel post the bot sends (through the outbox) is printed in order.
"""

from __future__ import annotations

import asyncio
import re
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from adapters.surfaces import CONSOLE
from bot.app import MentorBot, build_dispatcher
from bot.delivery import DeliveryResult, Target
from bot.events import Action, Actor, Command, DirectMessage, Event, FormSubmitted
from bot.outbox import Dispatcher
from bot.pulse import Pulse
from bot.replies import Buttons, Context, Fields, File, Form, FormErrors, Message, Reply, Section
from bot.spans import Text

PLATFORM = "console"
WORKSPACE = "console"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_HELP = """console commands:
  /mentor <command>      run a bot command as the current user (try /mentor help)
  /as NAME               switch to another user
  /click N               press button N (numbers run through the whole session; a button
                         in someone's DM or reply acts as that person)
  /submit f=value ...    submit the last form (quote values with spaces), as the person
                         it was shown to
  /time [+N[m|h|d|w]]    show the bot's clock, or move it forward (e.g. /time +7d), running
                         the check-ins, digests, surveys and reminders that fall due;
                         the database keeps the moved clock for restarts and for
                         `mentorbot report`, `person`, `match` ... on the same database
  /quit                  leave (Ctrl-D works too)
  anything else          a direct message to the bot"""
_STEP = timedelta(hours=3)
_MAX_BUTTONS = 10_000
_MAX_JUMP = timedelta(days=366)
_JUMP = re.compile(r"^\+?((?:\d+\s*[mhdw]\s*)+)$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
# Who a button or form was shown to, and where ("DM" or "reply"): only they can press it,
# as in a chat (a Slack reply to a command is ephemeral: only its sender sees it).
Owner = tuple[str, str]


def parse_jump(text: str) -> timedelta | None:
    """``+7d``, ``+1d12h``, ``+2w`` -> a timedelta; None when it is not one."""
    match = _JUMP.match(text.strip().lower())
    if not match:
        return None
    total = timedelta()
    for amount, unit in re.findall(r"(\d+)\s*([mhdw])", match.group(1)):
        if len(amount) > 6:
            return None
        total += timedelta(**{_UNITS[unit]: int(amount)})
    return total


def escape(text: str) -> str:
    """User text may not carry terminal control sequences."""
    return _CONTROL.sub("", text)


def render_text(text: Text) -> str:
    """A Text for the terminal: user spans lose control characters."""
    return text.render(escape)


def render(reply: Reply, *, buttons: list[str] | None = None, files_dir: Path | None = None) -> str:
    """A reply as terminal lines; button commands are collected into ``buttons``."""
    if isinstance(reply, FormErrors):
        return "\n".join(f"  {name}: {error}" for name, error in reply.errors.items())
    if isinstance(reply, Form):
        form_lines = [f"[form] {reply.title}"]
        for f in reply.fields:
            current = escape(f.initial) if f.initial else "-"
            hint = f"    e.g. {f.hint}" if f.hint else ""
            form_lines.append(f"  {f.name} ({f.label}): {current}{hint}")
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
        elif isinstance(part, File):
            readable = part.mime.startswith(("text/plain", "application/json"))
            lines.append(_file_line(part, None if readable else files_dir))
            if readable:
                lines.append(escape(part.content.decode("utf-8", "replace")))
    return "\n".join(lines)


def _file_line(file: File, files_dir: Path | None) -> str:
    """A file handed over; a page or a chart is saved under ``files_dir``, its path shown."""
    line = f"[file {escape(file.name)}, {len(file.content):,} bytes"
    if files_dir is None:
        return line + "]"
    files_dir.mkdir(parents=True, exist_ok=True)
    path = _free_path(files_dir / Path(file.name).name, file.content)  # never outside it
    path.write_bytes(file.content)
    return line + f", saved to {escape(str(path))}]"


def _free_path(path: Path, content: bytes) -> Path:
    """``path``, or ``name-2.ext``, ``name-3.ext``... when a different file already has that
    name (each person of a pair gets an .ics of the same name, in their own zone and language).
    """
    n = 1
    candidate = path
    while candidate.exists() and candidate.read_bytes() != content:
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


class ConsoleSender:
    """Delivers outbox messages by printing them, numbering their buttons for ``/click``."""

    platform = PLATFORM

    def __init__(
        self,
        write: Callable[[str], None],
        buttons: list[str] | None = None,
        owners: list[Owner | None] | None = None,
        files_dir: Path | None = None,
    ) -> None:
        self._write = write
        self._count = 0
        self._buttons = buttons
        self._owners = owners
        self._files_dir = files_dir

    async def send(self, target: Target, message: Message) -> DeliveryResult:
        """Print the message, numbering its buttons for ``/click``."""
        self._count += 1
        who = ", ".join(target.ids)
        label = {"user": f"DM to {who}", "group": f"group DM to {who}", "channel": f"#{who}"}[
            target.kind
        ]
        before = len(self._buttons) if self._buttons is not None else 0
        body = render(message, buttons=self._buttons, files_dir=self._files_dir)
        if self._buttons is not None and self._owners is not None:
            # A button in someone's DM is pressed by them: /click acts as that person.
            dm = target.kind == "user" and len(target.ids) == 1
            owner = (target.ids[0], "DM") if dm else None
            self._owners.extend([owner] * (len(self._buttons) - before))
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
    owners: list[Owner | None] = field(default_factory=list)
    last_form: Form | None = None
    form_owner: str | None = None
    dispatcher: Dispatcher | None = None
    pulse: Pulse | None = None

    def __post_init__(self) -> None:
        self.sender = ConsoleSender(self.write, self.buttons, self.owners, self.files_dir())
        if self.dispatcher is None:
            self.dispatcher = build_dispatcher(self.bot, {PLATFORM: self.sender})
        if self.pulse is None:
            self.pulse = Pulse(self.bot, self.dispatcher)

    def files_dir(self) -> Path:
        """Where files the bot hands over (a report, a chart) are saved."""
        return Path(self.bot.settings.bot.data_dir) / "files"

    def _new_output(self) -> None:
        """Button numbers run through the whole session (like old chat messages that keep
        their buttons); a very long session starts again from 1.
        """
        if len(self.buttons) >= _MAX_BUTTONS:
            self.buttons.clear()
            self.owners.clear()

    def write(self, text: str) -> None:
        """Print one block of output."""
        self.out.write(text + "\n")
        self.out.flush()

    def actor(self) -> Actor:
        """The person typing now, as a neutral actor."""
        return Actor(
            platform=PLATFORM,
            user_id=self.user.lower(),
            display_name=self.user,
            workspace_id=WORKSPACE,
            surface=CONSOLE,
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
            return f"(you are now {name})"
        if word == "/click":
            return self._click(rest)
        if word == "/submit":
            return self._submit(rest)
        if word in ("/help", "/?"):
            return _HELP
        if word == "/time":
            return f"/time {rest.strip()}"  # handled asynchronously in handle_line
        if word.startswith("/") and word not in ("/quit", "/exit"):
            return f"unknown console command {escape(word)}; /help lists them"
        return DirectMessage(self.actor(), stripped)

    def _become(self, owner: str | None, what: str) -> None:
        """Act as ``owner``, who alone was shown ``what``, saying so."""
        if owner is not None and owner != self.user.lower():
            self.user = owner
            self.write(f"(you are now {owner}: {what})")

    def _click(self, rest: str) -> Action | str:
        """``/click N``: press button N, as the person it was shown to."""
        if not rest.strip().isdigit() or not 1 <= int(rest) <= len(self.buttons):
            return "usage: /click N, where N is the number of a button printed above"
        number = int(rest)
        owner = self.owners[number - 1] if number <= len(self.owners) else None
        if owner is not None:
            self._become(owner[0], f"the button was in their {owner[1]}")
        return Action(self.actor(), self.buttons[number - 1])

    def _submit(self, rest: str) -> FormSubmitted | str:
        """``/submit field=value ...``: submit the last form, only with fields it has."""
        form = self.last_form
        if form is None:
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
        names = [f.name for f in form.fields]
        unknown = [escape(n) for n in values if n not in names]
        if unknown:
            which = "no field" if len(unknown) == 1 else "no fields"
            quoted = ", ".join(f"'{n}'" for n in unknown)
            return f"This form has {which} {quoted}; its fields are: {', '.join(names)}"
        self._become(self.form_owner, "the form was in their reply")
        return FormSubmitted(self.actor(), form.form_id, values)

    async def handle_line(self, line: str) -> None:
        """Run one typed line: a console command, a bot command or a DM."""
        if self.echo:
            self.write(f"{self.user}> {line.rstrip()}")
        parsed = self.parse(line)
        if parsed is None:
            return
        if isinstance(parsed, str) and parsed.startswith("/time"):
            await self.move_time(parsed[5:].strip())
            return
        if isinstance(parsed, str):
            self.write(parsed)
            return
        reply = await self.bot.ahandle(parsed)
        self._new_output()
        if isinstance(reply, Form):
            self.last_form, self.form_owner = reply, parsed.actor.user_id
        shown = render(reply, buttons=self.buttons, files_dir=self.files_dir())
        self.write("bot: " + shown.replace("\n", "\n     "))
        # The reply's buttons were shown only to who typed the command.
        mine: Owner = (parsed.actor.user_id, "reply")
        self.owners.extend([mine] * (len(self.buttons) - len(self.owners)))
        await self.flush_outbox()

    def _now_line(self) -> str:
        now = self.bot.clock.now()
        return f"(the bot's clock: {now:%a %d %b %Y %H:%M} UTC)"

    async def move_time(self, text: str) -> None:
        """``/time`` shows the clock; ``/time +7d`` moves it, running due work hour by hour."""
        if not text:
            self.write(self._now_line())
            return
        jump = parse_jump(text)
        if jump is None or jump > _MAX_JUMP:
            self.write("usage: /time +N[m|h|d|w], e.g. /time +7d or /time +1d12h (a year at most)")
            return
        advance = getattr(self.bot.clock, "advance", None)
        if advance is None:
            self.write("this bot's clock can't be moved")
            return
        assert self.pulse is not None
        self._new_output()
        # Run the pulse at least every few hours (planning looks 36 hours ahead) and exactly
        # when a queued message falls due, so everything arrives at its own time.
        end = self.bot.clock.now() + jump
        while self.bot.clock.now() < end:
            now = self.bot.clock.now()
            target = min(now + _STEP, end)
            due = await asyncio.to_thread(self.pulse.next_due, now)
            if due is not None and due < target:
                target = due
            advance(target - now)
            await self.pulse.tick()
        self.write(self._now_line())

    async def flush_outbox(self) -> None:
        """Deliver (print) everything the bot queued that is due."""
        assert self.dispatcher is not None
        await self.dispatcher.dispatch_all()

    async def run(self, stdin: TextIO, *, schedule: bool | None = None) -> None:
        """Chat until end of input. The pulse catches up first; interactive sessions (or
        ``schedule=True``) also keep it running in the background.
        """
        assert self.dispatcher is not None
        interactive = stdin.isatty()
        self.echo = not interactive
        if interactive:
            self.write(
                "mentorbot console. Type /help for console commands, /mentor help for the bot's."
            )
        ahead = getattr(self.bot.clock, "offset", None)
        if ahead:
            self.write(f"{self._now_line()[:-1]}, moved ahead by /time earlier)")
        pulse = self.pulse
        assert pulse is not None
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
