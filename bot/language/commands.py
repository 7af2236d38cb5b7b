"""``/mentor language``: show the language the bot speaks to you, or choose one."""

from __future__ import annotations

from bot.context import Ctx
from bot.errors import UserError
from bot.i18n.locales import match, names, own_name, plain_name
from bot.prompts import Prompts
from bot.replies import Context, Message, Reply, Section
from bot.spans import Text


def _named(tag: str) -> str:
    """``español (es)``."""
    return f"{own_name(tag)} ({tag})"


def _available(prompts: Prompts) -> Text:
    return Text.trusted(", ".join(_named(t) for t in prompts.locales()))


def _find(prompts: Prompts, text: str) -> str | None:
    """The available language ``text`` names: a tag (matched loosely), or its name in itself
    or in the reader's language (``prompts``), with or without its region and accents.
    """
    found = match(text, prompts.locales())
    if found is not None:
        return found
    wanted = plain_name(text)
    for tag in prompts.locales():
        if wanted in names(tag, [prompts.locale]):
            return tag
    return None


def language(ctx: Ctx, args: list[str]) -> Reply:
    """Show your language and the available ones; ``language <tag>`` chooses one and
    ``language auto`` goes back to your platform's (else the program's).
    """
    if not args:
        return _show(ctx)
    text = " ".join(args).strip()
    if text.lower() == "auto":
        ctx.person.locale = None
        ctx.session.add(ctx.person)
        theirs = ctx.prompts_for(ctx.person)
        return Message((Section(theirs.render("language.auto", language=_named(theirs.locale))),))
    tag = _find(ctx.prompts, text)
    if tag is None:
        raise UserError("language.unknown", text=text, languages=_available(ctx.prompts))
    ctx.person.locale = tag
    ctx.session.add(ctx.person)
    theirs = ctx.prompts_for(ctx.person)  # the answer already speaks the new language
    return Message((Section(theirs.render("language.set", language=_named(tag))),))


def _show(ctx: Ctx) -> Message:
    tag = ctx.prompts.locale
    if ctx.person.locale and match(ctx.person.locale, [tag]):
        key = "language.show_chosen"
    elif ctx.person.platform_locale and match(ctx.person.platform_locale, [tag]):
        key = "language.show_platform"
    else:
        key = "language.show_default"
    return Message(
        (
            Section(ctx.t(key, language=_named(tag))),
            Section(ctx.t("language.available", languages=_available(ctx.prompts))),
            Context(ctx.t("language.how")),
        )
    )
