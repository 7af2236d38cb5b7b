"""Benchmark: the program report for 10,000 participants and a year of weekly check-ins.

Another process builds the program first (``fakes.outcomes.generate``: 10,000 members, 2,500
pairs, 52 weekly cycles with both people's check-ins, goals, ratings, surveys, requests) in a
SQLite file. Then a process that only reports times building the report (every query and
figure), rendering the HTML page with its charts, and writing the CSV files, and prints its
peak memory. Side by side: the same report of a 500-person, 12-week program, the size the
tests check against the truth.

Run: python -m bench.report [--people 10000] [--weeks 52]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path


def build_db(url: str, people: int, weeks: int) -> None:
    from fakes.outcomes import generate
    from storage.engine import make_engine
    from storage.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    generate(engine, people=people, weeks=weeks)


def run(url: str, out: Path) -> dict:
    from bot.app import load_prompts
    from bot.config import load_settings
    from bot.report.figures import build
    from bot.report.page import html, write_csv
    from storage.engine import make_engine, transaction
    from storage.models import Program

    settings = load_settings(None, env={})
    engine = make_engine(url)
    t0 = time.perf_counter()
    with transaction(engine) as s:
        program = s.get(Program, 1)
        report = build(
            s, program, settings, now=datetime(2027, 9, 1, tzinfo=UTC), prompts=load_prompts()
        )
    t1 = time.perf_counter()
    page = html(report)
    (out / "report.html").write_text(page, encoding="utf-8")
    t2 = time.perf_counter()
    files = write_csv(report, out / "csv")
    t3 = time.perf_counter()
    return {
        "build_s": t1 - t0,
        "html_s": t2 - t1,
        "csv_s": t3 - t2,
        "total_s": t3 - t0,
        "html_kb": len(page.encode()) / 1024,
        "files": len(files),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--build", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--run", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        build_db(args.build[0], int(args.build[1]), int(args.build[2]))
        return
    if args.run:
        print(json.dumps(run(args.run[0], Path(args.run[1]))))
        return
    print(
        f"{'people':>7} {'weeks':>5} {'check-ins':>9} {'build s':>8} {'html s':>7} {'csv s':>6} "
        f"{'total s':>8} {'page KB':>8} {'peak MB':>8}"
    )
    for people, weeks in ((500, 12), (args.people, args.weeks)):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            subprocess.run(
                [sys.executable, "-m", "bench.report", "--build", url, str(people), str(weeks)],
                check=True,
            )
            out = subprocess.run(
                [sys.executable, "-m", "bench.report", "--run", url, tmp],
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            checkins = (people // 4) * 2 * weeks
            print(
                f"{people:>7} {weeks:>5} {checkins:>9} {r['build_s']:>8.2f} {r['html_s']:>7.2f} "
                f"{r['csv_s']:>6.2f} {r['total_s']:>8.2f} {r['html_kb']:>8.0f} "
                f"{r['peak_rss_mb']:>8.0f}"
            )


if __name__ == "__main__":
    main()
