"""A Spanish-speaking mentee and a Portuguese-speaking mentor: each gets the intro and the
first check-in nudge in their own language, on the console (languages chosen with
``/mentor language``)."""

from __future__ import annotations

import re

import pytest

from adapters.surfaces import surfaces
from bot.app import build_bot
from tests.conversations.helpers import Chat
from tests.i18n.helpers import INTRO, MONTH, NUDGE, with_locales


@pytest.fixture
def bot(settings, clock, engine, tmp_path):
    return build_bot(
        with_locales(settings, tmp_path / "p"), clock=clock, engine=engine, surfaces=surfaces()
    )


def dms(output: str, who: str) -> list[str]:
    """Each DM printed for ``who``, with its following indented lines."""
    return re.findall(rf"\[DM to {who}\] .*(?:\n(?: {{2,}}|\s*\[\d+\]).*)*", output)


async def test_each_person_of_a_pair_hears_their_own_language(bot):
    """ana (es, Madrid) and joao (pt-BR, São Paulo): intro, dates and first nudge in each's
    language; the admin's replies stay English."""
    chat = Chat(bot)
    for who, tag, zone, line in (
        ("ana", "es", "Madrid", "/mentor profile set wants python"),
        ("joao", "pt-BR", "Sao Paulo", "/mentor profile set skills python"),
    ):
        await chat.say(f"/mentor language {tag}", who=who)
        await chat.say("/mentor join " + ("mentee" if who == "ana" else "mentor"), who=who)
        await chat.say(f"/mentor timezone {zone}", who=who)
        await chat.say(line, who=who)
    out = await chat.say("/mentor admin match", who="admin")
    out += await chat.say("/mentor admin publish", who="admin")
    assert "Published" in out or "published" in out, out
    ana, joao = dms(out, "ana"), dms(out, "joao")
    assert any(INTRO["es"] in m and MONTH["pt-BR"] not in m for m in ana), out
    assert any(INTRO["pt-BR"] in m for m in joao), out
    # the partner's local time in the intro is written in the reader's language
    assert any(MONTH["es"] in m for m in ana) and any(MONTH["pt-BR"] in m for m in joao), out
    later = await chat.say("/time +10d")
    assert any(NUDGE["es"] in m and "] Nos vimos" in m for m in dms(later, "ana")), later
    assert any(NUDGE["pt-BR"] in m and "Nos encontramos" in m for m in dms(later, "joao")), later
