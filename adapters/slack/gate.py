"""The door of ``POST /slack/events``: every request is checked on its raw bytes before
slack-bolt parses anything, so malformed or forged input is a 4xx with one log line (never a
500, never the body in the log), and a captured signed request sent again does nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping

log = logging.getLogger(__name__)

WINDOW = 60 * 5  # Slack's replay window: older timestamps are refused outright


class Gate:
    """Checks one request: (status, reason) to refuse it, or None to let it in."""

    def __init__(
        self,
        signing_secret: str,
        first_time: Callable[[str], Awaitable[bool]],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = signing_secret.encode()
        self._first_time = first_time  # shared with every process, kept across restarts
        self._clock = clock

    async def check(self, raw: bytes, headers: Mapping[str, str]) -> tuple[int, str] | None:
        """Signature on the raw bytes first; then the body must be what Slack sends; then
        it must not have been handled before.
        """
        stamp = headers.get("X-Slack-Request-Timestamp", "")
        signature = headers.get("X-Slack-Signature", "")
        if not stamp.isdigit() or abs(self._clock() - int(stamp)) > WINDOW:
            return 401, "missing or stale timestamp"
        if not signature or not self._signed(raw, stamp, signature):
            return 401, "bad signature"
        malformed = _malformed(raw, headers.get("Content-Type", ""))
        if malformed is not None:
            return malformed
        if not await self._first_time(f"slack-sig:{signature}"):
            return 200, "replayed request ignored"
        return None

    def _signed(self, raw: bytes, stamp: str, signature: str) -> bool:
        """Slack's v0 HMAC-SHA256 over the raw bytes (any bytes: slack-sdk's verifier would
        decode them as UTF-8 first, and fail on the ones that aren't).
        """
        base = b"v0:" + stamp.encode() + b":" + raw
        expected = "v0=" + hmac.new(self._secret, base, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature)


def _malformed(raw: bytes, content_type: str) -> tuple[int, str] | None:
    """A signed body that still isn't something Slack sends (a bug, or a leaked secret)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return 400, "body is not UTF-8"
    try:
        if content_type.startswith("application/json"):
            if not isinstance(json.loads(text), dict):
                return 400, "JSON body is not an object"
        else:
            form = urllib.parse.parse_qs(text, strict_parsing=bool(text))
            if "payload" in form and not isinstance(json.loads(form["payload"][0]), dict):
                return 400, "payload is not a JSON object"
    except ValueError:
        return 400, "malformed body"
    return None
