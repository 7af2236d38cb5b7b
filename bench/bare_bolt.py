"""A bare slack-bolt app: the baseline the load benchmark compares the bot's CPU with.

It answers the load's mix the way the bot does, with nothing of ours in between: a slash
command or a button click is acknowledged, then answered with a fixed text through
response_url (one shared HTTP session, as the bot does); a DM is answered with
``chat.postMessage``. Served like the bot's HTTP mode: aiohttp, ``POST /slack/events``,
bolt's own signature check.

Run (in its own process; prints the port, serves until stdin closes):
python -m bench.bare_bolt --fake-url http://127.0.0.1:PORT --secret SECRET
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

ANSWER = "ok"


def bare_app(fake_url: str, secret: str, http: aiohttp.ClientSession) -> AsyncApp:
    """The bolt app: one listener per kind of request in the load's mix."""
    app = AsyncApp(
        client=AsyncWebClient(token="xoxb-bare", base_url=fake_url + "/api/"),
        signing_secret=secret,
        process_before_response=False,
    )

    async def answer(response_url: str) -> None:
        async with http.post(response_url, json={"text": ANSWER}) as response:
            await response.read()

    @app.command("/mentor")
    async def on_command(ack: Any, command: dict[str, Any]) -> None:
        await ack()
        await answer(command["response_url"])

    @app.action(re.compile(".*"))
    async def on_button(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        await answer(body["response_url"])

    @app.event("message")
    async def on_message(event: dict[str, Any], say: Any) -> None:
        await say(text=ANSWER)

    return app


async def serve(fake_url: str, secret: str) -> None:
    """Serve on 127.0.0.1:0, print the port, stop when stdin closes."""
    http = aiohttp.ClientSession()
    app = bare_app(fake_url, secret, http)

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    web_app = web.Application()
    web_app.add_routes([web.post("/slack/events", events)])
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(site._server.sockets[0].getsockname()[1], flush=True)  # type: ignore[union-attr]
    await asyncio.to_thread(sys.stdin.read)
    await runner.cleanup()
    await http.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fake-url", required=True)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.fake_url, args.secret))


if __name__ == "__main__":
    main()
