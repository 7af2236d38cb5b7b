"""A pair's "why you two", stored as prompt keys with their values and worded for each reader.

``pair.reasons`` holds a JSON list; each reason is ``{"key": ..., "values": {...}}`` and is
rendered when it is shown, with the reader's prompts: a list value is joined the language's
way (Babel's list patterns: "lucia y joao"), the ``languages`` value names each language in
the reader's language ("español"), a number is written the language's way. Rows stored
before this were plain text, and are shown as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from babel.lists import format_list

from bot.i18n.cldr import babel_locale, number
from bot.i18n.locales import parse
from bot.prompts import Prompts

LANGUAGES = "languages"  # the value that holds language tags, shown as the languages' names


def reason(key: str, /, **values: Any) -> dict[str, Any]:
    """One stored reason: the prompt ``key`` and its values (str, number, or list of str)."""
    return {"key": key, "values": values}


def reason_key(stored: Any) -> str | None:
    """The prompt key of a stored reason; None for an old plain-text one."""
    return stored.get("key") if isinstance(stored, dict) else None


def language_name(tag: str, locale: str) -> str:
    """``es`` read in Portuguese -> "espanhol"; what is no language tag stays as written."""
    found = parse(tag)
    if found is None:
        return tag
    return found.get_display_name(babel_locale(locale)) or tag


def _value(prompts: Prompts, field: str, value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)  # a count: a plural field writes it the language's way
    if isinstance(value, float):
        return number(value, prompts.locale)
    if isinstance(value, list):
        items = [str(v) for v in value]
        if field == LANGUAGES:
            items = [language_name(v, prompts.locale) for v in items]
        return format_list(items, locale=babel_locale(prompts.locale)) if items else ""
    return str(value)


def render_reason(prompts: Prompts, stored: Any) -> str:
    """One stored reason in the reader's language (``prompts``); old text as it is."""
    key = reason_key(stored)
    if key is None:
        return str(stored)
    raw = stored.get("values") or {}
    values = {field: _value(prompts, field, value) for field, value in raw.items()}
    return prompts.text(key, **values)


def render_reasons(prompts: Prompts, stored: Sequence[Any]) -> list[str]:
    """Every stored reason in the reader's language, in order."""
    return [render_reason(prompts, r) for r in stored]


def names_list(prompts: Prompts, names: Sequence[str]) -> str:
    """People's names joined the reader's way ("lucia y joao", "lucia e joao")."""
    return format_list(list(names), locale=babel_locale(prompts.locale)) if names else ""
