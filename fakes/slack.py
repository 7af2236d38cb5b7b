"""A fake Slack on loopback: Web API methods, response_url, Socket Mode WebSocket.

It speaks the real wire protocol (form, query and JSON bodies in; Slack-shaped JSON out; HTTP
429 with Retry-After; Socket Mode hello/envelope/ack frames) and records every call so tests
can assert on what reached Slack.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from fakes.loopback import Loopback


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)  # when the request arrived


@dataclass
class FakeSlack:
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    gone_users: set[str] = field(default_factory=set)  # deactivated: cannot be messaged
    # user -> the error a DM to them gets (e.g. "account_inactive", "cannot_dm_bot"), from
    # ``dm_errors_at``: conversations.open, or chat.postMessage to their DM channel
    dm_errors: dict[str, str] = field(default_factory=dict)
    dm_errors_at: str = "conversations.open"
    dm_of: dict[str, str] = field(default_factory=dict)  # DM channel -> its user
    ephemeral: list[dict[str, Any]] = field(default_factory=list)  # chat.postEphemeral calls
    calls: list[Call] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)  # posted to response_url
    response_ids: list[str] = field(default_factory=list)  # which response_url, in order
    scripted: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = field(
        default_factory=dict
    )
    url: str = ""
    net: Loopback = field(default_factory=Loopback)
    _socket: web.WebSocketResponse | None = None
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    uploads: dict[str, dict[str, Any]] = field(default_factory=dict)  # file id -> what arrived
    post_delay: float = 0.0  # seconds chat.postMessage takes to answer (sends in flight)
    post_lands_after: float = 0.0  # seconds it works before the post exists (a slow Slack)
    posted: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel -> messages
    history_error: str | None = None  # e.g. "missing_scope": the app may not read history
    _ts: float = 0.0

    async def start(self) -> FakeSlack:
        self.url = await self.net.serve(
            [
                web.route("*", "/api/{method}", self._api),
                web.post("/response/{id}", self._response_url),
                web.post("/upload/{file_id}", self._upload),
                web.get("/socket", self._websocket),
            ]
        )
        return self

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        await self.net.close()

    # -- helpers for tests -----------------------------------------------------------------
    def calls_to(self, method: str) -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method]

    async def wait_for(self, predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
        await self.net.wait_for(predicate, timeout)

    async def wait_calls(self, method: str, count: int = 1, timeout: float = 10.0) -> None:
        await self.wait_for(lambda: len(self.calls_to(method)) >= count, timeout)

    async def wait_responses(self, count: int = 1, timeout: float = 10.0) -> None:
        await self.wait_for(lambda: len(self.responses) >= count, timeout)

    def fail_next(
        self, method: str, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        self.scripted.setdefault(method, []).append((status, body, headers or {}))

    async def _notify(self) -> None:
        await self.net.notify()

    # -- Web API ----------------------------------------------------------------------------
    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            raw = await request.read()
            if request.content_type == "application/json":
                params.update(json.loads(raw or b"{}"))
            else:
                params.update(dict(urllib.parse.parse_qsl(raw.decode())))
        for key in ("blocks", "view"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append(Call(method, params))
        if self.scripted.get(method):
            status, body, headers = self.scripted[method].pop(0)
            await self._notify()
            return web.json_response(body, status=status, headers=headers)
        if method == "chat.postMessage" and self.post_lands_after:
            await self._notify()  # the call has arrived; the post exists only later
            await asyncio.sleep(self.post_lands_after)
        # Its effect (a post in the channel, an upload completed) exists once the call has
        # arrived, before anyone waiting for the call is woken.
        answer = self._answer(method, params)
        await self._notify()
        if method == "chat.postMessage" and self.post_delay:
            await asyncio.sleep(self.post_delay)
        return web.json_response(answer)

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://fake.slack/",
                "team": "Fake",
                "user": "mentorbot",
                "team_id": "T1",
                "user_id": "UBOT",
                "bot_id": "BBOT",
            }
        if method == "users.info":
            uid = params.get("user", "")
            info = self.users.get(uid, {})
            return {
                "ok": True,
                "user": {
                    "id": uid,
                    "name": info.get("name", uid.lower()),
                    "real_name": info.get("name", uid),
                    "tz": info.get("tz", "America/New_York"),
                    "profile": {"display_name": info.get("name", uid.lower())},
                    # Slack sends the user's language only when asked for it
                    **(
                        {"locale": info.get("locale", "en-US")}
                        if str(params.get("include_locale")).lower() in ("true", "1")
                        else {}
                    ),
                },
            }
        if method == "users.lookupByEmail":
            email = str(params.get("email", "")).lower()
            for uid, info in self.users.items():
                if str(info.get("email", "")).lower() == email:
                    return {"ok": True, "user": {"id": uid, "name": info.get("name", uid)}}
            return {"ok": False, "error": "users_not_found"}
        if method == "conversations.open":
            users = str(params.get("users", ""))
            if len(users.split(",")) > 8:  # Slack: "Needs at most 8 users to open"
                return {"ok": False, "error": "too_many_users"}
            if set(users.split(",")) & self.gone_users:
                return {"ok": False, "error": "user_not_found"}
            if self.dm_errors_at == method and users in self.dm_errors:
                return {"ok": False, "error": self.dm_errors[users]}
            prefix = "G" if "," in users else "D"
            channel_id = prefix + hashlib.sha1(users.encode()).hexdigest()[:8].upper()
            if prefix == "D":
                self.dm_of[channel_id] = users
            return {"ok": True, "channel": {"id": channel_id}}
        if method == "chat.postEphemeral":
            self._ts = max(time.time(), self._ts + 0.000001)
            self.ephemeral.append(params)
            return {"ok": True, "message_ts": f"{self._ts:.6f}"}
        if method == "chat.postMessage" and self.dm_errors_at == method:
            to = self.dm_of.get(str(params.get("channel")))
            if to in self.dm_errors:
                return {"ok": False, "error": self.dm_errors[to]}
        if method == "chat.postMessage":
            # Slack's ts: the posting time in seconds, unique within the channel.
            self._ts = max(time.time(), self._ts + 0.000001)
            ts = f"{self._ts:.6f}"
            channel = str(params.get("channel"))
            message = {"type": "message", "ts": ts, "text": params.get("text", "")}
            if params.get("metadata"):
                metadata = params["metadata"]
                message["metadata"] = (
                    json.loads(metadata) if isinstance(metadata, str) else metadata
                )
            self.posted.setdefault(channel, []).append(message)
            return {"ok": True, "channel": channel, "ts": ts}
        if method == "conversations.history":
            return self._history(params)
        if method == "files.getUploadURLExternal":
            file_id = f"F{len(self.uploads) + 1:08d}"
            self.uploads[file_id] = {
                "filename": params.get("filename"),
                "alt_txt": params.get("alt_txt"),
                "content": None,
            }
            return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = params.get("files")
            files = json.loads(files) if isinstance(files, str) else files or []
            for f in files:
                upload = self.uploads.get(f["id"])
                if upload is None or upload["content"] is None:
                    return {"ok": False, "error": "file_not_found"}
                upload.update(
                    channel=params.get("channel_id"),
                    initial_comment=params.get("initial_comment"),
                    title=f.get("title"),
                )
            return {"ok": True, "files": [{"id": f["id"]} for f in files]}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.url.replace("http", "ws") + "/socket"}
        return {"ok": True}

    def _history(self, params: dict[str, Any]) -> dict[str, Any]:
        """conversations.history: newest first, after ``oldest``, ``limit`` per page with a
        cursor; metadata only with ``include_all_metadata``, as Slack documents.
        """
        if self.history_error:
            return {"ok": False, "error": self.history_error}
        channel = str(params.get("channel"))
        oldest = float(params.get("oldest") or 0)
        limit = int(params.get("limit") or 100)
        start = int(params.get("cursor") or 0)
        posts = self.posted.get(channel, [])
        found = [m for m in reversed(posts) if float(m["ts"]) > oldest]
        page = found[start : start + limit]
        with_metadata = str(params.get("include_all_metadata")).lower() in ("1", "true")
        messages = [
            m if with_metadata else {k: v for k, v in m.items() if k != "metadata"} for m in page
        ]
        more = start + limit < len(found)
        return {
            "ok": True,
            "messages": messages,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL files.getUploadURLExternal hands out: raw bytes in, "OK" out."""
        file_id = request.match_info["file_id"]
        if file_id not in self.uploads:
            return web.Response(status=404, text="no such upload")
        self.uploads[file_id]["content"] = await request.read()
        await self._notify()
        return web.Response(text=f"OK - {len(self.uploads[file_id]['content'])}")

    async def _response_url(self, request: web.Request) -> web.Response:
        self.responses.append(await request.json())
        self.response_ids.append(request.match_info["id"])
        await self._notify()
        return web.json_response({"ok": True})

    # -- Socket Mode ------------------------------------------------------------------------
    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._socket = ws
        await ws.send_str(
            json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}})
        )
        await self._notify()
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self.socket_acks.append(json.loads(message.data))
                await self._notify()
        return ws

    async def socket_send(self, envelope: dict[str, Any]) -> None:
        await self.wait_for(lambda: self._socket is not None)
        assert self._socket is not None
        await self._socket.send_str(json.dumps(envelope))


