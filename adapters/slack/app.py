"""slack-bolt wiring: the /mentor command, buttons, modals, App Home and DMs, in HTTP mode
(``POST /slack/events`` on aiohttp) or Socket Mode.

Every listener acknowledges first (Slack's 3-second limit), then runs the core off the event
loop and answers through ``respond``/``chat.postMessage``/``views.*``. In HTTP mode every
request passes :mod:`adapters.slack.gate` first (signature on the raw bytes, replays,
malformed bodies), so bolt only ever sees genuine, well-formed requests.
"""

from __future__ import annotations

import asyncio
import logging
import re
from functools import partial
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.metrics import PrometheusMetrics, routes
from adapters.slack.blocks import BUTTON_PREFIX, blocks, fallback, form_values, modal
from adapters.slack.delivery import SlackSender
from adapters.slack.gate import Gate
from adapters.surfaces import SLACK
from bot.app import MentorBot
from bot.events import Action, Actor, Command, DirectMessage, Event, FormSubmitted
from bot.replies import Form, FormErrors, Message, Reply, as_message

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
EVENTS_PATH = "/slack/events"
AFTER_ACK_CONCURRENCY = 1
# Seconds a slash command may spend before it is acknowledged. 0: acknowledge at once and
# answer through response_url (fastest acks under load; the bench measures this). A budget of,
# say, 1.0 answers quick commands inside the acknowledgement itself instead.
ACK_BUDGET = 0.0


