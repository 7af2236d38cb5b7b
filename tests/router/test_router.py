"""The command router: dispatch, aliases, suggestions, admin-only commands."""

from __future__ import annotations

import pytest

from bot.app import build_registry
from bot.errors import UserError
from bot.pseudonyms import Pseudonyms
from bot.router import Router
from bot.words import split_args
from tests.conftest import actor


class _Ctx:
    def __init__(self, is_admin: bool = False) -> None:
        self.is_admin = is_admin
        self.actor = actor("mallory")
        self.pseudonyms = Pseudonyms(b"k" * 32)


def _router() -> tuple[Router, list[tuple[str, list[str]]]]:
    calls: list[tuple[str, list[str]]] = []
    router = Router()
    router.command("help")(lambda ctx, args: calls.append(("help", args)))
    router.command("status", aliases=("st",))(lambda ctx, args: calls.append(("status", args)))
    router.command("secret", admin=True)(lambda ctx, args: calls.append(("secret", args)))
    return router, calls


@pytest.mark.parametrize(
    ("words", "called"),
    [
        (["status"], ("status", [])),
        (["STATUS", "x"], ("status", ["x"])),
        (["st"], ("status", [])),
        ([], ("help", [])),
    ],
)
def test_dispatch(words, called):
    """Names are case-insensitive, aliases work, and no words means help."""
    router, calls = _router()
    router.dispatch(_Ctx(), words)
    assert calls == [called]


@pytest.mark.parametrize(
    ("typed", "suggestion"), [("stauts", "status"), ("statsu", "status"), ("hlep", "help")]
)
def test_unknown_command_suggests(typed, suggestion):
    """A typo gets a "did you mean" with the closest command."""
    router, calls = _router()
    with pytest.raises(UserError) as info:
        router.dispatch(_Ctx(), [typed])
    assert info.value.key == "error.unknown_command"
    assert info.value.params == {"command": typed, "suggestion": suggestion}
    assert calls == []


def test_unknown_command_without_suggestion():
    """Nothing close: a plain "I don't know" pointing at help."""
    router, _ = _router()
    with pytest.raises(UserError) as info:
        router.dispatch(_Ctx(), ["xyzzy"])
    assert info.value.key == "error.unknown_command_no_suggestion"


def test_admin_commands_need_an_admin(caplog):
    """Admin-only commands refuse non-admins before the handler runs; the log names who tried
    by pseudonym."""
    router, calls = _router()
    ctx = _Ctx(is_admin=False)
    with pytest.raises(UserError) as info:
        router.dispatch(ctx, ["secret"])
    assert info.value.key == "error.not_admin"
    who = ctx.pseudonyms.of("console", "mallory")
    assert f"refused 'secret' to non-admin {who}" in caplog.text
    assert "mallory" not in caplog.text
    router.dispatch(_Ctx(is_admin=True), ["secret"])
    assert calls == [("secret", [])]


def test_duplicate_names_are_refused():
    """Registering a name twice is a programming error caught at start-up."""
    router, _ = _router()
    with pytest.raises(ValueError):
        router.command("st")(lambda ctx, args: None)


def test_split_args():
    """Quotes group words; an unmatched quote is a friendly error."""
    assert split_args('profile set goals "lead a team"') == [
        "profile",
        "set",
        "goals",
        "lead a team",
    ]
    with pytest.raises(UserError) as info:
        split_args('profile set goals "lead')
    assert info.value.key == "error.bad_quotes"


def test_every_command_has_usage_and_summary_prompts():
    """Each registered command (and admin subcommand) has help text in prompts/."""
    from bot.app import load_prompts

    prompts = load_prompts()
    registry = build_registry()
    for router in (registry.commands, registry.admin):
        for spec in router.specs():
            assert prompts.text(spec.usage_key)
            assert prompts.text(spec.summary_key)


def test_control_characters_are_dropped_not_fatal():
    """A NUL (the apostrophe marker inside the splitter) or other control character typed in
    a command is dropped; found by the fuzz test, it used to crash the parser."""
    assert split_args("\x00 0'0") == ["0'0"]
    assert split_args("checkin met didn't\x07 meet") == ["checkin", "met", "didn't", "meet"]
