"""The permissions matrix: every admin command, admin button and admin form, tried by
someone who is not an admin on each platform, is refused with a clear message and a log line
naming who tried by pseudonym (never a platform id or name), and changes nothing in the
database."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import inspect, text

from adapters.surfaces import CONSOLE, DISCORD, SLACK
from bot.app import build_registry
from bot.events import Action, Actor, Command, FormSubmitted
from tests.conftest import run

ACTORS = {
    "console": Actor("console", "mallory", "mallory", "console", surface=CONSOLE),
    "slack": Actor("slack", "UMAL", "mallory", "T1", surface=SLACK),
    # A Discord member with roles, none of them an admin role.
    "discord": Actor("discord", "666", "mallory", "42", roles=("555",), surface=DISCORD),
}
ARGS = {  # plausible arguments, so a refusal can't be a usage error
    "announce": "--to everyone hello",
    "block": "ann bob",
    "unblock": "ann bob",
    "pin": "ann bob",
    "unpin": "ann bob",
    "program": "set name Hijacked",
    "publish": "1",
    "match": "fresh all",
    "survey": "mid",
}
FORM_VALUES = {"announce": {"text": "hello", "audience": "everyone", "mode": "dm", "when": "now"}}


def snapshot(bot) -> dict[str, list[tuple]]:
    with bot.engine.connect() as conn:
        return {
            table: sorted(
                map(tuple, conn.execute(text(f'SELECT * FROM "{table}"')).all()), key=repr
            )
            for table in inspect(conn).get_table_names()
            if table != "alembic_version"
        }


def admin_commands() -> list[str]:
    registry = build_registry()
    names = [spec.name for spec in registry.admin.specs()]
    return [f"admin {n} {ARGS.get(n, '')}".strip() for n in names] + ["admin"]


def prepared(bot) -> None:
    """A program with people, a published round and a preview, so admin commands have
    something to change."""
    for who, role in (("ann", "mentee"), ("bob", "mentor"), ("cat", "mentee")):
        run(bot, f"join {role}", who=who)
    run(bot, "admin match", who="admin")
    run(bot, "admin publish", who="admin")
    run(bot, "admin match fresh all", who="admin")
    for actor in ACTORS.values():  # each platform's program and person exist beforehand
        bot.handle(Command(actor, "help"))


@pytest.mark.parametrize("platform", sorted(ACTORS))
def test_every_admin_command_button_and_form_is_refused(bot, platform, caplog):
    prepared(bot)
    actor = ACTORS[platform]
    before = snapshot(bot)
    attempts = [Command(actor, line) for line in admin_commands()]
    attempts += [Action(actor, line) for line in admin_commands()]  # the same, as buttons
    attempts += [
        FormSubmitted(actor, form_id, FORM_VALUES.get(form_id, {}))
        for form_id in sorted(build_registry().admin_forms)
    ]
    assert len(attempts) > 30
    with caplog.at_level(logging.DEBUG):
        for event in attempts:
            reply = bot.handle(event)
            assert "Only program admins can do that" in reply.plain(), (event, reply)  # type: ignore[union-attr]
    assert snapshot(bot) == before
    who = bot.pseudonyms.of(platform, actor.user_id)
    refusals = [r for r in caplog.records if r.getMessage().endswith(f"non-admin {who}")]
    assert len(refusals) == len(attempts)
    for word in (actor.user_id, actor.display_name):
        assert not re.search(rf"\b{re.escape(word)}\b", caplog.text, re.I), word
