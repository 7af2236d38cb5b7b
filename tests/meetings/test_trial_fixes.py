"""What the Madrid trial found: Spanish and Portuguese days and times, holidays and small
hours asked about first, cancellations that win in calendars, one file per person, and a
hint that counts the times it offers."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.meetings.offer import PairInfo, slot_offer
from bot.replies import Context
from tests.meetings.helpers import SLOTS

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
