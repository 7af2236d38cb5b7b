"""What capabilities add to the bot: their wording, commands, forms, conversation flows, readers
of plain DMs, outbox renderers, pulse jobs, outbox feeders, the hooks they listen on and their
parts of the cross-cutting views.

Each capability package (``bot/membership``, ``bot/checkins``, ...) has one public
``register(registry)``; :func:`registered` finds and calls each of them (no list names them)
and the composition root (``bot/app.py``) builds the router, the conversation runner, the
dispatcher's renderers and the pulse from what they registered.

Hooks: when pairs end, a member pauses or a schedule changes, the code that did it fires the
hook and every capability that cares (check-ins withdraw or re-plan nudges) reacts, so no
feature calls into another's internals. Contributors: a person's export and forget and the
program's export tables and the program report ask each capability for its part
(:class:`PersonalData`, ``export_table``, :class:`ReportSection`) instead of reading its tables.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import ModuleType
from typing import TYPE_CHECKING, Any

from bot.router import Router

if TYPE_CHECKING:
    from sqlmodel import Session

    from bot.config import Settings
    from bot.context import Ctx
    from bot.conversations.runner import Conversations, Flow
    from bot.prompts import Prompts, Words
    from bot.replies import Message, Reply
    from bot.report_parts import ReportScope, Section
    from storage.models import EndReason, Program

FORGOTTEN = "(forgotten)"  # what a forgotten person's words become, wherever they were

FormHandler = Callable[["Ctx", dict[str, str]], "Reply"]
# Reads a plain DM that is no command (its words): a reply, or None when it isn't theirs.
FreeTextReader = Callable[["Ctx", list[str]], "Reply | None"]
Renderer = Callable[["Prompts", dict[str, Any]], "Message"]
MemberPaused = Callable[["Session", datetime, int], Any]  # session, now, member id
Table = tuple[list[str], list[list[Any]]]  # header, rows
ExportTable = Callable[["Session", "Program", "Settings"], Table]


@dataclass(frozen=True)
class JobContext:
    """What a pulse job gets: one transaction, the time, settings, prompts, conversations
    and the registry (its hooks).
    """

    session: Session
    now: datetime
    settings: Settings
    prompts: Prompts
    conversations: Conversations
    group_dm: Callable[[str], bool] = lambda _platform: False  # by platform name
    registry: Registry | None = None  # whose hooks hear of what the job changes


@dataclass(frozen=True)
class Job:
    """A periodic pulse job: reads what to do from the database, so a missed run loses nothing."""

    name: str
    every: Callable[[Settings], timedelta]
    run: Callable[[JobContext], Any]


@dataclass(frozen=True)
class Feeder:
    """Puts messages into the outbox shortly before they are due (run before every dispatch);
    ``next_due`` says when its next one falls due after a given instant (for simulated time).
    """

    name: str
    run: Callable[[JobContext], Any]
    next_due: Callable[[Session, datetime], datetime | None]


@dataclass(frozen=True)
class CircleLeft:
    """People taken out of a circle that carries on without them (see
    :func:`bot.pairs.lifecycle.leave_pairs`), in the transaction that took them out.
    """

    session: Session
    now: datetime
    pair_id: int
    member_ids: list[int]


@dataclass(frozen=True)
class PairEnded:
    """Pairs that just ended, in the transaction that ended them (see
    :func:`bot.pairs.lifecycle.end_pairs`, the only place that fires it).
    """

    session: Session
    now: datetime
    pair_ids: list[int]
    reason: EndReason
    detail: str = ""
    by_member_id: int | None = None  # whose action ended them (None: an admin or the bot)


@dataclass(frozen=True)
class ScheduleChange:
    """An edit that moves nudges: a program's cadence, weekday, hour or dates (``member_ids``
    None: everyone in ``programs``), or a person's zone, quiet hours or availability.
    """

    session: Session
    now: datetime
    settings: Settings
    prompts: Prompts
    programs: list[Program]
    member_ids: list[int] | None = None


@dataclass(frozen=True)
class PersonalData:
    """A capability's part of what it keeps about a person, by their membership ids:
    ``export`` their rows for ``export`` (under ``section``), ``words`` the longer things they
    wrote (to find where others copied them) and ``blank`` their free text at ``forget``
    (what counts, such as outcomes and ratings, stays).
    """

    section: str
    export: Callable[[Session, list[int]], list[dict[str, Any]]]
    words: Callable[[Session, list[int]], list[str]]
    blank: Callable[[Session, list[int]], Any]


@dataclass(frozen=True)
class ReportSection:
    """A capability's section of the program report: ``build`` makes it (its figures, tables
    and charts, in ``bot.report_parts``' types) from what the report is given.
    """

    key: str
    build: Callable[[ReportScope], Section]


@dataclass
class Registry:
    """Filled by each capability's ``register``; read once by the composition root."""

    commands: Router = field(default_factory=Router)
    admin: Router = field(default_factory=lambda: Router(scope="admin"))
    forms: dict[str, FormHandler] = field(default_factory=dict)
    admin_forms: set[str] = field(default_factory=set)  # forms only admins may submit
    form_limits: dict[str, int] = field(default_factory=dict)  # longer values than the default
    flows: dict[str, Flow] = field(default_factory=dict)
    renderers: dict[str, Renderer] = field(default_factory=dict)
    free_text: list[FreeTextReader] = field(default_factory=list)
    late_free_text: list[FreeTextReader] = field(default_factory=list)  # after timed-out talks
    jobs: list[Job] = field(default_factory=list)
    feeders: list[Feeder] = field(default_factory=list)
    pair_ended: list[Callable[[PairEnded], Any]] = field(default_factory=list)
    circle_left: list[Callable[[CircleLeft], Any]] = field(default_factory=list)
    member_paused: list[MemberPaused] = field(default_factory=list)
    schedule_changed: list[Callable[[ScheduleChange], Any]] = field(default_factory=list)
    personal: list[PersonalData] = field(default_factory=list)
    tables: dict[str, ExportTable] = field(default_factory=dict)
    report: list[ReportSection] = field(default_factory=list)
    wording: list[Words] = field(default_factory=list)  # each capability's prompts

    def form(
        self,
        form_id: str,
        handler: FormHandler,
        *,
        admin: bool = False,
        max_length: int | None = None,
    ) -> None:
        """Add the handler for submissions of the form ``form_id`` (``admin``: admins only;
        ``max_length``: its values may be longer than the bot's usual limit).
        """
        if form_id in self.forms:
            raise ValueError(f"form {form_id!r} registered twice")
        self.forms[form_id] = handler
        if admin:
            self.admin_forms.add(form_id)
        if max_length is not None:
            self.form_limits[form_id] = max_length

    def words(self, words: Words) -> None:
        """Add a capability's prompts: its keys with their placeholders, and its English text
        (the whole catalog is assembled and checked by :func:`bot.app.load_prompts`).
        """
        if any(w.owner == words.owner for w in self.wording):
            raise ValueError(f"prompts of {words.owner!r} registered twice")
        self.wording.append(words)

    def flow(self, name: str, flow: Flow) -> None:
        """Add the conversation flow ``name`` (its script is checked against its contract)."""
        if name in self.flows:
            raise ValueError(f"conversation flow {name!r} registered twice")
        self.flows[name] = flow

    def free_text_reader(self, reader: FreeTextReader, *, late: bool = False) -> None:
        """Add a reader of plain DMs that are no command, such as a typed reply to a question
        the capability asked: the first reader that returns a reply answers the DM; one that
        returns None leaves it to the next (and, if none takes it, to "unknown command").
        A ``late`` reader is asked only after a recently timed-out conversation had its say.
        """
        (self.late_free_text if late else self.free_text).append(reader)

    def read_free_text(self, ctx: Ctx, words: list[str], *, late: bool = False) -> Reply | None:
        """The reply of the first (``late``) reader that understands a plain DM, or None."""
        for reader in self.late_free_text if late else self.free_text:
            reply = reader(ctx, words)
            if reply is not None:
                return reply
        return None

    def renderer(self, name: str, render: Renderer) -> None:
        """Add an outbox renderer: rows that name it are rendered when sent."""
        if name in self.renderers:
            raise ValueError(f"outbox renderer {name!r} registered twice")
        self.renderers[name] = render

    def job(
        self, name: str, every: Callable[[Settings], timedelta], run: Callable[..., Any]
    ) -> None:
        """Add a pulse job run every ``every(settings)``."""
        if any(j.name == name for j in self.jobs):
            raise ValueError(f"pulse job {name!r} registered twice")
        self.jobs.append(Job(name, every, run))

    def feeder(
        self,
        name: str,
        run: Callable[[JobContext], Any],
        next_due: Callable[[Session, datetime], datetime | None],
    ) -> None:
        """Add work run before every dispatch that queues messages falling due soon."""
        if any(f.name == name for f in self.feeders):
            raise ValueError(f"outbox feeder {name!r} registered twice")
        self.feeders.append(Feeder(name, run, next_due))

    # -- hooks ----------------------------------------------------------------------------
    def on_pair_ended(self, listener: Callable[[PairEnded], Any]) -> None:
        """Call ``listener(event)`` whenever pairs end, for any reason (in that transaction)."""
        self.pair_ended.append(listener)

    def on_circle_left(self, listener: Callable[[CircleLeft], Any]) -> None:
        """Call ``listener(event)`` when people leave a circle that carries on without them."""
        self.circle_left.append(listener)

    def fire_circle_left(self, event: CircleLeft) -> None:
        """Tell every listener that ``event.member_ids`` left the circle ``event.pair_id``."""
        for listener in self.circle_left:
            listener(event)

    def on_member_paused(self, listener: MemberPaused) -> None:
        """Call ``listener(session, now, member_id)`` when a member pauses."""
        self.member_paused.append(listener)

    def on_schedule_changed(self, listener: Callable[[ScheduleChange], Any]) -> None:
        """Call ``listener(change)`` after an edit that moves when things are due."""
        self.schedule_changed.append(listener)

    def fire_pair_ended(self, event: PairEnded) -> None:
        """Tell every listener that ``event.pair_ids`` ended (in the caller's transaction);
        fired only by :func:`bot.pairs.lifecycle.end_pairs`.
        """
        for listener in self.pair_ended:
            listener(event)

    def fire_member_paused(self, session: Session, *, now: datetime, member_id: int) -> None:
        """Tell every listener that the member ``member_id`` paused now."""
        for listener in self.member_paused:
            listener(session, now, member_id)

    def fire_schedule_changed(self, change: ScheduleChange) -> None:
        """Tell every listener about an edit that moves when things are due."""
        for listener in self.schedule_changed:
            listener(change)

    # -- contributors to the cross-cutting views -------------------------------------------
    def personal_data(self, contributor: PersonalData) -> None:
        """Add a capability's part of a person's export and forget."""
        if any(c.section == contributor.section for c in self.personal):
            raise ValueError(f"personal data {contributor.section!r} registered twice")
        self.personal.append(contributor)

    def export_table(self, name: str, table: ExportTable) -> None:
        """Add a table ``mentorbot export`` writes (``name``: its file name, no extension)."""
        if name in self.tables:
            raise ValueError(f"export table {name!r} registered twice")
        self.tables[name] = table

    def report_section(self, section: ReportSection) -> None:
        """Add a section to the program report (sections come in help order)."""
        if any(s.key == section.key for s in self.report):
            raise ValueError(f"report section {section.key!r} registered twice")
        self.report.append(section)


