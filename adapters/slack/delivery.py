"""Sending through Slack's Web API, with Slack errors mapped to neutral delivery results."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import blocks, fallback
from bot.delivery import DeliveryResult, Target
from bot.outbox import Pacing
from bot.replies import Message

log = logging.getLogger(__name__)

# chat.postMessage allows about one message a second per channel, with short bursts.
PACING = Pacing(per_second=20.0, per_target_seconds=1.0)

PERMANENT = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "cannot_dm_bot",
        "user_disabled",
        "invalid_users",
        "not_authed",
        "invalid_auth",
        "token_revoked",
        "missing_scope",
        "restricted_action",
        "too_many_users",
        "msg_too_long",
        "invalid_blocks",
        "no_text",
        "ekm_access_denied",
    }
)


def map_error(exc: Exception) -> DeliveryResult:
    """A Slack failure as rate limited (with Retry-After), permanent or transient."""
    if isinstance(exc, SlackApiError):
        response = exc.response
        if response.status_code == 429:
            retry = response.headers.get("Retry-After") or response.headers.get("retry-after")
            return DeliveryResult(
                "rate_limited", retry_after=float(retry or 1), error="ratelimited"
            )
        code = response.get("error") if hasattr(response, "get") else None
        if code in PERMANENT:
            return DeliveryResult("permanent", error=str(code))
        return DeliveryResult("transient", error=str(code or response.status_code))
    if isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return DeliveryResult("transient", error=type(exc).__name__)
    raise exc


class SlackSender:
    """Posts outbox messages: DMs via conversations.open, group DMs, channels."""

    platform = "slack"

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._dm_channels: dict[tuple[str, ...], str] = {}

    async def channel_for_user(self, user_id: str) -> str:
        """The DM channel with a user (conversations.open, cached)."""
        return await self.channel_for(Target("slack", "", "user", (user_id,)))

    async def channel_for(self, target: Target) -> str:
        """The channel a target's messages go to (a DM, a group DM or a channel)."""
        if target.kind == "channel":
            return target.ids[0]
        key = tuple(sorted(target.ids))
        if key not in self._dm_channels:
            response = await self.client.conversations_open(users=",".join(key))
            self._dm_channels[key] = response["channel"]["id"]
        return self._dm_channels[key]

    async def post(self, channel: str, message: Message) -> str:
        """Post a message to a channel; returns its timestamp."""
        response = await self.client.chat_postMessage(
            channel=channel,
            text=fallback(message),
            blocks=blocks(message),
            unfurl_links=False,
            unfurl_media=False,
        )
        await self.upload_files(channel, message)
        return str(response["ts"])

    async def upload_files(self, channel: str, message: Message) -> None:
        """Hand over the message's files in ``channel`` (files.getUploadURLExternal, the
        upload, files.completeUploadExternal: slack-sdk's ``files_upload_v2``).
        """
        for file in message.files():
            await self.client.files_upload_v2(
                channel=channel, filename=file.name, title=file.name, content=file.content
            )

    async def send(self, target: Target, message: Message) -> DeliveryResult:
        """Deliver one message; Slack errors become neutral delivery results."""
        try:
            channel = await self.channel_for(target)
            return DeliveryResult.sent(await self.post(channel, message))
        except Exception as exc:
            result = map_error(exc)
            log.warning("slack delivery to %s failed: %s", target.kind, result.error)
            return result
