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
        "command.admin.pair-nudge.usage": frozenset(),
        "command.admin.pair-nudge.summary": frozenset(),
        "command.admin.pair-end.usage": frozenset(),
        "command.admin.pair-end.summary": frozenset(),
        "command.admin.pair-rematch.usage": frozenset(),
        "command.admin.pair-rematch.summary": frozenset(),
        "command.partner.usage": frozenset(),
        "command.partner.summary": frozenset(),
        "pairs.usage.pair-nudge": frozenset(),
        "pairs.usage.pair-end": frozenset(),
        "pairs.usage.pair-rematch": frozenset(),
        "pairs.usage.partner": frozenset(),
        "pairs.unknown_pair": frozenset({"pair"}),
        "pairs.not_active": frozenset({"pair"}),
        "pairs.confirm.pair-nudge": frozenset({"pair", "names", "told"}),
        "pairs.confirm.pair-end": frozenset({"pair", "names", "told"}),
        "pairs.confirm.pair-rematch": frozenset({"pair", "names", "told"}),
        "pairs.done.pair-nudge": frozenset({"told"}),
        "pairs.done.pair-end": frozenset({"told"}),
        "pairs.done.pair-rematch": frozenset({"told"}),
        "pairs.notice.pair-end": frozenset({"name", "partner", "program"}),
        "pairs.notice.pair-rematch": frozenset({"name", "partner", "program"}),
        "pairs.button.confirm": frozenset(),
        "pairs.button.cancel": frozenset(),
        "pairs.button.keep_waiting": frozenset(),
        "pairs.button.match_me": frozenset(),
        "pairs.button.nudge": frozenset(),
        "pairs.button.end": frozenset(),
        "pairs.button.rematch": frozenset(),
        "pairs.engage.nudge": frozenset({"name", "partner"}),
        "pairs.engage.nudge_hint": frozenset(),
        "pairs.engage.offer": frozenset({"days", "name", "partner"}),
        "pairs.engage.kept": frozenset({"partner"}),
        "pairs.engage.switched": frozenset({"partner"}),
        "pairs.engage.partner_moved_on": frozenset({"name", "program"}),
        "pairs.engage.closed": frozenset({"name", "partner"}),
        "pairs.health.healthy": frozenset(),
        "pairs.health.quiet": frozenset(),
        "pairs.health.stalled": frozenset(),
        "pairs.health.ghosting": frozenset(),
        "pairs.health.closed": frozenset(),
        "pairs.health.silent": frozenset({"count", "name", "since"}),
        "pairs.health.last_meeting": frozenset({"days"}),
        "pairs.health.never_met": frozenset(),
    },
    Path(__file__).with_name("prompts.toml"),
)
