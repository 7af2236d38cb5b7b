"""A pair's "why you two" is worded for each reader: a Spanish admin's preview does not put
Spanish into a Brazilian mentor's Portuguese intro (the Madrid trial)."""

from __future__ import annotations

import pytest

from adapters.surfaces import surfaces
from bot.app import build_bot
from bot.matching.reasons import render_reason
from tests.conversations.helpers import Chat
from tests.i18n.test_pair_in_two_languages import dms


@pytest.fixture
def bot(settings, clock, engine):
    return build_bot(settings, clock=clock, engine=engine, surfaces=surfaces())


async def test_each_reader_gets_the_reasons_in_their_own_language(bot):
    """The admin (es) previews and publishes; lucia (es) and joao (pt-BR) each read the
    reasons, names joined and language named in their own language (bundled locales)."""
    chat = Chat(bot)
    await chat.say("/mentor language es", who="admin")
    for who, tag, role, line in (
        ("lucia", "es", "mentee", "/mentor profile set wants python"),
        ("joao", "pt-BR", "mentor", "/mentor profile set skills python"),
    ):
        await chat.say(f"/mentor language {tag}", who=who)
        await chat.say(f"/mentor join {role}", who=who)
        await chat.say(line, who=who)
        await chat.say("/mentor profile set languages es", who=who)
    out = await chat.say("/mentor admin match", who="admin")
    assert "joao puede ayudar con python" in out, out
    out += await chat.say("/mentor admin publish", who="admin")
    joao, lucia = "\n".join(dms(out, "joao")), "\n".join(dms(out, "lucia"))
    assert "Por que vocês dois:* joao pode ajudar com python" in joao, joao
    assert "lucia e joao" in joao and "vocês dois falam espanhol" in joao, joao
    assert "puede ayudar" not in joao and " and " not in joao, joao
    assert "Por qué ustedes dos:* joao puede ayudar con python" in lucia, lucia
    assert "lucia y joao" in lucia and "ambos hablan español" in lucia, lucia
    # the line about assumed hours reads right for two names
    assert "disponibilidade informada para lucia e joao" in joao, joao
    assert "disponibilidad indicada para lucia y joao" in lucia, lucia
    # the partner's local time, a full date, follows a label (not "ahora son las jueves")
    assert "(hora local: " in lucia and "son las" not in lucia, lucia
    assert "(horário local: " in joao and "agora são" not in joao, joao


def test_old_rows_of_plain_text_are_shown_as_they_are(bot):
    """A reason stored as text before reasons had keys is shown unchanged."""
    prompts = bot.prompts.for_locale("pt-BR")
    assert render_reason(prompts, "joao can help with python") == "joao can help with python"
    stored = {"key": "match.reason.overlap", "values": {"hours": 7.5}}
    assert (
        render_reason(prompts, stored) == "7,5 horas por semana em que vocês dois estão disponíveis"
    )
