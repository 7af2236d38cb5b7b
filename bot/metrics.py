"""What the core reports about itself while it works (events handled, deliveries, pulse jobs),
through a small neutral interface: an adapter exports it (Prometheus in HTTP mode); by default
nothing is recorded.
"""

from __future__ import annotations

from typing import Protocol


class Metrics(Protocol):
    """Observations the core makes; implementations must be cheap and never raise."""

    def event_handled(self, kind: str, seconds: float) -> None:
        """One inbound event (command, action, dm, form) took ``seconds`` in the core."""

    def delivered(self, platform: str, status: str) -> None:
        """One outbox send ended as ``status`` (sent, retried, parked, gone)."""

    def job_ran(self, name: str, seconds: float) -> None:
        """One pulse job run took ``seconds``."""


class NoMetrics:
    """The default: observations go nowhere."""

    def event_handled(self, kind: str, seconds: float) -> None:
        """Ignore."""

    def delivered(self, platform: str, status: str) -> None:
        """Ignore."""

    def job_ran(self, name: str, seconds: float) -> None:
        """Ignore."""
