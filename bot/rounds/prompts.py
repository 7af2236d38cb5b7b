"""The prompts rounds uses, with the placeholders each may contain; their English text is
in ``prompts.toml`` beside this file (registered by ``register``, checked at start-up).
"""

from __future__ import annotations

from pathlib import Path

from bot.prompts import Words

_NONE: frozenset[str] = frozenset()

WORDS = Words(
    "rounds",
    {
        "command.skip.usage": _NONE,
        "command.skip.summary": _NONE,
        "command.admin.rounds.usage": _NONE,
        "command.admin.rounds.summary": _NONE,
        "command.admin.round.usage": _NONE,
        "command.admin.round.summary": _NONE,
        "button.round_skip": _NONE,
        "button.round_publish": _NONE,
        "rounds.usage": _NONE,
        "rounds.bad_every": frozenset({"every"}),
        "rounds.bad_time": frozenset({"time"}),
        "rounds.bad_word": frozenset({"word"}),
        "rounds.by_hand": _NONE,
        "rounds.label": frozenset({"weeks", "weekday", "time", "zone", "publish", "next"}),
        "rounds.label_weekly": frozenset({"weekday", "time", "zone", "publish", "next"}),
        "rounds.none": _NONE,
        "rounds.checkin_cadence": _NONE,
        "rounds.checkin_weekday_moved": frozenset({"weekday", "configured"}),
        "rounds.notice": frozenset({"program", "when"}),
        "rounds.notice_skip": _NONE,
        "rounds.skipped": frozenset({"program", "when"}),
        "rounds.skipped_last": frozenset({"program"}),
        "rounds.admin_preview": frozenset({"program", "when", "round"}),
        "rounds.admin_reminder": frozenset({"program", "when", "round"}),
        "rounds.skip_usage": _NONE,
        "rounds.skip_too_late": _NONE,
        "rounds.no_round": frozenset({"program"}),
        "rounds.skipping": frozenset({"program", "when"}),
        "rounds.unskipped": frozenset({"program", "when"}),
        "rounds.not_skipping": frozenset({"program", "when"}),
        "rounds.list_header": frozenset({"program", "schedule"}),
        "rounds.list_empty": _NONE,
        "rounds.list_line": frozenset({"status", "pairs", "skipped", "left_out", "unreachable"}),
        "rounds.list_hint": _NONE,
        "rounds.round_usage": _NONE,
        "rounds.unknown_round": frozenset({"round"}),
        "rounds.already_published": frozenset({"round"}),
        "rounds.not_waiting": frozenset({"round"}),
        "rounds.record_header": frozenset({"round", "when", "status"}),
        "rounds.record_matched": frozenset({"count", "names"}),
        "rounds.record_skipped": frozenset({"count", "names"}),
        "rounds.record_left_out": frozenset({"count", "names"}),
        "rounds.record_unreachable": frozenset({"count", "names"}),
        "rounds.record_more": frozenset({"count"}),
        "rounds.publish.auto": _NONE,
        "rounds.publish.preview": _NONE,
        "rounds.status.scheduled": _NONE,
        "rounds.status.noticed": _NONE,
        "rounds.status.proposed": _NONE,
        "rounds.status.published": _NONE,
        "rounds.status.superseded": _NONE,
        "rounds.status.cancelled": _NONE,
    },
    Path(__file__).with_name("prompts.toml"),
)
