"""Suggested meeting times as an invite: the .ics of every slot and a "Book" button for each,
added to an introduction or a "let's find a time" answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.meetings.invites import Slot, invite_file, slot_uid
from bot.prompts import Prompts
from bot.replies import Button, Buttons, Context, Part

if TYPE_CHECKING:
    from bot.matching.profiles import Candidate
    from storage.models import Program

MAX_BOOK_BUTTONS = 5  # one row on Discord


@dataclass(frozen=True)
class PairInfo:
    """Which pair the times are for, where, and the names of everyone in it."""

    platform: str
    workspace_id: str
    program: str
    pair_id: int
    names: tuple[str, ...]

    @classmethod
    def of(cls, program: Program, pair_id: int, people: Iterable[Candidate]) -> PairInfo:
        """The pair ``pair_id`` of ``program`` with ``people`` (its members, in order)."""
        names = tuple(p.name for p in people)
        return cls(program.platform, program.workspace_id, program.name, pair_id, names)


def stamp(instant: datetime) -> str:
    """An instant as a button carries it (``2026-12-08T09:00Z``), read back by ``meet``."""
    return f"{instant.astimezone(UTC):%Y-%m-%dT%H:%MZ}"


def names_of(pair: PairInfo) -> str:
    """Everyone's names as one phrase (``Amy & Cat``)."""
    return " & ".join(pair.names)


def event_slot(
    prompts: Prompts,
    pair: PairInfo,
    start: datetime,
    minutes: int,
    *,
    status: str,
    sequence: int = 0,
) -> Slot:
    """One event of the pair's invite; its UID depends only on the pair and ``start``;
    ``sequence`` is its version (0 for a suggestion, the booking count once booked).
    """
    words = {"names": names_of(pair), "program": pair.program}
    about = "meeting.description" if status == "TENTATIVE" else "meeting.description_booked"
    return Slot(
        start=start,
        minutes=minutes,
        summary=prompts.text("meeting.summary", **words),
        description=prompts.text(about, **words),
        uid=slot_uid(
            platform=pair.platform,
            workspace_id=pair.workspace_id,
            pair_id=pair.pair_id,
            start=start,
        ),
        status=status,
        sequence=sequence,
    )


def slot_offer(
    prompts: Prompts,
    pair: PairInfo,
    slots: list[datetime],
    *,
    minutes: int,
    zone_key: str,
    now: datetime,
) -> list[Part]:
    """The slots as one .ics (times in ``zone_key``), a Book button per slot and a hint."""
    if not slots:
        return []
    events = [event_slot(prompts, pair, s, minutes, status="TENTATIVE") for s in slots]
    name = f"meeting-times-pair-{pair.pair_id}.ics"
    buttons = tuple(
        Button(
            prompts.text("button.meeting_book", n=n),
            f"meet pair:{pair.pair_id} {stamp(slot)}",
            "primary" if n == 1 else "default",
        )
        for n, slot in enumerate(slots[:MAX_BOOK_BUTTONS], start=1)
    )
    return [
        invite_file(name, events, zone_key=zone_key, now=now),
        Buttons(buttons),
        Context(
            prompts.render("meeting.offer_hint" if len(slots) > 1 else "meeting.offer_hint_one")
        ),
    ]
