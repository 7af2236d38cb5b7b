"""Answers to "did you meet?" in the person's language: a Spanish mentee and a Brazilian
mentor are nudged with their own words in the hint, and their plain replies and
``/mentor checkin <word>`` are understood in their language (accents optional) and in English.
Through the console, on the fake clock.
"""

from __future__ import annotations

import pytest

from tests.conversations.helpers import Chat
from tests.scenarios.helpers import outcomes, pair_of

FIRST_CYCLE = "2026-12-01"


async def nudged(chat: Chat) -> str:
    """joao (pt-BR) mentors lucia (es); the clock moves to their first nudge."""
    await chat.say("/mentor admin program set cadence weekly", who="admin")
    await chat.say("/mentor language pt-BR", who="joao")
    await chat.say("/mentor language es", who="lucia")
    await chat.say("/mentor join mentor", who="joao")
    await chat.say("/mentor join mentee", who="lucia")
    await chat.say("/mentor admin match", who="admin")
    await chat.say("/mentor admin publish", who="admin")
    return await chat.say("/time +9d", who="admin")


async def test_the_nudge_hint_shows_the_persons_own_words(bot):
    """Each nudge's hint names the answers in its reader's language, not English ones."""
    nudges = await nudged(Chat(bot))
    assert "responde aquí (`sí`, `todavía no`, `omitir`)" in nudges
    assert "responda aqui (`sim`, `ainda não`, `pular`)" in nudges
    assert "`not yet`" not in nudges


@pytest.mark.parametrize(
    ("who", "typed", "stored"),
    [
        ("lucia", "todavía no", "not_yet"),
        ("lucia", "todavia no", "not_yet"),
        ("lucia", "Sí", "met"),
        ("lucia", "si", "met"),
        ("lucia", "¡Nos vimos!", "met"),
        ("lucia", "omitir", "skipped"),
        ("lucia", "not yet", "not_yet"),
        ("joao", "sim", "met"),
        ("joao", "ainda não", "not_yet"),
        ("joao", "nao", "not_yet"),
        ("joao", "remarcamos", "rescheduled"),
        ("joao", "yes", "met"),
    ],
)
async def test_a_plain_reply_in_the_persons_language_answers_the_nudge(bot, who, typed, stored):
    """A plain reply in one's own language (or English) is that outcome, not a command."""
    chat = Chat(bot)
    await nudged(chat)
    reply = await chat.say(typed, who=who)
    assert "No conozco" not in reply and "Não conheço" not in reply, reply
    pair = pair_of(bot, "lucia", "joao")
    assert outcomes(bot, who) == {(pair, FIRST_CYCLE): stored}


@pytest.mark.parametrize(
    ("who", "args", "stored"),
    [
        ("joao", "sim", "met"),
        ("lucia", "todavía no", "not_yet"),
        ("lucia", "reprogramamos", "rescheduled"),
        ("joao", "not-yet", "not_yet"),
    ],
)
async def test_the_checkin_command_takes_the_persons_words(bot, who, args, stored):
    """``/mentor checkin sim`` records a meeting for the Brazilian mentor, and so on."""
    chat = Chat(bot)
    await nudged(chat)
    reply = await chat.say(f"/mentor checkin {args}", who=who)
    assert "no es una de las respuestas" not in reply and "não é uma" not in reply, reply
    pair = pair_of(bot, "lucia", "joao")
    assert outcomes(bot, who) == {(pair, FIRST_CYCLE): stored}


async def test_another_languages_words_are_not_taken(bot):
    """Words of a language the person does not speak are not guessed: German ``ja`` from the
    Spanish mentee records nothing."""
    chat = Chat(bot)
    await nudged(chat)
    await chat.say("ja", who="lucia")
    assert outcomes(bot, "lucia") == {(pair_of(bot, "lucia", "joao"), FIRST_CYCLE): "pending"}
