"""Run ``python -m bot ...`` under cProfile, every thread included, for the load benchmark.

cProfile alone sees only the thread that enabled it, and the bot does its database work in
worker threads (``asyncio.to_thread``), so each thread gets its own profiler and the stats
are merged into one pstats file when the process exits (after SIGTERM's orderly shutdown).
Times are each thread's own CPU time (``time.thread_time``), not waits.

Run: python -m bench.profiled_bot OUT.prof --config FILE run --http --port 0
Read: python -c "import pstats; pstats.Stats('OUT.prof').sort_stats('cumulative').print_stats(40)"
"""

from __future__ import annotations

import atexit
import cProfile
import pstats
import runpy
import sys
import threading
import time


def main() -> None:
    out, sys.argv = sys.argv[1], [sys.argv[0], *sys.argv[2:]]
    profiles: list[cProfile.Profile] = []
    thread_run = threading.Thread.run

    def profiled_run(self: threading.Thread) -> None:
        profile = cProfile.Profile(time.thread_time)
        profiles.append(profile)
        profile.enable()
        try:
            thread_run(self)
        finally:
            profile.disable()

    threading.Thread.run = profiled_run  # type: ignore[method-assign]
    main_profile = cProfile.Profile(time.thread_time)

    def dump() -> None:
        main_profile.disable()
        pstats.Stats(main_profile, *profiles).dump_stats(out)

    atexit.register(dump)
    main_profile.enable()
    runpy.run_module("bot", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
