"""Benchmark: check-in planning and delivery at 10,000 and 100,000 pairs.

Per size, in its own process (so peak memory is per size; the database is built by another
process beforehand), it prints:
- plan: time to plan one check-in cycle (every person's check-in at their local hour), and how
  many that was;
- queue: putting those nudges into the outbox shortly before each is due, one pulse dispatch
  at each distinct instant: the slowest of those ticks and the sum of all of them;
- idle tick: a pulse dispatch (queue + send) with nothing due (median of 20), and a re-plan
  with nothing new;
- dispatch: throughput through a fake platform that allows R messages a second (a token
  bucket holding one second of sends) and answers 429 beyond it, as a fraction of what it
  allowed in that time (R x seconds + its burst), with lost and duplicated counts;
- steady RSS of the process between ticks after all that, and its peak RSS;
and side by side the naive design, one APScheduler cron job per person, on the same people:
the time to create and start the jobs, and the memory they take.

Run: python -m bench.checkins [--sizes 10000 100000] [--rate 400] [--send 4000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from adapters.surfaces import surfaces

ZONES = [
    "America/Los_Angeles",
    "America/New_York",
    "America/St_Johns",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tokyo",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Pacific/Auckland",
    "Africa/Lagos",
]
START = datetime(2026, 11, 16, 12, tzinfo=UTC)  # a Monday; check-ins on Tuesdays


def build_db(url: str, pairs: int) -> None:
    from sqlalchemy import insert

    from storage.engine import make_engine, transaction
    from storage.migrate import upgrade
    from storage.models import Member, Pair, PairMember, Person, Program

    engine = make_engine(url)
    upgrade(engine)
    rng = random.Random(1)
    with transaction(engine) as s:
        s.execute(
            insert(Program),
            [
                {
                    "id": 1,
                    "slug": "default",
                    "name": "Bench",
                    "platform": "bench",
                    "workspace_id": "w",
                    "kind": "mentoring",
                    "cadence": "weekly",
                    "checkin_weekday": 1,
                    "checkin_hour": 10,
                    "starts_on": date(2026, 11, 2),
                    "created_at": START - timedelta(days=14),
                }
            ],
        )
        people = [
            {
                "id": i + 1,
                "platform": "bench",
                "platform_user_id": f"u{i}",
                "display_name": f"Person {i}",
                "timezone": rng.choice(ZONES),
                "languages": [],
                "availability": [],
                "created_at": START,
                "updated_at": START,
            }
            for i in range(2 * pairs)
        ]
        s.execute(insert(Person), people)
        s.execute(
            insert(Member),
            [
                {
                    "id": i + 1,
                    "program_id": 1,
                    "person_id": i + 1,
                    "role": "mentee" if i % 2 == 0 else "mentor",
                    "skills_offered": [],
                    "skills_wanted": [],
                    "goals": "",
                    "capacity": 1,
                    "status": "active",
                    "match_priority": 0,
                    "joined_at": START,
                }
                for i in range(2 * pairs)
            ],
        )
        s.execute(
            insert(Pair),
            [
                {
                    "id": k + 1,
                    "program_id": 1,
                    "status": "active",
                    "score": 0.0,
                    "reasons": [],
                    "created_at": START - timedelta(days=10),
                    "started_at": START - timedelta(days=10),
                }
                for k in range(pairs)
            ],
        )
        s.execute(
            insert(PairMember),
            [
                {
                    "pair_id": i // 2 + 1,
                    "member_id": i + 1,
                    "role": "mentee" if i % 2 == 0 else "mentor",
                }
                for i in range(2 * pairs)
            ],
        )
    engine.dispose()


class RateLimited:
    """A fake platform allowing ``rate`` sends a second (token bucket), 429 beyond that."""

    platform = "bench"

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.tokens = rate
        self.last = time.monotonic()
        self.sent = 0
        self.seen: set[int] = set()  # hashes of what was sent (small, unlike the messages)
        self.duplicated = 0
        self.throttled = 0

    async def send(self, target, message):
        from bot.delivery import DeliveryResult

        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens < 1:
            self.throttled += 1
            return DeliveryResult("rate_limited", retry_after=(1 - self.tokens) / self.rate)
        self.tokens -= 1
        key = hash((target.ids, message.parts[1].buttons[0].command))
        self.duplicated += key in self.seen
        self.seen.add(key)
        self.sent += 1
        return DeliveryResult.sent(f"m{self.sent}")


def run_size(pairs: int, rate: float, send: int) -> dict:
    from sqlmodel import col, func, select

    from bot.app import build_bot, build_dispatcher
    from bot.checkins.planner import QUEUE_AHEAD, plan_nudges
    from bot.config import load_settings
    from bot.outbox import Pacing
    from bot.pulse import Pulse
    from bot.time.clock import FakeClock
    from storage.engine import transaction
    from storage.models import CheckIn, OutboxMessage

    out: dict = {"pairs": pairs}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        t = time.perf_counter()
        # Built by another process: this one's memory is the bot's alone.
        subprocess.run(
            [sys.executable, "-m", "bench.checkins", "--build", str(pairs), url], check=True
        )
        out["build_s"] = time.perf_counter() - t
        settings = load_settings(None, env={"DATABASE_URL": url})
        # Deliver a whole cycle at once below, so no nudge counts as stale.
        settings = replace(settings, checkins=replace(settings.checkins, stale_after_hours=72))
        # Monday noon UTC: every zone's Tuesday 10:00 is within the planning horizon.
        clock = FakeClock(datetime(2026, 11, 23, 12, tzinfo=UTC))
        bot = build_bot(settings, clock=clock, surfaces=surfaces())
        with transaction(bot.engine) as s:
            t = time.perf_counter()
            stats = plan_nudges(s, now=clock.now(), settings=settings, prompts=bot.prompts)
        out["plan_s"] = time.perf_counter() - t
        out["planned"] = stats.planned

        def replan() -> None:
            with transaction(bot.engine) as s:
                plan_nudges(s, now=clock.now(), settings=settings, prompts=bot.prompts)

        sender = RateLimited(rate)
        dispatcher = build_dispatcher(
            bot, {"bench": sender}, pacing={"bench": Pacing(per_second=rate)}
        )
        pulse = Pulse(bot, dispatcher)
        idle = []
        for _ in range(20):
            t = time.perf_counter()
            asyncio.run(pulse.dispatch())
            idle.append(time.perf_counter() - t)
        out["idle_tick_ms"] = statistics.median(idle) * 1000
        t = time.perf_counter()
        replan()
        out["idle_replan_s"] = time.perf_counter() - t

        # Queue: the feeder runs before each dispatch; step to QUEUE_AHEAD before each distinct
        # instant (nothing is sent here: the fake platform is not called before its time).
        with transaction(bot.engine) as s:
            instants = sorted(set(s.exec(select(CheckIn.due_at).distinct()).all()))
        ticks = []
        for instant in instants:
            clock.set(instant - QUEUE_AHEAD)
            t = time.perf_counter()
            pulse.feed()
            ticks.append(time.perf_counter() - t)
        out["queue_max_s"] = max(ticks)
        out["queue_total_s"] = sum(ticks)
        with transaction(bot.engine) as s:
            out["queued"] = s.exec(select(func.count()).select_from(OutboxMessage)).one()

        # Deliver: move to after every nudge and send ``send`` of them through the platform.
        base = datetime(2026, 11, 25, 0, tzinfo=UTC)
        clock.set(base)

        async def deliver() -> tuple[int, float]:
            sent = 0
            started = idle_since = time.perf_counter()
            while sent < send:
                stats = await dispatcher.dispatch_due(min(500, send - sent))
                sent += stats.sent
                # The simulated clock follows real time, so Retry-After waits really pass.
                clock.set(base + timedelta(seconds=time.perf_counter() - started))
                if stats.sent or stats.retried:
                    idle_since = time.perf_counter()
                elif time.perf_counter() - idle_since > 2:
                    break
            return sent, time.perf_counter() - started

        sent, elapsed = asyncio.run(deliver())
        out["sent"] = sent
        out["throughput"] = sent / elapsed
        # What the platform allowed in that time: its steady rate plus its one-second burst.
        out["fraction_of_rate"] = sent / (rate * elapsed + rate)
        out["throttled"] = sender.throttled
        out["duplicated"] = sender.duplicated
        with transaction(bot.engine) as s:
            marked = s.exec(
                select(func.count())
                .select_from(OutboxMessage)
                .where(col(OutboxMessage.status) == "sent")
            ).one()
        out["lost"] = sent - marked if marked <= sent else 0
        out["unsent_marked_sent"] = max(0, marked - len(sender.seen))
        # Between ticks: what the process holds once that work is done, after idle ticks.
        clock.set(datetime(2026, 11, 23, 12, tzinfo=UTC))  # before every nudge: nothing due
        for _ in range(20):
            asyncio.run(pulse.dispatch())
        gc.collect()
        out["steady_rss_mb"] = current_rss_mb()
        bot.engine.dispose()
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def current_rss_mb() -> float:
    """The process's resident memory now (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def naive(pairs: int) -> dict:
    """One APScheduler cron job per person (the design we did not choose)."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

    rng = random.Random(1)
    tracemalloc.start()
    t = time.perf_counter()
    scheduler = BackgroundScheduler(timezone=UTC)
    for i in range(2 * pairs):
        trigger = CronTrigger(day_of_week="tue", hour=10, timezone=rng.choice(ZONES))
        scheduler.add_job(
            print, trigger, args=(i,), id=f"nudge-{i}", misfire_grace_time=None, coalesce=True
        )
    scheduler.start(paused=True)
    startup = time.perf_counter() - t
    current, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    scheduler.shutdown(wait=False)
    return {
        "naive_startup_s": startup,
        "naive_mb": current / 2**20,
        "naive_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--rate", type=float, default=400.0)
    parser.add_argument("--send", type=int, default=4000)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--naive", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--build", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        build_db(args.build[1], int(args.build[0]))
        return
    if args.one:
        print(json.dumps(run_size(args.one, args.rate, args.send)))
        return
    if args.naive:
        print(json.dumps(naive(args.naive)))
        return
    header = (
        f"{'pairs':>7} {'plan s':>7} {'planned':>7} {'queued':>7} "
        f"{'queue max s':>11} {'queue sum s':>11} "
        f"{'idle tick ms':>12} {'re-plan s':>9} "
        f"{'sent/s':>7} {'of rate':>7} {'lost':>4} {'dup':>4} {'steady MB':>9} {'peak MB':>7} | "
        f"{'naive start s':>13} {'naive jobs MB':>13} {'start ratio':>11}"
    )
    print(header)
    for n in args.sizes:
        ours = json.loads(
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.checkins",
                    "--one",
                    str(n),
                    "--rate",
                    str(args.rate),
                    "--send",
                    str(args.send),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        theirs = json.loads(
            subprocess.run(
                [sys.executable, "-m", "bench.checkins", "--naive", str(n)],
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        # Our start-up is one re-plan: the schedule lives in the database, nothing to rebuild.
        # "naive jobs MB" is what its jobs alone hold in memory (tracemalloc); ours hold none.
        print(
            f"{n:>7} {ours['plan_s']:>7.2f} {ours['planned']:>7} {ours['queued']:>7} "
            f"{ours['queue_max_s']:>11.2f} "
            f"{ours['queue_total_s']:>11.2f} {ours['idle_tick_ms']:>12.2f} "
            f"{ours['idle_replan_s']:>9.2f} {ours['throughput']:>7.0f} "
            f"{ours['fraction_of_rate']:>7.1%} {ours['lost']:>4} {ours['duplicated']:>4} "
            f"{ours['steady_rss_mb']:>9.0f} {ours['peak_rss_mb']:>7.0f} | "
            f"{theirs['naive_startup_s']:>13.2f} "
            f"{theirs['naive_mb']:>13.0f} "
            f"{theirs['naive_startup_s'] / max(ours['idle_replan_s'], 1e-9):>10.1f}x"
        )


if __name__ == "__main__":
    main()
