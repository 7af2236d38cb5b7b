"""Hostile and random input through the core: every command, form and DM gets a friendly
reply (never the internal-error message), whatever is typed."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import build_registry
from bot.events import Action, Command, DirectMessage, FormSubmitted
from tests.conftest import actor, run

REGISTRY = build_registry()
WORDS = sorted(
    {spec.name for spec in REGISTRY.commands.specs()}
    | {spec.name for spec in REGISTRY.admin.specs()}
    | {"set", "clear", "confirm", "cancel", "send", "claim", "close", "mine", "fresh", "all"}
    | {"--to", "--via", "--at", "--pairs", "--paused", "--ping", "pair:1", "pair:x"}
    | {"1", "0", "-1", "99999999999", "2026-02-30", "31/12", "friday", "25:00", "x" * 70}
    | {"<!channel>", "@everyone", "<@U1>", "[a](http://x)", '"', "'", "\x00", "é", "🙂"}
)
INTERNAL = "Sorry, something went wrong on my side"
word = st.one_of(st.sampled_from(WORDS), st.text(max_size=12))
line = st.lists(word, max_size=6).map(" ".join)


def _setup(bot) -> None:
    for who, role in (("ann", "mentee"), ("bob", "mentor"), ("cat", "mentee")):
        run(bot, f"join {role}", who=who)
    run(bot, "admin match", who="admin")
    run(bot, "admin publish", who="admin")
    run(bot, "request help with python", who="ann")


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    lines=st.lists(line, min_size=1, max_size=4),
    who=st.sampled_from(["ann", "bob", "admin", "zed"]),
)
def test_random_commands_always_get_a_friendly_reply(bot_once, lines, who):
    for text in lines:
        for event in (
            Command(actor(who), text),
            Command(actor(who), "admin " + text),
            Action(actor(who), text),
            DirectMessage(actor(who), text),
        ):
            reply = bot_once.handle(event)
            plain = reply.plain() if hasattr(reply, "plain") else str(reply)
            assert INTERNAL not in plain, (event, plain)


FORMS = sorted(REGISTRY.forms)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    form=st.sampled_from(FORMS),
    values=st.dictionaries(
        st.sampled_from(
            [
                "text",
                "topic",
                "details",
                "urgency",
                "role",
                "timezone",
                "skills",
                "wants",
                "goals",
                "when",
                "audience",
                "mode",
                "ping",
                "languages",
            ]
        ),
        st.text(max_size=40),
        max_size=6,
    ),
    who=st.sampled_from(["ann", "admin"]),
)
def test_random_form_values_always_get_a_friendly_reply(bot_once, form, values, who):
    reply = bot_once.handle(FormSubmitted(actor(who), form, values))
    plain = reply.plain() if hasattr(reply, "plain") else str(reply)
    assert INTERNAL not in plain, (form, values, plain)