def signed_headers(
    secret: str,
    body: str,
    *,
    timestamp: int | None = None,
    content_type: str = "application/x-www-form-urlencoded",
) -> dict[str, str]:
    """Slack's v0 signature: HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": content_type,
    }


# -- what Slack sends us: request bodies for tests and benchmarks ------------------------------
def slash_command_body(
    response_url: str, text: str, *, user: str, name: str, trigger: str, channel: str = "C1"
) -> str:
    """A ``/mentor`` slash command as Slack posts it (form-encoded)."""
    return urllib.parse.urlencode(
        {
            "token": "t",
            "team_id": "T1",
            "team_domain": "fake",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": name,
            "command": "/mentor",
            "text": text,
            "api_app_id": "A1",
            "response_url": response_url,
            # Slack gives every command its own trigger id, so no two requests are the same.
            "trigger_id": trigger,
        }
    )


def block_actions_body(response_url: str, value: str, *, user: str, name: str, trigger: str) -> str:
    """A block_actions payload: ``user`` pressed a button carrying ``value``."""
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": user, "username": name, "team_id": "T1"},
        "api_app_id": "A1",
        "trigger_id": trigger,
        "response_url": response_url,
        "container": {"type": "message", "message_ts": "1.2", "channel_id": "D1"},
        "channel": {"id": "D1"},
        "actions": [
            {
                "type": "button",
                "action_id": "mentor:0",
                "block_id": "b",
                "value": value,
                "action_ts": "1",
            }
        ],
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


def event_callback_body(event: dict[str, Any], event_id: str = "Ev1") -> str:
    """An Events API delivery (JSON)."""
    return json.dumps(
        {
            "token": "t",
            "team_id": "T1",
            "api_app_id": "A1",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
        }
    )