class SlackAdapter:
    """One Slack workspace app (bot token) bound to the neutral core."""

    platform = "slack"

    def __init__(
        self,
        bot: MentorBot,
        *,
        token: str,
        signing_secret: str,
        api_url: str | None = None,
        socket_mode: bool = False,
        ack_budget: float = ACK_BUDGET,
        metrics: PrometheusMetrics | None = None,
    ) -> None:
        self.bot = bot
        self.metrics = metrics
        self.ack_budget = ack_budget
        # The token, not a client of ours: bolt also reads SLACK_BOT_TOKEN from the environment
        # and, given a client too, warns on every start that the token is unused.
        self.app = AsyncApp(
            token=token,
            signing_secret=signing_secret,
            request_verification_enabled=not socket_mode,
            process_before_response=False,
        )
        self.client: AsyncWebClient = self.app.client
        self.client.base_url = (api_url or DEFAULT_API_URL).rstrip("/") + "/"
        self.client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=1))
        # The outbox's own client: no SDK retry on 429, so a rate limit comes back to the
        # dispatcher, which holds every send to Slack for Retry-After (concurrent sends don't
        # each retry on their own inside the window).
        self.sender = SlackSender(AsyncWebClient(token=token, base_url=api_url or DEFAULT_API_URL))
        self._gate = Gate(signing_secret, partial(bot.off_loop, bot.first_time))
        self._people: dict[str, tuple[str, str | None, str | None]] = {}  # id -> name, tz, locale
        self._runner: web.AppRunner | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._http: aiohttp.ClientSession | None = None
        # Work after an acknowledgement runs one at a time (answers queue; the core is ~2 ms),
        # so under a burst the event loop keeps acknowledging new requests promptly instead of
        # juggling every answer at once. A very slow command (a huge matching run) delays the
        # answers queued behind it, never an acknowledgement.
        self._after_ack = asyncio.Semaphore(AFTER_ACK_CONCURRENCY)
        self._register()

    # -- identity -------------------------------------------------------------------------
    async def actor(self, user_id: str, team_id: str, name: str = "") -> Actor:
        """The neutral actor; name, time zone and language come from ``users.info`` once per
        user.
        """
        if user_id not in self._people:
            tz: str | None = None
            locale: str | None = None
            try:
                info = (await self.client.users_info(user=user_id, include_locale=True))["user"]
                profile = info.get("profile", {})
                name = profile.get("display_name") or info.get("real_name") or name
                tz = info.get("tz")
                locale = info.get("locale")
            except Exception as exc:  # the profile is a nicety; carry on without it
                who = self.bot.pseudonyms.of("slack", user_id)
                log.warning("users.info failed for %s: %s", who, type(exc).__name__)
            self._people[user_id] = (name or user_id, tz, locale)
        cached_name, tz, locale = self._people[user_id]
        return Actor("slack", user_id, cached_name, team_id, tz, surface=SLACK, locale=locale)

    # -- replies --------------------------------------------------------------------------
    def _message_of(self, reply: Reply) -> Message:
        """Any reply as a message (Slack shows form errors inside the modal instead)."""
        return as_message(reply)

    async def _handle(self, event: Event) -> Reply:
        return await self.bot.ahandle(event)

    async def _respond(self, response_url: str, message: Message, **extra: Any) -> None:
        """Answer through response_url on one shared HTTP session (bolt's ``respond`` opens a
        new session per call, which costs more than the answer itself under load).
        """
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        payload = {"text": fallback(message), "blocks": blocks(message), **extra}
        try:
            async with self._http.post(response_url, json=payload) as response:
                if response.status >= 400:
                    log.warning("response_url answered %s", response.status)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("response_url failed: %s", type(exc).__name__)

    async def _files_by_dm(self, user_id: str, message: Message) -> None:
        """Files can't ride in an ephemeral answer: they come in the person's DM with the bot."""
        if message.files():
            channel = await self.sender.channel_for_user(user_id)
            await self.sender.upload_files(channel, message)

    # -- listeners ------------------------------------------------------------------------
    def _register(self) -> None:
        """Listener groups, one method each: retried events, the slash command, buttons and
        forms, App Home and DMs.
        """
        self._register_dedupe(self.app)
        self._register_command(self.app)
        self._register_interactions(self.app)
        self._register_events(self.app)

    def _register_dedupe(self, app: AsyncApp) -> None:
        @app.middleware
        async def drop_retried_events(body: dict[str, Any], next: Any) -> BoltResponse | None:
            """Slack retries events it thinks we missed; handle each event id once (recorded
            in the database, so a restart or another process doesn't handle it again).
            """
            event_id = body.get("event_id") if isinstance(body, dict) else None
            if event_id and not await self.bot.off_loop(
                self.bot.first_time, f"slack-event:{event_id}"
            ):
                return BoltResponse(status=200, body="")  # every process, every restart agree
            await next()
            return None

    def _register_command(self, app: AsyncApp) -> None:
        async def command_reply(command: dict[str, Any]) -> Reply:
            text = (command.get("text") or "").strip()
            words = text.lower().split()
            if words in (["profile"], ["profile", "edit"]):
                text = "profile edit"
            actor = await self.actor(
                command["user_id"], command.get("team_id", ""), command.get("user_name", "")
            )
            return await self._handle(Command(actor, text, command.get("channel_id")))

        @app.command("/mentor")
        async def on_command(ack: Any, command: dict[str, Any]) -> None:
            # Acknowledge within ack_budget: an answer ready by then rides in the ack itself;
            # otherwise the ack goes out empty and the answer follows through response_url, so
            # Slack's 3-second limit always holds.
            if self.ack_budget <= 0:
                await ack()
                acked = True
                async with self._after_ack:  # acks first; answers queue behind them
                    reply = await command_reply(command)
            else:
                work = asyncio.ensure_future(command_reply(command))
                try:
                    reply = await asyncio.wait_for(asyncio.shield(work), self.ack_budget)
                    acked = False
                except TimeoutError:
                    await ack()
                    acked = True
                    reply = await work
            if isinstance(reply, Form):
                if not acked:
                    await ack()
                await self.client.views_open(trigger_id=command["trigger_id"], view=modal(reply))
                return
            message = self._message_of(reply)
            if acked:
                await self._respond(command["response_url"], message, response_type="ephemeral")
            else:
                await ack(response_type="ephemeral", text=fallback(message), blocks=blocks(message))
            await self._files_by_dm(command["user_id"], message)

    def _register_interactions(self, app: AsyncApp) -> None:
        @app.action(re.compile(f"^{re.escape(BUTTON_PREFIX)}"))
        async def on_button(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
            await ack()
            user = body.get("user", {})
            team = (body.get("team") or {}).get("id") or user.get("team_id", "")
            async with self._after_ack:
                actor = await self.actor(user["id"], team, user.get("username", ""))
                reply = await self._handle(Action(actor, action.get("value", "")))
            if isinstance(reply, Form) and body.get("trigger_id"):
                await self.client.views_open(trigger_id=body["trigger_id"], view=modal(reply))
                return
            if body.get("response_url"):
                await self._respond(
                    body["response_url"],
                    self._message_of(reply),
                    response_type="ephemeral",
                    replace_original=False,
                )
                await self._files_by_dm(user["id"], self._message_of(reply))

        @app.view(re.compile(r"^form:"))
        async def on_submit(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
            user = body.get("user", {})
            team = (body.get("team") or {}).get("id") or user.get("team_id", "")
            actor = await self.actor(user["id"], team, user.get("username", ""))
            form_id = view["callback_id"].removeprefix("form:")
            reply = await self._handle(FormSubmitted(actor, form_id, form_values(view)))
            if isinstance(reply, FormErrors):
                await ack(response_action="errors", errors=reply.errors)
                return
            await ack()
            channel = await self.sender.channel_for_user(user["id"])
            await self.sender.post(channel, self._message_of(reply))

    def _register_events(self, app: AsyncApp) -> None:
        @app.event("app_home_opened")
        async def on_home(event: dict[str, Any], body: dict[str, Any]) -> None:
            if event.get("tab", "home") != "home":
                return
            actor = await self.actor(event["user"], body.get("team_id", ""))
            reply = await self._handle(Command(actor, "home"))
            message = self._message_of(reply)
            await self.client.views_publish(
                user_id=event["user"], view={"type": "home", "blocks": blocks(message)}
            )

        @app.event("message")
        async def on_message(event: dict[str, Any], body: dict[str, Any], say: Any) -> None:
            if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
                return
            actor = await self.actor(event["user"], body.get("team_id", ""))
            reply = await self._handle(DirectMessage(actor, event.get("text", "")))
            message = self._message_of(reply)
            await say(text=fallback(message), blocks=blocks(message))
            await self.sender.upload_files(event["channel"], message)

    # -- running --------------------------------------------------------------------------
    def web_app(self) -> web.Application:
        """``POST /slack/events`` for commands, interactivity and events; ``GET /healthz``
        and ``GET /metrics`` (:mod:`adapters.metrics`).
        """

        async def events(request: web.Request) -> web.Response:
            try:
                raw = await request.read()
            except web.HTTPRequestEntityTooLarge:
                log.warning("slack request refused: body over %s bytes", request.client_max_size)
                return web.Response(status=413)
            refused = await self._gate.check(raw, request.headers)
            if refused is not None:
                status, reason = refused
                log.warning("slack request refused (%s): %s", status, reason)
                return web.Response(status=status)
            bolt_response = await self.app.async_dispatch(await to_bolt_request(request))
            return await to_aiohttp_response(bolt_response)

        application = web.Application()
        application.add_routes([web.post(EVENTS_PATH, events), *routes(self.bot, self.metrics)])
        return application

    async def start_http(self, host: str, port: int) -> int:
        """Serve HTTP mode; returns the bound port (useful with port 0)."""
        self._runner = web.AppRunner(self.web_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = [address for address in self._runner.addresses if isinstance(address, tuple)]
        return int(bound[0][1]) if bound else port

    async def start_socket_mode(self, app_token: str) -> None:
        """Connect over Socket Mode (development and self-hosting behind a firewall)."""
        self._socket = AsyncSocketModeHandler(self.app, app_token)
        await self._socket.connect_async()

    async def close(self) -> None:
        """Close the HTTP session and the Socket Mode connection."""
        if self._socket is not None:
            await self._socket.close_async()
        if self._runner is not None:
            await self._runner.cleanup()
