"""Benchmark: the cost of a conversation turn, and of the conversation and survey pulse jobs.

1. Turn latency: people answer goal-setting questions in DMs (each answer parsed, coached,
   saved, next question rendered) on a file SQLite database, side by side with the same
   people running `/mentor status` (a read-mostly command) in the same run. Prints p50/p99
   and the ratio answer/status.
2. Pulse jobs at program scale: N members with an active conversation each, then the
   conversation job (reminders for all, then an idle run), and the survey job (invitations
   for all at their local hour, then an idempotent re-run).

Run: python -m bench.conversations [--people 200] [--members 10000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.surfaces import CONSOLE, surfaces

ANSWERS = [
    "Lead 2 design reviews for the payments service",
    "2 reviews done, written feedback from the tech lead",
    "in 10 weeks",
    "It's the next step towards senior",
    "Shadow one review next week",
    "yes",
    "no",
]
ZONES = ["America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Sydney", "UTC"]


def _bot(tmp: Path):  # type: ignore[no-untyped-def]
    from bot.app import build_bot
    from bot.config import load_settings
    from bot.time.clock import FakeClock

    base = load_settings(None, env={})
    settings = replace(base, bot=replace(base.bot, data_dir=str(tmp)))
    clock = FakeClock(datetime(2026, 11, 22, 12, tzinfo=UTC))
    return build_bot(settings, clock=clock, surfaces=surfaces())


def _ms(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if len(values) > 1 else 0.0


def turns(people: int) -> None:
    from bot.events import Actor, Command, DirectMessage

    with tempfile.TemporaryDirectory() as tmp:
        bot = _bot(Path(tmp))
        actors = [
            Actor("console", f"p{i}", f"p{i}", "console", ZONES[i % len(ZONES)], surface=CONSOLE)
            for i in range(people)
        ]
        for actor in actors:
            bot.handle(Command(actor, "join mentee"))
            bot.handle(Command(actor, "goal"))
        answer_times: list[float] = []
        status_times: list[float] = []
        for text in ANSWERS:
            for actor in actors:
                started = time.perf_counter()
                bot.handle(DirectMessage(actor, text))
                answer_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                bot.handle(Command(actor, "status"))
                status_times.append(time.perf_counter() - started)
        from sqlmodel import Session, func, select

        from storage.models import Goal

        with Session(bot.engine) as session:
            goals = session.exec(select(func.count()).select_from(Goal)).one()
        print(f"conversation turns: {people} people x {len(ANSWERS)} answers, {goals} goals saved")
        print(f"{'':28}{'p50 ms':>8}{'p99 ms':>8}{'mean ms':>9}")
        for label, values in (
            ("answer (goal step)", answer_times),
            ("/mentor status", status_times),
        ):
            mean = statistics.fmean(values) * 1000
            print(f"{label:28}{_ms(values, 50):8.2f}{_ms(values, 99):8.2f}{mean:9.2f}")
        ratio50 = _ms(answer_times, 50) / _ms(status_times, 50)
        ratio99 = _ms(answer_times, 99) / _ms(status_times, 99)
        print(f"{'ratio answer/status':28}{ratio50:8.2f}{ratio99:8.2f}")
        bot.engine.dispose()


def jobs(members: int) -> None:
    from sqlalchemy import insert
    from sqlmodel import select

    from bot.pulse import Pulse
    from storage.engine import transaction
    from storage.models import Conversation, Member, Person, Program

    with tempfile.TemporaryDirectory() as tmp:
        bot = _bot(Path(tmp))
        now = bot.clock.now()
        with transaction(bot.engine) as s:
            program = Program(
                slug="default",
                name="Bench",
                platform="console",
                workspace_id="console",
                starts_on=(now - timedelta(weeks=12) + timedelta(days=2)).date(),
                ends_on=(now + timedelta(weeks=12) + timedelta(days=2)).date(),
                created_at=now,
            )
            s.add(program)
            s.flush()
            s.execute(
                insert(Person),
                [
                    {
                        "platform": "console",
                        "platform_user_id": f"m{i}",
                        "display_name": f"m{i}",
                        "timezone": ZONES[i % len(ZONES)],
                        "languages": [],
                        "availability": [],
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(members)
                ],
            )
            ids = list(s.exec(select(Person.id).order_by(Person.id)).all())  # type: ignore[arg-type]
            joined = now - timedelta(weeks=12)
            s.execute(
                insert(Member),
                [
                    {
                        "program_id": program.id,
                        "person_id": pid,
                        "role": "mentee",
                        "skills_offered": [],
                        "skills_wanted": [],
                        "joined_at": joined,
                    }
                    for pid in ids
                ],
            )
            s.execute(
                insert(Conversation),
                [
                    {
                        "person_id": pid,
                        "program_id": program.id,
                        "script": "goal",
                        "step": 2,
                        "answers": {},
                        "context": {"key": "goal"},
                        "status": "active",
                        "started_at": now,
                        "updated_at": now,
                        "expires_at": now + timedelta(hours=72),
                    }
                    for pid in ids
                ],
            )
        pulse = Pulse(bot, dispatcher=None)  # type: ignore[arg-type]
        bot.clock.advance(timedelta(hours=25))
        rows = []
        for label, job in (
            ("reminders (all due)", lambda: pulse.run("conversations")),
            ("reminders (idle re-run)", lambda: pulse.run("conversations")),
        ):
            started = time.perf_counter()
            result = job()
            rows.append((label, time.perf_counter() - started, result.reminded))
        bot.clock.advance(timedelta(days=1))  # the mid-program day, 2026-11-24 13:00 UTC
        for label, survey_job in (
            ("survey invites (all due)", lambda: pulse.run("surveys")),
            ("survey invites (re-run)", lambda: pulse.run("surveys")),
        ):
            started = time.perf_counter()
            count = survey_job()
            rows.append((label, time.perf_counter() - started, count))
        print(f"\npulse jobs: {members} members, each with an active conversation")
        print(f"{'job':28}{'seconds':>9}{'messages':>10}{'per 1k s':>10}")
        for label, seconds, count in rows:
            per = seconds / max(count, 1) * 1000 if count else 0.0
            print(f"{label:28}{seconds:9.3f}{count:10d}{per:10.3f}")
        bot.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--members", type=int, default=10_000)
    args = parser.parse_args()
    turns(args.people)
    jobs(args.members)


if __name__ == "__main__":
    main()
