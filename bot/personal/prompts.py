"""The prompts personal uses, with the placeholders each may contain; their English text is
in ``prompts.toml`` beside this file (registered by ``register``, checked at start-up).
"""

from __future__ import annotations

from pathlib import Path

from bot.prompts import Words

WORDS = Words(
    "personal",
    {
        "command.export.usage": frozenset(),
        "command.export.summary": frozenset(),
        "command.forget.usage": frozenset(),
        "command.forget.summary": frozenset(),
        "button.forget_confirm": frozenset(),
        "button.forget_cancel": frozenset(),
        "export.ready": frozenset({"size"}),
        "export.hint": frozenset(),
        "forget.confirm": frozenset(),
        "forget.kept": frozenset(),
        "forget.done": frozenset({"pairs", "withdrawn"}),
        "forget.partner_left": frozenset({"pair"}),
    },
    Path(__file__).with_name("prompts.toml"),
)
