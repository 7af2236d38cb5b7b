"""The prompts conversations uses, with the placeholders each may contain; their English text is
in ``prompts.toml`` beside this file (registered by ``register``, checked at start-up).
"""

from __future__ import annotations

from pathlib import Path

from bot.prompts import Words

WORDS = Words(
    "conversations",
    {
        "command.answer.usage": frozenset(),
        "command.answer.summary": frozenset(),
        "command.conversation.usage": frozenset(),
        "command.conversation.summary": frozenset(),
        "command.cancel.usage": frozenset(),
        "command.cancel.summary": frozenset(),
        "button.skip": frozenset(),
        "button.conv_continue": frozenset(),
        "button.conv_replace": frozenset(),
        "button.conv_cancel": frozenset(),
        "conv.busy": frozenset({"current", "wanted"}),
        "conv.sent_to_dm": frozenset({"title"}),
        "conv.progress": frozenset({"number", "title", "total"}),
        "conv.scale_ends": frozenset({"high", "low"}),
        "conv.scale_points": frozenset({"p1", "p2", "p3", "p4", "p5"}),
        "conv.previous": frozenset({"answer"}),
        "conv.controls": frozenset(),
        "conv.controls_optional": frozenset(),
        "conv.resumed": frozenset({"title"}),
        "conv.cannot_skip": frozenset(),
        "conv.coach_hint": frozenset(),
        "conv.not_yours": frozenset(),
        "conv.closed": frozenset(),
        "conv.stale_button": frozenset(),
        "conv.choose_first": frozenset(),
        "conv.cancelled": frozenset({"title"}),
        "conv.at_start": frozenset(),
        "conv.help": frozenset({"title"}),
        "conv.none": frozenset(),
        "conv.usage": frozenset(),
        "conv.reminder": frozenset({"name", "title"}),
        "conv.reminder_hint": frozenset({"hours"}),
        "conv.expired": frozenset({"command", "hours", "title"}),
        "conv.invalid.empty": frozenset(),
        "conv.invalid.too_long": frozenset({"limit"}),
        "conv.invalid.choice": frozenset({"options"}),
        "conv.invalid.multi": frozenset({"answer", "options"}),
        "conv.invalid.yesno": frozenset(),
        "conv.invalid.scale": frozenset(),
        "conv.invalid.number": frozenset({"max", "min"}),
        "conv.invalid.date": frozenset(),
        "conv.invalid.date_past": frozenset({"today"}),
    },
    Path(__file__).with_name("prompts.toml"),
)
