"""The prompts the pair lifecycle uses, with the placeholders each may contain; their English
text is in ``prompts.toml`` beside this file (registered by ``register``, checked at start-up).
"""

from __future__ import annotations

from pathlib import Path

from bot.prompts import Words

WORDS = Words(
    "pairs",
    {
        "pairs.end_reason.finished": frozenset(),
        "pairs.end_reason.rematch": frozenset(),
        "pairs.end_reason.left": frozenset(),
        "pairs.end_reason.forgotten": frozenset(),
        "pairs.end_reason.removed": frozenset(),
        "pairs.end_reason.inactive": frozenset(),
        "pairs.end_reason.program_ended": frozenset(),
        "pairs.end_reason.other": frozenset(),
    },
    Path(__file__).with_name("prompts.toml"),
)
