"""A Spanish-speaking admin reads statuses, settings, dates and scores in Spanish (the Madrid
trial): no raw "active"/"weekly"/"thursday", no ISO dates, no "83.3"."""

from __future__ import annotations

import re

import pytest

from bot.app import build_bot
from tests.conftest import run
from tests.people.helpers import admin, program

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture
def bot(settings, clock, engine):
    made = build_bot(settings, clock=clock, engine=engine)
    program(made)
    run(made, "pause 2 weeks", who="ben")
    run(made, "language es", who="admin")
    return made


def test_members_and_settings_in_spanish(bot):
    """Statuses and the program's cadence, weekday and dates are the reader's words."""
    listed = admin(bot, "members")
    assert "activo" in listed and "en pausa" in listed, listed
    assert "active" not in listed and "paused" not in listed, listed
    admin(bot, "program set weekday thursday")
    admin(bot, "program set ends 2027-03-31")
    shown = admin(bot, "program")
    assert "semanal" in shown or "quincenal" in shown or "mensual" in shown, shown
    assert "jueves" in shown and "31 mar 2027" in shown, shown
    assert "thursday" not in shown and "weekly" not in shown and not ISO_DAY.search(shown), shown


def test_pairs_card_and_fit_in_spanish(bot):
    """``admin pairs``, the person card and a pair's fit: dates and scores the Spanish way."""
    pairs = admin(bot, "pairs")
    assert "desde " in pairs and not ISO_DAY.search(pairs), pairs
    card = admin(bot, "person amy")
    assert "desde " in card and not ISO_DAY.search(card), card
    fit = admin(bot, "pair eve cat")
    score = re.search(r"Encaje de (\S+) sobre 100", fit)
    assert score and "." not in score.group(1), fit


def test_report_summary_in_spanish(bot):
    """A small program's report: hidden figures and ones with nothing to count are said in
    Spanish words after their label, never "hidden" or a bare "-"; the page is lang="es"."""
    from bot.events import Command
    from bot.replies import Message
    from tests.conftest import actor

    reply = bot.handle(Command(actor("admin"), "admin report"))
    assert isinstance(reply, Message)
    text = reply.plain()
    summary = [line for line in text.splitlines() if line.startswith("• ")]
    assert summary, text
    assert not any(line.startswith(("• - ", "• hidden")) for line in summary), text
    assert "hidden" not in "\n".join(summary), text
    assert any(": oculto" in line or ": aún nada que contar" in line for line in summary), text
    assert "Activos: oculto" in text, text  # a hidden key figure
    page = reply.files()[0]
    assert b'<html lang="es">' in page.content


def test_a_silence_is_dated_in_spanish():
    """The digest's and ``admin pairs``' health line: "en silencio desde 10 dic 2026"."""
    from datetime import UTC, datetime

    from bot.app import load_prompts
    from bot.pairs.health import Health, PairHealth, PersonHealth, describe

    since = datetime(2026, 12, 10, 9, tzinfo=UTC)
    quiet = PersonHealth(7, 2, since, None)
    health = PairHealth(1, Health.QUIET, (quiet,), None, None, (7,))
    said = describe(load_prompts().for_locale("es"), health, {7: "joao"}, since).plain()
    assert "joao en silencio desde 10 dic 2026" in said and not ISO_DAY.search(said), said
