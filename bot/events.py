"""Neutral inbound events: what adapters turn platform payloads into."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Surface:
    """What the platform an event came from can do. Each adapter describes its own; the core
    decides from this and never from a platform's name.
    """

    form_fields: int | None = None  # inputs one form holds (None: no limit)
    modals: bool = False  # forms pop up (opened by a command or a button); else typed in
    group_dm: bool = False  # the bot can open one conversation with several people
    channel_commands: bool = False  # commands may come from a channel, so answers go to DMs
    users_are_names: bool = False  # people are known by name (the console), not by an id


@dataclass(frozen=True)
class Actor:
    """Who did something: a platform user in a workspace (Slack team, Discord guild, console)."""

    platform: str
    user_id: str
    display_name: str
    workspace_id: str
    timezone: str | None = None  # IANA zone when the platform knows it (Slack does)
    roles: tuple[str, ...] = ()  # platform roles (Discord role ids and names), for admin checks
    surface: Surface = field(default_factory=Surface)
    locale: str | None = None  # the platform's language for them (Slack profile, Discord client)


@dataclass(frozen=True)
class Command:
    """``/mentor <text>``; ``text`` is everything after the command name."""

    actor: Actor
    text: str
    channel_id: str | None = None


@dataclass(frozen=True)
class DirectMessage:
    """Text someone sent the bot in a direct message."""

    actor: Actor
    text: str


@dataclass(frozen=True)
class Action:
    """A button click; ``command`` is the command line the button carries."""

    actor: Actor
    command: str


@dataclass(frozen=True)
class FormSubmitted:
    """A submitted form (modal) with its values by field name."""

    actor: Actor
    form_id: str
    values: dict[str, str] = field(default_factory=dict)


Event = Command | DirectMessage | Action | FormSubmitted
