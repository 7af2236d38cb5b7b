"""A fake Discord on loopback: REST API (exact ``application/json``) and a JSON gateway.

Gateway: HELLO, IDENTIFY, READY (with ``resume_gateway_url``), heartbeats and ACKs, and
dispatches tests push (MESSAGE_CREATE, INTERACTION_CREATE). REST: the calls discord.py makes
for logging in, syncing commands, DMs, messages and interaction callbacks, all recorded.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from fakes.loopback import Loopback

BOT_ID = "900000000000000001"
APP_ID = "900000000000000002"
_ids = itertools.count(1_000_000_000_000_000_000)


def snowflake() -> str:
    return str(next(_ids))


def user(uid: str, name: str, bot: bool = False) -> dict[str, Any]:
    return {
        "id": uid,
        "username": name,
        "global_name": name,
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
    }


@dataclass
class FakeDiscord:
    calls: list[tuple[str, str, Any]] = field(default_factory=list)  # (verb, path, json)
    scripted: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)
    users: dict[str, str] = field(default_factory=dict)
    url: str = ""
    _ws: web.WebSocketResponse | None = None
    _seq: int = 0
    net: Loopback = field(default_factory=Loopback)
    identified: int = 0
    shards_identified: list[tuple[int, int]] = field(default_factory=list)  # (shard id, count)
    _shard_ws: dict[int, web.WebSocketResponse] = field(default_factory=dict)
    _shard_count: int = 1
    recommended_shards: int = 1  # what GET /gateway/bot recommends
    created: list[dict[str, Any]] = field(default_factory=list)  # messages that exist
    by_nonce: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    guilds: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # id -> (role id, name)
    message_delay: float = 0.0  # seconds a message takes to be created and answered (slow)
    closed_dms: set[str] = field(default_factory=set)  # users whose DMs refuse the bot (50007)
    left_guild: set[str] = field(default_factory=set)  # users no longer in any guild (50007 too)
    dm_of: dict[str, str] = field(default_factory=dict)  # DM channel -> its user
    text_channels: dict[str, str] = field(default_factory=dict)  # channel id -> guild id
    threads: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> what was made

    async def start(self) -> FakeDiscord:
        self.url = await self.net.serve(
            [web.get("/gateway", self._gateway), web.route("*", "/api/v10/{path:.*}", self._rest)]
        )
        return self

    async def stop(self) -> None:
        for ws in {id(w): w for w in [self._ws, *self._shard_ws.values()] if w}.values():
            await ws.close()
        await self.net.close()

    # -- helpers ----------------------------------------------------------------------------
    async def _notify(self) -> None:
        await self.net.notify()

    async def wait_for(self, predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
        await self.net.wait_for(predicate, timeout)

    def calls_to(self, verb: str, pattern: str) -> list[Any]:
        import re

        return [body for v, path, body in self.calls if v == verb and re.fullmatch(pattern, path)]

    def fail_next(self, pattern: str, status: int, body: dict[str, Any]) -> None:
        self.scripted.append((pattern, status, body))

    @staticmethod
    def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        # discord.py only parses bodies whose content type is exactly application/json.
        response = web.Response(body=json.dumps(data).encode(), status=status, headers=headers)
        response.content_type = "application/json"
        return response

    # -- REST ---------------------------------------------------------------------------------
    async def _rest(self, request: web.Request) -> web.Response:
        import re

        path = request.match_info["path"]
        body: Any = None
        if request.can_read_body and request.content_type.startswith("multipart"):
            # Attachments: the JSON body rides as payload_json beside files[n] parts.
            form = await request.post()
            body = json.loads(str(form.get("payload_json") or "{}"))
            body["files"] = [
                {"filename": part.filename, "content": part.file.read()}
                for part in form.values()
                if isinstance(part, web.FileField)
            ]
        elif request.can_read_body:
            raw = await request.read()
            if raw and request.content_type == "application/json":
                body = json.loads(raw)
        self.calls.append((request.method, path, body))
        await self._notify()
        if (
            self.message_delay
            and request.method == "POST"
            and re.fullmatch(r"channels/\d+/messages", path)
        ):
            await asyncio.sleep(self.message_delay)  # a slow Discord: created only after this
        refused = self._refused(request.method, path)
        if refused is not None:
            return refused
        for k, (pattern, status, data) in enumerate(self.scripted):
            if re.fullmatch(pattern, path):
                del self.scripted[k]
                headers = {"Via": "1.1 google"} if status == 429 else {}
                if status == 429:
                    headers["Retry-After"] = str(data.get("retry_after", 0.1))
                return self._json(data, status, headers)
        return self._answer(request.method, path, body)

    def _refused(self, verb: str, path: str) -> web.Response | None:
        """A message to the DM channel of someone whose DMs are closed: Discord's 403."""
        import re

        match = re.fullmatch(r"channels/(\d+)/messages", path)
        to = self.dm_of.get(match.group(1)) if match else None
        if verb == "POST" and to is not None and to in self.closed_dms | self.left_guild:
            return self._json({"message": "Cannot send messages to this user", "code": 50007}, 403)
        return None

    def _guild_channel(self, verb: str, path: str, body: Any) -> web.Response | None:
        """A guild text channel, the private threads made in it, and their members."""
        import re

        match = re.fullmatch(r"channels/(\d+)", path)
        if verb == "GET" and match and match.group(1) in self.text_channels:
            channel_id = match.group(1)
            return self._json(
                {
                    "id": channel_id,
                    "type": 0,
                    "guild_id": self.text_channels[channel_id],
                    "name": "mentoring",
                    "position": 0,
                    "permission_overwrites": [],
                    "nsfw": False,
                    "parent_id": None,
                    "topic": None,
                    "last_message_id": None,
                    "rate_limit_per_user": 0,
                }
            )
        match = re.fullmatch(r"channels/(\d+)/threads", path)
        if verb == "POST" and match and match.group(1) in self.text_channels:
            parent = match.group(1)
            thread = {
                "id": snowflake(),
                "type": body.get("type", 11),
                "guild_id": self.text_channels[parent],
                "parent_id": parent,
                "owner_id": BOT_ID,
                "name": body.get("name", ""),
                "message_count": 0,
                "member_count": 1,
                "rate_limit_per_user": 0,
                "thread_metadata": {
                    "archived": False,
                    "auto_archive_duration": body.get("auto_archive_duration", 10080),
                    "archive_timestamp": "2026-11-22T12:00:00+00:00",
                    "locked": False,
                    "invitable": body.get("invitable", True),
                },
            }
            self.threads[thread["id"]] = {**thread, "members": []}
            return self._json(thread)
        match = re.fullmatch(r"guilds/(\d+)/members/(\d+)", path)
        if verb == "GET" and match:
            uid = match.group(2)
            if uid in self.left_guild or match.group(1) not in self.guilds:
                return self._json({"message": "Unknown Member", "code": 10007}, 404)
            return self._json(
                {
                    "user": user(uid, self.users.get(uid, f"user{uid[-3:]}")),
                    "roles": [],
                    "joined_at": "2026-01-01T00:00:00+00:00",
                    "deaf": False,
                    "mute": False,
                    "flags": 0,
                }
            )
        match = re.fullmatch(r"channels/(\d+)/thread-members/(\d+)", path)
        if verb == "PUT" and match and match.group(1) in self.threads:
            self.threads[match.group(1)]["members"].append(match.group(2))
            return web.Response(status=204)
        return None

    def _message(self, channel_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """A created message; with ``enforce_nonce``, the one already created with that nonce
        in the channel is returned instead of a new one, as Discord does (for a few minutes)."""
        nonce = (body or {}).get("nonce")
        if nonce is not None and (body or {}).get("enforce_nonce"):
            known = self.by_nonce.get((channel_id, str(nonce)))
            if known is not None:
                return known
        created = self._new_message(channel_id, body)
        self.created.append(created)
        if nonce is not None and (body or {}).get("enforce_nonce"):
            self.by_nonce[(channel_id, str(nonce))] = created
        return created

    def _new_message(self, channel_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": snowflake(),
            "channel_id": channel_id,
            "author": user(BOT_ID, "mentorbot", True),
            "content": (body or {}).get("content") or "",
            "timestamp": "2026-11-22T12:00:00+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": (body or {}).get("embeds", []),
            "components": (body or {}).get("components", []),
            "pinned": False,
            "type": 0,
        }

    def _answer(self, verb: str, path: str, body: Any) -> web.Response:
        if path == "gateway/bot":
            return self._json(
                {
                    "url": self.url.replace("http", "ws") + "/gateway",
                    "shards": self.recommended_shards,
                    "session_start_limit": {
                        "total": 1000,
                        "remaining": 999,
                        "reset_after": 0,
                        "max_concurrency": 1,
                    },
                }
            )
        import re

        made = self._guild_channel(verb, path, body)
        if made is not None:
            return made
        if path == "users/@me":
            return self._json(user(BOT_ID, "mentorbot", True))
        if path == "oauth2/applications/@me":
            return self._json(
                {
                    "id": APP_ID,
                    "name": "mentorbot",
                    "description": "",
                    "icon": None,
                    "bot_public": True,
                    "bot_require_code_grant": False,
                    "owner": user("1", "owner"),
                    "verify_key": "00",
                    "flags": 0,
                    "summary": "",
                    "rpc_origins": [],
                }
            )
        if path == "users/@me/channels":
            recipient = str(body["recipient_id"])
            self.dm_of[f"7{recipient[-17:]}"] = recipient
            return self._json(
                {
                    "id": f"7{recipient[-17:]}",
                    "type": 1,
                    "recipients": [user(recipient, self.users.get(recipient, "p"))],
                }
            )
        match = re.fullmatch(r"users/(\d+)", path)
        if match:
            uid = match.group(1)
            return self._json(user(uid, self.users.get(uid, f"user{uid[-3:]}")))
        match = re.fullmatch(r"channels/(\d+)/messages", path)
        if match:
            return self._json(self._message(match.group(1), body))
        if re.fullmatch(r"applications/\d+(/guilds/\d+)?/commands", path) and verb == "PUT":
            return self._json(
                [
                    {
                        **c,
                        "id": snowflake(),
                        "application_id": APP_ID,
                        "version": "1",
                        "default_member_permissions": None,
                        "type": 1,
                    }
                    for c in body or []
                ]
            )
        match = re.fullmatch(r"interactions/(\d+)/[^/]+/callback", path)
        if match:
            return self._json({"interaction": {"id": match.group(1), "type": 2}})
        if re.fullmatch(r"webhooks/\d+/[^/]+", path):
            return self._json(self._message("1", body))
        return self._json({"message": "404: Not Found", "code": 0}, 404)

    # -- gateway ------------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        await ws.send_str(
            json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        )
        async for frame in ws:
            if frame.type != WSMsgType.TEXT:
                continue
            data = json.loads(frame.data)
            if data["op"] == 1:
                await ws.send_str(json.dumps({"op": 11}))
            elif data["op"] == 2:
                self.identified += 1
                shard_id, count = data["d"].get("shard") or (0, 1)
                self.shards_identified.append((shard_id, count))
                self._shard_count = count
                self._shard_ws[shard_id] = ws
                mine = [g for g in self.guilds if (int(g) >> 22) % count == shard_id]
                await self._send(
                    ws,
                    "READY",
                    {
                        "v": 10,
                        "user": user(BOT_ID, "mentorbot", True),
                        "guilds": [{"id": g, "unavailable": True} for g in mine],
                        "session_id": f"s{shard_id}",
                        "resume_gateway_url": self.url.replace("http", "ws") + "/gateway",
                        "application": {"id": APP_ID, "flags": 0},
                        "shard": [shard_id, count],
                    },
                )
                for guild_id in mine:
                    await self._send(ws, "GUILD_CREATE", self.guild(guild_id))
                await self._notify()
        return ws

    @staticmethod
    def role(role_id: str, name: str, position: int = 1) -> dict[str, Any]:
        return {
            "id": role_id,
            "name": name,
            "permissions": "0",
            "position": position,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }

    def guild(self, guild_id: str) -> dict[str, Any]:
        """A GUILD_CREATE payload as the gateway sends it (the guilds intent, no members)."""
        roles = [self.role(guild_id, "@everyone", 0)]
        roles += [self.role(r, n, i + 1) for i, (r, n) in enumerate(self.guilds[guild_id])]
        return {
            "id": guild_id,
            "name": "Test guild",
            "owner_id": "1",
            "roles": roles,
            "emojis": [],
            "stickers": [],
            "features": [],
            "channels": [],
            "threads": [],
            "members": [],
            "member_count": 1,
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "large": False,
            "unavailable": False,
            "joined_at": "2026-01-01T00:00:00+00:00",
        }

    async def add_role(self, guild_id: str, role_id: str, name: str) -> None:
        """Someone creates a role in the guild (GUILD_ROLE_CREATE)."""
        self.guilds[guild_id].append((role_id, name))
        await self.dispatch(
            "GUILD_ROLE_CREATE",
            {"guild_id": guild_id, "role": self.role(role_id, name, len(self.guilds[guild_id]))},
        )

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send an event on the connection of the shard its guild belongs to (DMs: shard 0),
        as Discord does."""
        await self.wait_for(lambda: self._ws is not None)
        assert self._ws is not None
        ws = self._ws
        guild_id = data.get("guild_id")
        if self._shard_ws:
            shard = (int(guild_id) >> 22) % self._shard_count if guild_id else 0
            await self.wait_for(lambda: shard in self._shard_ws)
            ws = self._shard_ws[shard]
        await self._send(ws, event, data)

    async def _send(self, ws: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        self._seq += 1
        await ws.send_str(json.dumps({"op": 0, "t": event, "s": self._seq, "d": data}))

    def interaction(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        user_id: str,
        name: str,
        guild_id: str | None = None,
        message: dict[str, Any] | None = None,
        roles: list[str] | None = None,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": snowflake(),
            "application_id": APP_ID,
            "type": kind,
            "token": "tok" + snowflake(),
            "version": 1,
            "data": data,
            "channel_id": "500",
            "locale": locale,  # the user's client language
            "app_permissions": "0",
            "entitlements": [],
            "attachment_size_limit": 8388608,
            "authorizing_integration_owners": {},
            "context": 0 if guild_id else 1,
        }
        if guild_id:
            payload["guild_id"] = guild_id
            payload["member"] = {
                "user": user(user_id, name),
                "roles": roles or [],
                "joined_at": "2026-01-01T00:00:00+00:00",
                "deaf": False,
                "mute": False,
                "permissions": "0",
                "flags": 0,
            }
        else:
            payload["user"] = user(user_id, name)
        if message is not None:
            payload["message"] = message
        return payload


async def start_adapter(bot: Any, fake: FakeDiscord, guild: str) -> Any:
    """The real Discord adapter (discord.py) started against ``fake`` for ``guild``; the
    caller closes it (``await adapter.close()``).
    """
    from adapters.discord import DiscordAdapter

    adapter = DiscordAdapter(
        bot,
        guild_ids=(int(guild),),
        api_url=fake.url + "/api/v10",
        gateway_url=fake.url.replace("http", "ws") + "/gateway",
        guild_ready_timeout=0.1,
    )
    await adapter.start("fake-token")
    return adapter
