"""What capabilities add to the bot: commands, forms, conversation flows, outbox renderers,
pulse jobs and outbox feeders.

Each capability package (``bot/membership``, ``bot/checkins``, ...) has one public
``register(registry)``; the composition root (``bot/app.py``) calls each of them and then
builds the router, the conversation runner, the dispatcher's renderers and the pulse from what
they registered. Nothing else knows the list of capabilities.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.router import Router

if TYPE_CHECKING:
    from sqlmodel import Session

    from bot.config import Settings
    from bot.context import Ctx
    from bot.conversations.runner import Conversations, Flow
    from bot.prompts import Prompts
    from bot.replies import Message, Reply

FormHandler = Callable[["Ctx", dict[str, str]], "Reply"]
Renderer = Callable[["Prompts", dict[str, Any]], "Message"]


@dataclass(frozen=True)
class JobContext:
    """What a pulse job gets: one transaction, the time, settings, prompts, conversations."""

    session: Session
    now: datetime
    settings: Settings
    prompts: Prompts
    conversations: Conversations
    group_dm: Callable[[str], bool] = lambda _platform: False  # by platform name


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
    jobs: list[Job] = field(default_factory=list)
    feeders: list[Feeder] = field(default_factory=list)

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

    def flow(self, name: str, flow: Flow) -> None:
        """Add the conversation flow ``name`` (its script is checked against its contract)."""
        if name in self.flows:
            raise ValueError(f"conversation flow {name!r} registered twice")
        self.flows[name] = flow

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