def capabilities() -> tuple[ModuleType, ...]:
    """Every capability package, in the order their commands are listed in help.

    Found, not listed: each subpackage of ``bot`` whose ``__init__`` defines
    ``register(registry)`` is one (so a new capability is one new folder), ordered by its
    ``HELP_POSITION`` (one without comes last), then by name. ``pkgutil`` walks the package's
    own path, so this works from a source tree and from an installed wheel alike.
    """
    import bot

    found = []
    for info in pkgutil.iter_modules(bot.__path__, prefix="bot."):
        if not info.ispkg:
            continue
        module = importlib.import_module(info.name)
        if callable(getattr(module, "register", None)):
            found.append(module)
    return tuple(sorted(found, key=lambda m: (getattr(m, "HELP_POSITION", 10**6), m.__name__)))


def registered() -> Registry:
    """A registry filled by every capability's ``register``, in help order."""
    registry = Registry()
    for capability in capabilities():
        capability.register(registry)
    return registry


def json_fields(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """``row``'s ``fields`` as JSON-ready values (dates and times in ISO 8601), for an export."""
    return {f: _plain(getattr(row, f)) for f in fields}


def cell(value: Any) -> Any:
    """One export table cell: dates and times in ISO 8601, nothing as an empty cell."""
    return "" if value is None else _plain(value)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


def registry_of_job(job: JobContext) -> Registry:
    """The registry a pulse job's hooks are fired on (the bot's; a bare one if none)."""
    return job.registry if job.registry is not None else Registry()


def registry_of(ctx: Ctx) -> Registry:
    """What the capabilities registered (their hooks and contributors), as the bot wired it
    into this handler's context.
    """
    registry = ctx.capability_registry
    assert isinstance(registry, Registry), "the bot wires the registry into every context"
    return registry
