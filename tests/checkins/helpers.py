"""Builders and a recording platform for check-in simulations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.delivery import DeliveryResult, Target
from bot.replies import Buttons, Message
from fakes.programs import make_pair, make_program  # noqa: F401  (re-exported)


@dataclass
class Recorder:
    """A platform that records every delivery with the simulated time it happened."""

    clock: object
    platform: str = "console"
    results: list[DeliveryResult] = field(default_factory=list)
    sent: list[tuple[datetime, Target, Message]] = field(default_factory=list)

    async def send(self, target: Target, message: Message) -> DeliveryResult:
        result = self.results.pop(0) if self.results else DeliveryResult.sent("ok")
        if result.status == "sent":
            self.sent.append((self.clock.now(), target, message))
        return result

    def nudges(self) -> list[tuple[datetime, Target, Message]]:
        return [s for s in self.sent if _is_nudge(s[2])]


def _is_nudge(message: Message) -> bool:
    return any(
        isinstance(p, Buttons) and p.buttons[0].command.startswith("checkin ")
        for p in message.parts
    )


def button_commands(message: Message) -> list[str]:
    return [b.command for p in message.parts if isinstance(p, Buttons) for b in p.buttons]
