"""The prompts meetings uses, with the placeholders each may contain; their English text is
in ``prompts.toml`` beside this file (registered by ``register``, checked at start-up).
"""

from __future__ import annotations

from pathlib import Path

from bot.prompts import Words

WORDS = Words(
    "meetings",
    {
        "command.meet.usage": frozenset(),
        "command.meet.summary": frozenset(),
        "button.meeting_book": frozenset({"n"}),
        "button.meeting_book_anyway": frozenset(),
        "button.meeting_other_time": frozenset(),
        "meeting.summary": frozenset({"names", "program"}),
        "meeting.description": frozenset({"names", "program"}),
        "meeting.description_booked": frozenset({"names", "program"}),
        "meeting.offer_hint": frozenset(),
        "meeting.offer_hint_one": frozenset(),
        "meeting.usage": frozenset(),
        "meeting.no_partner": frozenset(),
        "meeting.no_such_slot": frozenset({"n", "count"}),
        "meeting.no_slots": frozenset(),
        "meeting.bad_date": frozenset({"text", "date", "weekday", "tomorrow"}),
        "meeting.past_day": frozenset({"day", "tomorrow"}),
        "meeting.ask_first": frozenset({"when", "zone"}),
        "meeting.holiday_yours": frozenset({"day", "holiday", "partner"}),
        "meeting.holiday_theirs": frozenset({"day", "holiday", "partner"}),
        "meeting.closed_day": frozenset({"day"}),
        "meeting.odd_hour": frozenset({"when", "zone", "partner"}),
        "meeting.odd_hour_default": frozenset({"when", "zone", "partner"}),
        "meeting.bad_time": frozenset({"text"}),
        "meeting.past": frozenset({"when", "zone"}),
        "meeting.too_far": frozenset({"days"}),
        "meeting.unchanged": frozenset({"when", "zone"}),
        "meeting.booked": frozenset({"when", "zone", "partner"}),
        "meeting.booked_dm": frozenset({"when", "zone", "partner"}),
        "meeting.moved_dm": frozenset({"when", "zone", "partner"}),
    },
    Path(__file__).with_name("prompts.toml"),
)
