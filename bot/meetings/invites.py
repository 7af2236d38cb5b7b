"""Calendar invites as .ics files (RFC 5545, built with icalendar): no calendar OAuth needed.

Every file is ``METHOD:PUBLISH``: an event to add, not an iTIP ``REQUEST``. A REQUEST needs an
ORGANIZER and ATTENDEEs with e-mail addresses, and calendar apps send the RSVP there; the bot
has neither an address nor people's e-mails, so a REQUEST would promise replies nobody gets.
Each slot's UID is derived from the pair and the instant, so the same slot always has the
same UID: importing a resent file, or the booked meeting's file, updates the event instead of
adding a second one. Suggestions are TENTATIVE (sequence 0); a booked meeting is CONFIRMED with
the pair's booking count as its sequence, and its file also carries, as CANCELLED with that same
sequence, the time it moved from or the introduction's other suggestions: a calendar applies a
version only when its SEQUENCE is higher than the one it holds (RFC 5545 3.8.7.4, RFC 5546 2.1.4).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot.replies import File
from bot.time.zones import get_zone

PRODID = "-//mentorbot//meeting invites 1.0//EN"
MIME = "text/calendar"
# Fixed forever: UIDs of files already in people's calendars depend on it.
_UID_NAMESPACE = uuid.UUID("6f1c3f0e-4b7e-5d36-9a43-2f1f7b5c2d10")


@dataclass(frozen=True)
class Slot:
    """One event of an invite: a start (UTC), a length and what it says."""

    start: datetime
    minutes: int
    summary: str
    description: str
    uid: str
    status: str = "TENTATIVE"  # TENTATIVE (suggested), CONFIRMED (booked), CANCELLED (moved)
    sequence: int = 0  # the version: higher than any earlier one of the same UID


def slot_uid(*, platform: str, workspace_id: str, pair_id: int, start: datetime) -> str:
    """The stable UID of one pair's slot: the same pair and instant give the same UID."""
    key = f"{platform}/{workspace_id}/pair/{pair_id}/{start.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    return f"{uuid.uuid5(_UID_NAMESPACE, key)}@mentorbot"


def _zoned(instant: datetime, zone_key: str) -> datetime:
    """The instant in an IANA zone (written with its TZID); fixed offsets are written in UTC."""
    tz = get_zone(zone_key)
    return instant.astimezone(tz if isinstance(tz, ZoneInfo) and zone_key != "UTC" else UTC)


def _event(slot: Slot, zone_key: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", slot.uid)
    event.add("dtstamp", stamp.astimezone(UTC))
    start = _zoned(slot.start, zone_key)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=slot.minutes))
    event.add("summary", slot.summary)  # icalendar escapes , ; \ and newlines (TEXT values)
    event.add("description", slot.description)
    event.add("status", slot.status)
    event.add("sequence", slot.sequence)
    event.add("transp", "TRANSPARENT" if slot.status == "CANCELLED" else "OPAQUE")
    return event


def invite_ics(slots: list[Slot], *, zone_key: str, now: datetime) -> bytes:
    """A VCALENDAR with one VEVENT per slot, times in ``zone_key`` with its VTIMEZONE."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    for slot in slots:
        calendar.add_component(_event(slot, zone_key, now))
    if slots:
        first = min(s.start for s in slots).date() - timedelta(days=1)
        last = max(s.start for s in slots).date() + timedelta(days=2)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return bytes(calendar.to_ical())


def invite_file(name: str, slots: list[Slot], *, zone_key: str, now: datetime) -> File:
    """The invite as a file part of a message (``name`` ends in .ics)."""
    return File(name, invite_ics(slots, zone_key=zone_key, now=now), MIME)
