"""Turning what people type ("London", "new york", "UTC+5:30") into a time zone.

Accepted, in order: IANA names (any case), city names (the last part of IANA names plus common
cities that are not zone names), a few unambiguous abbreviations, and UTC offsets. Offsets
are stored as ``UTC+05:30`` (and shown as ``UTC+5:30``, ``UTC+14``). Offsets do not
follow daylight saving, so a city is always the better answer and the reply says so.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# Cities people name that are not IANA zone names, mapped to the zone they live in.
CITY_ALIASES: dict[str, str] = {
    "san francisco": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "portland": "America/Los_Angeles",
    "san diego": "America/Los_Angeles",
    "san jose": "America/Los_Angeles",
    "silicon valley": "America/Los_Angeles",
    "washington": "America/New_York",
    "washington dc": "America/New_York",
    "boston": "America/New_York",
    "miami": "America/New_York",
    "atlanta": "America/New_York",
    "philadelphia": "America/New_York",
    "pittsburgh": "America/New_York",
    "nyc": "America/New_York",
    "austin": "America/Chicago",
    "dallas": "America/Chicago",
    "houston": "America/Chicago",
    "minneapolis": "America/Chicago",
    "salt lake city": "America/Denver",
    "montreal": "America/Toronto",
    "ottawa": "America/Toronto",
    "calgary": "America/Edmonton",
    "rio de janeiro": "America/Sao_Paulo",
    "rio": "America/Sao_Paulo",
    "brasilia": "America/Sao_Paulo",
    "medellin": "America/Bogota",
    "munich": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "cologne": "Europe/Berlin",
    "barcelona": "Europe/Madrid",
    "valencia": "Europe/Madrid",
    "milan": "Europe/Rome",
    "florence": "Europe/Rome",
    "naples": "Europe/Rome",
    "geneva": "Europe/Zurich",
    "basel": "Europe/Zurich",
    "lyon": "Europe/Paris",
    "marseille": "Europe/Paris",
    "manchester": "Europe/London",
    "edinburgh": "Europe/London",
    "glasgow": "Europe/London",
    "birmingham": "Europe/London",
    "cardiff": "Europe/London",
    "belfast": "Europe/London",
    "cork": "Europe/Dublin",
    "rotterdam": "Europe/Amsterdam",
    "the hague": "Europe/Amsterdam",
    "krakow": "Europe/Warsaw",
    "gothenburg": "Europe/Stockholm",
    "st petersburg": "Europe/Moscow",
    "saint petersburg": "Europe/Moscow",
    "tel aviv": "Asia/Jerusalem",
    "haifa": "Asia/Jerusalem",
    "abu dhabi": "Asia/Dubai",
    "mumbai": "Asia/Kolkata",
    "bombay": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "bengaluru": "Asia/Kolkata",
    "chennai": "Asia/Kolkata",
    "hyderabad": "Asia/Kolkata",
    "pune": "Asia/Kolkata",
    "kolkata": "Asia/Kolkata",
    "calcutta": "Asia/Kolkata",
    "beijing": "Asia/Shanghai",
    "shenzhen": "Asia/Shanghai",
    "guangzhou": "Asia/Shanghai",
    "hangzhou": "Asia/Shanghai",
    "osaka": "Asia/Tokyo",
    "kyoto": "Asia/Tokyo",
    "busan": "Asia/Seoul",
    "hanoi": "Asia/Bangkok",
    "saigon": "Asia/Ho_Chi_Minh",
    "ho chi minh city": "Asia/Ho_Chi_Minh",
    "cape town": "Africa/Johannesburg",
    "durban": "Africa/Johannesburg",
    "abuja": "Africa/Lagos",
    "accra": "Africa/Accra",
    "canberra": "Australia/Sydney",
    "wellington": "Pacific/Auckland",
    "christchurch": "Pacific/Auckland",
    "chatham islands": "Pacific/Chatham",
    "lord howe": "Australia/Lord_Howe",
}

# Abbreviations that name a region's time, which follows daylight saving there: "PST" typed in
# July still means Los Angeles (whose clocks show PDT then). The reply says so.
DST_REGIONS: dict[str, str] = {
    "eastern": "America/New_York",
    "et": "America/New_York",
    "edt": "America/New_York",
    "central": "America/Chicago",
    "ct": "America/Chicago",
    "cdt": "America/Chicago",
    "mountain": "America/Denver",
    "mt": "America/Denver",
    "mdt": "America/Denver",
    "pacific": "America/Los_Angeles",
    "pt": "America/Los_Angeles",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "akst": "America/Anchorage",
    "cest": "Europe/Paris",
    "eest": "Europe/Athens",
    "bst": "Europe/London",  # only with "british"; plain BST is ambiguous (below)
    "aedt": "Australia/Sydney",
    "nzst": "Pacific/Auckland",
    "nzdt": "Pacific/Auckland",
}
# Abbreviations and names with one clear meaning and no daylight saving question.
ABBREVIATIONS: dict[str, str] = {
    "z": "UTC",
    "zulu": "UTC",
    "jst": "Asia/Tokyo",
    "kst": "Asia/Seoul",
    "sgt": "Asia/Singapore",
    "hkt": "Asia/Hong_Kong",
    "pht": "Asia/Manila",
    "wib": "Asia/Jakarta",
    "msk": "Europe/Moscow",
    "sast": "Africa/Johannesburg",
    "wat": "Africa/Lagos",
    "eat": "Africa/Nairobi",
    "brt": "America/Sao_Paulo",
    "art": "America/Argentina/Buenos_Aires",
    "awst": "Australia/Perth",
    "acst": "Australia/Darwin",
}
# Abbreviations several places use: the person chooses (each option with its local time).
AMBIGUOUS: dict[str, tuple[tuple[str, str], ...]] = {
    "ist": (("India", "Asia/Kolkata"), ("Ireland", "Europe/Dublin"), ("Israel", "Asia/Jerusalem")),
    "cst": (
        ("US Central", "America/Chicago"),
        ("China", "Asia/Shanghai"),
        ("Cuba", "America/Havana"),
    ),
    "bst": (("UK (British Summer Time)", "Europe/London"), ("Bangladesh", "Asia/Dhaka")),
    "ast": (("Atlantic (Halifax)", "America/Halifax"), ("Arabia (Riyadh)", "Asia/Riyadh")),
    "aest": (
        ("Sydney, Melbourne, Canberra (with daylight saving)", "Australia/Sydney"),
        ("Brisbane (no daylight saving)", "Australia/Brisbane"),
    ),
    "sst": (("Samoa (Pago Pago)", "Pacific/Pago_Pago"), ("Singapore", "Asia/Singapore")),
    "cat": (("Central Africa (Maputo)", "Africa/Maputo"), ("Cuba", "America/Havana")),
}
# IANA's legacy zones named like abbreviations keep one offset all year; the regions people
# usually mean by them change their clocks. Stored as typed (exact names win), with a note.
FIXED_LEGACY: dict[str, str] = {
    "EST": "America/New_York",
    "MST": "America/Denver",
    "GMT": "Europe/London",
    "CET": "Europe/Paris",
    "EET": "Europe/Athens",
    "WET": "Europe/Lisbon",
}

_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$")


@dataclass(frozen=True)
class ZoneChoice:
    """A parsed zone: ``key`` is what we store; ``fixed_offset`` warns that DST is not followed;
    ``follows_dst`` says an abbreviation was read as its region's time (which changes in
    summer); ``region`` names the zone a legacy fixed zone's region uses.
    """

    key: str
    fixed_offset: bool = False
    follows_dst: str = ""  # the abbreviation typed, when read as a region that has DST
    region: str = ""  # for EST, GMT ...: the zone of the region people usually mean


class UnknownTimezone(ValueError):
    """A zone we don't know, with suggestions for what was meant."""

    def __init__(self, text: str, suggestions: list[str]) -> None:
        super().__init__(text)
        self.text = text
        self.suggestions = suggestions


