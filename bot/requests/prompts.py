"""The prompts requests uses, with the placeholders each may contain; their English text is
in ``prompts.toml`` beside this file (registered by ``register``, checked at start-up).
"""

from __future__ import annotations

from pathlib import Path

from bot.prompts import Words

WORDS = Words(
    "requests",
    {
        "command.request.usage": frozenset(),
        "command.request.summary": frozenset(),
        "command.requests.usage": frozenset(),
        "command.requests.summary": frozenset(),
        "button.claim": frozenset(),
        "button.claim_numbered": frozenset({"number"}),
        "button.request_close": frozenset(),
        "request.form_title": frozenset(),
        "request.form_intro": frozenset(),
        "request.usage": frozenset(),
        "request.too_long": frozenset({"details", "topic"}),
        "request.bad_urgency": frozenset({"value"}),
        "request.posted": frozenset({"count", "id"}),
        "request.posted_none": frozenset({"id"}),
        "request.posted_channel": frozenset({"hours"}),
        "request.posted_no_channel": frozenset({"hours"}),
        "request.card": frozenset({"name", "topic", "urgency"}),
        "request.card_hint": frozenset(),
        "request.claimed_you": frozenset({"name", "topic"}),
        "request.claimed_requester": frozenset({"helper", "topic"}),
        "request.taken": frozenset({"helper"}),
        "request.yours_already": frozenset({"id"}),
        "request.own": frozenset(),
        "request.not_helper": frozenset(),
        "request.unknown": frozenset({"id"}),
        "request.not_yours": frozenset({"id"}),
        "request.closed_already": frozenset({"id"}),
        "request.close_ask": frozenset({"topic"}),
        "request.closed": frozenset({"id"}),
        "request.escalated": frozenset({"hours", "id", "name", "topic"}),
        "request.escalated_hint": frozenset(),
        "request.released": frozenset({"helper", "id", "name", "topic"}),
        "request.released_requester": frozenset({"helper", "id", "topic"}),
        "request.list_header": frozenset({"count"}),
        "request.list_line": frozenset({"age", "name", "urgency"}),
        "request.list_none": frozenset(),
        "request.mine_header": frozenset(),
        "request.label.topic": frozenset(),
        "request.label.details": frozenset(),
        "request.label.urgency": frozenset(),
        "request.urgency.low": frozenset(),
        "request.urgency.normal": frozenset(),
        "request.urgency.high": frozenset(),
        "request.status.open": frozenset(),
        "request.status.claimed": frozenset(),
        "request.status.closed": frozenset(),
    },
    Path(__file__).with_name("prompts.toml"),
)
