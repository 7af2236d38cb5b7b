"""A Madrid mentee and a São Paulo mentor, introduced across Madrid's October DST change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from bot.app import MentorBot
from bot.events import Actor, Command, Surface
from tests.conftest import text_of

# Thursday 22 October 2026: the suggested slots fall on Friday 23 (Madrid on CEST, UTC+2) and
# Monday 26, Tuesday 27 (CET, UTC+1, after the change on Sunday 25); São Paulo stays UTC-3.
INTRODUCED = datetime(2026, 10, 22, 12, 0, tzinfo=UTC)
# Both available weekdays 09:00-17:00 their time: 12:00-15:00 UTC before the change, 12:00-16:00
# after it, so each day's first half-hour slot starts at 12:00 UTC.
SLOTS = [
    datetime(2026, 10, 23, 12, 0, tzinfo=UTC),
    datetime(2026, 10, 26, 12, 0, tzinfo=UTC),
    datetime(2026, 10, 27, 12, 0, tzinfo=UTC),
]
MADRID, SAO_PAULO = "Europe/Madrid", "America/Sao_Paulo"
# Madrid's wall clock at each slot: 14:00 on CEST, then 13:00 on CET.
MADRID_WALL = ["2026-10-23 14:00", "2026-10-26 13:00", "2026-10-27 13:00"]
SAO_PAULO_WALL = ["2026-10-23 09:00", "2026-10-26 09:00", "2026-10-27 09:00"]


def say(bot: MentorBot, platform: str, workspace: str, surface: Surface, who: str, line: str):
    """``/mentor <line>`` as ``who`` on ``platform``; the reply as plain text."""
    actor = Actor(platform, who, who, workspace, surface=surface)
    return text_of(bot.handle(Command(actor, line)))


def madrid_and_sao_paulo(
    bot: MentorBot, platform: str, workspace: str, surface: Surface, ids: tuple[str, str]
) -> None:
    """Join ``ids`` (mentee in Madrid, mentor in São Paulo), then match and publish."""
    mentee, mentor = ids
    steps = [
        (mentee, "join mentee"),
        (mentee, f"timezone {MADRID}"),
        (mentee, "profile set wants python"),
        (mentee, "profile set availability mon-fri 09:00-17:00"),
        (mentor, "join mentor"),
        (mentor, f"timezone {SAO_PAULO}"),
        (mentor, "profile set skills python"),
        (mentor, "profile set availability mon-fri 09:00-17:00"),
    ]
    bot.clock.set(INTRODUCED - timedelta(hours=1))  # type: ignore[attr-defined]
    for who, line in steps:
        say(bot, platform, workspace, surface, who, line)
    bot.clock.set(INTRODUCED)  # type: ignore[attr-defined]
    assert "1 pair," in say(bot, platform, workspace, surface, "boss", "admin match")
    assert "1 pair matched" in say(bot, platform, workspace, surface, "boss", "admin publish")


def events_of(ics: bytes) -> list:
    """The VEVENTs of an .ics, checked to be one PUBLISH calendar from mentorbot."""
    calendar = Calendar.from_ical(ics)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert "mentorbot" in str(calendar["PRODID"])
    return list(calendar.walk("VEVENT"))


def check_slots(ics: bytes, zone: str, walls: list[str]) -> list[str]:
    """One VEVENT per slot, at the slot's instant, written in ``zone`` (TZID and VTIMEZONE);
    returns their UIDs.
    """
    calendar = Calendar.from_ical(ics)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [zone]
    events = events_of(ics)
    assert len(events) == len(SLOTS)
    for event, slot, wall in zip(events, SLOTS, walls, strict=True):
        assert event["DTSTART"].params["TZID"] == zone
        start = event.decoded("DTSTART")
        assert start.astimezone(UTC) == slot
        assert f"{start:%Y-%m-%d %H:%M}" == wall
        assert (event.decoded("DTEND") - start).total_seconds() == 30 * 60
    return [str(e["UID"]) for e in events]
