"""Days off: a person's public holidays (by country, or country and subdivision) and the
program's own closed days, each read on the person's local date.

A person's holiday region is what they set (``ES``, ``ES-MD``: an ISO 3166 country code,
optionally with one of the subdivisions the ``holidays`` package knows), else the one country
their time zone belongs to in tzdata's ``zone.tab`` (``Europe/Madrid`` is ``ES``); zones not
tied to one country (``UTC``, ``CET``, a UTC offset) give none, and then only the program's
closed days count. :class:`DaysOff` looks holidays up, one year of one region at a time, and
keeps what it built for as long as its owner keeps it (no module-level cache).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import cache
from importlib import resources

from bot.errors import UserError

_CODE = re.compile(r"^\s*([A-Za-z]{2})(?:\s*[-_ ]\s*([A-Za-z0-9 ]{1,40}))?\s*$")


def supported_countries() -> dict[str, list[str]]:
    """Country code -> its subdivision codes, as the ``holidays`` package supports them."""
    import holidays

    return holidays.list_supported_countries()


def parse_region(text: str) -> str:
    """``"es"`` -> ``"ES"``, ``"es-md"`` -> ``"ES-MD"``; a friendly UserError when the
    ``holidays`` package knows no such country or subdivision.
    """
    match = _CODE.match(text)
    if not match:
        raise UserError("country.bad", text=text.strip())
    country, subdivision = match.group(1).upper(), match.group(2)
    known = supported_countries()
    if country not in known:
        raise UserError("country.unknown", text=text.strip())
    if subdivision is None:
        return country
    by_upper = {code.upper(): code for code in known[country]}
    code = by_upper.get(subdivision.strip().upper())
    if code is None:
        options = ", ".join(f"{country}-{c}" for c in known[country]) or "—"
        raise UserError(
            "country.unknown_subdivision",
            text=text.strip(),
            country=country,
            options=options,
        )
    return f"{country}-{code}"


@cache
def _zone_countries() -> dict[str, frozenset[str]]:
    """Zone -> the countries tzdata's zone.tab lists it for (read once; the file is static)."""
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    out: dict[str, set[str]] = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) >= 3:
            out.setdefault(cells[2], set()).add(cells[0])
    return {zone: frozenset(codes) for zone, codes in out.items()}


def region_from_zone(zone: str | None) -> str | None:
    """The country of a zone when it belongs to exactly one that the ``holidays`` package
    knows (``Europe/Berlin`` -> ``DE``); None for ``UTC``, offsets and shared zones.
    """
    if not zone:
        return None
    codes = _zone_countries().get(zone, frozenset())
    if len(codes) != 1:
        return None
    (code,) = codes
    return code if code in supported_countries() else None


def region_of(country: str | None, zone: str | None) -> str | None:
    """A person's holiday region: the one they set, else the one their zone implies."""
    return country or region_from_zone(zone)


def parse_closed_days(values: Iterable[str]) -> frozenset[date]:
    """``["2026-12-24", ...]`` -> dates; ValueError names the first that isn't ``YYYY-MM-DD``."""
    days = set()
    for value in values:
        try:
            days.add(date.fromisoformat(str(value).strip()))
        except ValueError:
            raise ValueError(value) from None
    return frozenset(days)


class DaysOff:
    """Which local dates are days off: public holidays of a region and the program's closed
    days. Holidays are built once per (country, subdivision, year) and kept by this object.
    """

    def __init__(self, closed: Iterable[date] = ()) -> None:
        """``closed``: the program's own closed days (``[program] closed_days``)."""
        self.closed = frozenset(closed)
        self._years: dict[tuple[str, str | None, int, str | None], dict[date, str]] = {}

    def holiday(self, region: str | None, day: date, language: str | None = None) -> str | None:
        """The name of the public holiday on ``day`` in ``region`` (None: a normal day), in
        ``language`` (a tag: ``es``, ``pt-BR``) when the ``holidays`` package has it in that
        language, else in English.
        """
        if not region:
            return None
        country, _, subdivision = region.partition("-")
        key = (country, subdivision or None, day.year, language)
        known = self._years.get(key)
        if known is None:
            known = self._years[key] = _year(*key)
        return known.get(day)

    def is_off(self, region: str | None, day: date) -> bool:
        """Whether ``day`` (a local date) is closed for the program or a holiday in ``region``."""
        return day in self.closed or self.holiday(region, day) is not None


def _year(
    country: str, subdivision: str | None, year: int, language: str | None = None
) -> dict[date, str]:
    """One year of public holidays of a country (and subdivision), named in ``language``."""
    import holidays

    try:
        named = _language(country, language)
        if named is None:
            found = holidays.country_holidays(country, subdiv=subdivision, years=year)
        else:
            found = holidays.country_holidays(
                country, subdiv=subdivision, years=year, language=named
            )
    except (KeyError, NotImplementedError):  # a region stored before the package dropped it
        return {}
    return dict(found.items())


def _language(country: str, tag: str | None) -> str | None:
    """The ``holidays`` package's spelling of ``tag`` for ``country`` ("pt-BR" -> "pt_BR",
    "es" -> "es", "en" -> "en_US") when it has names in it; else None (English by default).
    """
    import holidays

    if not tag:
        return None
    supported = set(getattr(holidays.country_holidays(country), "supported_languages", ()))
    wanted = tag.replace("-", "_")
    for option in (wanted, wanted.split("_")[0], "en_US" if wanted.startswith("en") else ""):
        if option in supported:
            return option
    return None
