"""The prompts program uses, with the placeholders each may contain; their English text is
in ``prompts.toml`` beside this file (registered by ``register``, checked at start-up).
"""

from __future__ import annotations

from pathlib import Path

from bot.prompts import Words

WORDS = Words(
    "program",
    {
        "command.help.usage": frozenset(),
        "command.help.summary": frozenset(),
        "command.admin.help.usage": frozenset(),
        "command.admin.help.summary": frozenset(),
        "command.admin.members.usage": frozenset(),
        "command.admin.members.summary": frozenset(),
        "command.admin.program.usage": frozenset(),
        "command.admin.program.summary": frozenset(),
        "admin.help_header": frozenset(),
        "admin.no_members": frozenset(),
        "admin.members_header": frozenset({"count", "program"}),
        "admin.member_line": frozenset({"role", "status", "zone"}),
        "admin.program_header": frozenset(),
        "admin.program_usage": frozenset({"settings"}),
        "admin.program_updated": frozenset({"setting"}),
        "admin.circle_sizes": frozenset({"sizes"}),
        "admin.circle_sizes_default": frozenset({"mentored", "peer"}),
        "admin.program_set": frozenset({"setting", "value"}),
        "admin.bad_setting": frozenset({"allowed", "setting"}),
        "admin.bad_dates": frozenset(),
        "admin.bad_date": frozenset({"setting"}),
        "admin.starts_too_early": frozenset({"day"}),
        "admin.ends_past": frozenset({"day"}),
        "admin.confirm_kind_peer": frozenset({"members", "pairs"}),
        "admin.confirm_kind_mentoring": frozenset({"members", "pairs"}),
        "admin.choose_role": frozenset({"program"}),
        "admin.program_new_usage": frozenset(),
        "admin.program_archive_usage": frozenset(),
        "admin.program_created": frozenset({"kind", "program", "slug"}),
        "admin.programs_header": frozenset(),
        "admin.programs_hint": frozenset(),
        "admin.programs_line": frozenset({"kind", "members", "pairs"}),
        "admin.programs_rounds": frozenset({"weeks"}),
        "admin.programs_rounds_weekly": frozenset(),
        "admin.programs_archived": frozenset({"day"}),
        "admin.confirm_archive": frozenset({"members", "pairs", "program"}),
        "admin.program_archived": frozenset({"program", "withdrawn"}),
        "admin.no_such_program": frozenset({"known", "slug"}),
        "admin.bad_slug": frozenset({"slug"}),
        "admin.slug_is_command": frozenset({"slug"}),
        "admin.slug_taken": frozenset({"program", "slug"}),
        "button.archive_program": frozenset(),
        "help.header_several": frozenset({"example", "programs"}),
        "admin.status.active": frozenset(),
        "admin.status.paused": frozenset(),
        "admin.status.left": frozenset(),
        "admin.cadence.weekly": frozenset(),
        "admin.cadence.biweekly": frozenset(),
        "admin.cadence.monthly": frozenset(),
    },
    Path(__file__).with_name("prompts.toml"),
)
