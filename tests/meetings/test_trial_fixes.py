"""What the Madrid trial found: Spanish and Portuguese days and times, holidays and small
hours asked about first, cancellations that win in calendars, one file per person, and a
hint that counts the times it offers."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from icalendar import Calendar

from bot.meetings.offer import PairInfo, slot_offer
from bot.replies import Context, Message
from tests.conversations.helpers import outbox
from tests.meetings.helpers import MADRID, MADRID_WALL, SAO_PAULO, SLOTS, check_slots, events_of
from tests.meetings.test_invites import introduced_on_the_console, sent_invites

PAIR = PairInfo("console", "local", "Mentoring", 1, ("lucia", "joao"))


def _hint(bot, tag: str, count: int) -> str:
    prompts = bot.prompts.for_locale(tag)
    parts = slot_offer(
        prompts,
        PAIR,
        SLOTS[:count],
        minutes=30,
        zone_key="Europe/Madrid",
        now=datetime(2026, 10, 22, tzinfo=UTC),
    )
    (hint,) = [p for p in parts if isinstance(p, Context)]
    return hint.text.render(str)


def test_the_offer_hint_follows_the_number_of_times(bot):
    """One suggested time: the hint names `meet 1`, never "the second time"."""
    one = _hint(bot, "es", 1)
    assert "`/mentor meet 1`" in one and "segundo" not in one
    assert "`/mentor meet 2` (el segundo horario)" in _hint(bot, "es", 3)
    assert "`/mentor meet 1`" in _hint(bot, "en", 1)


def _versions(ics: bytes) -> list[tuple[str, str, int]]:
    return [(str(e["UID"]), str(e["STATUS"]), int(e["SEQUENCE"])) for e in events_of(ics)]


async def test_each_booking_outranks_what_it_replaces_in_calendars(bot):
    """Booking the intro's second time cancels its first and third (same UIDs, a SEQUENCE
    above the suggestions' 0); a move cancels the booked time with a higher SEQUENCE than it
    was confirmed with; moving back confirms it higher still."""
    chat, _ = await introduced_on_the_console(bot)
    files = Path(bot.settings.bot.data_dir) / "files"
    uids = check_slots((files / "meeting-times-pair-1.ics").read_bytes(), MADRID, MADRID_WALL)
    await chat.say("/mentor meet 2", who="amy")
    booked = sent_invites(bot, "meet:", at=SLOTS[1])
    for who in ("amy", "cat"):
        assert _versions(booked[who]) == [
            (uids[1], "CONFIRMED", 1),
            (uids[0], "CANCELLED", 1),
            (uids[2], "CANCELLED", 1),
        ]
    await chat.say("/mentor meet 3", who="amy")
    moved = sent_invites(bot, "meet:", at=SLOTS[2])
    assert _versions(moved["cat"]) == [(uids[2], "CONFIRMED", 2), (uids[1], "CANCELLED", 2)]
    out = await chat.say("/mentor meet 2", who="amy")
    back = [r for r in outbox(bot, "meet:") if f"{SLOTS[1]:%Y%m%dT%H%M}" in r.dedupe_key][-2:]
    for row in back:
        (ics,) = [f.content for f in Message.from_json(row.payload).files()]
        assert _versions(ics) == [(uids[1], "CONFIRMED", 3), (uids[2], "CANCELLED", 3)]
    # The console saves each person's file under its own name: neither overwrites the other.
    saved = dict(re.findall(r"\[DM to (\w+)\].*?saved to (\S+?\.ics)\]", out, re.S))
    assert set(saved) == {"amy", "cat"} and saved["amy"] != saved["cat"]
    for who, zone in (("amy", MADRID), ("cat", SAO_PAULO)):
        calendar = Calendar.from_ical(Path(saved[who]).read_bytes())
        assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [zone]


async def _booked(chat, who: str) -> str:
    """The pair's booked start (UTC, ISO) from ``who``'s export."""
    out = await chat.say("/mentor export", who=who)
    (meeting,) = json.loads(out[out.index("{") : out.rindex("}") + 1])["meetings"]
    return str(meeting["starts_at"])[:16]


@pytest.mark.parametrize(
    ("who", "tag", "line", "utc"),
    [
        # Amy in Madrid (CEST, UTC+2 until Sunday 25 October; CET after), in Spanish.
        ("amy", "es", "viernes 17:30", "2026-10-23T15:30"),
        ("amy", "es", "mañana 15h", "2026-10-23T13:00"),
        ("amy", "es", "miercoles 16h30", "2026-10-28T15:30"),
        ("amy", "es", "Miércoles 17 h", "2026-10-28T16:00"),
        # Cat in São Paulo (UTC-3), in Portuguese.
        ("cat", "pt-BR", "sexta 10h", "2026-10-23T13:00"),
        ("cat", "pt-BR", "sexta-feira 11:00", "2026-10-23T14:00"),
        ("cat", "pt-BR", "amanhã 9h30", "2026-10-23T12:30"),
        ("cat", "pt-BR", "segunda 11 am", "2026-10-26T14:00"),
    ],
)
async def test_meet_reads_days_and_times_in_the_persons_language(bot, who, tag, line, utc):
    """Weekdays and "tomorrow" in the person's language, with or without accents, and the
    local ways to write a time ("15h", "16h30", "17 h", "1 pm")."""
    chat, _ = await introduced_on_the_console(bot)
    await chat.say(f"/mentor language {tag}", who=who)
    out = await chat.say(f"/mentor meet {line}", who=who)
    assert "[DM to" in out, out
    assert await _booked(chat, who) == utc


async def test_meet_errors_suggest_days_in_the_persons_language(bot):
    """A day it can't read: examples in Spanish and still to come (a week ahead, the day
    after tomorrow, tomorrow); a past day without a time: said to be past."""
    chat, _ = await introduced_on_the_console(bot)  # Thursday 22 October 2026
    await chat.say("/mentor language es", who="amy")
    out = await chat.say("/mentor meet algún día 17:30", who="amy")
    assert 'No pude entender "algún día" como un día.' in out
    assert "Prueba con `2026-10-29`, `sábado` o `mañana`, seguido de una hora." in out
    past = await chat.say("/mentor meet ayer", who="amy")
    assert "miércoles, 21 de octubre de 2026 ya pasó" in past, past
    assert "`/mentor meet mañana 17:30`" in past and "meet ayer 17:30" not in past
    assert "[DM to" not in past


async def test_a_holiday_or_small_hours_are_asked_about_before_booking(bot):
    """Lucía (Madrid, ES-MD, in Spanish) typing Spain's 8 December at 10:00: 06:00 for João
    in São Paulo, outside his hours. She is asked first, in Spanish, saying why; nothing is
    booked until she confirms. Brazil's 2 November (Finados) is his holiday."""
    chat, _ = await introduced_on_the_console(bot)
    await chat.say("/mentor language es", who="amy")
    await chat.say("/mentor profile set country ES-MD", who="amy")
    asked = await chat.say("/mentor meet 2026-12-08 10:00", who="amy")
    assert "Antes de reservar el *martes, 8 de diciembre de 2026, 10:00* (Europe/Madrid)" in asked
    assert "es festivo donde estás: Inmaculada Concepción." in asked, asked
    assert "Hora local de cat: martes, 8 de diciembre de 2026, 6:00 (America/Sao_Paulo)" in asked
    assert "[DM to" not in asked and "Reservada" not in asked
    booked = await chat.click("Reservar de todos modos", asked)
    assert "Reservada para el *martes, 8 de diciembre de 2026, 10:00*" in booked
    assert "[DM to cat] Your meeting with amy is booked for *Tue 8 Dec 2026, 06:00*" in booked

    finados = await chat.say("/mentor meet 2026-11-02 15:00", who="amy")
    assert "es festivo para cat: All Souls' Day."  # no Spanish names for Brazil in finados, finados
    assert "Para cat serían" not in finados  # 11:00 his time: within his hours
    other = await chat.click("Elegir otro horario", finados)
    assert "Dime qué horario" in other
    assert await _booked(chat, "amy") == "2026-12-08T09:00"


async def test_no_question_for_a_working_day_within_the_partners_hours(bot):
    """A time inside both people's days books at once; a partner without availability is
    asked about only outside 08:00-20:00 their time."""
    chat, _ = await introduced_on_the_console(bot)
    out = await chat.say("/mentor meet 2026-12-09 15:00", who="amy")
    assert "Booked for" in out and "please check" not in out
    await chat.say("/mentor profile clear availability", who="cat")
    late = await chat.say("/mentor meet 2026-12-10 23:00", who="amy")  # 19:00 in São Paulo
    assert "Booked for" in late, late
    early = await chat.say("/mentor meet 2026-12-11 11:30", who="amy")  # 07:30 there
    assert "outside 08:00–20:00 their time" in early and "Booked for" not in early
