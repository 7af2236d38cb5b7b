"""The prompts checkins uses, with the placeholders each may contain; their English text is
in ``prompts.toml`` beside this file (registered by ``register``, checked at start-up).
"""

from __future__ import annotations

from pathlib import Path

from bot.prompts import Words

WORDS = Words(
    "checkins",
    {
        "command.checkin.usage": frozenset(),
        "command.checkin.summary": frozenset(),
        "command.admin.digest.usage": frozenset(),
        "command.admin.digest.summary": frozenset(),
        "button.checkin_met": frozenset(),
        "button.checkin_not_yet": frozenset(),
        "button.checkin_rescheduled": frozenset(),
        "button.checkin_skip": frozenset(),
        "button.checkin_feedback": frozenset(),
        "button.checkin_progress": frozenset(),
        "button.checkin_goal": frozenset(),
        "checkin.nudge": frozenset({"name", "partner"}),
        "checkin.nudge_first": frozenset({"name", "partner"}),
        "checkin.nudge_hint": frozenset(),
        "checkin.usage": frozenset(),
        "checkin.unknown_answer": frozenset({"answer"}),
        "checkin.before_pair": frozenset({"day", "started"}),
        "checkin.future": frozenset({"day"}),
        "checkin.no_partner": frozenset(),
        "checkin.bad_cycle": frozenset(),
        "checkin.plain_understood": frozenset({"answer", "day", "partner", "reply"}),
        "checkin.thanks_met": frozenset({"partner"}),
        "checkin.followup": frozenset(),
        "checkin.thanks_not_yet": frozenset({"partner"}),
        "checkin.thanks_rescheduled": frozenset({"partner"}),
        "checkin.thanks_skipped": frozenset({"partner"}),
        "checkin.suggest_slots": frozenset({"zone"}),
        "checkin.suggest_hint": frozenset(),
        "checkin.stalled_nudge": frozenset({"names"}),
        "checkin.stalled_hint": frozenset(),
        "digest.requests": frozenset({"claimed", "median", "opened", "waiting"}),
        "digest.header": frozenset({"program"}),
        "digest.meetings": frozenset({"met", "percent", "planned"}),
        "digest.no_checkins": frozenset(),
        "digest.stalled_header": frozenset({"count"}),
        "digest.no_stalled": frozenset(),
        "digest.at_risk_hint": frozenset(),
        "digest.pairs_met": frozenset({"met", "pairs"}),
        "digest.change": frozenset({"change"}),
        "digest.parked": frozenset({"count", "examples"}),
        "digest.label.pairs": frozenset(),
        "digest.label.meetings": frozenset(),
        "digest.label.answered": frozenset(),
        "digest.label.pairs_met": frozenset(),
        "digest.stall_reason.no_meeting": frozenset(),
        "digest.stall_reason.ignored": frozenset(),
        "wrapup.thanks": frozenset({"name", "program"}),
        "wrapup.summary": frozenset({"done", "goals", "meetings", "partners"}),
        "wrapup.survey": frozenset({"day"}),
        "wrapup.closing": frozenset(),
    },
    Path(__file__).with_name("prompts.toml"),
)
