"""Benchmark: sustained load on real ``mentorbot run`` processes in Slack HTTP mode.

A steady, open-loop mix of signed requests (60 % slash commands, 20 % button clicks, 20 % DMs
to the bot) at ``--rate`` per second for ``--seconds``, spread over the processes as a
reverse proxy would, while the same processes dispatch a backlog of queued messages to a fake
Slack on loopback whose chat.postMessage takes ``--post-ms`` (Slack's own is tens of ms).

Three set-ups in one run: SQLite with one process, PostgreSQL with one, PostgreSQL with three
(a throwaway server from ``fakes.postgres``). For each: request latency p50/p99/max (the
HTTP round trip Slack's 3-second limit measures), requests answered, dispatch throughput
(messages per second while under load) and peak RSS per process; then the ratios side by side
(3 processes vs 1), and the bot processes' CPU seconds from the load's start until the
backlog is drained. Before them, the steadier figures of :mod:`bench.load_cpu`: CPU ms per
request of one bot process and of a bare slack-bolt app, over ``--rounds`` rounds.

Wall-clock latency swings with whatever else runs on the machine: p50/p99 only mean something
on a quiet one; CPU per request and its ratio to the bare app hold on a busy one too.

Run: python -m bench.load [--rate 100] [--seconds 20] [--backlog 6000] [--people 2000]
     [--setups sqlite-1 pg-1 pg-3] [--rounds 5] [--round-seconds 6]
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.loadgen import (
    Result,
    cpu_seconds,
    load,
    pct,
    peak_rss_mb,
    seed,
    start,
)

SETUPS = ("sqlite-1", "pg-1", "pg-3")


def _queue_backlog(database_url: str, backlog: int) -> None:
    """Queue ``backlog`` messages due now (once every process is serving)."""
    from fakes.programs import queue_channel_messages
    from storage.engine import make_engine

    engine = make_engine(database_url)
    queue_channel_messages(
        engine, backlog, key="bench:{k}", text="queued {k}", due=datetime.now(UTC)
    )
    engine.dispose()


async def run_setup(
    name: str, processes: int, database_url: str, args: argparse.Namespace
) -> Result:
    from fakes.slack import FakeSlack

    result = Result(name)
    tmp = Path(tempfile.mkdtemp(prefix="mentorbot-load-"))
    await asyncio.to_thread(seed, database_url, args.people)
    fake = await FakeSlack(post_delay=args.post_ms / 1000).start()

    def queued_sent() -> int:
        return sum(
            1 for p in fake.calls_to("chat.postMessage") if p.get("text", "").startswith("queued")
        )

    procs = []
    try:
        started = [
            await start(tmp, fake.url, database_url, f"{name}-{k}") for k in range(processes)
        ]
        procs = [p for p, _ in started]
        await asyncio.sleep(3)  # start-up catch-up ticks done
        await asyncio.to_thread(_queue_backlog, database_url, args.backlog)
        load_began = time.perf_counter()
        cpu_before = sum(cpu_seconds(p.pid) for p in procs)
        sent_before = queued_sent()
        await load(
            [port for _, port in started], fake.url, args.rate, args.seconds, args.people, result
        )
        load_took = time.perf_counter() - load_began
        result.sent_during_load = queued_sent() - sent_before
        result.drain_seconds = load_took
        await fake.wait_for(lambda: queued_sent() >= args.backlog, 600)
        result.drain_seconds = time.perf_counter() - load_began
        result.cpu_seconds = sum(cpu_seconds(p.pid) for p in procs) - cpu_before
        result.peak_rss_mb = [peak_rss_mb(p.pid) for p in procs]
        result.sent_during_load = int(result.sent_during_load / load_took)  # per second
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            await asyncio.wait_for(proc.wait(), 60)
        await fake.stop()
    return result


async def main_async(args: argparse.Namespace) -> None:
    from bench.load_cpu import report, run_rounds

    if args.rounds:
        print("\n".join(report(await run_rounds(args), args)))
    if args.setups:
        print("\n".join(_backlog_table(await _backlog_setups(args), args)))


async def _backlog_setups(args: argparse.Namespace) -> list[Result]:
    """The chosen set-ups: SQLite with one process, PostgreSQL with one and with three."""
    from fakes.postgres import PostgresServer

    results: list[Result] = []
    if "sqlite-1" in args.setups:
        sqlite_dir = Path(tempfile.mkdtemp(prefix="mentorbot-load-db-"))
        url = f"sqlite:///{sqlite_dir / 'load.db'}"
        results.append(await run_setup("sqlite-1", 1, url, args))
    chosen = [n for n in (1, 3) if f"pg-{n}" in args.setups]
    if not chosen:
        return results
    server = await asyncio.to_thread(PostgresServer.start)
    try:
        for processes in chosen:
            database = server.create_database()
            results.append(
                await run_setup(f"pg-{processes}", processes, server.url(database), args)
            )
    finally:
        server.close()
    return results


def _backlog_table(results: list[Result], args: argparse.Namespace) -> list[str]:
    lines = [
        f"{args.rate:.0f} requests/s for {args.seconds:.0f} s (60% slash commands, 20% buttons, "
        f"20% DMs), {args.people} people; backlog {args.backlog} messages, fake Slack "
        f"answers chat.postMessage in {args.post_ms:.0f} ms",
        f"{'set-up':<10}{'requests':>9}{'failed':>7}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}"
        f"{'sent/s under load':>19}{'backlog drained s':>19}{'bot CPU s':>11}"
        f"{'peak RSS MB':>16}",
    ]
    for r in results:
        rss = "/".join(f"{m:.0f}" for m in r.peak_rss_mb)
        lines.append(
            f"{r.name:<10}{len(r.latencies):>9}{r.failures:>7}{pct(r.latencies, 0.5):>8.1f}"
            f"{pct(r.latencies, 0.99):>8.1f}{pct(r.latencies, 1.0):>8.1f}"
            f"{r.sent_during_load:>19}{r.drain_seconds:>19.1f}{r.cpu_seconds:>11.1f}{rss:>16}"
        )
    by_name = {r.name: r for r in results}
    if "pg-1" in by_name and "pg-3" in by_name:
        one, three = by_name["pg-1"], by_name["pg-3"]
        dispatch = three.sent_during_load / max(one.sent_during_load, 1)
        p99 = pct(three.latencies, 0.99) / max(pct(one.latencies, 0.99), 1e-9)
        lines.append(f"pg 3 processes vs 1: dispatch {dispatch:.2f}x, p99 {p99:.2f}x")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=100.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--backlog", type=int, default=6000, help="messages queued at start")
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--post-ms", type=float, default=40.0, help="fake chat.postMessage time")
    parser.add_argument(
        "--setups",
        nargs="*",
        choices=SETUPS,
        default=list(SETUPS),
        help="backlog set-ups to run (none: only the CPU rounds)",
    )
    from bench.load_cpu import add_arguments

    add_arguments(parser)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
