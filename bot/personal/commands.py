"""``export`` (your own data as a JSON file) and ``forget`` (delete it, after a confirmation)."""

from __future__ import annotations

from bot.context import Ctx
from bot.personal.export import export_file
from bot.personal.forget import forget_person
from bot.registry import registry_of
from bot.replies import Button, Buttons, Context, File, Message, Reply, Section
from bot.spans import Text


def export(ctx: Ctx, args: list[str]) -> Reply:
    """Everything stored about the person, as a JSON file only they receive."""
    content = export_file(ctx.session, ctx.person, now=ctx.now, registry=registry_of(ctx))
    name = f"mentorbot-my-data-{ctx.now:%Y-%m-%d}.json"
    return Message(
        (
            Section(ctx.t("export.ready", size=Text.trusted(f"{len(content):,}"))),
            File(name, content),
            Context(ctx.t("export.hint")),
        )
    )


def forget(ctx: Ctx, args: list[str]) -> Reply:
    """``forget`` asks first; ``forget confirm`` deletes; ``forget cancel`` keeps everything."""
    answer = args[0].lower() if args else ""
    if answer == "cancel":
        return ctx.say("forget.kept")
    if answer != "confirm":
        return Message(
            (
                Section(ctx.t("forget.confirm")),
                Buttons(
                    (
                        Button(
                            ctx.prompts.text("button.forget_confirm"), "forget confirm", "danger"
                        ),
                        Button(ctx.prompts.text("button.forget_cancel"), "forget cancel"),
                    )
                ),
            )
        )
    done = forget_person(
        ctx.session, ctx.person, now=ctx.now, prompts=ctx.prompts, registry=registry_of(ctx)
    )
    return ctx.say(
        "forget.done",
        pairs=done.pairs_ended,
        withdrawn=done.messages_withdrawn,
    )
