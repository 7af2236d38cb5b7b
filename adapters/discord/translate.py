"""Discord command localizations from the locale files: each subcommand's description and
argument hint in every language we have (names stay English, as Discord's own do).
"""

from __future__ import annotations

import discord
from discord import app_commands

from adapters.discord.render import clip
from bot.i18n.locales import match
from bot.prompts import Prompts

LIMIT = 100  # Discord's limit for a description


def described(text: str, key: str, *, name: str = "") -> app_commands.locale_str:
    """A description carrying the prompt it comes from (``name``: it is a usage, shown
    without the command's name, as the argument hint).
    """
    return app_commands.locale_str(clip(text, LIMIT), key=key, name=name)


def _without_name(usage: str, name: str) -> str:
    return usage[len(name) :].strip() if usage.startswith(name) else ""


class PromptsTranslator(app_commands.Translator):
    """Answers Discord's "this description in <locale>" from the locale's prompts; None
    (Discord shows the English) when we have no such language or it lacks the key.
    """

    def __init__(self, prompts: Prompts) -> None:
        self.prompts = prompts

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        """The description of ``string``'s prompt in ``locale``, if translated."""
        key = string.extras.get("key")
        tag = match(locale.value, self.prompts.locales())
        if not key or tag is None or tag == "en":
            return None
        theirs = self.prompts.for_locale(tag)
        if not theirs.translated(key):
            return None
        text = theirs.text(key).strip()
        name = string.extras.get("name")
        if name:
            text = _without_name(text, name)
        return clip(text, LIMIT) if text else None
