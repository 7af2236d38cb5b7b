"""The prompts choosing uses, with the placeholders each may contain; their English text is
in ``prompts.toml`` beside this file (registered by ``register``, checked at start-up).
"""

from __future__ import annotations

from pathlib import Path

from bot.prompts import Words

_NONE: frozenset[str] = frozenset()

WORDS = Words(
    "choosing",
    {
        "command.choose.usage": _NONE,
        "command.choose.summary": _NONE,
        "command.admin.choices.usage": _NONE,
        "command.admin.choices.summary": _NONE,
        "button.choose_ask": frozenset({"name"}),
        "button.choose_accept": _NONE,
        "button.choose_decline": _NONE,
        "button.choose_withdraw": _NONE,
        "button.choose_again": _NONE,
        "choose.off": frozenset({"program"}),
        "choose.not_mentee": _NONE,
        "choose.paused": _NONE,
        "choose.paired": frozenset({"program"}),
        "choose.header": frozenset({"program"}),
        "choose.line": frozenset({"name", "reasons"}),
        "choose.hint": frozenset({"days"}),
        "choose.none": _NONE,
        "choose.waiting": frozenset({"mentor", "when"}),
        "choose.asked": frozenset({"mentor", "when"}),
        "choose.already_open": frozenset({"mentor"}),
        "choose.not_suggested": _NONE,
        "choose.withdrawn": frozenset({"mentor"}),
        "choose.nothing_open": _NONE,
        "choose.card": frozenset({"mentee", "program"}),
        "choose.card_why": frozenset({"reasons"}),
        "choose.card_hint": frozenset({"when"}),
        "choose.card_withdrawn": frozenset({"mentee"}),
        "choose.unknown": _NONE,
        "choose.not_yours": _NONE,
        "choose.answered": frozenset({"status"}),
        "choose.accepted": frozenset({"mentee"}),
        "choose.full": frozenset({"capacity", "count", "mentee", "more"}),
        "choose.gone": frozenset({"mentee"}),
        "choose.blocked": frozenset({"mentee"}),
        "choose.declined": frozenset({"mentee"}),
        "choose.mentee_accepted": frozenset({"mentor"}),
        "choose.mentee_declined": frozenset({"mentor"}),
        "choose.mentee_expired": frozenset({"mentor"}),
        "choose.mentor_expired": frozenset({"mentee"}),
        "choose.admin_header": frozenset({"count"}),
        "choose.admin_line": frozenset({"day", "when"}),
        "choose.admin_none": _NONE,
        "choose.digest": frozenset({"count"}),
        "choose.admin_off": _NONE,
        "choose.admin_on": frozenset({"days"}),
        "choose.setting_on": frozenset({"days"}),
        "choose.setting_off": _NONE,
        "choose.setting_mentoring_only": _NONE,
        "choose.status.open": _NONE,
        "choose.status.accepted": _NONE,
        "choose.status.declined": _NONE,
        "choose.status.expired": _NONE,
        "choose.status.withdrawn": _NONE,
        "choose.reason.chosen": frozenset({"mentee", "mentor"}),
    },
    Path(__file__).with_name("prompts.toml"),
)
