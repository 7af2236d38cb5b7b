"""The prompts feedback uses, with the placeholders each may contain; their English text is
in ``prompts.toml`` beside this file (registered by ``register``, checked at start-up).
"""

from __future__ import annotations

from pathlib import Path

from bot.prompts import Words

WORDS = Words(
    "feedback",
    {
        "command.feedback.usage": frozenset(),
        "command.feedback.summary": frozenset(),
        "command.admin.feedback.usage": frozenset(),
        "command.admin.feedback.summary": frozenset(),
        "button.request_rematch": frozenset(),
        "conv.name.feedback": frozenset(),
        "feedback.no_partner": frozenset(),
        "feedback.thanks": frozenset(),
        "feedback.poor_fit": frozenset(),
        "feedback.rematch_reason": frozenset(),
        "feedback.private_note": frozenset(),
        "feedback.usage": frozenset(),
        "feedback.mine_none": frozenset(),
        "feedback.mine_header": frozenset(),
        "feedback.mine_line": frozenset({"change", "day", "helped", "partner", "rating"}),
        "feedback.mine_fit": frozenset({"fit"}),
        "feedback.admin_header": frozenset({"program"}),
        "feedback.admin_people": frozenset(),
        "feedback.admin_sessions": frozenset(),
        "feedback.admin_mean": frozenset(),
        "feedback.admin_spread": frozenset(),
        "feedback.admin_fit": frozenset(),
        "feedback.admin_fit_counts": frozenset({"great", "ok", "poor"}),
        "feedback.admin_too_few": frozenset({"count", "minimum"}),
        "feedback.admin_privacy": frozenset({"minimum"}),
        "feedback.fit.great": frozenset(),
        "feedback.fit.ok": frozenset(),
        "feedback.fit.poor": frozenset(),
    },
    Path(__file__).with_name("prompts.toml"),
)