class AmbiguousTimezone(UnknownTimezone):
    """Text that names several zones (``IST``, ``CST``, a country with several): ``options``
    are (label, zone key) to choose from.
    """

    def __init__(self, text: str, options: list[tuple[str, str]]) -> None:
        super().__init__(text, [label for label, _ in options])
        self.options = options


@lru_cache(maxsize=1)
def _countries() -> dict[str, list[str]]:
    """Normalised country name -> its zones (IANA's zone.tab and iso3166.tab)."""
    from importlib import resources

    base = resources.files("tzdata").joinpath("zoneinfo")
    names: dict[str, str] = {}
    for line in base.joinpath("iso3166.tab").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, name = line.split("\t", 1)
            names[code] = name
    zones: dict[str, list[str]] = {}
    for line in base.joinpath("zone.tab").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, _coords, key = line.split("\t")[:3]
            if code in names:
                zones.setdefault(_normalise(names[code]), []).append(key)
    aliases = {"usa": "united states", "us": "united states", "uk": "britain (uk)"}
    for alias, name in aliases.items():
        if name in zones:
            zones[alias] = zones[name]
    zones.setdefault("united kingdom", zones.get("britain (uk)", []))
    return zones


@lru_cache(maxsize=1)
def _links() -> dict[str, str]:
    """Link name -> the zone it points to (the ``L target name`` lines of IANA's tzdata.zi)."""
    from importlib import resources

    zi = resources.files("tzdata").joinpath("zoneinfo", "tzdata.zi").read_text(encoding="utf-8")
    return {
        fields[2]: fields[1]
        for fields in (line.split() for line in zi.splitlines() if line.startswith("L "))
    }


