"""Verification run: ten years of a weekly program for one pair in every IANA zone.

Each pair's two people live in the same zone with a random set of available days (seeded).
The planner runs every 12 hours of simulated time (its horizon is 36); afterwards every
check-in row is compared with the instant computed here from zoneinfo alone: the first
available day on or after the program's Thursday, at 10:00 local. Prints how many cycles were
checked, and how many were missing, doubled or at the wrong time (all should be 0), with the
time taken.

Run: python -m bench.time_edges [--years 10] [--zones all|N]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

WEEKDAY, HOUR = 3, 10  # Thursday 10:00, local to each person


def expected(zone: str, available: set[int], start: datetime, end: datetime) -> dict[str, datetime]:
    """Cycle (ISO day of the program's Thursday, local) -> the nudge instant, from zoneinfo."""
    tz = ZoneInfo(zone)
    out: dict[str, datetime] = {}
    day = start.astimezone(tz).date() - timedelta(days=7)
    last = end.astimezone(tz).date()
    while day <= last:
        if day.weekday() == WEEKDAY:
            moved = day
            while moved.weekday() not in available:
                moved += timedelta(days=1)
            instant = datetime(moved.year, moved.month, moved.day, HOUR, tzinfo=tz)
            if start + timedelta(days=5) <= instant < end - timedelta(days=2):
                out[day.isoformat()] = instant.astimezone(UTC)
        day += timedelta(days=1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--zones", default="all")
    args = parser.parse_args()

    from sqlmodel import select

    from adapters.surfaces import surfaces
    from bot.app import build_bot
    from bot.checkins.planner import plan_nudges
    from bot.config import load_settings
    from bot.time.clock import FakeClock
    from fakes.programs import make_pair, make_program
    from storage.engine import transaction
    from storage.models import CheckIn, Member, Person

    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))
    if args.zones != "all":
        zones = random.Random(1).sample(zones, int(args.zones))
    rng = random.Random(7)
    start = datetime(2026, 11, 23, tzinfo=UTC)
    end = start + timedelta(days=365 * args.years)
    with tempfile.TemporaryDirectory() as tmp:
        base = load_settings(None, env={})
        settings = replace(base, bot=replace(base.bot, data_dir=str(Path(tmp))))
        bot = build_bot(settings, clock=FakeClock(start), surfaces=surfaces())
        program = make_program(bot, cadence="weekly", weekday=WEEKDAY, hour=HOUR)
        days_of: dict[str, set[int]] = {}
        zone_of: dict[str, str] = {}
        for k, zone in enumerate(zones):
            days = set(rng.sample(range(7), rng.randint(1, 5)))
            windows = [{"days": sorted(days), "start": "08:00", "end": "18:00"}]
            a, b = f"a{k}", f"b{k}"
            make_pair(bot, program, a, b, zone_a=zone, zone_b=zone, availability=windows)
            with transaction(bot.engine) as s:  # b shares a's days
                person = s.exec(select(Person).where(Person.platform_user_id == b)).one()
                person.availability = windows
                s.add(person)
            for who in (a, b):
                days_of[who], zone_of[who] = days, zone
        began = time.perf_counter()
        now = start
        while now < end:
            with transaction(bot.engine) as s:
                plan_nudges(s, now=now, settings=bot.settings, prompts=bot.prompts)
            now += timedelta(hours=12)
        planning = time.perf_counter() - began
        with transaction(bot.engine) as s:
            rows = s.exec(
                select(Person.platform_user_id, CheckIn.cycle_on, CheckIn.due_at)
                .join(Member, Member.id == CheckIn.member_id)  # type: ignore[arg-type]
                .join(Person, Person.id == Member.person_id)  # type: ignore[arg-type]
            ).all()
    got: dict[str, Counter[str]] = {}
    when: dict[tuple[str, str], datetime] = {}
    for who, cycle, due in rows:
        got.setdefault(who, Counter())[cycle.isoformat()] += 1
        when[(who, cycle.isoformat())] = due
    checked = missing = doubled = wrong = 0
    examples: list[str] = []
    for who, zone in zone_of.items():
        want = expected(zone, days_of[who], start, end)
        have = got.get(who, Counter())
        for cycle, instant in want.items():
            checked += 1
            if have[cycle] == 0:
                missing += 1
                examples.append(f"missing {zone} {cycle}")
            elif have[cycle] > 1:
                doubled += 1
            elif when[(who, cycle)] != instant:
                wrong += 1
                examples.append(f"wrong {zone} {cycle}: {when[(who, cycle)]} != {instant}")
    print(f"{len(zones)} zones, {len(zone_of)} people, {args.years} years of weekly check-ins")
    runs = int((end - start) / timedelta(hours=12))
    print(f"planner runs every 12 h: {planning:.1f} s for {runs} runs")
    print(f"cycles checked {checked:,}: missing {missing}, doubled {doubled}, wrong time {wrong}")
    for line in examples[:5]:
        print("  ", line)


if __name__ == "__main__":
    main()
