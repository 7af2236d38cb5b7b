"""The prompts ``language`` uses, with the placeholders each may contain; their English text
is in ``prompts.toml`` beside this file (registered by ``register``, checked at start-up).
"""

from __future__ import annotations

from pathlib import Path

from bot.prompts import Words

WORDS = Words(
    "language",
    {
        "command.language.usage": frozenset(),
        "command.language.summary": frozenset(),
        "language.show_chosen": frozenset({"language"}),
        "language.show_platform": frozenset({"language"}),
        "language.show_default": frozenset({"language"}),
        "language.available": frozenset({"languages"}),
        "language.how": frozenset(),
        "language.set": frozenset({"language"}),
        "language.auto": frozenset({"language"}),
        "language.unknown": frozenset({"text", "languages"}),
    },
    Path(__file__).with_name("prompts.toml"),
)