def _modern_name(key: str) -> str:
    """The place-named zone a one-word legacy name stands for, or ``key`` itself.

    ``Portugal``, ``Japan``, ``GB``, ``NZ`` are links to ``Europe/Lisbon``, ``Asia/Tokyo``,
    ``Europe/London``, ``Pacific/Auckland``: stored as those, so everyone's zone reads the same
    way. A country's own zone wins over the link's target (``Iceland`` is
    ``Atlantic/Reykjavik``, not the ``Africa/Abidjan`` it links to). Names that are not places
    (``UTC``, ``EST``, ``GMT``) and names with a ``/`` are kept as typed.
    """
    target = _links().get(key)
    if "/" in key or key in FIXED_LEGACY or target is None:
        return key
    countries = _countries()
    for zone in countries.get(_normalise(key), []):
        if target in (zone, _links().get(zone)):
            return zone
    located = {zone for zones in countries.values() for zone in zones}
    return target if target in located else key


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower().replace("_", " ").replace(".", "").replace("-", " ")
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=1)
def _indexes() -> tuple[dict[str, str], dict[str, str]]:
    """(lower-case IANA key -> key, city name -> key), built once from the zone database."""
    by_key: dict[str, str] = {}
    by_city: dict[str, str] = {}
    for key in sorted(available_timezones()):
        by_key[key.lower()] = key
        if "/" in key and not key.startswith(("Etc/", "SystemV/", "US/", "Canada/", "Brazil/")):
            city = _normalise(key.rsplit("/", 1)[1])
            # Prefer canonical continents over legacy aliases for the same city name.
            by_city.setdefault(city, key)
    for city, key in CITY_ALIASES.items():
        by_city.setdefault(_normalise(city), key)
    return by_key, by_city


def zone_exists(key: str) -> bool:
    """Whether ``key`` is a zone we can use."""
    try:
        get_zone(key)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@lru_cache(maxsize=2048)
def get_zone(key: str) -> tzinfo:
    """The tzinfo for a stored key: an IANA zone, or a fixed ``UTC+HH:MM`` offset.

    Cached: zoneinfo keeps only a few zones alive on its own, so a program spread over
    hundreds of zones would otherwise parse zone files again and again.
    """
    match = re.fullmatch(r"UTC([+-])(\d{2}):(\d{2})", key)
    if match:
        sign = 1 if match.group(1) == "+" else -1
        delta = timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
        return timezone(sign * delta, key)
    if not key or key != key.strip() or ".." in key or key.startswith("/"):
        raise ValueError(f"not a zone key: {key!r}")
    return ZoneInfo(key)


