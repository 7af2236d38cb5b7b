"""The prompts reach uses, with the placeholders each may contain; their English text is in
``prompts.toml`` beside this file (registered by ``register``, checked at start-up).
"""

from __future__ import annotations

from pathlib import Path

from bot.prompts import Words

WORDS = Words(
    "unreachable",
    {
        "unreachable.howto.slack": frozenset(),
        "unreachable.howto.discord": frozenset(),
        "unreachable.howto.other": frozenset(),
        "unreachable.mark.dms_closed": frozenset({"day"}),
        "unreachable.mark.left_workspace": frozenset({"day"}),
        "unreachable.mark.label": frozenset(),
        "unreachable.mark.heading": frozenset(),
    },
    Path(__file__).with_name("prompts.toml"),
)
