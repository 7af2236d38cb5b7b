"""What the load benchmarks share: real ``mentorbot run --http`` processes on a fake Slack,
seeded people, a signed open-loop request mix at a rate, and reading a process's CPU time
(:mod:`bench.load` and :mod:`bench.load_cpu` both drive it).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

SECRET = "bench-signing-secret"

ROOT = str(Path(__file__).resolve().parents[1])

_IDS = itertools.count()

_DRAINS: set[asyncio.Future[None]] = set()  # readers of the bots' logs, kept referenced


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    sent_during_load: int = 0
    drain_seconds: float = 0.0
    peak_rss_mb: list[float] = field(default_factory=list)
    cpu_seconds: float = 0.0  # all its bot processes, from the load's start to the backlog drained


def seed(database_url: str, people: int) -> None:
    from adapters.surfaces import surfaces
    from bot.app import build_bot
    from bot.config import load_settings
    from bot.time.clock import FakeClock
    from fakes.programs import make_pair, make_program

    settings = load_settings(None, env={"DATABASE_URL": database_url})
    now = datetime.now(UTC)
    bot = build_bot(settings, clock=FakeClock(now - timedelta(days=3)), surfaces=surfaces())
    program = make_program(bot, platform="slack", workspace="T1")
    for k in range(people // 2):
        make_pair(bot, program, f"UA{k}", f"UB{k}", platform="slack")
    bot.engine.dispose()


def _request(fake_url: str, people: int) -> tuple[str, str]:
    """One request of the mix: (body, content type)."""
    from fakes.slack import block_actions_body, event_callback_body, slash_command_body

    n = next(_IDS)
    user = f"U{'AB'[n % 2]}{random.randrange(people // 2)}"
    form = "application/x-www-form-urlencoded"
    kind = random.random()
    if kind < 0.6:
        text = random.choice(["status", "goals", "help", "profile show"])
        url = f"{fake_url}/response/{n}"
        return slash_command_body(url, text, user=user, name=user.lower(), trigger=f"l.{n}"), form
    if kind < 0.8:
        url = f"{fake_url}/response/{n}"
        return block_actions_body(
            url, "status", user=user, name=user.lower(), trigger=f"l.{n}"
        ), form
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": f"D{user}",
        "user": user,
        "text": random.choice(["status", "help", "goals"]),
        "ts": f"{time.time():.6f}",
    }
    return event_callback_body(event, f"Ev{n}"), "application/json"


async def start(
    tmp: Path, fake_url: str, database_url: str, name: str, launcher: tuple[str, ...] = ("bot",)
) -> tuple[asyncio.subprocess.Process, int]:
    """A ``mentorbot run --http`` process (``launcher``: the module run with ``-m`` and its
    first arguments, e.g. ``bench.profiled_bot OUT``) and its port.
    """
    config = tmp / f"{name}.toml"
    config.write_text(
        f'[bot]\ndata_dir = "{tmp}"\nplatforms = ["slack"]\ninstance = "{name}"\n'
        f'[slack]\napi_url = "{fake_url}/api/"\nmessages_per_second = 5000.0\n'
        "[checkins]\ndispatch_every_seconds = 1\n"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        # this checkout's code (the process runs in ``tmp``), launcher modules included
        "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", *launcher, "--config", str(config), "run", "--http", "--port", "0",
        env=env, cwd=tmp, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stderr is not None
    while True:
        line = (await asyncio.wait_for(proc.stderr.readline(), 60)).decode()
        if not line:
            raise RuntimeError(f"{name} exited before serving")
        found = re.search(r"slack HTTP mode on [^:]+:(\d+)", line)
        if found:
            break

    async def drain(stream: asyncio.StreamReader) -> None:
        while await stream.readline():
            pass

    _DRAINS.add(asyncio.ensure_future(drain(proc.stderr)))
    return proc, int(found.group(1))


def cpu_seconds(pid: int, thread: int | None = None) -> float:
    """User + system CPU seconds of process ``pid`` so far, all its threads (or only thread
    ``thread``; the main thread's id is ``pid``): the kernel's rusage of that process, read
    from ``/proc/<pid>/stat`` (fields 14 and 15, in clock ticks).
    """
    stat = f"/proc/{pid}/stat" if thread is None else f"/proc/{pid}/task/{thread}/stat"
    after_name = Path(stat).read_text().rsplit(")", 1)[1].split()
    return (int(after_name[11]) + int(after_name[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def load(
    ports: list[int], fake_url: str, rate: float, seconds: float, people: int, result: Result
) -> None:
    from fakes.slack import signed_headers

    async with aiohttp.ClientSession() as session:

        async def one(port: int) -> None:
            body, content_type = _request(fake_url, people)
            headers = signed_headers(SECRET, body, content_type=content_type)
            started = time.perf_counter()
            try:
                async with session.post(
                    f"http://127.0.0.1:{port}/slack/events", data=body.encode(), headers=headers
                ) as response:
                    await response.read()
                    ok = response.status == 200
            except aiohttp.ClientError:
                ok = False
            result.latencies.append(time.perf_counter() - started)
            result.failures += not ok

        tasks = []
        begin = time.perf_counter()
        for n in range(int(rate * seconds)):
            delay = begin + n / rate - time.perf_counter()  # open loop: a fixed schedule
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(one(ports[n % len(ports)])))
        await asyncio.gather(*tasks)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0
