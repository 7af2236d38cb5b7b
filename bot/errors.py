"""Errors meant for the person in chat: each carries a prompt key and its values."""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    """Something the user can fix; rendered with the prompt ``key`` and shown to them."""

    def __init__(self, key: str, /, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class ConfigError(Exception):
    """The configuration or prompt files are wrong; start-up stops with this message."""


class FormInvalid(Exception):
    """A submitted form had errors; nothing of it is saved and the errors show inline."""

    def __init__(self, errors: dict[str, str], *, retry: str | None = None) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors
        self.retry = retry  # a command that opens the form again


class NeedsConfirmation(Exception):
    """A change with consequences (pairs end, roles change): nothing is saved; ``reply`` says
    what would happen, with buttons to confirm or keep things as they are.
    """

    def __init__(self, reply: Any) -> None:
        super().__init__("needs confirmation")
        self.reply = reply
