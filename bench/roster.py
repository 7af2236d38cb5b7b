"""Benchmark: importing a roster CSV.

A generated file of N participants (default 10,000) with 50 bad rows spread through it is
imported twice in one run: first checked (every row, all errors collected), then, with
--skip-invalid, written; then re-imported (idempotent: nothing changes). Side by side, in the
same run, the baseline a coordinator has without import: the same people joining one by one
through chat commands (`join` + `profile set` for each field), measured on a sample and
given per row. Prints time, rows per second, peak memory (RSS) and the ratio.

Run: python -m bench.roster [--rows 10000] [--sample 200]
"""

from __future__ import annotations

import argparse
import io
import resource
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from rich.console import Console

ZONES = [
    "Asia/Tokyo",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "UTC",
    "Australia/Sydney",
]
SKILLS = ["python", "sql", "leadership", "testing", "design", "go", "public speaking", "rust"]
HEADER = "platform_id,name,role,timezone,skills,wants,goals,languages,team,capacity,availability\n"


def row(i: int, *, bad: bool) -> str:
    role = "mentor" if i % 5 == 0 else "mentee"
    zone = "Atlantis/Nowhere" if bad else ZONES[i % len(ZONES)]
    skills = "; ".join(SKILLS[(i + k) % len(SKILLS)] for k in range(3))
    cap = str(1 + i % 3) if role == "mentor" else ""
    offered, wanted = (skills, "") if role == "mentor" else ("", skills)
    return (
        f"U{i:06d},Person {i},{role},{zone},{offered},{wanted},"
        f'"Grow as an engineer, step {i % 7}",en; de,Team {i % 40},{cap},mon-fri 09:00-17:00\n'
    )


def write_csv(path: Path, rows: int, bad: int) -> set[int]:
    bad_lines = {int(k * rows / bad) + 1 for k in range(bad)}
    with path.open("w") as handle:
        handle.write(HEADER)
        for i in range(rows):
            handle.write(row(i, bad=i in bad_lines))
    return bad_lines


def _settings(tmp: Path):  # type: ignore[no-untyped-def]
    from bot.config import load_settings

    base = load_settings(None, env={})
    return replace(base, bot=replace(base.bot, data_dir=str(tmp)))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def importer(rows: int, bad: int) -> tuple[float, float, float, str]:
    from bot.cli.roster import ImportOptions, run_import

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "people.csv"
        write_csv(path, rows, bad)
        settings = _settings(Path(tmp))
        out = Console(file=io.StringIO(), width=300)
        start = time.perf_counter()
        code = run_import(
            settings, ImportOptions(path, platform="console", workspace="console"), console=out
        )
        checked = time.perf_counter() - start
        reported = out.file.getvalue().count(", timezone: ")  # type: ignore[attr-defined]
        assert code == 1 and reported == bad, (code, reported)
        start = time.perf_counter()
        run_import(
            settings,
            ImportOptions(path, skip_invalid=True, platform="console", workspace="console"),
            console=out,
        )
        written = time.perf_counter() - start
        start = time.perf_counter()
        again = Console(file=io.StringIO(), width=300)
        run_import(
            settings,
            ImportOptions(path, skip_invalid=True, platform="console", workspace="console"),
            console=again,
        )
        rerun = time.perf_counter() - start
        summary = again.file.getvalue().strip().splitlines()[-1]  # type: ignore[attr-defined]
        return checked, written, rerun, summary


def chat_baseline(sample: int) -> float:
    """Seconds per person joining through chat commands, with the same profile."""
    from adapters.surfaces import CONSOLE, surfaces
    from bot.app import build_bot
    from bot.events import Actor, Command

    with tempfile.TemporaryDirectory() as tmp:
        bot = build_bot(_settings(Path(tmp)), surfaces=surfaces())
        start = time.perf_counter()
        for i in range(sample):
            who = Actor("console", f"U{i:06d}", f"Person {i}", "console", surface=CONSOLE)
            role = "mentor" if i % 5 == 0 else "mentee"
            skills = "; ".join(SKILLS[(i + k) % len(SKILLS)] for k in range(3))
            for text in (
                f"join {role}",
                f"timezone {ZONES[i % len(ZONES)]}",
                f"profile set {'skills' if role == 'mentor' else 'wants'} {skills}",
                f"profile set goals Grow as an engineer, step {i % 7}",
                "profile set languages en; de",
                f"profile set team Team {i % 40}",
                "profile set availability mon-fri 09:00-17:00",
            ):
                bot.handle(Command(who, text))
        return (time.perf_counter() - start) / sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--bad", type=int, default=50)
    parser.add_argument("--sample", type=int, default=200)
    args = parser.parse_args()
    checked, written, rerun, summary = importer(args.rows, args.bad)
    memory = peak_mb()
    per_chat = chat_baseline(args.sample)
    per_import = written / args.rows
    print(f"roster import of {args.rows:,} rows ({args.bad} bad)")
    print(f"{'step':34} {'seconds':>8} {'rows/s':>9}")
    print(f"{'check only (all errors reported)':34} {checked:8.2f} {args.rows / checked:9,.0f}")
    print(f"{'check + write (--skip-invalid)':34} {written:8.2f} {args.rows / written:9,.0f}")
    print(f"{'re-import (nothing changes)':34} {rerun:8.2f} {args.rows / rerun:9,.0f}")
    print(f"peak RSS after import: {memory:.0f} MB")
    print(f"last summary: {summary}")
    print(
        f"baseline, joining through chat ({args.sample} people): {per_chat * 1000:.1f} ms per "
        f"person; import {per_import * 1000:.2f} ms per person; ratio chat/import "
        f"{per_chat / per_import:.0f}x"
    )


if __name__ == "__main__":
    main()
