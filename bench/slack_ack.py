"""Benchmark: how fast /mentor is acknowledged in Slack HTTP mode.

1,000 signed `/mentor status` slash commands at concurrency 20 against our HTTP mode, and side
by side, in the same run and on the same machine, a bare slack-bolt app whose handler only
acks. Both use a fake Slack Web API and response_url on loopback. Prints p50/p99 of the HTTP
round trip (what Slack's 3-second limit measures) and the ratio ours/bare.

Run: python -m bench.slack_ack [--requests 1000] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from adapters.surfaces import surfaces

SECRET = "bench-signing-secret"


async def fire(port: int, fake_url: str, n: int, concurrency: int) -> list[float]:
    from fakes.slack import signed_headers

    latencies: list[float] = []
    gate = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession() as session:

        async def one(i: int) -> None:
            body = urllib.parse.urlencode(
                {
                    "team_id": "T1",
                    "channel_id": "C1",
                    "user_id": f"U{i % 50}",
                    "user_name": f"user{i % 50}",
                    "command": "/mentor",
                    "text": "status",
                    "response_url": f"{fake_url}/response/{i}",
                    "trigger_id": "t",
                }
            )
            async with gate:
                headers = signed_headers(SECRET, body)
                started = time.perf_counter()
                async with session.post(
                    f"http://127.0.0.1:{port}/slack/events", data=body.encode(), headers=headers
                ) as response:
                    await response.read()
                    assert response.status == 200
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(one(i) for i in range(n)))
    return latencies


async def bare_app(fake_url: str):
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    app = AsyncApp(
        client=AsyncWebClient(token="xoxb-b", base_url=fake_url + "/api/"), signing_secret=SECRET
    )

    @app.command("/mentor")
    async def only_ack(ack):  # type: ignore[no-untyped-def]
        await ack()

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    web_app = web.Application()
    web_app.add_routes([web.post("/slack/events", events)])
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def serve(kind: str, fake_url: str) -> None:
    """In a child process: serve ours or the bare app until stdin closes; print the port."""
    import sys

    if kind == "bare":
        runner, port = await bare_app(fake_url)
        closer = runner.cleanup
    else:
        from adapters.slack import SlackAdapter
        from bot.app import build_bot
        from bot.config import load_settings
        from bot.time.clock import FakeClock

        tmp = tempfile.mkdtemp()
        settings = load_settings(None, env={"DATABASE_URL": f"sqlite:///{Path(tmp) / 'b.db'}"})
        clock = FakeClock(datetime(2026, 11, 22, 12, tzinfo=UTC))
        bot = build_bot(settings, clock=clock, surfaces=surfaces())
        adapter = SlackAdapter(
            bot, token="xoxb-o", signing_secret=SECRET, api_url=fake_url + "/api/"
        )
        port = await adapter.start_http("127.0.0.1", 0)
        closer = adapter.close
    print(port, flush=True)
    await asyncio.to_thread(sys.stdin.read)
    await closer()


async def main_async(n: int, concurrency: int) -> None:
    import sys

    from fakes.slack import FakeSlack

    fake = await FakeSlack().start()
    results = {}
    for kind, name in (("bare", "bare bolt (ack only)"), ("ours", "mentorbot /mentor status")):
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.slack_ack",
            "--serve",
            kind,
            "--fake-url",
            fake.url,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert child.stdout is not None and child.stdin is not None
        port = int((await child.stdout.readline()).decode())
        before = len(fake.responses)
        await fire(port, fake.url, 50, concurrency)  # warm up
        results[name] = await fire(port, fake.url, n, concurrency)
        if kind == "ours":  # its answers arrive after the acks
            deadline = time.monotonic() + 60
            while len(fake.responses) - before < n + 50 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            delivered = len(fake.responses) - before - 50
        child.stdin.close()
        await child.wait()
    await fake.stop()
    print(f"{n} signed slash commands, concurrency {concurrency}; each app in its own process")
    print(f"{'':<28}{'p50 ms':>8}{'p99 ms':>8}{'mean ms':>9}")
    for name, lat in results.items():
        print(
            f"{name:<28}{pct(lat, 0.5):>8.2f}{pct(lat, 0.99):>8.2f}"
            f"{statistics.fmean(lat) * 1000:>9.2f}"
        )
    bare, mine = results["bare bolt (ack only)"], results["mentorbot /mentor status"]
    print(
        f"{'ratio ours/bare':<28}{pct(mine, 0.5) / pct(bare, 0.5):>8.2f}"
        f"{pct(mine, 0.99) / pct(bare, 0.99):>8.2f}"
    )
    print(f"answers delivered to response_url: {delivered} of {n}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--serve", choices=["ours", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--fake-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.serve, args.fake_url))
        return
    asyncio.run(main_async(args.requests, args.concurrency))


if __name__ == "__main__":
    main()
