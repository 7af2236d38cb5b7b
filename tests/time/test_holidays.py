"""Days off: holiday regions as people write them, the country a zone implies, public holidays
per region and year (held by one object), the program's closed days, and nudges moved past
them like a weekend (DST-safe)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import holidays
import pytest

from bot.config import load_settings
from bot.errors import ConfigError, UserError
from bot.time.holidays import DaysOff, parse_region, region_from_zone, region_of
from bot.time.nudges import LocalRules, next_sensible, nudge_instant, nudge_wall


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("es", "ES"), ("ES-MD", "ES-MD"), ("es_md", "ES-MD"), (" br-sp ", "BR-SP"), ("de", "DE")],
)
def test_regions_are_read_as_iso_codes(typed, stored):
    """A country, or a country and subdivision, in any case and with ``-`` or ``_``."""
    assert parse_region(typed) == stored


@pytest.mark.parametrize(
    ("typed", "key", "shown"),
    [
        ("Spain!", "country.bad", "Spain!"),
        ("XX", "country.unknown", "XX"),
        ("ES-ZZ", "country.unknown_subdivision", "ES-MD"),
    ],
)
def test_unknown_regions_are_friendly_errors(typed, key, shown):
    """What the holidays package doesn't know is a UserError saying how to write it."""
    with pytest.raises(UserError) as caught:
        parse_region(typed)
    assert caught.value.key == key
    assert shown in " ".join(str(v) for v in caught.value.params.values())


@pytest.mark.parametrize(
    ("zone", "region"),
    [
        ("Europe/Madrid", "ES"),
        ("America/Sao_Paulo", "BR"),
        ("Europe/Berlin", "DE"),
        ("Atlantic/Canary", "ES"),
        ("UTC", None),  # no country
        ("CET", None),  # several countries
        ("Etc/GMT-3", None),
        ("UTC+05:30", None),  # an offset
        (None, None),
    ],
)
def test_a_zone_implies_its_country_only_when_it_has_exactly_one(zone, region):
    """Europe/Madrid is Spain; UTC, CET and offsets imply no country."""
    assert region_from_zone(zone) == region


def test_a_set_region_wins_over_the_zone():
    """Someone in Madrid who keeps Brazilian holidays says so and is believed."""
    assert region_of("BR-SP", "Europe/Madrid") == "BR-SP"
    assert region_of(None, "Europe/Madrid") == "ES"


@pytest.mark.parametrize(
    ("region", "day", "off"),
    [
        ("ES", date(2026, 12, 8), True),  # Inmaculada Concepción
        ("ES", date(2026, 12, 25), True),
        ("ES", date(2026, 12, 9), False),
        ("ES", date(2026, 12, 7), False),  # Madrid's, not Spain's
        ("ES-MD", date(2026, 12, 7), True),
        ("ES-MD", date(2027, 5, 3), True),  # 2 May falls on Sunday in 2027: moved to Monday
        ("ES-CT", date(2026, 9, 11), True),  # la Diada
        ("ES", date(2026, 9, 11), False),
        ("BR", date(2026, 11, 20), True),  # Consciência Negra, national since 2024
        ("BR", date(2026, 12, 8), False),
        (None, date(2026, 12, 25), False),  # no region: only closed days
    ],
)
def test_public_holidays_per_region(region, day, off):
    """National and subdivision holidays, on the date itself."""
    assert DaysOff().is_off(region, day) is off


def test_closed_days_are_off_for_everyone():
    """The program's closed days count whatever the region."""
    days_off = DaysOff({date(2026, 12, 24)})
    assert days_off.is_off(None, date(2026, 12, 24))
    assert days_off.is_off("BR", date(2026, 12, 24))
    assert not days_off.is_off("BR", date(2026, 12, 23))


def test_holidays_are_built_once_per_region_and_year(monkeypatch):
    """One year of one region is asked of the package once, however many days are looked up."""
    calls: list[tuple[str, str | None, object]] = []
    real = holidays.country_holidays

    def counting(country, subdiv=None, years=None):  # type: ignore[no-untyped-def]
        calls.append((country, subdiv, years))
        return real(country, subdiv=subdiv, years=years)

    monkeypatch.setattr(holidays, "country_holidays", counting)
    days_off = DaysOff()
    for day in range(1, 32):
        days_off.is_off("ES", date(2026, 12, day))
        days_off.is_off("ES-MD", date(2026, 12, day))
    days_off.is_off("ES", date(2027, 1, 6))
    assert calls == [("ES", None, 2026), ("ES", "MD", 2026), ("ES", None, 2027)]
    assert DaysOff().is_off("ES", date(2026, 12, 8))  # another owner, its own lookups
    assert len(calls) == 4


