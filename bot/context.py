"""What a handler gets: the person, their program, the database session, time and prompts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, Protocol

from sqlmodel import Session

from bot.config import WEEKDAYS, Settings
from bot.delivery import Target
from bot.errors import UserError
from bot.events import Actor, Surface
from bot.outbox import enqueue
from bot.prompts import Prompts, Speaker
from bot.pseudonyms import Pseudonyms
from bot.replies import Message, Part, Reply, Section
from bot.spans import Text
from bot.time.zones import get_zone
from storage import repo
from storage.models import Conversation, Member, MemberStatus, Person, Program


class ConversationRunner(Protocol):
    """What handlers ask of the conversation runner (``bot.conversations.runner``), declared
    here so the context needs nothing from the capability that runs conversations.
    """

    @property
    def scripts(self) -> Mapping[str, Any]:
        """The scripts by name (``bot.conversations.scripts.Script``)."""
        ...

    def active(self, session: Session, person_id: int) -> Conversation | None:
        """The person's conversation in progress, if any."""
        ...

    def start(self, ctx: Ctx, name: str, *, context: dict[str, Any], command: str) -> Reply:
        """Start a conversation, or ask first if another one is running."""
        ...

    def restart(self, ctx: Ctx, conv: Conversation, context: dict[str, Any]) -> Message:
        """Run the same script again in the same conversation (one round per goal, say)."""
        ...

    def resume(self, ctx: Ctx, conv: Conversation) -> Reply:
        """Ask the current step again."""
        ...

    def back(self, ctx: Ctx, conv: Conversation) -> Reply:
        """Go back one step."""
        ...

    def cancel(self, ctx: Ctx, conv: Conversation) -> Reply:
        """Stop the conversation."""
        ...

    def click(self, ctx: Ctx, conv_id: int, step_index: int, value: str) -> Reply:
        """A button of a step was pressed."""
        ...


@dataclass
class Ctx:
    """Everything one handled event needs; lives for one transaction."""

    session: Session
    actor: Actor
    now: datetime
    prompts: Prompts
    settings: Settings
    is_admin: bool
    person: Person
    pseudonyms: Pseudonyms  # how log lines name people
    # The top-level router, for commands that run another command (a "start this instead").
    run_command: Callable[[Ctx, list[str]], Reply] | None = field(default=None, repr=False)
    # How the event arrived: "command" (slash command), "action" (button), "dm" or "form".
    via: str = "command"
    conversation_runner: ConversationRunner | None = field(default=None, repr=False)
    # What the capabilities registered: the hooks a handler fires, the contributors it asks.
    # (typed as ``bot.registry.Registry`` by ``bot.registry.registry_of``: the registry sits
    # above the context, so the context does not import it)
    capability_registry: object | None = field(default=None, repr=False)
    surfaces: Mapping[str, Surface] = field(default_factory=dict, repr=False)
    _program: Program | None = field(default=None, repr=False)

    def group_dm(self) -> bool:
        """Whether the program's platform can message several people together."""
        platform = self.program().platform
        surface = self.surfaces.get(platform) or (
            self.actor.surface if self.actor.platform == platform else Surface()
        )
        return surface.group_dm

    def conversations(self) -> ConversationRunner:
        """The conversation runner."""
        assert self.conversation_runner is not None, "the bot wires the conversation runner"
        return self.conversation_runner

    # -- program and membership -------------------------------------------------------------
    def program(self) -> Program:
        """The workspace's program, created from the configured defaults on first use."""
        if self._program is None:
            found = repo.find_program(
                session=self.session,
                platform=self.actor.platform,
                workspace_id=self.actor.workspace_id,
            )
            if found is None:
                defaults = self.settings.program
                found = repo.create_program(
                    session=self.session,
                    platform=self.actor.platform,
                    workspace_id=self.actor.workspace_id,
                    name=defaults.name,
                    kind=defaults.kind,
                    cadence=defaults.cadence,
                    checkin_weekday=WEEKDAYS.index(defaults.checkin_weekday.lower()),
                    checkin_hour=defaults.checkin_hour,
                    announcement_channel=defaults.announcement_channel,
                    now=self.now,
                    starts_on=self.now.date(),
                )
            self._program = found
        return self._program

    def use_program(self, program_id: int) -> Program:
        """Make ``program_id`` this event's program: for a handler acting on something stored
        (a pair, a round, a request) whose program is known. Another workspace's program (a
        forged or stale button) is refused as an unknown command would be.
        """
        program = self.session.get(Program, program_id)
        if program is None or (program.platform, program.workspace_id) != (
            self.actor.platform,
            self.actor.workspace_id,
        ):
            raise UserError("error.unknown_form")
        self._program = program
        return program

    def member(self) -> Member | None:
        """The person's membership of the workspace's program, if any."""
        program = self.program()
        assert program.id is not None and self.person.id is not None
        return repo.find_member(
            session=self.session, program_id=program.id, person_id=self.person.id
        )

    def require_member(self) -> Member:
        """The person's membership, or a friendly "join first" if they are not in."""
        member = self.member()
        if member is not None and member.removed_at is not None:
            raise UserError("join.removed", program=self.program().name)  # not "join first"
        if member is None or member.status == MemberStatus.LEFT:
            raise UserError("error.not_member")
        return member

    def effective_status(self, member: Member) -> str:
        """A pause that has run out counts as active (it is also cleared when next saved)."""
        expired = member.paused_until is not None and member.paused_until <= self.now
        if member.status == MemberStatus.PAUSED and expired:
            member.status = MemberStatus.ACTIVE
            member.paused_until = None
            self.session.add(member)
        return member.status

    # -- time -----------------------------------------------------------------------------
    def zone_key(self) -> str:
        """The person's zone: theirs, else the platform's (Slack profiles), else the default."""
        return self.person.timezone or self.actor.timezone or self.settings.program.default_timezone

    def zone(self) -> tzinfo:
        """The person's zone as a tzinfo."""
        return get_zone(self.zone_key())

    # -- replies --------------------------------------------------------------------------
    def t(self, key: str, /, **values: Any) -> Text:
        """Render the prompt ``key`` with ``values`` in the actor's language."""
        return self.prompts.render(key, **values)

    def prompts_for(self, person: Speaker) -> Prompts:
        """The prompts in ``person``'s language: render everything meant for someone other
        than the actor (a DM to a partner, an intro) with these, never with ``ctx.prompts``.
        """
        return self.prompts.for_person(person)

    def say(self, key: str, /, *extra: Part, **values: Any) -> Message:
        """A message of the prompt ``key`` followed by ``extra`` parts."""
        return Message((Section(self.t(key, **values)), *extra))

    def say_to(self, person: Speaker, key: str, /, *extra: Part, **values: Any) -> Message:
        """Like :meth:`say`, in ``person``'s language: for a message to someone else."""
        return Message((Section(self.prompts_for(person).render(key, **values)), *extra))

    def dm(self, person: Person, message: Message, *, dedupe_key: str) -> None:
        """Queue a direct message to ``person`` through the outbox, once per ``dedupe_key``;
        render ``message`` with :meth:`prompts_for` ``(person)``, in their language.
        """
        enqueue(
            self.session,
            dedupe_key=dedupe_key,
            target=Target(
                person.platform, self.actor.workspace_id, "user", (person.platform_user_id,)
            ),
            message=message,
            not_before=self.now,
            now=self.now,
            program_id=self.program().id,
        )
