"""Neutral outbound replies: a few parts every adapter can render natively.

Slack renders them as Block Kit, Discord as embeds and components, the console as text.
Buttons carry a command line (``"leave confirm"``) that comes back as an :class:`Action`, so a
click and a typed command go through the same router.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from bot.spans import Text


@dataclass(frozen=True)
class Section:
    """A block of text."""

    text: Text


@dataclass(frozen=True)
class Fields:
    """Label and value pairs, shown as a compact table."""

    items: tuple[tuple[str, Text], ...]


@dataclass(frozen=True)
class Button:
    """A button that runs ``command`` as the person who presses it."""

    label: str
    command: str
    style: Literal["default", "primary", "danger"] = "default"


@dataclass(frozen=True)
class Buttons:
    """A row of buttons."""

    buttons: tuple[Button, ...]


@dataclass(frozen=True)
class Context:
    """Small print under a message."""

    text: Text


@dataclass(frozen=True)
class File:
    """A file handed over with a message (a personal data export, a report)."""

    name: str
    content: bytes
    mime: str = "application/json"
    alt: str = ""  # an image's text alternative (in the reader's language), for screen readers


Part = Section | Fields | Buttons | Context | File


@dataclass(frozen=True)
class Message:
    """A chat message; ``private`` asks for an ephemeral/DM answer where the platform has one."""

    parts: tuple[Part, ...]
    private: bool = True
    ping: bool = False  # an admin allowed @everyone/@here in this post: adapters let it ping
    # Set by the outbox when sending: the same for every attempt at the same row, so a platform
    # that de-duplicates sends by a key of ours (a message nonce) can tell a resend after a crash.
    delivery_id: str | None = field(default=None, compare=False)
    # Set by the outbox when an earlier attempt at this row may have been posted (a process
    # killed mid-send, a timeout): a platform that can look for the delivery id among recent
    # messages (a key carried in the message's metadata) checks from this instant on before
    # posting again.
    resend_after: datetime | None = field(default=None, compare=False)

    def plain(self) -> str:
        """A plain-text rendering, used as the notification fallback and in logs/tests."""
        lines: list[str] = []
        for part in self.parts:
            if isinstance(part, Section | Context):
                lines.append(part.text.plain())
            elif isinstance(part, Fields):
                lines.extend(f"{label}: {value.plain()}" for label, value in part.items)
            elif isinstance(part, Buttons):
                lines.append("  ".join(f"[{b.label}]" for b in part.buttons))
            elif isinstance(part, File):
                lines.append(f"[file {part.name}, {len(part.content):,} bytes]")
        return "\n".join(lines)

    def files(self) -> list[File]:
        """The files the message hands over."""
        return [p for p in self.parts if isinstance(p, File)]

    def to_json(self) -> dict[str, Any]:
        """The message as JSON (stored in the outbox)."""
        parts: list[dict[str, Any]] = []
        for part in self.parts:
            if isinstance(part, Section):
                parts.append({"type": "section", "text": part.text.to_json()})
            elif isinstance(part, Context):
                parts.append({"type": "context", "text": part.text.to_json()})
            elif isinstance(part, Fields):
                parts.append({"type": "fields", "items": [[k, v.to_json()] for k, v in part.items]})
            elif isinstance(part, File):
                parts.append(
                    {
                        "type": "file",
                        "name": part.name,
                        "mime": part.mime,
                        "content": base64.b64encode(part.content).decode(),
                        **({"alt": part.alt} if part.alt else {}),
                    }
                )
            else:
                parts.append(
                    {
                        "type": "buttons",
                        "buttons": [[b.label, b.command, b.style] for b in part.buttons],
                    }
                )
        out: dict[str, Any] = {"parts": parts, "private": self.private}
        if self.ping:
            out["ping"] = True
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Message:
        """A message from its JSON form."""
        parts: list[Part] = []
        for p in data["parts"]:
            kind = p["type"]
            if kind == "section":
                parts.append(Section(Text.from_json(p["text"])))
            elif kind == "context":
                parts.append(Context(Text.from_json(p["text"])))
            elif kind == "fields":
                parts.append(Fields(tuple((k, Text.from_json(v)) for k, v in p["items"])))
            elif kind == "buttons":
                parts.append(Buttons(tuple(Button(lb, cmd, st) for lb, cmd, st in p["buttons"])))
            elif kind == "file":
                content = base64.b64decode(p["content"])
                parts.append(File(p["name"], content, p["mime"], p.get("alt", "")))
            else:
                raise ValueError(f"unknown message part {kind!r}")
        return cls(
            tuple(parts), private=bool(data.get("private", True)), ping=bool(data.get("ping"))
        )


@dataclass(frozen=True)
class FormField:
    """One input of a form."""

    name: str
    label: str
    kind: Literal["text", "multiline", "choice", "date", "scale"] = "text"
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    initial: str = ""
    required: bool = False
    hint: str = ""
    max_length: int = 500


@dataclass(frozen=True)
class Form:
    """A form (Slack modal, Discord modal); submitted values come back as FormSubmitted."""

    form_id: str
    title: str
    fields: tuple[FormField, ...]
    submit_label: str
    cancel_label: str
    intro: Text = field(default_factory=Text)


@dataclass(frozen=True)
class FormErrors:
    """Validation errors for a submitted form, keyed by field name, shown inline."""

    errors: dict[str, str]
    # A command that reopens the form, for platforms whose forms close on submit (Discord).
    retry: str | None = None


Reply = Message | Form | FormErrors


def message(*parts: Part, private: bool = True) -> Message:
    """A private message of ``parts``."""
    return Message(tuple(parts), private=private)


def as_message(reply: Reply, *, retry_label: str | None = None) -> Message:
    """Any reply as a message, for surfaces that show one where a form or its errors were:
    form errors as text (people's words in them stay untrusted), with a button that reopens
    the form when ``retry_label`` is given; a form by its title.
    """
    if isinstance(reply, Message):
        return reply
    if isinstance(reply, FormErrors):
        parts: list[Part] = [Section(Text.user("\n".join(reply.errors.values())))]
        if reply.retry and retry_label:
            parts.append(Buttons((Button(retry_label, reply.retry, "primary"),)))
        return Message(tuple(parts))
    return Message((Section(Text.trusted(reply.title)),))
