"""The load benchmark's steadier figures: CPU milliseconds per request, in rounds.

Wall-clock latency on a shared machine swings with whatever else runs; the CPU time a
process spends on a request hardly does. One ``mentorbot run --http`` process (SQLite) and a
bare slack-bolt app (:mod:`bench.bare_bolt`: acknowledge, answer with a fixed text) are hit
by the same open-loop load generator with the same request mix, in alternating rounds, with
no backlog to dispatch, after one warm-up request per person. Each round reads each
process's CPU time (user + system, all its threads, from ``/proc/<pid>/stat``: the kernel's
rusage of that process) before the load and after the last answer arrived, and the main
thread's share (the event loop: HTTP, bolt, the gate; the rest is the bot's worker threads,
where its database transactions run). Printed: median and min-max over the rounds of each,
of p50 and p99, and of the per-round ratio bot/bare (the goal: at most 1.5x).

Run on its own: python -m bench.load_cpu [--rounds 5] [--round-seconds 6] [--rate 100]
[--profile bot.prof] (``python -m bench.load`` runs it too, before the backlog set-ups).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench.loadgen import SECRET, Result, cpu_seconds, load, pct, seed, start

BOT, BARE = "mentorbot (sqlite, 1 process)", "bare bolt (ack + fixed answer)"


@dataclass
class Round:
    requests: int
    failures: int
    answered: int
    cpu_ms_per_request: float
    loop_ms_per_request: float  # of which the main thread's (the event loop: HTTP, bolt)
    p50_ms: float
    p99_ms: float


def _answers(fake) -> int:  # type: ignore[no-untyped-def]
    """Answers that reached the fake Slack: through response_url, or posted in a load DM
    channel (``DU...``; the outbox's DMs go to channels conversations.open names).
    """
    posted = sum(
        1
        for call in fake.calls
        if call.method == "chat.postMessage" and str(call.params.get("channel")).startswith("DU")
    )
    return len(fake.responses) + posted


async def _start_bare(fake_url: str) -> tuple[asyncio.subprocess.Process, int]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.bare_bolt", "--fake-url", fake_url, "--secret", SECRET,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 60)
    if not line:
        raise RuntimeError("the bare bolt app exited before serving")
    return proc, int(line)


async def _warm_up(port: int, fake, people: int) -> None:  # type: ignore[no-untyped-def]
    """One slash command per person, so the bot has each person's profile (users.info) cached
    as a long-running process would; waits for every answer.
    """
    from fakes.slack import signed_headers, slash_command_body

    before = _answers(fake)
    users = [f"U{side}{k}" for side in "AB" for k in range(people // 2)]
    gate = asyncio.Semaphore(20)
    async with aiohttp.ClientSession() as session:

        async def one(n: int, user: str) -> None:
            url = f"{fake.url}/response/w{n}"
            body = slash_command_body(url, "status", user=user, name=user.lower(), trigger=f"w{n}")
            async with (
                gate,
                session.post(
                    f"http://127.0.0.1:{port}/slack/events",
                    data=body.encode(),
                    headers=signed_headers(SECRET, body),
                ) as response,
            ):
                await response.read()

        await asyncio.gather(*(one(n, user) for n, user in enumerate(users)))
    await fake.wait_for(lambda: _answers(fake) - before >= len(users), 120)


async def _round(pid: int, port: int, fake, args: argparse.Namespace) -> Round:  # type: ignore[no-untyped-def]
    """One round of load on one process: its CPU from the first request to the last answer."""
    result = Result("round")
    answers_before = _answers(fake)
    cpu_before, loop_before = cpu_seconds(pid), cpu_seconds(pid, pid)
    await load([port], fake.url, args.rate, args.round_seconds, args.round_people, result)
    ok = len(result.latencies) - result.failures
    with contextlib.suppress(TimeoutError):  # reported as fewer answers
        await fake.wait_for(lambda: _answers(fake) - answers_before >= ok, 60)
    cpu, loop = cpu_seconds(pid) - cpu_before, cpu_seconds(pid, pid) - loop_before
    return Round(
        requests=len(result.latencies),
        failures=result.failures,
        answered=_answers(fake) - answers_before,
        cpu_ms_per_request=cpu * 1000 / max(len(result.latencies), 1),
        loop_ms_per_request=loop * 1000 / max(len(result.latencies), 1),
        p50_ms=pct(result.latencies, 0.5),
        p99_ms=pct(result.latencies, 0.99),
    )


async def run_rounds(args: argparse.Namespace) -> dict[str, list[Round]]:
    """Start both processes, warm them up, and run ``args.rounds`` rounds on each, alternating
    which goes first.
    """
    from fakes.slack import FakeSlack

    tmp = Path(tempfile.mkdtemp(prefix="mentorbot-load-cpu-"))
    database_url = f"sqlite:///{tmp / 'cpu.db'}"
    await asyncio.to_thread(seed, database_url, args.people)
    fake = await FakeSlack().start()
    procs: list[asyncio.subprocess.Process] = []
    rounds: dict[str, list[Round]] = {BOT: [], BARE: []}
    try:
        launcher = ("bench.profiled_bot", args.profile) if args.profile else ("bot",)
        bot, bot_port = await start(tmp, fake.url, database_url, "cpu-bot", launcher)
        procs.append(bot)
        bare, bare_port = await _start_bare(fake.url)
        procs.append(bare)
        targets = {BOT: (bot.pid, bot_port), BARE: (bare.pid, bare_port)}
        for _, port in targets.values():
            await _warm_up(port, fake, args.round_people)
        for k in range(args.rounds):
            for name in (BOT, BARE) if k % 2 == 0 else (BARE, BOT):
                pid, port = targets[name]
                rounds[name].append(await _round(pid, port, fake, args))
    finally:
        await _stop(procs)
        await fake.stop()
    return rounds


async def _stop(procs: list[asyncio.subprocess.Process]) -> None:
    for proc in procs:
        if proc.returncode is None:
            if proc.stdin is not None:
                proc.stdin.close()  # the bare app stops when stdin closes
            else:
                proc.terminate()
    for proc in procs:
        await asyncio.wait_for(proc.wait(), 60)


def _spread(values: list[float], digits: int = 1) -> str:
    """Median and range, as ``2.4 (2.1-2.9)``."""
    if not values:
        return "-"
    figures = (min(values), statistics.median(values), max(values))
    low, mid, high = (f"{v:.{digits}f}" for v in figures)
    return f"{mid} ({low}-{high})"


def report(rounds: dict[str, list[Round]], args: argparse.Namespace) -> list[str]:
    """The table: per process, median (min-max) over the rounds; then the ratio bot/bare."""
    lines = [
        f"CPU per request: {args.rounds} rounds of {args.round_seconds:.0f} s at "
        f"{args.rate:.0f} requests/s each (same mix, {args.round_people} people, no backlog), "
        "median (min-max)",
        f"{'process':<32}{'requests':>9}{'failed':>7}{'answered':>9}"
        f"{'CPU ms/request':>20}{'of which loop':>20}{'p50 ms':>20}{'p99 ms':>22}",
    ]
    for name, done in rounds.items():
        lines.append(
            f"{name:<32}{sum(r.requests for r in done):>9}{sum(r.failures for r in done):>7}"
            f"{sum(r.answered for r in done):>9}"
            f"{_spread([r.cpu_ms_per_request for r in done], 2):>20}"
            f"{_spread([r.loop_ms_per_request for r in done], 2):>20}"
            f"{_spread([r.p50_ms for r in done]):>20}{_spread([r.p99_ms for r in done]):>22}"
        )
    ratios = [
        ours.cpu_ms_per_request / bare.cpu_ms_per_request
        for ours, bare in zip(rounds[BOT], rounds[BARE], strict=True)
        if bare.cpu_ms_per_request
    ]
    lines.append(f"{'CPU ratio bot/bare (goal <= 1.5)':<32}{_spread(ratios, 2):>45}")
    return lines


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The rounds' options (shared with ``bench.load``)."""
    parser.add_argument("--rounds", type=int, default=5, help="CPU rounds per process (0: none)")
    parser.add_argument("--round-seconds", type=float, default=6.0, help="load per round")
    parser.add_argument(
        "--round-people", type=int, default=200, help="people the rounds' requests come from"
    )
    parser.add_argument(
        "--profile", metavar="FILE", help="cProfile the bot (all threads) into FILE (pstats)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=100.0, help="requests per second")
    parser.add_argument("--people", type=int, default=2000, help="people in the database")
    add_arguments(parser)
    args = parser.parse_args()
    print("\n".join(report(asyncio.run(run_rounds(args)), args)))


if __name__ == "__main__":
    main()
