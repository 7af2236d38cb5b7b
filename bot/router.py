"""The ``/mentor <subcommand>`` router: handlers are plain functions registered by name."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.errors import UserError
from bot.replies import Reply

if TYPE_CHECKING:
    from bot.context import Ctx

Handler = Callable[["Ctx", list[str]], Reply]
Prepare = Callable[["Ctx", tuple[str, ...], list[str], bool], list[str]]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommandSpec:
    """One subcommand. ``summary``/``usage`` are prompt keys; ``admin`` restricts it."""

    name: str
    handler: Handler
    aliases: tuple[str, ...] = ()
    admin: bool = False
    hidden: bool = False
    scope: str = ""

    @property
    def summary_key(self) -> str:
        """The prompt key of the one-line summary."""
        return f"command.{self.scope + '.' if self.scope else ''}{self.name}.summary"

    @property
    def usage_key(self) -> str:
        """The prompt key of the usage line."""
        return f"command.{self.scope + '.' if self.scope else ''}{self.name}.usage"


def refuse_non_admin(ctx: Ctx, what: str) -> None:
    """Someone who is not an admin tried an admin command or form: logged, and told."""
    who = ctx.pseudonyms.of(ctx.actor.platform, ctx.actor.user_id)
    log.warning("refused %r to non-admin %s", what, who)
    raise UserError("error.not_admin")


class Router:
    """Maps subcommand names (and aliases) to handlers, with suggestions for typos."""

    def __init__(self, scope: str = "") -> None:
        self.scope = scope  # "" for /mentor, "admin" for /mentor admin
        # Run before every handler with the command's words, the words after it and whether
        # it is an admin command; returns the words the handler gets (the composition root
        # sets it: the program word is taken there, see ``bot.app``).
        self.prepare: Prepare | None = None
        self._specs: dict[str, CommandSpec] = {}
        self._names: dict[str, str] = {}

    def add(self, spec: CommandSpec) -> None:
        """Add a command; a name or alias registered twice is an error."""
        for name in (spec.name, *spec.aliases):
            if name in self._names:
                raise ValueError(f"command {name!r} registered twice")
            self._names[name] = spec.name
        self._specs[spec.name] = spec

    def command(
        self,
        name: str,
        *,
        aliases: tuple[str, ...] = (),
        admin: bool = False,
        hidden: bool = False,
    ) -> Callable[[Handler], Handler]:
        """Decorator: register the handler under ``name``."""

        def register(handler: Handler) -> Handler:
            self.add(
                CommandSpec(
                    name, handler, aliases=aliases, admin=admin, hidden=hidden, scope=self.scope
                )
            )
            return handler

        return register

    def names(self) -> set[str]:
        """Every command name and alias."""
        return set(self._names)

    def specs(self) -> list[CommandSpec]:
        """Every command, in the order registered."""
        return list(self._specs.values())

    def resolve(self, name: str) -> CommandSpec | None:
        """The command called ``name`` (or an alias), if any."""
        key = self._names.get(name.lower())
        return self._specs[key] if key else None

    def suggest(self, name: str) -> str | None:
        """The closest visible command name, for "did you mean"."""
        visible = [n for n, s in self._names.items() if not self._specs[s].hidden]
        close = difflib.get_close_matches(name.lower(), visible, n=1, cutoff=0.6)
        if close:
            return close[0]
        prefixed = [n for n in visible if n.startswith(name.lower()[:3])] if len(name) >= 3 else []
        return prefixed[0] if prefixed else None

    def dispatch(self, ctx: Ctx, args: list[str]) -> Reply:
        """Run the handler for ``args[0]`` with the remaining words."""
        if not args:
            args = ["help"]
        spec = self.resolve(args[0])
        if spec is None:
            full = f"{self.scope} {args[0]}".strip()
            suggestion = self.suggest(args[0])
            if suggestion:
                raise UserError(
                    "error.unknown_command",
                    command=full,
                    suggestion=f"{self.scope} {suggestion}".strip(),
                )
            raise UserError("error.unknown_command_no_suggestion", command=full)
        if spec.admin and not ctx.is_admin:
            refuse_non_admin(ctx, f"{self.scope} {spec.name}".strip())
        rest = args[1:]
        if self.prepare is not None:
            command = (*([self.scope] if self.scope else []), args[0])
            rest = self.prepare(ctx, command, rest, spec.admin or self.scope == "admin")
        return spec.handler(ctx, rest)
