"""The prompts closure uses, with the placeholders each may contain; their English text is in
``prompts.toml`` beside this file (registered by ``register``, checked at start-up).
"""

from __future__ import annotations

from pathlib import Path

from bot.prompts import Words

WORDS = Words(
    "closure",
    {
        "command.closure.usage": frozenset(),
        "command.closure.summary": frozenset(),
        "button.closure_rate": frozenset(),
        "button.closure_keep": frozenset(),
        "button.closure_again": frozenset(),
        "conv.name.closure": frozenset(),
        "closure.completed": frozenset({"name", "partner", "program"}),
        "closure.ended_early": frozenset({"name", "partner", "program"}),
        "closure.partner_left": frozenset(),
        "closure.together": frozenset({"facts"}),
        "closure.with_partner": frozenset({"facts", "partner"}),
        "closure.with_partner_plain": frozenset({"partner"}),
        "closure.fact_meetings": frozenset({"count"}),
        "closure.fact_goals": frozenset({"count"}),
        "closure.fact_reached": frozenset({"count"}),
        "closure.ask": frozenset(),
        "closure.ask_thanks": frozenset({"partner"}),
        "closure.next": frozenset({"partner"}),
        "closure.next_keep": frozenset({"partner"}),
        "closure.next_again": frozenset(),
        "closure.next_already": frozenset(),
        "closure.next_already_keep": frozenset({"partner"}),
        "closure.usage": frozenset(),
        "closure.not_yours": frozenset(),
        "closure.not_ended": frozenset(),
        "closure.no_partner_now": frozenset(),
        "closure.saved": frozenset(),
        "closure.thanks_sent": frozenset({"partner"}),
        "closure.thanks_shared": frozenset(),
        "closure.thanks_for_mentor": frozenset({"name", "program"}),
        "closure.thanks_note": frozenset({"thanks"}),
        "closure.keep_noted": frozenset({"partner"}),
        "closure.keep_mutual": frozenset({"partner"}),
        "closure.keep_mutual_dm": frozenset({"partner", "program"}),
        "closure.again_noted": frozenset(),
        "closure.again_has_partner": frozenset(),
        "closure.again_ended": frozenset({"program"}),
        "closure.again_no_round": frozenset({"program"}),
        "closure.digest.header": frozenset({"count"}),
        "closure.digest.line": frozenset({"mentee", "mentor", "thanks"}),
    },
    Path(__file__).with_name("prompts.toml"),
)
