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
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace

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


@dataclass
class Running:
    """One platform's adapter in the process: how it sends and is paced, and how it starts
    serving and closes (a small connect/listen/disconnect lifecycle).
    """

    sender: Sender
    pacing: Pacing
    start: Callable[[], Awaitable[None]]
    close: Callable[[], Awaitable[None]]


def _slack(
    bot: MentorBot,
    env: Mapping[str, str],
    options: ServeOptions,
    on_http_ready: Callable[[int], None] | None,
) -> Running:
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
    from adapters.metrics import install

    slack = SlackAdapter(
        bot,
        token=token,
        signing_secret=secret,
        api_url=bot.settings.slack.api_url or None,
        socket_mode=socket_mode,
        metrics=None if socket_mode else install(bot),
    )
    host = options.host or bot.settings.slack.http_host
    port = options.port if options.port is not None else bot.settings.slack.http_port

    async def start() -> None:
        if socket_mode:
            await slack.start_socket_mode(app_token)
            return
        bound = await slack.start_http(host, port)
        log.info("slack HTTP mode on %s:%s%s", host, bound, "/slack/events")
        if on_http_ready is not None:
            on_http_ready(bound)

    pacing = replace(PACING, per_second=bot.settings.slack.messages_per_second)
    return Running(slack.sender, pacing, start, slack.close)


def _discord(bot: MentorBot, env: Mapping[str, str]) -> Running:
    from adapters.discord import DiscordAdapter
    from adapters.discord.app import PACING

    token = _require(env, "DISCORD_TOKEN", "the Discord bot token is needed")
    conf = bot.settings.discord
    adapter = DiscordAdapter(
        bot,
        guild_ids=tuple(int(g) for g in conf.guild_ids),
        api_url=conf.api_url or None,
        gateway_url=conf.gateway_url or None,
    )

    async def start() -> None:
        await adapter.start(token)

    pacing = replace(PACING, per_second=conf.messages_per_second)
    return Running(adapter.sender, pacing, start, adapter.close)


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
    running: dict[str, Running] = {}
    if "slack" in platforms:
        running["slack"] = _slack(bot, env, options, on_http_ready)
    if "discord" in platforms:
        running["discord"] = _discord(bot, env)
    if not running:
        raise ConfigError("no platform to serve")
    senders = {name: r.sender for name, r in running.items()}
    pacing = {name: r.pacing for name, r in running.items()}
    dispatcher = build_dispatcher(bot, senders, pacing=pacing)
    recovered = dispatcher.recover()  # ours from before a crash: pending again at once
    if recovered:
        log.info("took back %d outbox rows this process was sending when it stopped", recovered)
    pulse = Pulse(bot, dispatcher)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Not available outside the main thread or on non-POSIX systems; then Ctrl-C stops us.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    catch_up: asyncio.Task[object] | None = None
    try:
        # Serve first (Slack wants commands acknowledged in 3 s; Discord must be logged in
        # before anything is sent), then catch up on the backlog while serving.
        for r in running.values():
            await r.start()
        catch_up = asyncio.create_task(pulse.tick())
        pulse.start()
        await stop.wait()
    finally:
        # SIGTERM: finish the sends under way (bounded), put the rest back, then disconnect.
        await pulse.stop(catch_up, grace=bot.settings.bot.shutdown_seconds)
        for r in running.values():
            await r.close()
        log.info("stopped")
