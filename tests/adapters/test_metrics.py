"""``/healthz`` and ``/metrics`` for operators."""

from __future__ import annotations

from sqlalchemy import create_engine

from adapters.metrics import health, install
from tests.conftest import run


def test_health_reports_the_backlog_and_503_without_a_database(bot, tmp_path):
    metrics = install(bot)
    run(bot, "join mentee")  # queues a welcome DM
    status, body = health(bot, metrics)
    assert status == 200 and body["database"] == "ok" and body["outbox_backlog"] == 1
    assert body["pulse"] == "starting"  # no pulse job has run yet
    metrics.job_ran("dispatch", 0.01)
    assert health(bot, metrics)[1]["pulse"] == "alive"
    bot.engine = create_engine(f"sqlite:///{tmp_path}/missing/dir/x.db")
    status, body = health(bot, metrics)
    assert status == 503 and body["database"].startswith("unreachable: ")


def test_events_are_timed_by_kind(bot):
    metrics = install(bot)
    run(bot, "help")
    run(bot, "status")
    samples = {
        (s.name, s.labels.get("kind")): s.value
        for family in metrics.registry.collect()
        for s in family.samples
    }
    assert samples[("mentorbot_event_seconds_count", "command")] == 2
