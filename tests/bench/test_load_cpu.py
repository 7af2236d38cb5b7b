"""The load benchmark's CPU figures: real bot and bare bolt processes, real rusage."""

from __future__ import annotations

import argparse
import os
import resource

from bench.load_cpu import BARE, BOT, report, run_rounds
from bench.loadgen import cpu_seconds


def test_cpu_seconds_is_the_process_rusage():
    """CPU read from /proc/<pid>/stat moves with the process's own getrusage."""

    def rusage() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    before, own_before = cpu_seconds(os.getpid()), rusage()
    total = 0
    while rusage() - own_before < 0.3:
        total += sum(range(10_000))
    spent, own_spent = cpu_seconds(os.getpid()) - before, rusage() - own_before
    assert abs(spent - own_spent) < 0.05


async def test_rounds_measure_the_bot_and_a_bare_bolt_app_on_the_same_requests():
    """Each round hits both processes with the same load; every request is answered and each
    round has a CPU cost per request for both, and the table gives their ratio.
    """
    args = argparse.Namespace(
        rate=40.0, people=20, rounds=2, round_seconds=1.0, round_people=10, profile=None
    )
    rounds = await run_rounds(args)
    assert set(rounds) == {BOT, BARE}
    for done in rounds.values():
        assert len(done) == 2
        for one in done:
            assert one.requests == 40 and one.failures == 0 and one.answered == 40
            assert one.cpu_ms_per_request > 0
            # The process's and the main thread's CPU are read from /proc a moment apart, in
            # clock ticks: the thread's share may exceed the whole by up to two ticks.
            tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
            assert one.loop_ms_per_request <= one.cpu_ms_per_request + 2 * tick_ms / one.requests
    table = report(rounds, args)
    assert any(line.startswith("CPU ratio bot/bare") for line in table)
