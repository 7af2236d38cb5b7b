"""Sending through Slack's Web API, with Slack errors mapped to neutral delivery results."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import replace
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import blocks, fallback
from bot.delivery import DMS_CLOSED, LEFT_WORKSPACE, DeliveryResult, Target
from bot.outbox import Pacing
from bot.replies import Message, Section
from bot.spans import Text

log = logging.getLogger(__name__)

# chat.postMessage allows about one message a second per channel, with short bursts.
PACING = Pacing(per_second=20.0, per_target_seconds=1.0)

# Every message the outbox posts carries its delivery id in Slack message metadata, so a
# resend after a crash can first look for it in the conversation's recent history.
METADATA_EVENT = "mentorbot_delivery"
HISTORY_PAGES = 5  # conversations.history pages (200 messages each) searched before a resend
# Errors that mean "this app may not read that history": the resend goes ahead unchecked.
UNCHECKABLE = frozenset({"missing_scope", "not_in_channel", "channel_not_found", "not_allowed"})

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

# Errors of conversations.open/chat.postMessage that mean a DM will never reach the person.
UNREACHABLE = {
    "cannot_dm_bot": DMS_CLOSED,
    "user_not_found": LEFT_WORKSPACE,
    "account_inactive": LEFT_WORKSPACE,
    "user_disabled": LEFT_WORKSPACE,
}
_USER_ID = re.compile(r"[UW][A-Z0-9]+")


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
            return DeliveryResult("permanent", error=str(code), unreachable=UNREACHABLE.get(code))
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
        self._unchecked: set[str] = set()  # reasons already logged for unchecked resends

    async def channel_for_user(self, user_id: str) -> str:
        """The DM channel with a user (conversations.open, cached)."""
        return await self.channel_for(Target("slack", "", "user", (user_id,)))

    async def channel_for(self, target: Target) -> str:
        """The channel a target's messages go to (a DM, a group DM or a channel)."""
        if target.kind in ("channel", "private", "mention"):
            return target.ids[0]
        key = tuple(sorted(target.ids))
        if key not in self._dm_channels:
            response = await self.client.conversations_open(users=",".join(key))
            self._dm_channels[key] = response["channel"]["id"]
        return self._dm_channels[key]

    async def post(self, channel: str, message: Message) -> str:
        """Post a message to a channel; returns its timestamp."""
        extra: dict[str, Any] = {}
        if message.delivery_id:
            extra["metadata"] = {
                "event_type": METADATA_EVENT,
                "event_payload": {"delivery_id": message.delivery_id},
            }
        response = await self.client.chat_postMessage(
            channel=channel,
            text=fallback(message),
            blocks=blocks(message),
            unfurl_links=False,
            unfurl_media=False,
            **extra,
        )
        await self.upload_files(channel, message)
        return str(response["ts"])

    async def post_private(self, channel: str, user: str, message: Message) -> str:
        """Show a message in ``channel`` to ``user`` only (chat.postEphemeral): nobody else sees
        it and it is not kept in the channel's history. Files are not handed over this way.
        """
        response = await self.client.chat_postEphemeral(
            channel=channel, user=user, text=fallback(message), blocks=blocks(message)
        )
        return str(response.get("message_ts") or "")

    async def upload_files(self, channel: str, message: Message) -> None:
        """Hand over the message's files in ``channel`` (files.getUploadURLExternal, the
        upload, files.completeUploadExternal: slack-sdk's ``files_upload_v2``).
        """
        for file in message.files():
            await self.client.files_upload_v2(
                channel=channel,
                filename=file.name,
                title=file.name,
                content=file.content,
                alt_txt=file.alt[:1000] or None,  # an image's text alternative (Slack: 1000)
            )

    async def posted_before(self, channel: str, message: Message) -> str | None:
        """The timestamp of an earlier post of this delivery in ``channel`` (found by its
        metadata in the history since ``message.resend_after``), or None. Raises
        SlackApiError when the history can't be read.
        """
        assert message.resend_after is not None
        oldest = f"{message.resend_after.timestamp() - 60:.6f}"  # a minute for clock skew
        cursor = None
        for _ in range(HISTORY_PAGES):
            response = await self.client.conversations_history(
                channel=channel,
                oldest=oldest,
                limit=200,
                include_all_metadata=True,
                **({"cursor": cursor} if cursor else {}),
            )
            for posted in response.get("messages") or []:
                metadata = posted.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if (
                    metadata.get("event_type") == METADATA_EVENT
                    and payload.get("delivery_id") == message.delivery_id
                ):
                    return str(posted.get("ts"))
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None

    async def _settle(self, channel: str, message: Message) -> str | None:
        """Before a resend: the earlier post if there was one. When this app may not read the
        history (a scope missing), says so once in the log and lets the resend go ahead.
        """
        try:
            return await self.posted_before(channel, message)
        except SlackApiError as exc:
            code = str(exc.response.get("error") or exc.response.status_code)
            if code not in UNCHECKABLE:
                raise
            if code not in self._unchecked:
                self._unchecked.add(code)
                log.warning(
                    "slack: can't check history before resending (%s); a message cut off "
                    "mid-send may be posted twice. Grant the history scopes in "
                    "slack_app_manifest.yml to prevent that.",
                    code,
                )
            return None

    async def send(self, target: Target, message: Message) -> DeliveryResult:
        """Deliver one message; Slack errors become neutral delivery results. A resend first
        looks for the earlier post (a crash between posting and recording it) and counts it.
        """
        try:
            channel = await self.channel_for(target)
            if target.kind == "private":
                return DeliveryResult.sent(await self.post_private(channel, target.ids[1], message))
            if target.kind == "mention":
                message = mentioning(target.ids[1], message)
            if message.resend_after is not None and message.delivery_id:
                earlier = await self._settle(channel, message)
                if earlier is not None:
                    log.info("slack: %s was posted before; not posting it again", target.kind)
                    return DeliveryResult.sent(earlier)
            return DeliveryResult.sent(await self.post(channel, message))
        except Exception as exc:
            result = map_error(exc)
            log.warning("slack delivery to %s failed: %s", target.kind, result.error)
            return result


def mentioning(user: str, message: Message) -> Message:
    """``message`` led by a mention of ``user`` (who is notified; nobody else is)."""
    if not _USER_ID.fullmatch(user):
        return message
    lead = Section(Text.trusted(f"<@{user}>"))
    return replace(message, parts=(lead, *message.parts))
