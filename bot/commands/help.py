"""``help`` and ``help <command>``."""

from __future__ import annotations

from bot.context import Ctx
from bot.errors import UserError
from bot.replies import Context, Fields, Message, Part, Reply, Section
from bot.router import Router
from bot.text import Text


def command_list(ctx: Ctx, router: Router, *, prefix: str = "") -> Fields:
    items = []
    for spec in router.specs():
        if spec.hidden or (spec.admin and not ctx.is_admin):
            continue
        usage = ctx.prompts.text(spec.usage_key)
        items.append((f"/mentor {prefix}{usage}".replace("  ", " "), ctx.t(spec.summary_key)))
    return Fields(tuple(items))


def register(router: Router) -> None:
    @router.command("help", aliases=("?", "commands"))
    def help_command(ctx: Ctx, args: list[str]) -> Reply:
        """List the commands, or explain one."""
        if args:
            name = args[0].lstrip("/")
            spec = router.resolve(name)
            if spec is None or spec.hidden:
                suggestion = router.suggest(name)
                if suggestion:
                    raise UserError("error.unknown_command", command=name, suggestion=suggestion)
                raise UserError("error.unknown_command_no_suggestion", command=name)
            return Message(
                (
                    Section(
                        ctx.t(
                            "help.detail",
                            usage=Text.trusted("/mentor " + ctx.prompts.text(spec.usage_key)),
                            summary=ctx.t(spec.summary_key),
                        )
                    ),
                )
            )
        parts: list[Part] = [
            Section(ctx.t("help.header", program=ctx.program().name)),
            command_list(ctx, router),
            Context(ctx.t("help.footer")),
        ]
        if ctx.is_admin:
            parts.append(Context(ctx.t("help.admin_hint")))
        return Message(tuple(parts))
