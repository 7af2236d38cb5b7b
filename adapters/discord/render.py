"""Neutral replies as Discord embeds and components; user text escaped, mentions defused."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import discord

from bot.replies import Buttons, Context, Fields, Message, Section
from bot.spans import Text

_BOLD = re.compile(r"(?<![*\w])\*(?!\*)([^*\n]+?)\*(?![*\w])")
NO_MENTIONS = discord.AllowedMentions.none()
EVERYONE = discord.AllowedMentions(everyone=True, users=False, roles=False, replied_user=False)
_PING_WORD = re.compile(r"(?<![\w@])@(here|channel|everyone)\b", re.I)
_MENTION = re.compile(r"<(?=[@#][!&]?\d)")  # <@id>, <@!id>, <@&role>, <#channel>, any length


def mentions_of(message: Message) -> tuple[str, discord.AllowedMentions]:
    """(the mass mentions to put in the content, what may ping) for a message: nothing unless
    an admin allowed this one to ping, and then only their own words (``@channel`` is Slack's
    ``@here``). Mentions inside embeds never ping, so they go in the content.
    """
    if not message.ping:
        return "", NO_MENTIONS
    found: list[str] = []
    for part in message.parts:
        if isinstance(part, Section):
            for span in part.text.spans:
                if span.trusted:
                    for word in _PING_WORD.findall(span.text):
                        mention = "@everyone" if word.lower() == "everyone" else "@here"
                        if mention not in found:
                            found.append(mention)
    return " ".join(found), (EVERYONE if found else NO_MENTIONS)


STYLES = {
    "primary": discord.ButtonStyle.primary,
    "danger": discord.ButtonStyle.danger,
    "default": discord.ButtonStyle.secondary,
}


def escape(text: str) -> str:
    """User text: no markdown tricks, and @everyone / @here / <@id> shown, never pinging
    (discord.py's escape defuses only ids of snowflake length; any ``<@digits>`` is defused).
    """
    escaped = discord.utils.escape_mentions(discord.utils.escape_markdown(text))
    return _MENTION.sub("<\u200b", escaped)


def markdown(text: Text) -> str:
    """Our template markup (Slack-style *bold*) in Discord markdown, user text escaped."""
    out = []
    for span in text.spans:
        out.append(_BOLD.sub(r"**\1**", span.text) if span.trusted else escape(span.text))
    return "".join(out)


def files_of(message: Message) -> list[discord.File]:
    """The message's files as attachments."""
    return [
        discord.File(io.BytesIO(f.content), filename=f.name, description=f.alt[:1024] or None)
        for f in message.files()
    ]


def clip(text: str, limit: int) -> str:
    """Shorten ``text`` to ``limit`` characters, ending with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


ButtonFactory = Callable[[str, str, str], "discord.ui.Item[Any]"]


def render(
    message: Message, button_type: ButtonFactory
) -> tuple[str, discord.Embed, discord.ui.View | None]:
    """(notification content, embed, persistent view) for a neutral message."""
    description: list[str] = []
    embed = discord.Embed(colour=discord.Colour.teal())
    footer: list[str] = []
    view: discord.ui.View | None = None
    for part in message.parts:
        if isinstance(part, Section) and part.text:
            description.append(markdown(part.text))
        elif isinstance(part, Fields):
            for label, value in part.items[:25]:
                embed.add_field(
                    name=clip(escape(label), 256),
                    value=clip(markdown(value) or "-", 1024),
                    inline=True,
                )
        elif isinstance(part, Context):
            footer.append(part.text.plain())
        elif isinstance(part, Buttons):
            view = view or discord.ui.View(timeout=None)
            for button in part.buttons:
                if len(view.children) < 25:
                    view.add_item(button_type(button.command, button.label, button.style))
    embed.description = clip("\n\n".join(description), 4096)
    if footer:
        embed.set_footer(text=clip("\n".join(footer), 2048))
    first = description[0].split("\n", 1)[0] if description else ""
    return clip(first, 2000), embed, view
