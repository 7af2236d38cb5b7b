"""Operations endpoints for HTTP mode: ``GET /healthz`` (database reachable, pulse alive, the
age of the oldest due message) and ``GET /metrics`` (Prometheus text format: outbox backlog and
age, deliveries by result, event latency, pulse job durations). Each bot has its own registry
(no process-wide state).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import text

from bot.app import MentorBot
from storage import outbox as outbox_db
from storage.engine import transaction

PULSE_SILENT = 300.0  # seconds without any pulse job before /healthz says the pulse stopped


class PrometheusMetrics:
    """The core's observations as Prometheus metrics, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.events = Histogram(
            "mentorbot_event_seconds",
            "Time the core took for one inbound event",
            ["kind"],
            registry=self.registry,
        )
        self.deliveries = Counter(
            "mentorbot_deliveries",
            "Outbox sends by platform and result",
            ["platform", "result"],
            registry=self.registry,
        )
        self.jobs = Histogram(
            "mentorbot_pulse_job_seconds",
            "Duration of pulse job runs",
            ["job"],
            registry=self.registry,
        )
        self.last_job = 0.0  # monotonic time of the last pulse job

    def event_handled(self, kind: str, seconds: float) -> None:
        """Observe one event."""
        self.events.labels(kind).observe(seconds)

    def delivered(self, platform: str, status: str) -> None:
        """Count one send."""
        self.deliveries.labels(platform, status).inc()

    def job_ran(self, name: str, seconds: float) -> None:
        """Observe one pulse job run."""
        self.jobs.labels(name).observe(seconds)
        self.last_job = time.monotonic()


class BacklogCollector(Collector):
    """Outbox backlog and the age of its oldest due message, read at scrape time."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Two gauges from one query."""
        now = self.bot.clock.now()
        with transaction(self.bot.engine) as session:
            count, oldest = outbox_db.backlog(session=session, now=now)
        age = (now - oldest).total_seconds() if oldest is not None else 0.0
        yield GaugeMetricFamily(
            "mentorbot_outbox_backlog", "Messages due and not sent yet", value=count
        )
        yield GaugeMetricFamily(
            "mentorbot_outbox_oldest_due_seconds",
            "How long the oldest due message has waited",
            value=age,
        )


def install(bot: MentorBot) -> PrometheusMetrics:
    """Give the bot a Prometheus recorder (with the backlog collector) and return it."""
    metrics = PrometheusMetrics()
    metrics.registry.register(BacklogCollector(bot))
    bot.metrics = metrics
    return metrics


def health(bot: MentorBot, metrics: PrometheusMetrics | None) -> tuple[int, dict[str, Any]]:
    """(HTTP status, body) for ``/healthz``: 503 when the database can't be reached."""
    body: dict[str, Any] = {}
    try:
        with transaction(bot.engine) as session:
            session.execute(text("SELECT 1"))
            count, oldest = outbox_db.backlog(session=session, now=bot.clock.now())
        body["database"] = "ok"
        body["outbox_backlog"] = count
        body["outbox_oldest_due_seconds"] = (
            round((bot.clock.now() - oldest).total_seconds(), 1) if oldest else 0
        )
    except Exception as exc:  # any database failure is "unhealthy", with its kind only
        body["database"] = f"unreachable: {type(exc).__name__}"
        return 503, body
    if metrics is not None:
        silent = time.monotonic() - metrics.last_job if metrics.last_job else None
        body["pulse"] = "alive" if silent is not None and silent < PULSE_SILENT else "starting"
        if silent is not None and silent >= PULSE_SILENT:
            body["pulse"] = f"silent for {int(silent)} s"
    return 200, body


def routes(bot: MentorBot, metrics: PrometheusMetrics | None) -> list[web.RouteDef]:
    """``GET /healthz`` and ``GET /metrics``."""

    async def healthz(_request: web.Request) -> web.Response:
        status, body = health(bot, metrics)
        return web.json_response(body, status=status)

    async def scrape(_request: web.Request) -> web.Response:
        if metrics is None:
            return web.Response(status=404)
        payload = generate_latest(metrics.registry)
        return web.Response(body=payload, content_type="text/plain", charset="utf-8")

    return [web.get("/healthz", healthz), web.get("/metrics", scrape)]
