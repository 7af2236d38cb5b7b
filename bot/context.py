"""What a handler gets: the person, their program, the database session, time and prompts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, Protocol

from sqlmodel import Session

from bot.config import WEEKDAYS, Settings
from bot.delivery import Target
from bot.errors import NeedsConfirmation, UserError
from bot.events import Actor, Surface
from bot.outbox import enqueue
from bot.program_pick import (
    admins_here,
    carry_program,
    picker,
    slugs_of,
    take_program_word,
    with_program,
)
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
    # The workspace's live programs, when already read (None: read them when needed).
    _live: list[Program] | None = field(default=None, repr=False)
    # An admin everywhere ([admins] in the configuration); ``is_admin`` is also true for a
    # program's own admins, who may run admin commands in their program only.
    admin_everywhere: bool | None = None
    # The command being run (``("admin", "match")``) and the words after it, for a picker
    # that runs it again in the chosen program; ``admin_scope`` while it is an admin command.
    command: tuple[str, ...] = ()
    command_rest: tuple[str, ...] = ()
    admin_scope: bool = False

    def __post_init__(self) -> None:
        if self.admin_everywhere is None:
            self.admin_everywhere = self.is_admin

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
    def program(self, *, guess: bool = True, among: list[Program] | None = None) -> Program:
        """The event's program: one a handler chose (:meth:`use_program`), the program
        word, the workspace's only live program, the only one the person is in (for member
        commands, unless ``guess`` is False, as for ``join``), else a picker is the reply:
        for member commands it offers the person's programs, else ``among`` (the programs
        the handler could act in, as ``join`` passes) or every live one.
        The first program is created from the configured defaults on first use.
        """
        if self._program is None:
            self._program = self._settle(self._resolve(guess=guess, among=among))
        return self._program

    def chosen_program(self) -> Program | None:
        """The program already chosen for this event, without asking anyone."""
        return self._program

    def live_programs(self) -> list[Program]:
        """The workspace's live (not archived) programs, oldest first."""
        if self._live is None:
            self._live = repo.workspace_programs(
                session=self.session,
                platform=self.actor.platform,
                workspace_id=self.actor.workspace_id,
            )
        return self._live

    def my_programs(self) -> list[Program]:
        """The live programs the person is in (active or on a break)."""
        assert self.person.id is not None
        mine = {
            m.program_id
            for m, _p in repo.memberships(session=self.session, person_id=self.person.id)
            if m.status != MemberStatus.LEFT and m.removed_at is None
        }
        return [p for p in self.live_programs() if p.id in mine]

    def take_program_word(self, command: tuple[str, ...], rest: list[str]) -> list[str]:
        """Note the command being run; a first word naming a live program chooses it and is
        taken off; the rest is returned.
        """
        program, left = (None, rest)
        if rest and self._program is None:
            program, left = take_program_word(self.live_programs(), rest)
        self.command, self.command_rest = command, tuple(left)
        if program is not None:
            self._program = self._settle(program)
        return left

    def admin_here(self, program: Program | None = None) -> bool:
        """Whether the actor may run admin commands in ``program`` (this event's)."""
        return bool(self.admin_everywhere) or admins_here(program or self.program(), self.actor)

    def _resolve(self, *, guess: bool, among: list[Program] | None) -> Program:
        live = self.live_programs()
        if not live:
            return self._first_program()
        if len(live) == 1:
            return live[0]
        choices = among or live
        if self.admin_scope and not self.admin_everywhere:
            choices = [p for p in live if admins_here(p, self.actor)] or live
        elif guess and not self.admin_scope:
            mine = self.my_programs()
            if len(mine) == 1:
                return mine[0]
            choices = mine or choices  # in none: every program says how to join
        if len(choices) == 1 and among is None:  # joining is never guessed: it asks
            return choices[0]
        if not self.command:  # nothing to run again: say how to name it
            raise UserError("program.which_typed", programs=Text.trusted(slugs_of(choices)))
        example = "/mentor " + with_program(self.command, self.command_rest, choices[0])
        raise NeedsConfirmation(
            picker(
                self.t("program.which"),
                self.t("program.which_hint", example=Text.trusted(example)),
                self.command,
                self.command_rest,
                choices,
            )
        )

    def _settle(self, program: Program) -> Program:
        """Admin commands run only where the actor is an admin."""
        if self.admin_scope and not self.admin_here(program):
            raise UserError("program.not_your_program", program=program.name)
        return program

    def _first_program(self) -> Program:
        """The workspace's first program, from the configured defaults (none may be live
        when an admin archived them all: then nothing runs until one is made).
        """
        if repo.workspace_programs(
            session=self.session,
            platform=self.actor.platform,
            workspace_id=self.actor.workspace_id,
            archived=True,
        ):
            raise UserError("program.none_live")
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
        self._live = [found]
        return found

    def adopt_program(self, program_id: int | None) -> None:
        """Make ``program_id`` this event's program when none is chosen yet and it is one of
        the workspace's live programs (what a stored pair, request or conversation names);
        otherwise leave the choice as it is, for the handler to judge the object.
        """
        if self._program is not None or program_id is None:
            return
        for program in self.live_programs():
            if program.id == program_id:
                self._program = self._settle(program)
                return

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
        self._program = self._settle(program)
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
        program = self.program()
        enqueue(
            self.session,
            dedupe_key=dedupe_key,
            target=Target(
                person.platform, self.actor.workspace_id, "user", (person.platform_user_id,)
            ),
            message=carry_program(message, program, self.live_programs()),
            not_before=self.now,
            now=self.now,
            program_id=program.id,
        )