def _from_offset(sign: str, hours: int, minutes: int) -> ZoneChoice | None:
    if minutes >= 60 or hours > 14 or (hours == 14 and minutes):
        return None
    total = hours * 60 + minutes
    if sign == "-" and total > 12 * 60:
        return None
    if total == 0:
        return ZoneChoice("UTC")
    return ZoneChoice(f"UTC{sign}{hours:02d}:{minutes:02d}", fixed_offset=True)


def zone_label(key: str) -> str:
    """A stored zone as people write it: ``UTC+14`` rather than ``UTC+14:00`` or the inverted
    POSIX name ``Etc/GMT-14`` (which older versions stored); IANA names unchanged.
    """
    match = re.fullmatch(r"UTC([+-])(\d{2}):(\d{2})", key)
    if match:
        sign, hours, minutes = match.group(1), int(match.group(2)), match.group(3)
        return f"UTC{sign}{hours}" + (f":{minutes}" if minutes != "00" else "")
    match = re.fullmatch(r"Etc/GMT([+-])(\d{1,2})", key)
    if match:
        return f"UTC{'-' if match.group(1) == '+' else '+'}{int(match.group(2))}"
    return key


def _distinct_clocks(keys: list[str]) -> list[str]:
    """The first zone of each distinct clock (offsets in January and July) among ``keys``, in
    IANA's order (which lists a country's main zone first): Berlin and Busingen are one clock.
    """
    from datetime import datetime

    seen: dict[tuple[object, object], str] = {}
    for key in keys:
        tz = get_zone(key)
        clock = (
            datetime(2026, 1, 15, 12, tzinfo=tz).utcoffset(),
            datetime(2026, 7, 15, 12, tzinfo=tz).utcoffset(),
        )
        seen.setdefault(clock, key)
    return list(seen.values())


def parse_timezone(text: str) -> ZoneChoice:
    """Parse a zone as people type it. Exact IANA names win; abbreviations of regions with
    daylight saving are read as the region (and say so); ambiguous ones and countries with
    several zones raise :class:`AmbiguousTimezone`; unknown text :class:`UnknownTimezone`
    with suggestions.
    """
    raw = text.strip()
    by_key, by_city = _indexes()
    norm = _normalise(raw)
    countries = _countries()
    if raw.lower() in by_key:
        key = by_key[raw.lower()]
        return ZoneChoice(_modern_name(key), region=FIXED_LEGACY.get(key, ""))
    if norm in AMBIGUOUS:
        raise AmbiguousTimezone(raw, list(AMBIGUOUS[norm]))
    if norm in DST_REGIONS:
        return ZoneChoice(DST_REGIONS[norm], follows_dst=raw.upper())
    if norm in ABBREVIATIONS:
        return ZoneChoice(ABBREVIATIONS[norm])
    match = _OFFSET.match(re.sub(r"\s+", "", raw.lower()))
    if match:
        choice = _from_offset(match.group(1), int(match.group(2)), int(match.group(3) or 0))
        if choice:
            return choice
        raise UnknownTimezone(raw, [])
    if norm in by_city:
        return ZoneChoice(by_city[norm])
    if norm in countries:
        zones = _distinct_clocks(countries[norm])
        if len(zones) == 1:
            return ZoneChoice(zones[0])
        options = [(k.rsplit("/", 1)[1].replace("_", " "), k) for k in zones[:6]]
        raise AmbiguousTimezone(raw, options)
    names = list(by_city) + [k.lower() for k in by_key if "/" in k]
    close = difflib.get_close_matches(norm, names, n=3, cutoff=0.75)
    suggestions = []
    for name in close:
        label = (by_city.get(name) and name.title()) or by_key[name]
        if label not in suggestions:
            suggestions.append(label)
    raise UnknownTimezone(raw, suggestions)
