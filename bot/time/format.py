"""How instants look in chat: unambiguous, and in the reader's language (Babel, CLDR).

English keeps its fixed short form (``Tue 1 Dec 2026, 10:00``); another language gets CLDR's
full date and 24-hour-or-local time (es ``martes, 9 de marzo de 2027, 14:00``).
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from babel.dates import format_date, format_skeleton, format_time

from bot.i18n.cldr import babel_locale
from bot.i18n.locales import BASE


def local_when(instant: datetime, tz: tzinfo, locale: str = BASE) -> str:
    """``Tue 1 Dec 2026, 10:00`` in the given zone, written in ``locale``."""
    local = instant.astimezone(tz)
    if locale == BASE:
        return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"
    loc = babel_locale(locale)
    pattern = str(loc.datetime_formats["medium"])
    return pattern.replace("{1}", format_date(local, "full", locale=loc)).replace(
        "{0}", format_time(local, "short", locale=loc)
    )


def local_day(instant: datetime, tz: tzinfo, locale: str = BASE) -> str:
    """``Tue 1 Dec 2026`` in the given zone, written in ``locale``."""
    local = instant.astimezone(tz)
    if locale == BASE:
        return f"{local:%a} {local.day} {local:%b %Y}"
    return format_date(local, "full", locale=babel_locale(locale))


def calendar_day(day: date, locale: str = BASE) -> str:
    """A calendar day (no zone needed): ``Tue 1 Dec 2026``, written in ``locale``."""
    if locale == BASE:
        return f"{day:%a} {day.day} {day:%b %Y}"
    return format_date(day, "full", locale=babel_locale(locale))


def short_when(instant: datetime, tz: tzinfo, locale: str = BASE) -> str:
    """A near instant without its year: ``Tue 01 Dec 10:00``, written in ``locale``."""
    local = instant.astimezone(tz)
    if locale == BASE:
        return local.strftime("%a %d %b %H:%M")
    loc = babel_locale(locale)
    return (
        f"{format_skeleton('MMMEd', local, locale=loc)} {format_time(local, 'short', locale=loc)}"
    )


def weekday_time(instant: datetime, tz: tzinfo, locale: str = BASE) -> str:
    """The weekday and time of an instant this week: ``Tue 10:00``, written in ``locale``."""
    local = instant.astimezone(tz)
    if locale == BASE:
        return local.strftime("%a %H:%M")
    loc = babel_locale(locale)
    return f"{format_skeleton('E', local, locale=loc)} {format_time(local, 'short', locale=loc)}"


def short_day(day: date, locale: str = BASE) -> str:
    """A day in a list or a table: ISO in English (``2026-12-03``), else the language's
    medium date (es ``3 dic 2026``, de ``03.12.2026``).
    """
    if locale == BASE:
        return day.isoformat()
    return format_date(day, "medium", locale=babel_locale(locale))


def weekday_name(index: int, locale: str = BASE) -> str:
    """Weekday ``index`` (0 is Monday) by name: ``thursday`` in English (as typed in
    settings), the language's wide name otherwise (es ``jueves``).
    """
    if locale == BASE:
        return str(babel_locale(BASE).days["format"]["wide"][index]).lower()
    return str(babel_locale(locale).days["format"]["wide"][index])
