"""The prompts goals uses, with the placeholders each may contain; their English text is
in ``prompts.toml`` beside this file (registered by ``register``, checked at start-up).
"""

from __future__ import annotations

from pathlib import Path

from bot.prompts import Words

WORDS = Words(
    "goals",
    {
        "command.goal.usage": frozenset(),
        "command.goal.summary": frozenset(),
        "command.goals.usage": frozenset(),
        "command.goals.summary": frozenset(),
        "command.progress.usage": frozenset(),
        "command.progress.summary": frozenset(),
        "button.goal_done": frozenset(),
        "conv.name.goal": frozenset(),
        "conv.name.progress": frozenset(),
        "goal.usage": frozenset(),
        "goal.saved": frozenset({"number"}),
        "goal.after_program_end": frozenset({"due", "ends"}),
        "goal.saved_hint": frozenset({"number"}),
        "goal.visible_partner": frozenset(),
        "goal.visible_private": frozenset(),
        "goal.bad_number": frozenset({"count", "number"}),
        "goal.already_done": frozenset({"number"}),
        "goal.done": frozenset({"title"}),
        "goal.celebrated": frozenset(),
        "goal.no_channel": frozenset(),
        "goal.celebrate": frozenset({"name", "title"}),
        "goal.celebrate_private": frozenset({"name"}),
        "goal.partner_done": frozenset({"name", "title"}),
        "goal.now_private": frozenset({"number"}),
        "goal.now_shared": frozenset({"number"}),
        "goals.header": frozenset(),
        "goals.none": frozenset(),
        "goals.line": frozenset({"due", "number", "progress", "title"}),
        "goals.line_done": frozenset({"number", "title"}),
        "goals.measure": frozenset({"measure"}),
        "goals.blockers": frozenset({"blockers"}),
        "goals.private_mark": frozenset(),
        "goals.partner_header": frozenset({"partner"}),
        "goals.hint": frozenset(),
        "progress.no_goals": frozenset(),
        "progress.saved": frozenset({"goal", "progress"}),
        "progress.all_done": frozenset(),
    },
    Path(__file__).with_name("prompts.toml"),
)
