"""The small interface between the core and a platform adapter for sending messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from bot.replies import Message

TargetKind = Literal["user", "channel", "group", "private", "mention"]
# Why a DM can never reach someone (``DeliveryResult.unreachable``, ``Person.unreachable_reason``).
DMS_CLOSED = "dms_closed"  # they are there, but the platform refuses DMs to them
LEFT_WORKSPACE = "left_workspace"  # their account is gone from the workspace
# A group DM holds at most this many people (Slack's conversations.open takes 8 users); more
# are written to one DM each.
GROUP_DM_LIMIT = 8


@dataclass(frozen=True)
class Target:
    """Where a message goes: one user's DM, a channel, or a group DM of several users.

    For people a DM cannot reach, two more, both ``ids = (channel, user)``: ``private`` (in the
    channel, seen by that user only) and ``mention`` (in the channel, mentioning only that user;
    the adapter may keep it private too).
    """

    platform: str
    workspace_id: str
    kind: TargetKind
    ids: tuple[str, ...]


@dataclass(frozen=True)
class DeliveryResult:
    """What happened to one send, in platform-neutral terms."""

    status: Literal["sent", "rate_limited", "transient", "permanent"]
    message_id: str | None = None
    retry_after: float | None = None
    error: str | None = None
    unreachable: str | None = None  # a permanent failure meaning DMs never reach the user

    @classmethod
    def sent(cls, message_id: str | None = None) -> DeliveryResult:
        """A successful send."""
        return cls("sent", message_id=message_id)


class Sender(Protocol):
    """Implemented by each adapter: deliver one neutral message to one target."""

    platform: str

    async def send(self, target: Target, message: Message) -> DeliveryResult:
        """Deliver ``message`` to ``target``; failures are results, not exceptions."""
        ...
