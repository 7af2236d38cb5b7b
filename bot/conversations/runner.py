"""The conversation runner: runs a script one step at a time, saving after every step.

State lives in the ``conversation`` table (current step, answers so far, the flow's context),
so a restart or a day of silence resumes exactly where the person left off. One active
conversation per person (a partial unique index backs this up). People can type ``back``,
``skip`` (optional steps) and ``cancel`` at any point; choice, yes/no and scale steps also get
buttons. Started from a slash command on Slack or Discord, a short script (``form = true``)
opens as one form instead; a longer one continues in the DM.

Flows (goal setting, progress, feedback, surveys) plug in with a :class:`Flow`: the contract
their script must meet and a ``finish`` function that stores the answers and says thanks.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from bot.conversations.answers import Invalid, needs_coaching, parse
from bot.conversations.scripts import Script, ScriptContract, Step
from bot.errors import FormInvalid, UserError
from bot.replies import Button, Buttons, Context, Form, FormField, Message, Part, Reply, Section
from bot.spans import Span, Text
from bot.words import split_args as split_command
from storage import conversations as conversations_db
from storage.models import Conversation, ConversationStatus

if TYPE_CHECKING:
    from bot.context import Ctx

# How many inputs a form may have per platform (Discord modals hold five).
CANCEL_WORDS = frozenset({"cancel", "stop", "quit", "exit"})
SKIP = ":skip"
_FORMATTER = string.Formatter()

Finish = Callable[["Ctx", Conversation, Script], Reply]
# Called with each non-empty answer before it is stored; raises UserError to re-ask.
OnAnswer = Callable[["Ctx", Conversation, Step, Any], None]


@dataclass(frozen=True)
class Flow:
    """What a script is for: its contract and what happens with the answers."""

    contract: ScriptContract
    finish: Finish
    busy_label: str  # prompt key naming the conversation ("your goal", "session feedback")
    command: str  # how people start it again ("/mentor goal")
    on_answer: OnAnswer | None = None


def fill(template: str, values: Mapping[str, str]) -> Text:
    """A script template as Text: the template trusted, the values filled in as user text."""
    spans: list[Span] = []
    for literal, name, _, _ in _FORMATTER.parse(template):
        if literal:
            spans.append(Span(literal, True))
        if name is not None:
            spans.append(Span(str(values.get(name, "")), False))
    return Text(tuple(s for s in spans if s.text))


def show_value(step: Step, value: Any) -> str:
    """An answer as a person would read it back."""
    if value is None:
        return "-"
    labels = dict(step.choices)
    if step.kind == "choice":
        return labels.get(str(value), str(value))
    if step.kind == "multi":
        return ", ".join(labels.get(v, v) for v in value)
    if step.kind == "yesno":
        return "yes" if value else "no"
    if step.kind == "number":
        return f"{value}%" if step.max == 100 else str(value)
    if step.kind == "scale":
        return f"{value}/5"
    return str(value)


class Conversations:
    """Scripts and flows, and the operations on one person's conversation."""

    def __init__(
        self,
        scripts: Mapping[str, Script],
        flows: Mapping[str, Flow],
        translations: Mapping[str, Mapping[str, Script]] | None = None,
    ) -> None:
        self.scripts = dict(scripts)
        self.flows = dict(flows)
        # language tag -> script name -> the script in that language (structure and scoring
        # as in English: bot.conversations.scripts.load_translations)
        self.translations = {tag: dict(by_name) for tag, by_name in (translations or {}).items()}
        self.problems: dict[str, list[str]] = {}  # translations left out, by language

    # -- lookups --------------------------------------------------------------------------
    @staticmethod
    def active(session: Session, person_id: int) -> Conversation | None:
        """The person's conversation in progress, if any."""
        return conversations_db.active_of(session=session, person_id=person_id)

    def script_of(self, conv: Conversation, locale: str | None = None) -> Script:
        """The script a conversation runs, in ``locale`` when it is translated (else English)."""
        return self.script_in(conv.script, locale)

    def script_in(self, name: str, locale: str | None) -> Script:
        """The script ``name`` in ``locale`` when it is translated, else in English."""
        return self.translations.get(locale or "", {}).get(name) or self.scripts[name]

    @staticmethod
    def visible(script: Script, conv: Conversation) -> list[int]:
        """The indexes of the steps asked in this conversation (conditions applied)."""
        flags = set(conv.context.get("flags", []))
        return [i for i, s in enumerate(script.steps) if not s.when or s.when in flags]

    # -- starting -------------------------------------------------------------------------
    def start(
        self,
        ctx: Ctx,
        name: str,
        *,
        context: dict[str, Any],
        command: str,
    ) -> Reply:
        """Start ``name`` for the person, or ask first if another conversation is running.

        ``command`` is the command line that started it, offered as "start this instead".
        """
        assert ctx.person.id is not None
        current = self.active(ctx.session, ctx.person.id)
        if current is not None:
            if current.script == name and current.context.get("key") == context.get("key"):
                return self.resume(ctx, current)
            # Until they choose, what they type is not an answer to the old conversation.
            current.context = {**current.context, "switch_to": [name, command]}
            self._touch(ctx, current)
            return self._busy(ctx, current, name, command)
        conv = Conversation(
            person_id=ctx.person.id,
            program_id=ctx.program().id,
            script=name,
            step=0,
            answers={},
            context=dict(context),
            status=ConversationStatus.ACTIVE,
            started_at=ctx.now,
            updated_at=ctx.now,
            expires_at=ctx.now + timedelta(hours=ctx.settings.conversations.expire_after_hours),
        )
        script = self.script_in(name, ctx.prompts.locale)
        visible = self.visible(script, conv)
        conv.step = visible[0]
        ctx.session.add(conv)
        ctx.session.flush()
        if self._as_form(ctx, conv):
            return self.form(ctx, conv)
        return self._in_dm(ctx, conv, self._opening(ctx, conv), "start")

    def _busy(
        self, ctx: Ctx, current: Conversation, name: str, command: str, *, again: bool = False
    ) -> Message:
        """Ask "you're in the middle of X: continue, or start Y?" with the two buttons."""
        label = ctx.t(self.flows[current.script].busy_label)
        wanted = ctx.t(self.flows[name].busy_label)
        parts: list[Part] = []
        if again:
            parts.append(Section(ctx.t("conv.choose_first")))
        parts.append(Section(ctx.t("conv.busy", current=label, wanted=wanted)))
        parts.append(
            Buttons(
                (
                    Button(
                        ctx.prompts.text("button.conv_continue"),
                        "conversation continue",
                        "primary",
                    ),
                    Button(
                        ctx.prompts.text("button.conv_replace"),
                        f"conversation replace {command}",
                    ),
                )
            )
        )
        return Message(tuple(parts))

    def _in_dm(self, ctx: Ctx, conv: Conversation, message: Message, why: str) -> Message:
        """Questions are answered in the DM: a slash command (which may come from a channel)
        gets a short pointer and the question arrives as a DM.
        """
        if ctx.via == "command" and ctx.actor.surface.channel_commands:
            key = f"conv:{conv.id}:{why}:{ctx.now.isoformat()}"
            ctx.dm(ctx.person, message, dedupe_key=key)
            title = fill(self.script_of(conv, ctx.prompts.locale).title, self._values(conv))
            return ctx.say("conv.sent_to_dm", title=title)
        return message

    def _as_form(self, ctx: Ctx, conv: Conversation) -> bool:
        """Short scripts open as one form when the platform can show one right now."""
        script = self.script_of(conv, ctx.prompts.locale)
        surface = ctx.actor.surface
        if not (script.form and surface.modals and ctx.via in ("command", "action")):
            return False
        return surface.form_fields is None or len(self.visible(script, conv)) <= surface.form_fields

    def _opening(self, ctx: Ctx, conv: Conversation) -> Message:
        script = self.script_of(conv, ctx.prompts.locale)
        head: list[Part] = []
        if script.intro:
            head.append(Section(fill(script.intro, self._values(conv))))
        return Message((*head, *self.question(ctx, conv).parts))

    @staticmethod
    def _values(conv: Conversation) -> dict[str, str]:
        return {k: str(v) for k, v in conv.context.get("values", {}).items()}

    # -- asking ---------------------------------------------------------------------------
    def question(self, ctx: Ctx, conv: Conversation, *, error: Text | None = None) -> Message:
        """The current step as a message: the question, its buttons and how to answer."""
        script = self.script_of(conv, ctx.prompts.locale)
        step = script.steps[conv.step]
        values = self._values(conv)
        visible = self.visible(script, conv)
        position = visible.index(conv.step) + 1 if conv.step in visible else 1
        parts: list[Part] = []
        if error:
            parts.append(Section(error))
        parts.append(
            Context(
                ctx.t(
                    "conv.progress",
                    title=fill(script.title, values),
                    number=position,
                    total=len(visible),
                )
            )
        )
        parts.append(Section(fill(step.ask, values)))
        if step.kind == "multi" or (step.kind == "choice" and not _buttons_fit(step)):
            listed = "\n".join(f"{i}. {label}" for i, (_, label) in enumerate(step.choices, 1))
            parts.append(Section(Text.trusted(listed)))
        if step.hint:
            parts.append(Context(fill(step.hint, values)))
        if step.kind == "scale" and step.points:
            points = {f"p{n}": fill(word, values) for n, word in enumerate(step.points, 1)}
            parts.append(Context(ctx.t("conv.scale_points", **points)))
        elif step.kind == "scale" and (step.low or step.high):
            parts.append(
                Context(
                    ctx.t(
                        "conv.scale_ends", low=fill(step.low, values), high=fill(step.high, values)
                    )
                )
            )
        buttons = self._buttons(ctx, conv, step)
        if buttons:
            parts.append(Buttons(tuple(buttons)))
        previous = conv.answers.get(step.id)
        if step.id in conv.answers:
            parts.append(Context(ctx.t("conv.previous", answer=show_value(step, previous))))
        parts.append(Context(ctx.t("conv.controls_optional" if step.optional else "conv.controls")))
        return Message(tuple(parts))

    def _buttons(self, ctx: Ctx, conv: Conversation, step: Step) -> list[Button]:
        prefix = f"answer {conv.id} {conv.step}"
        out: list[Button] = []
        if step.kind == "choice" and _buttons_fit(step):
            out = [Button(label, f"{prefix} {value}") for value, label in step.choices]
        elif step.kind == "yesno":
            out = [
                Button(ctx.prompts.text("button.yes"), f"{prefix} yes", "primary"),
                Button(ctx.prompts.text("button.no"), f"{prefix} no"),
            ]
        elif step.kind == "scale":
            out = [Button(str(n), f"{prefix} {n}") for n in range(1, 6)]
        if step.optional:
            out.append(Button(ctx.prompts.text("button.skip"), f"{prefix} {SKIP}"))
        return out

    def resume(self, ctx: Ctx, conv: Conversation) -> Reply:
        """Show where the person left off: the form again, if it runs as one, else the step."""
        if "switch_to" in conv.context:
            conv.context = {k: v for k, v in conv.context.items() if k != "switch_to"}
            self._touch(ctx, conv)
        if not conv.answers and self._as_form(ctx, conv):
            return self.form(ctx, conv)
        script = self.script_of(conv, ctx.prompts.locale)
        note = ctx.t("conv.resumed", title=fill(script.title, self._values(conv)))
        return self._in_dm(
            ctx, conv, Message((Section(note), *self.question(ctx, conv).parts)), "resume"
        )

    # -- answering ------------------------------------------------------------------------
    def answer(self, ctx: Ctx, conv: Conversation, text: str) -> Reply:
        """Take a typed answer (or ``back``/``skip``/``cancel``/``keep``) for the current step."""
        script = self.script_of(conv, ctx.prompts.locale)
        step = script.steps[conv.step]
        word = text.strip().lower().strip(".!")
        switch = conv.context.get("switch_to")
        if switch:  # they were asked "continue, or start the other one?"
            if word in ("continue", "resume", "1"):
                return self.resume(ctx, conv)
            if word in ("new", "start the new one", "switch", "2"):
                self.cancel(ctx, conv)
                ctx.session.flush()
                assert ctx.run_command is not None
                return ctx.run_command(ctx, split_command(switch[1]))
            if word not in CANCEL_WORDS:
                return self._busy(ctx, conv, switch[0], switch[1], again=True)
        if word in CANCEL_WORDS:
            return self.cancel(ctx, conv)
        if word == "back":
            return self.back(ctx, conv)
        if word in ("help", "?"):
            title = fill(script.title, self._values(conv))
            return self.question(ctx, conv, error=ctx.t("conv.help", title=title))
        if word == "skip" and step.kind != "text":
            return self._skip(ctx, conv, step)
        if word == "skip":
            # "skip" could be a real answer to a text question only if it is required
            if step.optional:
                return self._skip(ctx, conv, step)
            return self.question(ctx, conv, error=ctx.t("conv.cannot_skip"))
        drafts = conv.context.get("drafts", {})
        if word == "keep" and step.id in drafts:
            return self._store(ctx, conv, step, drafts[step.id])
        local_today = ctx.now.astimezone(ctx.zone()).date()
        try:
            value = parse(step, text, today=local_today, **_reading(ctx))
        except Invalid as exc:
            return self.question(ctx, conv, error=self._invalid_text(ctx, step, exc))
        if value is None and not step.optional:
            return self.question(ctx, conv, error=ctx.t("conv.invalid.empty"))
        coached = set(conv.context.get("coached", []))
        if step.id not in coached:
            for check in step.coach:
                question = needs_coaching(check, value, today=local_today)
                if question is not None:
                    conv.context = {
                        **conv.context,
                        "coached": sorted(coached | {step.id}),
                        "drafts": {**drafts, step.id: value},
                    }
                    self._touch(ctx, conv)
                    answer = show_value(step, value)
                    prompt = fill(
                        script.coaching[question], {**self._values(conv), "answer": answer}
                    )
                    return Message((Section(prompt), Context(ctx.t("conv.coach_hint"))))
        return self._store(ctx, conv, step, value)

    @staticmethod
    def _own_active(ctx: Ctx, conv_id: int) -> Conversation:
        """The person's own conversation ``conv_id``, still going; else a friendly refusal."""
        assert ctx.person.id is not None
        conv = ctx.session.get(Conversation, conv_id)
        if conv is None or conv.person_id != ctx.person.id:
            raise UserError("conv.not_yours")
        if conv.status != ConversationStatus.ACTIVE:
            raise UserError("conv.closed")
        ctx.adopt_program(conv.program_id)  # its answers belong to the program it began in
        return conv

    def click(self, ctx: Ctx, conv_id: int, step_index: int, value: str) -> Reply:
        """A button answer; buttons from an earlier step or a closed conversation say so."""
        conv = self._own_active(ctx, conv_id)
        if conv.step != step_index:
            return self.question(ctx, conv, error=ctx.t("conv.stale_button"))
        step = self.script_of(conv, ctx.prompts.locale).steps[conv.step]
        if value == SKIP:
            return self._skip(ctx, conv, step)
        return self.answer(ctx, conv, value)

    def _invalid_text(self, ctx: Ctx, step: Step, exc: Invalid) -> Text:
        params = dict(exc.params)
        if exc.key in ("conv.invalid.choice", "conv.invalid.multi"):
            params["options"] = ", ".join(label for _, label in step.choices)
        return ctx.t(exc.key, **params)

    def _skip(self, ctx: Ctx, conv: Conversation, step: Step) -> Reply:
        if not step.optional:
            return self.question(ctx, conv, error=ctx.t("conv.cannot_skip"))
        return self._store(ctx, conv, step, None)

    def _store(self, ctx: Ctx, conv: Conversation, step: Step, value: Any) -> Reply:
        check = self.flows[conv.script].on_answer
        if check is not None and value is not None:
            try:
                check(ctx, conv, step, value)
            except UserError as exc:
                return self.question(ctx, conv, error=ctx.t(exc.key, **exc.params))
        drafts = {k: v for k, v in conv.context.get("drafts", {}).items() if k != step.id}
        conv.answers = {**conv.answers, step.id: value}
        conv.context = {**conv.context, "drafts": drafts}
        return self._advance(ctx, conv)

    def _advance(self, ctx: Ctx, conv: Conversation) -> Reply:
        script = self.script_of(conv, ctx.prompts.locale)
        later = [i for i in self.visible(script, conv) if i > conv.step]
        self._touch(ctx, conv)
        if later:
            conv.step = later[0]
            return self.question(ctx, conv)
        return self._finish(ctx, conv)

    def _finish(self, ctx: Ctx, conv: Conversation) -> Reply:
        conv.status = ConversationStatus.DONE
        ctx.session.add(conv)
        ctx.session.flush()
        return self.flows[conv.script].finish(ctx, conv, self.script_of(conv, ctx.prompts.locale))

    def restart(self, ctx: Ctx, conv: Conversation, context: dict[str, Any]) -> Message:
        """Run the same script again in the same conversation (one round per goal, say)."""
        conv.status = ConversationStatus.ACTIVE
        conv.answers = {}
        conv.context = context
        conv.step = self.visible(self.script_of(conv, ctx.prompts.locale), conv)[0]
        self._touch(ctx, conv)
        return self.question(ctx, conv)

    def _touch(self, ctx: Ctx, conv: Conversation) -> None:
        conv.updated_at = ctx.now
        conv.reminded_at = None
        conv.expires_at = ctx.now + timedelta(hours=ctx.settings.conversations.expire_after_hours)
        ctx.session.add(conv)

    def back(self, ctx: Ctx, conv: Conversation) -> Reply:
        """Go back to the previous question."""
        earlier = [
            i for i in self.visible(self.script_of(conv, ctx.prompts.locale), conv) if i < conv.step
        ]
        if not earlier:
            return self.question(ctx, conv, error=ctx.t("conv.at_start"))
        conv.step = earlier[-1]
        self._touch(ctx, conv)
        return self.question(ctx, conv)

    def cancel(self, ctx: Ctx, conv: Conversation) -> Reply:
        """Stop the conversation; nothing of it is saved."""
        conv.status = ConversationStatus.CANCELLED
        self._touch(ctx, conv)
        title = fill(self.script_of(conv, ctx.prompts.locale).title, self._values(conv))
        return ctx.say("conv.cancelled", title=title)

    # -- forms ----------------------------------------------------------------------------
    def form(self, ctx: Ctx, conv: Conversation) -> Form:
        """The whole script as one form (Slack or Discord modal)."""
        script = self.script_of(conv, ctx.prompts.locale)
        values = self._values(conv)
        fields: list[FormField] = []
        for index in self.visible(script, conv):
            step = script.steps[index]
            hint = fill(step.hint, values).plain()
            choices: tuple[tuple[str, str], ...] = ()
            kind: str = "text"
            if step.kind == "choice":
                kind, choices = "choice", step.choices
            elif step.kind == "yesno":
                kind = "choice"
                choices = (
                    ("yes", ctx.prompts.text("button.yes")),
                    ("no", ctx.prompts.text("button.no")),
                )
            elif step.kind == "scale":
                kind = "scale"
                low, high = fill(step.low, values).plain(), fill(step.high, values).plain()
                words = [fill(w, values).plain() for w in step.points] or [low, "", "", "", high]
                choices = tuple(
                    (str(n), f"{n} · {word}" if word else str(n)) for n, word in enumerate(words, 1)
                )
            elif step.kind == "date":
                kind = "date"
            elif step.kind == "multi":
                hint = (hint + " " if hint else "") + ", ".join(label for _, label in step.choices)
            elif step.kind == "text" and step.max_length > 300:
                kind = "multiline"
            fields.append(
                FormField(
                    name=step.id,
                    label=fill(step.label, values).plain(),
                    kind=kind,  # type: ignore[arg-type]
                    choices=choices,
                    required=not step.optional,
                    hint=hint,
                    max_length=step.max_length,
                )
            )
        return Form(
            form_id=f"conv:{conv.id}",
            title=fill(script.title, values).plain(),
            fields=tuple(fields),
            submit_label=ctx.prompts.text("button.send"),
            cancel_label=ctx.prompts.text("button.cancel"),
            intro=fill(script.intro, values),
        )

    def submit_form(self, ctx: Ctx, conv_id: int, submitted: Mapping[str, str]) -> Reply:
        """All answers at once: every problem is shown next to its field, nothing is saved."""
        conv = self._own_active(ctx, conv_id)
        script = self.script_of(conv, ctx.prompts.locale)
        local_today = ctx.now.astimezone(ctx.zone()).date()
        answers: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for index in self.visible(script, conv):
            step = script.steps[index]
            try:
                value = parse(
                    step,
                    submitted.get(step.id, ""),
                    today=local_today,
                    **_reading(ctx),
                )
            except Invalid as exc:
                errors[step.id] = self._invalid_text(ctx, step, exc).plain()
                continue
            if value is None and not step.optional:
                errors[step.id] = ctx.prompts.text("conv.invalid.empty")
            check = self.flows[conv.script].on_answer
            if check is not None and value is not None and step.id not in errors:
                try:
                    check(ctx, conv, step, value)
                except UserError as exc:
                    errors[step.id] = ctx.prompts.text(exc.key, **exc.params)
            answers[step.id] = value
        if errors:
            raise FormInvalid(errors, retry="conversation continue")
        conv.answers = answers
        return self._finish(ctx, conv)

    def recently_expired(self, ctx: Ctx, *, within: timedelta) -> Message | None:
        """Tell someone answering a conversation that timed out how to start it again (once)."""
        assert ctx.person.id is not None
        conv = conversations_db.last_expired(
            session=ctx.session, person_id=ctx.person.id, since=ctx.now - within
        )
        if conv is None or conv.context.get("told_expired"):
            return None
        conv.context = {**conv.context, "told_expired": True}
        ctx.session.add(conv)
        title = fill(self.script_of(conv, ctx.prompts.locale).title, self._values(conv))
        hours = ctx.settings.conversations.expire_after_hours
        command = self.flows[conv.script].command
        return ctx.say("conv.expired", title=title, hours=hours, command=command)


def _reading(ctx: Ctx) -> dict[str, Any]:
    """How the person's answers are read: the program's date order, their language's words."""
    return {"day_first": ctx.settings.program.day_first, "locale": ctx.prompts.locale}


def _buttons_fit(step: Step) -> bool:
    return len(step.choices) <= 5 and all(len(label) <= 30 for _, label in step.choices)


def parse_date(value: Any) -> date | None:
    """A stored date answer (ISO text) as a date; None when empty."""
    return date.fromisoformat(value) if isinstance(value, str) and value else None
