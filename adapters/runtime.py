"""Running the bot on chat platforms: adapters, the outbox dispatcher and the pulse, together.

The console runs on its own (it owns the terminal); Slack (HTTP mode or Socket Mode) runs as
a service until interrupted. Secrets come from the environment only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.app import MentorBot, build_dispatcher
from bot.delivery import Sender
from bot.errors import ConfigError
from bot.outbox import Pacing
from bot.pulse import Pulse

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServeOptions:
    """How to serve: Slack HTTP mode, and its host and port."""

    http: bool = False
    host: str | None = None
    port: int | None = None


def _require(env: Mapping[str, str], name: str, why: str) -> str:
    value = env.get(name, "")
    if not value:
        raise ConfigError(f"{name} is not set; {why}")
    return value


async def serve(
    bot: MentorBot,
    platforms: tuple[str, ...],
    options: ServeOptions,
    *,
    env: Mapping[str, str] | None = None,
    stop: asyncio.Event | None = None,
    on_http_ready: Callable[[int], None] | None = None,
) -> None:
    """Serve the given platforms until ``stop`` is set (or SIGINT/SIGTERM).

    ``on_http_ready`` gets the bound HTTP port (useful with port 0).
    """
    env = os.environ if env is None else env
    stop = stop or asyncio.Event()
    senders: dict[str, Sender] = {}
    pacing: dict[str, Pacing] = {}
    closers = []
    starters = []
    if "slack" in platforms:
        from adapters.slack import SlackAdapter
        from adapters.slack.delivery import PACING

        token = _require(env, "SLACK_BOT_TOKEN", "the Slack bot token (xoxb-...) is needed")
        app_token = env.get("SLACK_APP_TOKEN", "")
        socket_mode = bool(app_token) and not options.http
        secret = env.get("SLACK_SIGNING_SECRET", "")
        if not socket_mode and not secret:
            raise ConfigError(
                "SLACK_SIGNING_SECRET is not set; HTTP mode verifies every "
                "request with it (or set SLACK_APP_TOKEN for Socket Mode)"
            )
        slack = SlackAdapter(
            bot,
            token=token,
            signing_secret=secret,
            api_url=bot.settings.slack.api_url or None,
            socket_mode=socket_mode,
        )
        senders["slack"] = slack.sender
        pacing["slack"] = PACING
        closers.append(slack.close)
        if socket_mode:
            starters.append(lambda: slack.start_socket_mode(app_token))
        else:
            host = options.host or bot.settings.slack.http_host
            port = options.port if options.port is not None else bot.settings.slack.http_port

            async def start_http() -> None:
                bound = await slack.start_http(host, port)
                log.info("slack HTTP mode on %s:%s%s", host, bound, "/slack/events")
                if on_http_ready is not None:
                    on_http_ready(bound)

            starters.append(start_http)
    if "discord" in platforms:
        from adapters.discord import DiscordAdapter
        from adapters.discord.app import PACING as DISCORD_PACING

        discord_token = _require(env, "DISCORD_TOKEN", "the Discord bot token is needed")
        conf = bot.settings.discord
        discord_adapter = DiscordAdapter(
            bot,
            guild_ids=tuple(int(g) for g in conf.guild_ids),
            api_url=conf.api_url or None,
            gateway_url=conf.gateway_url or None,
        )
        senders["discord"] = discord_adapter.sender
        pacing["discord"] = DISCORD_PACING
        closers.append(discord_adapter.close)
        starters.append(lambda: discord_adapter.start(discord_token))
    if not senders:
        raise ConfigError("no platform to serve")
    pulse = Pulse(bot, build_dispatcher(bot, senders, pacing=pacing))
    await pulse.tick()
    pulse.start()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Not available outside the main thread or on non-POSIX systems; then Ctrl-C stops us.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        for start in starters:
            await start()
        await stop.wait()
    finally:
        pulse.shutdown()
        for close in closers:
            await close()
