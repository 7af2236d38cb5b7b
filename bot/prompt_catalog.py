"""The core's own prompts (errors, help, the generic buttons, role names and choosing a
pair) with the placeholders each may contain; their English text is in prompts/messages.toml.

Each capability declares its own in its ``prompts.py`` (text in ``prompts.toml`` beside it)
and registers them; :func:`bot.app.load_prompts` assembles and checks the whole catalog.
"""

from __future__ import annotations

from bot.prompts import Words, bundled_dir


def core_words() -> Words:
    """The core's prompts and the file of their bundled English text."""
    return Words("core", CORE, bundled_dir() / "messages.toml")


CORE: dict[str, frozenset[str]] = {
    "error.unknown_command": frozenset({"command", "suggestion"}),
    "error.unknown_command_no_suggestion": frozenset({"command"}),
    "error.internal": frozenset({"ref"}),
    "error.database_unavailable": frozenset(),
    "error.too_long": frozenset({"limit"}),
    "error.not_admin": frozenset(),
    "error.not_member": frozenset(),
    "error.bad_quotes": frozenset(),
    "error.form_too_big": frozenset(),
    "error.unknown_form": frozenset(),
    "program.which": frozenset(),
    "program.which_hint": frozenset({"example"}),
    "program.which_typed": frozenset({"programs"}),
    "program.none_live": frozenset(),
    "program.not_your_program": frozenset({"program"}),
    "help.group_summary": frozenset(),
    "help.greeting": frozenset({"name"}),
    "help.header": frozenset({"program"}),
    "help.detail": frozenset({"summary", "usage"}),
    "help.footer": frozenset(),
    "help.admin_hint": frozenset(),
    "command.admin.usage": frozenset(),
    "command.admin.summary": frozenset(),
    "role.mentor": frozenset(),
    "role.mentee": frozenset(),
    "role.peer": frozenset(),
    "button.cancel": frozenset(),
    "button.yes": frozenset(),
    "button.no": frozenset(),
    "button.send": frozenset(),
    "button.cancel_numbered": frozenset({"number"}),
    "button.try_again": frozenset(),
    "pairs.which": frozenset({"command", "partners"}),
    "pairs.note_not_carried": frozenset({"command"}),
    "pairs.not_yours": frozenset(),
}
