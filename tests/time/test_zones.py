"""Time zone input: IANA names, city names, abbreviations and UTC offsets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.time.zones import (
    AmbiguousTimezone,
    UnknownTimezone,
    get_zone,
    parse_timezone,
    zone_exists,
    zone_label,
)
from tests.conftest import run, text_of


@pytest.mark.parametrize(
    ("typed", "key", "fixed"),
    [
        ("Europe/London", "Europe/London", False),
        ("europe/london", "Europe/London", False),
        ("London", "Europe/London", False),
        ("  new york ", "America/New_York", False),
        ("New_York", "America/New_York", False),
        ("São Paulo", "America/Sao_Paulo", False),
        ("san francisco", "America/Los_Angeles", False),
        ("Bengaluru", "Asia/Kolkata", False),
        ("kathmandu", "Asia/Kathmandu", False),
        ("St Johns", "America/St_Johns", False),
        ("Lord Howe", "Australia/Lord_Howe", False),
        ("UTC", "UTC", False),
        ("gmt", "GMT", False),  # the IANA zone (UTC+0 all year); the reply points to London
        ("PST", "America/Los_Angeles", False),
        ("UTC+2", "UTC+02:00", True),
        ("utc-5", "UTC-05:00", True),
        ("GMT+10", "UTC+10:00", True),
        ("+05:30", "UTC+05:30", True),
        ("UTC+5:45", "UTC+05:45", True),
        ("UTC-03:30", "UTC-03:30", True),
        ("UTC+0", "UTC", False),
        ("UTC+14", "UTC+14:00", True),
    ],
)
def test_parse_timezone(typed, key, fixed):
    """Each accepted spelling maps to the zone we store."""
    choice = parse_timezone(typed)
    assert choice.key == key
    assert choice.fixed_offset is fixed
    assert zone_exists(choice.key)


@pytest.mark.parametrize("typed", ["Atlantis", "UTC+15", "UTC-13", "+5:75", "IST", "", "../etc"])
def test_unknown_timezones_are_rejected(typed):
    """Unknown, out-of-range and ambiguous zones raise UnknownTimezone."""
    with pytest.raises(UnknownTimezone):
        parse_timezone(typed)


def test_typos_get_suggestions():
    """A near miss suggests the zone the person probably meant."""
    with pytest.raises(UnknownTimezone) as info:
        parse_timezone("Londn")
    assert "London" in info.value.suggestions


def test_offset_zone_has_the_right_offset():
    """Etc/GMT signs are inverted; the stored zone must still mean what the person typed."""
    instant = datetime(2026, 7, 1, 12, tzinfo=UTC)
    assert instant.astimezone(get_zone(parse_timezone("UTC+2").key)).hour == 14
    assert get_zone("UTC+05:30").utcoffset(instant) == timedelta(hours=5, minutes=30)
    assert get_zone("UTC-03:30").utcoffset(instant) == -timedelta(hours=3, minutes=30)


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("UTC+14:00", "UTC+14"),
        ("UTC-05:00", "UTC-5"),
        ("UTC+05:30", "UTC+5:30"),
        ("Etc/GMT-14", "UTC+14"),
        ("Etc/GMT+5", "UTC-5"),
        ("Europe/Paris", "Europe/Paris"),
    ],
)
def test_offsets_are_shown_as_people_write_them(key, label):
    """`UTC+14` is shown as UTC+14, never as the inverted Etc/GMT-14."""
    assert zone_label(key) == label


@pytest.mark.parametrize("key", ["Nowhere/City", "", " UTC", "/etc/passwd"])
def test_zone_exists_rejects_garbage(key):
    """Keys that are not zones are not accepted as stored zones."""
    assert not zone_exists(key)


@pytest.mark.parametrize(
    ("typed", "key", "kind"),
    [
        ("EST", "EST", "legacy"),  # an IANA zone itself: UTC-5 all year, and the reply says so
        ("est", "EST", "legacy"),
        ("MST", "MST", "legacy"),
        ("GMT", "GMT", "legacy"),
        ("Europe/London", "Europe/London", ""),
        ("PST", "America/Los_Angeles", "dst"),  # winter and summer: US Pacific, with DST
        ("PDT", "America/Los_Angeles", "dst"),
        ("Eastern", "America/New_York", "dst"),
        ("CDT", "America/Chicago", "dst"),
        ("India", "Asia/Kolkata", ""),  # countries with one clock resolve
        ("Germany", "Europe/Berlin", ""),
        ("France", "Europe/Paris", ""),
        ("Japan", "Asia/Tokyo", ""),  # not the legacy link "Japan"
        ("united kingdom", "Europe/London", ""),
        ("JST", "Asia/Tokyo", ""),
        ("UTC", "UTC", ""),
    ],
)
def test_zone_names_and_abbreviations(typed, key, kind):
    choice = parse_timezone(typed)
    assert choice.key == key
    assert bool(choice.region) == (kind == "legacy")
    assert bool(choice.follows_dst) == (kind == "dst")


@pytest.mark.parametrize(
    ("typed", "options"),
    [
        ("IST", {"Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"}),
        ("CST", {"America/Chicago", "Asia/Shanghai", "America/Havana"}),
        ("BST", {"Europe/London", "Asia/Dhaka"}),
        ("AEST", {"Australia/Sydney", "Australia/Brisbane"}),
        ("USA", {"America/New_York", "America/Chicago", "America/Los_Angeles"}),
    ],
)
def test_ambiguous_names_offer_choices(typed, options):
    with pytest.raises(AmbiguousTimezone) as info:
        parse_timezone(typed)
    assert options <= {key for _, key in info.value.options}


def test_an_ambiguous_zone_asks_with_buttons_and_a_button_sets_it(bot):
    from bot.events import Action, Command
    from tests.conftest import actor

    run(bot, "join mentee")
    reply = bot.handle(Command(actor("alice"), "timezone IST"))
    buttons = [b for p in reply.parts if hasattr(p, "buttons") for b in p.buttons]  # type: ignore[union-attr]
    assert [b.command for b in buttons] == [
        "timezone Asia/Kolkata",
        "timezone Europe/Dublin",
        "timezone Asia/Jerusalem",
    ]
    assert buttons[0].label == "India · 17:30"  # its local time now (12:00 UTC)
    assert "Saved your time zone: Asia/Kolkata" in text_of(
        bot.handle(Action(actor("alice"), buttons[0].command))
    )
    legacy = run(bot, "timezone EST")
    assert "EST is UTC-5 all year" in legacy and "/mentor timezone America/New_York" in legacy
    assert "follows daylight saving" in run(bot, "timezone PST")


def _one_word_names() -> list[str]:
    """Every IANA name without a "/" (Portugal, Japan, GB, UTC ...), from the zone database."""
    from zoneinfo import available_timezones

    return sorted(key for key in available_timezones() if "/" not in key)


@pytest.mark.parametrize("name", _one_word_names())
@pytest.mark.parametrize("case", [str, str.lower, str.upper])
def test_an_exact_one_word_zone_name_wins_and_keeps_its_clock(name, case):
    """A one-word IANA name in any case is taken as that zone (no question), stored as itself
    or a zone with the very same clock over three decades.
    """
    key = parse_timezone(case(name)).key
    instants = [
        datetime(year, month, 15, 12, tzinfo=UTC)
        for year in range(2000, 2031)
        for month in range(1, 13)
    ]
    assert [t.astimezone(get_zone(key)).utcoffset() for t in instants] == [
        t.astimezone(get_zone(name)).utcoffset() for t in instants
    ]


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Portugal", "Europe/Lisbon"),  # not "Lisbon or Azores?": the name is a zone
        ("portugal", "Europe/Lisbon"),
        ("Japan", "Asia/Tokyo"),
        ("Iceland", "Atlantic/Reykjavik"),  # the country's zone, not Africa/Abidjan it links to
        ("GB", "Europe/London"),
        ("eire", "Europe/Dublin"),
        ("NZ", "Pacific/Auckland"),
        ("US/Eastern", "US/Eastern"),  # names with a "/" are kept as typed
        ("UTC", "UTC"),
        ("Zulu", "Zulu"),
        ("EST", "EST"),
    ],
)
def test_legacy_names_are_stored_as_their_place(typed, key):
    """One-word legacy names that stand for a place are stored as that place's zone."""
    assert parse_timezone(typed).key == key


def test_timezone_portugal_saves_lisbon_without_asking(bot):
    """`timezone Portugal` saves Europe/Lisbon straight away: no buttons."""
    from bot.events import Command
    from tests.conftest import actor

    run(bot, "join mentee")
    reply = bot.handle(Command(actor("alice"), "timezone Portugal"))
    assert not [p for p in reply.parts if hasattr(p, "buttons")]
    assert "Saved your time zone: Europe/Lisbon" in text_of(reply)
    assert "Europe/Lisbon" in run(bot, "timezone")
