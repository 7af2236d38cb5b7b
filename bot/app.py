"""The composition root: builds the core from settings and handles neutral events.

``MentorBot.handle`` runs one event in one database transaction. A :class:`UserError` rolls the
transaction back and becomes a friendly message; anything else is logged with a reference id
that the person sees, so an operator can find it. A database that can't be reached (stopped,
restarting, locked) is one warning line and "try again in a moment"; nothing was changed. No
exception ever reaches an adapter.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from bot.config import Settings
from bot.context import Ctx
from bot.conversations.runner import Conversations
from bot.delivery import Sender
from bot.errors import ConfigError, FormInvalid, NeedsConfirmation, UserError
from bot.events import Action, Actor, Command, DirectMessage, Event, FormSubmitted, Surface
from bot.metrics import Metrics, NoMetrics
from bot.outbox import Dispatcher
from bot.pair_choice import PAIR_TOKEN
from bot.program_pick import admins_here, carry_program, named, take_slug_anywhere
from bot.prompt_catalog import core_words
from bot.prompts import Prompts
from bot.pseudonyms import Pseudonyms
from bot.registry import JobContext, Registry, registered
from bot.registry import capabilities as capabilities  # where they are found, for the tests
from bot.replies import Form, FormErrors, Message, Reply, Section
from bot.router import Router, refuse_non_admin
from bot.time.clock import Clock, ShiftedClock, SystemClock
from bot.words import split_args
from storage import repo
from storage.engine import BadDatabaseURL, make_engine, transaction, unavailable
from storage.migrate import upgrade
from storage.models import Pair
from storage.unreachable import reachable_again

log = logging.getLogger(__name__)
T = TypeVar("T")

_VIA: dict[type, str] = {
    Command: "command",
    DirectMessage: "dm",
    Action: "action",
    FormSubmitted: "form",
}

_COMMAND_PREFIX = re.compile(r"^\s*/?mentor\b\s*", re.IGNORECASE)
# Plain greetings and questions in a DM get a hello and the help, not "unknown command".
_CHAT = re.compile(
    r"^\s*(hi|hello|hey|hiya|howdy|yo|good (morning|afternoon|evening)|thanks?|thank you"
    r"|what|how|who|why|can you|could you|where|when)\b.*$|^[^/]*\?\s*$",
    re.IGNORECASE,
)


@dataclass
class MentorBot:
    """The platform-neutral bot: one per process, shared by every adapter."""

    settings: Settings
    engine: Engine
    clock: Clock
    prompts: Prompts
    router: Router
    conversations: Conversations
    registry: Registry
    pseudonyms: Pseudonyms  # how log lines name people
    surfaces: Mapping[str, Surface] = field(default_factory=dict)
    metrics: Metrics = field(default_factory=NoMetrics)
    _workers: ThreadPoolExecutor | None = field(default=None, repr=False)

    def first_time(self, key: str) -> bool:
        """Whether a platform request (an event id, a signature) is new: recorded in the
        database, so every process and every restart agree that it was handled once.
        """
        from storage import seen

        try:
            with self.engine.begin() as connection:
                return seen.first_time(connection=connection, key=key, now=self.clock.now())
        except Exception as exc:
            if not unavailable(exc):
                raise
            # Can't tell; let it through: while the database is down the request can't
            # change anything either (it is answered "try again in a moment").
            log.warning("database unavailable, request %s not checked for replay", key[:24])
            return True

    def surface_of(self, platform: str) -> Surface:
        """What ``platform`` can do (a plain surface for one nobody described)."""
        return self.surfaces.get(platform, Surface())

    # -- event handling -------------------------------------------------------------------
    def handle(self, event: Event) -> Reply:
        """Handle one inbound event and return the reply for the person who sent it."""
        started = time.perf_counter()
        try:
            return self._handle(event)
        finally:
            self.metrics.event_handled(_VIA[type(event)], time.perf_counter() - started)

    def _handle(self, event: Event) -> Reply:
        prompts = self.prompts  # the actor's, once known: errors speak their language too
        try:
            with transaction(self.engine) as session:
                ctx = self._context(session, event.actor, _VIA[type(event)])
                prompts = ctx.prompts
                if isinstance(event, DirectMessage) and ctx.person.unreachable_since:
                    reachable_again(session, ctx.person)  # they wrote: DMs work again
                try:
                    return _in_program(ctx, self._route(ctx, event))
                except NeedsConfirmation as asked:
                    asked.reply = _in_program(ctx, asked.reply)
                    raise
        except UserError as exc:
            return self._user_error(exc, prompts)
        except FormInvalid as exc:
            return FormErrors(exc.errors, retry=exc.retry)
        except NeedsConfirmation as exc:
            return exc.reply  # type: ignore[no-any-return]
        except Exception as exc:
            if unavailable(exc):
                log.warning(
                    "database unavailable while handling %s from %s: %s",
                    type(event).__name__,
                    self.pseudonyms.of(event.actor.platform, event.actor.user_id),
                    str(getattr(exc, "orig", None) or exc).splitlines()[0][:200],
                )
                return Message((Section(prompts.render("error.database_unavailable")),))
            ref = uuid.uuid4().hex[:8]
            log.exception(
                "error handling %s from %s (ref %s)",
                type(event).__name__,
                self.pseudonyms.of(event.actor.platform, event.actor.user_id),
                ref,
            )
            return Message((Section(prompts.render("error.internal", ref=ref)),))

    async def ahandle(self, event: Event) -> Reply:
        """``handle`` off the event loop, for async adapters."""
        return await self.off_loop(self.handle, event)

    async def off_loop(self, work: Callable[..., T], *args: Any) -> T:
        """Run blocking core work (a transaction) in the threads kept for people's requests,
        so they never queue behind the outbox's and the pulse's database work.
        """
        if self._workers is None:
            self._workers = ThreadPoolExecutor(max_workers=8, thread_name_prefix="mentorbot")
        return await asyncio.get_running_loop().run_in_executor(self._workers, work, *args)

    def _user_error(self, exc: UserError, prompts: Prompts) -> Message:
        try:
            text = prompts.render(exc.key, **exc.params)
        except KeyError:
            log.exception("user error %s could not be rendered", exc.key)
            text = prompts.render("error.internal", ref="prompt")
        return Message((Section(text),))

    def _context(self, session, actor: Actor, via: str = "command") -> Ctx:  # type: ignore[no-untyped-def]
        now = self.clock.now()
        person, live = repo.person_and_program(
            session=session,
            platform=actor.platform,
            platform_user_id=actor.user_id,
            workspace_id=actor.workspace_id,
            display_name=actor.display_name[:200],
            now=now,
            # Where people are named by what was typed (the console), that is no real name.
            rename=not actor.surface.users_are_names,
        )
        if actor.locale and person.platform_locale != actor.locale[:20]:
            person.platform_locale = actor.locale[:20]
            session.add(person)
        everywhere = self.is_admin(actor)
        return Ctx(
            session=session,
            actor=actor,
            now=now,
            prompts=self.prompts.for_person(person),  # replies speak the actor's language
            settings=self.settings,
            # A program's own admins may run admin commands, in their program only.
            is_admin=everywhere or any(admins_here(p, actor) for p in live),
            admin_everywhere=everywhere,
            person=person,
            pseudonyms=self.pseudonyms,
            via=via,
            conversation_runner=self.conversations,
            capability_registry=self.registry,
            run_command=self.router.dispatch,
            surfaces=self.surfaces,
            _program=live[0] if len(live) == 1 else None,
            _live=live,
        )

    def _greeting(self, ctx: Ctx) -> Reply:
        return _greeting_parts(ctx, self.router)

    def is_admin(self, actor: Actor) -> bool:
        """Whether the actor is an admin: listed by id (or name), or by role."""
        admins = self.settings.admins.for_platform(actor.platform)
        if actor.user_id in admins:
            return True
        if actor.surface.users_are_names and actor.display_name in admins:
            return True
        return bool(set(actor.roles) & set(self.settings.admins.roles_for(actor.platform)))

    def _route(self, ctx: Ctx, event: Event) -> Reply:
        limit = self.settings.bot.max_text_length
        if isinstance(event, FormSubmitted):
            return self._submitted(ctx, event, limit)
        text = event.command if isinstance(event, Action) else event.text
        if len(text) > limit:
            raise UserError("error.too_long", limit=limit)
        if isinstance(event, DirectMessage):
            assert ctx.person.id is not None
            active = self.conversations.active(ctx.session, ctx.person.id)
            if active is not None:  # in a conversation, whatever they type is an answer
                ctx.adopt_program(active.program_id)
                return self.conversations.answer(ctx, active, text)
            plain = _COMMAND_PREFIX.match(text) is None
            text = _COMMAND_PREFIX.sub("", text, count=1)
            if _CHAT.match(text):  # "hello", "what can you do?": answer with help
                return self._greeting(ctx)
            words = split_args(text)
            if words and self.router.resolve(words[0]) is None:
                # A plain reply ("not yet") to a question a capability asked is theirs.
                understood = self.registry.read_free_text(ctx, words) if plain else None
                if understood is not None:
                    return understood
                closed = self.conversations.recently_expired(ctx, within=timedelta(days=7))
                if closed is not None:  # an answer to a conversation that timed out
                    return closed
                late = self.registry.read_free_text(ctx, words, late=True) if plain else None
                if late is not None:
                    return late
        return self.router.dispatch(ctx, split_args(text))

    def _submitted(self, ctx: Ctx, event: FormSubmitted, limit: int) -> Reply:
        """A submitted form: its handler, in the program the form was opened for."""
        form_id, _, slug = event.form_id.partition(PROGRAM_MARK)
        if slug:
            chosen = named(ctx.live_programs(), slug)
            if chosen is None or chosen.id is None:
                raise UserError("error.unknown_form")
            ctx.use_program(chosen.id)
        longest = max(limit, self.registry.form_limits.get(form_id, 0))
        if any(len(v) > longest for v in event.values.values()):
            raise UserError("error.too_long", limit=longest)
        handler = self.registry.forms.get(form_id)
        if form_id in self.registry.admin_forms:
            ctx.admin_scope = True
            if not ctx.is_admin or (slug and not ctx.admin_here()):
                refuse_non_admin(ctx, f"form {form_id}")
        if handler is not None:
            return handler(ctx, dict(event.values))
        if form_id.startswith("conv:") and form_id[5:].isdigit():
            return self.conversations.submit_form(ctx, int(form_id[5:]), event.values)
        raise UserError("error.unknown_form")


PROGRAM_MARK = "@"  # a form opened for one of several programs: ``join@coffee``


def _in_program(ctx: Ctx, reply: Reply) -> Reply:
    """A reply about one of several programs carries it: a form's answers and a button's
    press land in that program.
    """
    program = ctx.chosen_program()
    if program is None or len(ctx.live_programs()) < 2:
        return reply
    if isinstance(reply, Message):
        return carry_program(reply, program, ctx.live_programs())
    if not isinstance(reply, Form) or PROGRAM_MARK in reply.form_id:
        return reply
    return dataclasses.replace(reply, form_id=f"{reply.form_id}{PROGRAM_MARK}{program.slug}")


def _greeting_parts(ctx: Ctx, router: Router) -> Reply:
    help_reply = router.dispatch(ctx, ["help"])
    assert isinstance(help_reply, Message)
    hello = Section(ctx.t("help.greeting", name=ctx.person.display_name))
    return Message((hello, *help_reply.parts))


def build_registry() -> Registry:
    """Ask each capability to register, then add the ``admin`` gateway to the admin commands."""
    registry = registered()
    admin = registry.admin

    def admin_command(ctx: Ctx, args: list[str]) -> Reply:
        """Admin subcommands."""
        return admin.dispatch(ctx, args)

    registry.commands.command("admin", admin=True)(admin_command)
    registry.commands.prepare = registry.admin.prepare = _choose_program
    registry.job("outbox_retention", lambda _settings: timedelta(hours=6), _outbox_retention)
    return registry


def _choose_program(ctx: Ctx, command: tuple[str, ...], rest: list[str], admin: bool) -> list[str]:
    """Before a handler runs: a first word naming a program chooses it (``/mentor join
    coffee``), for every command at once, else a ``pair:<id>`` names it; the words are kept
    for a picker that runs the command again; an admin command runs only where the actor is
    an admin.
    """
    ctx.admin_scope = ctx.admin_scope or admin
    rest = ctx.take_program_word(command, rest)
    if admin and len(command) > 1:
        rest = _slug_anywhere(ctx, command, rest)
    for word in rest:  # a button about one pair (``checkin met pair:12``) acts in its program
        number = word[len(PAIR_TOKEN) :] if word.lower().startswith(PAIR_TOKEN) else ""
        if number.isdigit() and len(number) < 10 and ctx.chosen_program() is None:
            pair = ctx.session.get(Pair, int(number))
            ctx.adopt_program(pair.program_id if pair is not None else None)
    return rest


def _slug_anywhere(ctx: Ctx, command: tuple[str, ...], rest: list[str]) -> list[str]:
    """``admin round 1 coffee``: an admin command takes its program's short name anywhere,
    but not ``admin program``, whose words name programs (``admin program archive coffee``).
    """
    if command[1] in ("program", "settings") or ctx.chosen_program() is not None:
        return rest
    program, left = take_slug_anywhere(ctx.live_programs(), rest)
    if program is None or program.id is None:
        return rest
    ctx.use_program(program.id)
    ctx.command_rest = tuple(left)
    return left


def _outbox_retention(job: JobContext) -> int:
    """Delivered messages' text leaves the database after ``keep_sent_text_days``; finished
    rows after ``keep_outbox_days``; requests seen more than a day ago are forgotten.
    """
    from storage import outbox as outbox_db
    from storage import seen

    b = job.settings.bot
    seen.forget_before(session=job.session, before=job.now - timedelta(days=1))
    return outbox_db.forget_delivered(
        session=job.session,
        sent_before=job.now - timedelta(days=b.keep_sent_text_days),
        drop_before=job.now - timedelta(days=b.keep_outbox_days),
    )


def load_prompts(
    prompt_dirs: Iterable[Path] = (),
    registry: Registry | None = None,
    *,
    default_locale: str = "en",
) -> Prompts:
    """The whole catalog, assembled from the core's prompts and each capability's registered
    ones, with their bundled text and ``prompt_dirs`` (a coordinator's rewording) on top, and
    every locale folder (bundled, or in ``<prompt_dir>/locales/``) laid over English.
    """
    wording = (registry or build_registry()).wording
    return Prompts.load(prompt_dirs, words=[core_words(), *wording], default_locale=default_locale)


def build_conversations(prompt_dirs: Iterable[Path] = (), registry: Registry | None = None):  # type: ignore[no-untyped-def]
    """Load and check every conversation script (bundled, or overridden in
    ``<prompts_dir>/scripts``) against the flows the capabilities registered, and each
    locale's translations of them (kept apart when broken: ``problems``, by language).
    """
    from bot.conversations.runner import Conversations
    from bot.conversations.scripts import load_scripts, load_translations

    flows = (registry or build_registry()).flows
    contracts = {name: flow.contract for name, flow in flows.items()}
    scripts = load_scripts(contracts, prompt_dirs)
    translations, problems = load_translations(contracts, scripts, prompt_dirs)
    for tag, found in problems.items():
        log.warning("%s: %d conversation script(s) left in English: %s", tag, len(found), found)
    conversations = Conversations(scripts, flows, translations)
    conversations.problems = problems
    return conversations


def _default_clock(settings: Settings, engine: Engine, console: bool | None) -> Clock:
    """The wall clock, or for the console the wall clock plus its kept offset."""
    if console is None:
        console = tuple(settings.bot.platforms) == ("console",)
    if not console:
        return SystemClock()
    from storage.console_clock import load_offset, save_offset

    return ShiftedClock(
        offset=load_offset(engine), on_move=lambda offset: save_offset(engine, offset)
    )


def build_bot(
    settings: Settings,
    *,
    clock: Clock | None = None,
    engine: Engine | None = None,
    migrate: bool = True,
    surfaces: Mapping[str, Surface] | None = None,
    console_clock: bool | None = None,
) -> MentorBot:
    """Wire everything from settings: prompts validated, database migrated, router built.

    Without a ``clock``, a console bot (``console_clock``; by default when the console is
    the only platform configured) keeps the time ``/time`` moved it to in the database, so a
    restart and the terminal commands on the same database see the same "now".
    """
    prompt_dirs = [Path(settings.bot.prompts_dir).expanduser()] if settings.bot.prompts_dir else []
    registry = build_registry()
    prompts = load_prompts(prompt_dirs, registry, default_locale=settings.program.language)
    for tag in prompts.locales():
        if prompts.problems(tag):  # those keys show in English; `prompts check` names them
            log.warning("%s: %d prompt(s) left in English", tag, len(prompts.problems(tag)))
    conversations = build_conversations(prompt_dirs, registry)
    try:
        engine = engine or make_engine(settings.database_url, data_dir=Path(settings.bot.data_dir))
        if migrate:
            upgrade(engine)
    except BadDatabaseURL as exc:
        raise ConfigError(str(exc)) from None
    except OperationalError as exc:
        raise ConfigError(f"can't open the database: {exc.orig or exc}") from None
    return MentorBot(
        settings=settings,
        engine=engine,
        clock=clock or _default_clock(settings, engine, console_clock),
        prompts=prompts,
        router=registry.commands,
        conversations=conversations,
        registry=registry,
        pseudonyms=Pseudonyms.for_install(settings.bot.data_dir),
        surfaces=dict(surfaces or {}),
    )


def build_dispatcher(bot: MentorBot, senders: Mapping[str, Sender], **options: Any) -> Dispatcher:
    """The outbox dispatcher for ``senders``, with the bot's message renderers."""
    from functools import partial

    from bot.unreachable.marks import Unreachable

    def in_language(render: Any, args: dict[str, Any]) -> Message:
        return render(bot.prompts.for_args(args), args)  # the recipient's (language_args)

    renderers = {
        name: partial(in_language, render) for name, render in bot.registry.renderers.items()
    }
    options.setdefault("owner", bot.settings.bot.instance or None)
    options.setdefault("lease", timedelta(seconds=bot.settings.bot.lease_seconds))
    options.setdefault("metrics", bot.metrics)
    options.setdefault("reach", Unreachable(bot.registry, bot.prompts))
    return Dispatcher(bot.engine, bot.clock, dict(senders), renderers=renderers, **options)
