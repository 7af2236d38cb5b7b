"""Numbers and plurals in a language, through Babel's CLDR data (never hand-written rules)."""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale
from babel.numbers import format_decimal

from bot.i18n.locales import BASE, parse


@lru_cache(maxsize=64)
def babel_locale(tag: str) -> Locale:
    """Babel's locale for one of our tags (English for one Babel does not know)."""
    return parse(tag) or Locale.parse(BASE)


def _number(shown: str) -> int | Decimal | None:
    try:
        value = Decimal(shown.strip())
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return int(value) if value == value.to_integral_value() else value


def counted(shown: str, forms: tuple[str, str], tag: str) -> str:
    """``3`` with ("pair", "pairs") -> "3 pairs": the number formatted for the language and
    the first form for CLDR's "one" category (French "0 paire"), the second for all others.
    """
    number = _number(shown)
    if number is None:
        return f"{shown} {forms[1]}"
    loc = babel_locale(tag)
    form = forms[0] if loc.plural_form(number) == "one" else forms[1]
    return f"{format_decimal(number, locale=loc)} {form}"


def number(value: int | float | Decimal, tag: str) -> str:
    """A number written the language's way (``1234.5`` -> "1.234,5" in German)."""
    return format_decimal(value, locale=babel_locale(tag))


def _spellings(name: str) -> set[str]:
    """``"Março"`` -> {"março", "marco"}; ``"ene."`` -> {"ene"}."""
    word = name.lower().strip().rstrip(".")
    plain = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
    return {word, plain} - {""}


@lru_cache(maxsize=64)
def month_names(tag: str) -> dict[str, int]:
    """The language's month names, wide and abbreviated (lower case, with and without
    accents) -> month number: what a date typed in that language may say.
    """
    loc = babel_locale(tag)
    found: dict[str, int] = {}
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for number, name in loc.months[context][width].items():
                found.update(dict.fromkeys(_spellings(name), number))
    return found


@lru_cache(maxsize=64)
def weekday_names(tag: str) -> dict[str, int]:
    """The language's weekday names -> 0 (Monday) to 6; whole names only, as abbreviations
    clash with months (Spanish "mar" is both martes and marzo).
    """
    loc = babel_locale(tag)
    found: dict[str, int] = {}
    for context in ("format", "stand-alone"):
        for width in ("wide",):
            for number, name in loc.days[context][width].items():
                found.update(dict.fromkeys(_spellings(name), number))
                # Portuguese "sexta-feira" is said "sexta" too: a hyphenated name's first word.
                head = name.split("-")[0]
                if head != name:
                    found.update(dict.fromkeys(_spellings(head), number))
    return found


def _near_days(tag: str) -> dict[int, str]:
    """CLDR's words for days near today in one language: {-1: "ayer", 0: "hoy", 1: "mañana"}."""
    fields = babel_locale(tag)._data["date_fields"].get("day", {}).get("relative", {})
    return {int(offset): str(word) for offset, word in fields.items()}


@lru_cache(maxsize=64)
def relative_days(tag: str) -> dict[str, int]:
    """The language's words for days near today ("mañana" -> 1, "ayer" -> -1, "depois de
    amanhã" -> 2), lower case, with and without accents; English's always too.
    """
    found: dict[str, int] = {}
    for name in (BASE, tag):
        for offset, word in _near_days(name).items():
            spelled = word.replace("\u2019", "'")  # French "aujourd’hui" typed with a '
            found.update(dict.fromkeys(_spellings(word) | _spellings(spelled), offset))
    return found


def near_day_word(offset: int, tag: str) -> str:
    """The language's own word for the day ``offset`` days from today ("mañana" for 1)."""
    return _near_days(tag).get(offset) or _near_days(BASE)[offset]


def weekday_name(weekday: int, tag: str) -> str:
    """The language's wide name of a weekday (0 = Monday): "viernes", "Freitag"."""
    return str(babel_locale(tag).days["format"]["wide"][weekday])
