"""``help`` and ``help <command>``."""

from __future__ import annotations

from bot.context import Ctx
from bot.errors import UserError
from bot.replies import Context, Fields, Message, Part, Reply, Section
from bot.router import Router
from bot.spans import Text


def command_list(ctx: Ctx, router: Router, *, prefix: str = "") -> Fields:
    """The visible commands of ``router`` with their summaries."""
    items = []
    for spec in router.specs():
        if spec.hidden or (spec.admin and not ctx.is_admin):
            continue
        usage = ctx.prompts.text(spec.usage_key)
        items.append((f"/mentor {prefix}{usage}".replace("  ", " "), ctx.t(spec.summary_key)))
    return Fields(tuple(items))


def command_help(ctx: Ctx, router: Router, name: str, *, prefix: str = "") -> Message:
    """``help <command>`` for ``router``: the usage line and what it does."""
    name = name.lstrip("/").lower()
    spec = router.resolve(name)
    if spec is None or spec.hidden or (spec.admin and not ctx.is_admin):
        suggestion = router.suggest(name)
        if suggestion:
            raise UserError(
                "error.unknown_command",
                command=f"{prefix}{name}",
                suggestion=f"{prefix}{suggestion}",
            )
        raise UserError("error.unknown_command_no_suggestion", command=f"{prefix}{name}")
    usage = f"/mentor {prefix}{ctx.prompts.text(spec.usage_key)}"
    return Message(
        (Section(ctx.t("help.detail", usage=Text.trusted(usage), summary=ctx.t(spec.summary_key))),)
    )


def _header(ctx: Ctx) -> Section:
    """The program's name; where there are several, their short names and how to choose
    (help never asks which).
    """
    live = ctx.live_programs()
    if len(live) < 2 or ctx.chosen_program() is not None:
        return Section(ctx.t("help.header", program=ctx.program().name))
    programs = Text.trusted("")
    for i, program in enumerate(live):
        named = Text.trusted(f"{', ' if i else ''}`{program.slug}` (") + Text.user(program.name)
        programs = programs + named + Text.trusted(")")
    example = f"/mentor status {live[-1].slug}"
    return Section(ctx.t("help.header_several", programs=programs, example=Text.trusted(example)))


def register_help(router: Router) -> None:
    """Add ``help`` and ``help <command>`` to ``router``."""

    @router.command("help", aliases=("?", "commands"))
    def help_command(ctx: Ctx, args: list[str]) -> Reply:
        """List the commands, or explain one."""
        if args:
            if args[0].lower() == "admin" and len(args) > 1 and ctx.is_admin:
                return router.dispatch(ctx, ["admin", "help", *args[1:]])
            return command_help(ctx, router, args[0])
        parts: list[Part] = [
            _header(ctx),
            command_list(ctx, router),
            Context(ctx.t("help.footer")),
        ]
        if ctx.is_admin:
            parts.append(Context(ctx.t("help.admin_hint")))
        return Message(tuple(parts))