def _rules(zone: str, days_off: DaysOff | None, country: str | None = None) -> LocalRules:
    return LocalRules.of(
        zone, None, None, None, default_timezone="UTC", country=country, days_off=days_off
    )


def test_a_nudge_on_a_holiday_moves_to_the_next_working_day():
    """Tuesday 8 December 10:00: Wednesday for someone in Madrid, Tuesday in São Paulo."""
    tuesday = datetime(2026, 12, 8, 10, 0)
    days_off = DaysOff()
    assert nudge_wall(tuesday, _rules("Europe/Madrid", days_off)) == datetime(2026, 12, 9, 10)
    assert nudge_wall(tuesday, _rules("America/Sao_Paulo", days_off)) == tuesday
    assert nudge_wall(tuesday, _rules("Europe/Madrid", None)) == tuesday  # as before


def test_holidays_closed_days_and_the_weekend_chain():
    """Closed 24th, Christmas on Friday, then the weekend: Monday the 28th."""
    days_off = DaysOff({date(2026, 12, 24)})
    thursday = datetime(2026, 12, 24, 10, 0)
    assert nudge_wall(thursday, _rules("Europe/Madrid", days_off)) == datetime(2026, 12, 28, 10)


def test_a_move_past_a_closed_day_keeps_the_local_hour_across_dst():
    """Friday 23 October is closed: Monday 26th 10:00 Madrid, after the clocks went back
    (09:00 UTC, not the 08:00 UTC of the Friday)."""
    days_off = DaysOff({date(2026, 10, 23)})
    rules = _rules("Europe/Madrid", days_off)
    instant = nudge_instant(datetime(2026, 10, 23, 10, 0), rules)
    assert instant == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)


def test_a_set_subdivision_moves_nudges_its_country_does_not():
    """Madrid's Monday 7 December moves for ES-MD only."""
    monday = datetime(2026, 12, 7, 10, 0)
    days_off = DaysOff()
    assert nudge_wall(monday, _rules("Europe/Madrid", days_off)) == monday
    moved = nudge_wall(monday, _rules("Europe/Madrid", days_off, "ES-MD"))
    assert moved == datetime(2026, 12, 9, 10)  # 8th is Spain's holiday too


def test_a_message_sent_now_waits_past_a_holiday():
    """Sensible timing for one-off messages counts the holiday as a day off too."""
    now = datetime(2026, 12, 8, 11, 0, tzinfo=UTC)  # Tuesday noon in Madrid, a holiday
    later = next_sensible(now, _rules("Europe/Madrid", DaysOff()))
    assert later.astimezone(UTC) == datetime(2026, 12, 9, 8, 0, tzinfo=UTC)  # 09:00 local


def test_closed_days_are_set_in_the_config(tmp_path):
    """``[program] closed_days`` are dates; a wrong one is named at start-up."""
    path = tmp_path / "c.toml"
    path.write_text('[program]\nclosed_days = ["2026-12-24", "2026-12-31"]\n')
    settings = load_settings(path, env={})
    assert settings.program.closed_dates == {date(2026, 12, 24), date(2026, 12, 31)}
    path.write_text('[program]\nclosed_days = ["24/12/2026"]\n')
    with pytest.raises(ConfigError, match="closed_days: '24/12/2026' is not a date"):
        load_settings(path, env={})


def test_holiday_names_in_the_persons_language_when_the_package_has_them():
    """Names in the asked language where the ``holidays`` package has it, else English."""
    days_off = DaysOff()
    assert days_off.holiday("ES-MD", date(2026, 12, 8), "es") == "Inmaculada Concepción"
    assert days_off.holiday("BR", date(2026, 11, 2), "pt-BR") == "Finados"
    assert days_off.holiday("BR", date(2026, 11, 2), "es") == "All Souls' Day"
    assert days_off.holiday("ES", date(2026, 12, 8)) == "Immaculate Conception"
