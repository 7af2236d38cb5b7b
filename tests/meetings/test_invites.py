"""Introductions and "let's find a time" answers carry an .ics of the suggested times."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.meetings.invites import Slot, invite_ics, slot_uid
from bot.replies import Message
from tests.conversations.helpers import Chat, outbox
from tests.meetings.helpers import (
    INTRODUCED,
    MADRID,
    MADRID_WALL,
    SAO_PAULO,
    SAO_PAULO_WALL,
    SLOTS,
    check_slots,
    events_of,
)


def sent_invites(bot, prefix: str, at: datetime | None = None) -> dict[str, bytes]:
    """The .ics each person's DM carried, by their user id (the latest booking, or ``at``)."""
    rows = outbox(bot, prefix)
    if at is not None:
        rows = [r for r in rows if f"{at:%Y%m%dT%H%M}" in r.dedupe_key]
    out = {}
    for row in rows:
        (ics,) = [f.content for f in Message.from_json(row.payload).files()]
        out[row.target_ids[0]] = ics
    return out


async def introduced_on_the_console(bot) -> tuple[Chat, str]:
    """Amy (Madrid) and Cat (São Paulo) joined and introduced in the console; the intro."""
    bot.clock.set(INTRODUCED - timedelta(hours=1))  # joined just before the round
    chat = Chat(bot, user="amy")
    for who, line in [
        ("amy", "/mentor join mentee"),
        ("amy", f"/mentor timezone {MADRID}"),
        ("amy", "/mentor profile set wants python"),
        ("amy", "/mentor profile set availability mon-fri 09:00-17:00"),
        ("cat", "/mentor join mentor"),
        ("cat", f"/mentor timezone {SAO_PAULO}"),
        ("cat", "/mentor profile set skills python"),
        ("cat", "/mentor profile set availability mon-fri 09:00-17:00"),
    ]:
        await chat.say(line, who=who)
    bot.clock.set(INTRODUCED)
    assert "1 pair," in await chat.say("/mentor admin match", who="admin")
    return chat, await chat.say("/mentor admin publish", who="admin")


async def test_the_console_intro_saves_an_ics_with_each_slot_at_its_instant(bot):
    """The group intro in the console: its .ics is saved under files/, one VEVENT per
    suggested slot in Madrid's zone (the first mentee's), each at the slot's instant across
    Madrid's change from summer time."""
    _, intro = await introduced_on_the_console(bot)
    assert "Fri 23 Oct 2026, 14:00" in intro and "Mon 26 Oct 2026, 13:00" in intro
    (saved,) = re.findall(
        r"\[file (meeting-times-pair-\d+\.ics), [\d,]+ bytes, saved to (\S+)\]", intro
    )
    path = Path(saved[1])
    assert path.parent == Path(bot.settings.bot.data_dir) / "files"
    check_slots(path.read_bytes(), MADRID, MADRID_WALL)
    assert "] Book time 1" in intro and "] Book time 3" in intro


async def test_book_buttons_and_meet_send_both_the_same_invite(bot):
    """`/mentor meet 2` (the intro's second time) books it: both people get a DM with the same
    UID as that slot in the intro's file, CONFIRMED, in their own zone; the Book button does
    the same for the third time."""
    chat, intro = await introduced_on_the_console(bot)
    files = Path(bot.settings.bot.data_dir) / "files"
    intro_uids = check_slots((files / "meeting-times-pair-1.ics").read_bytes(), MADRID, MADRID_WALL)
    out = await chat.say("/mentor meet 2", who="amy")
    assert "Booked for *Mon 26 Oct 2026, 13:00* (Europe/Madrid" in out
    assert "sent you and cat the same calendar invite" in out
    assert "[DM to cat] Your meeting with amy is booked for *Mon 26 Oct 2026, 09:00*" in out
    invites = sent_invites(bot, "meet:")
    assert set(invites) == {"amy", "cat"}
    for who, zone in (("amy", MADRID), ("cat", SAO_PAULO)):
        event, *others = events_of(invites[who])
        assert [str(e["STATUS"]) for e in others] == ["CANCELLED", "CANCELLED"]
        assert str(event["UID"]) == intro_uids[1]
        assert event["DTSTART"].params["TZID"] == zone
        assert event.decoded("DTSTART").astimezone(UTC) == SLOTS[1]
        assert str(event["STATUS"]) == "CONFIRMED"

    # The intro's third Book button: the meeting moves, the old time is cancelled.
    moved = await chat.click("Book time 3", intro)
    assert "Booked for *Tue 27 Oct 2026, 13:00* (Europe/Madrid" in moved
    assert "[DM to cat] Your meeting with amy moved to *Tue 27 Oct 2026, 09:00*" in moved
    invites = sent_invites(bot, "meet:", at=SLOTS[2])
    for who in ("amy", "cat"):
        confirmed, cancelled = events_of(invites[who])
        assert (str(confirmed["UID"]), str(confirmed["STATUS"])) == (intro_uids[2], "CONFIRMED")
        assert (str(cancelled["UID"]), str(cancelled["STATUS"])) == (intro_uids[1], "CANCELLED")
    assert "already booked" in await chat.say("/mentor meet 3", who="amy")


def test_uids_are_stable_and_users_text_is_escaped():
    """The same pair and instant give the same UID (a resend updates, not duplicates); names
    with commas, semicolons and newlines round-trip intact."""
    uid = slot_uid(platform="slack", workspace_id="T1", pair_id=7, start=SLOTS[0])
    assert uid == slot_uid(platform="slack", workspace_id="T1", pair_id=7, start=SLOTS[0])
    assert uid != slot_uid(platform="slack", workspace_id="T1", pair_id=8, start=SLOTS[0])
    name = 'Ana; \\ O\'Neil, "Jr"\nBEGIN:VEVENT'
    ics = invite_ics(
        [Slot(SLOTS[0], 30, f"Mentoring: {name}", name, uid)],
        zone_key=SAO_PAULO,
        now=datetime(2026, 10, 22, tzinfo=UTC),
    )
    assert ics.split(b"\r\n").count(b"BEGIN:VEVENT") == 1  # the newline stayed escaped
    (event,) = events_of(ics)
    assert str(event["SUMMARY"]) == f"Mentoring: {name}" and str(event["DESCRIPTION"]) == name


async def test_not_yet_suggests_times_with_their_ics_in_the_persons_zone(bot):
    """`checkin not-yet` answers with times that suit both and their .ics, in the São Paulo
    mentor's zone, the same UIDs as the intro's (same pair, same instants)."""
    chat, _ = await introduced_on_the_console(bot)
    files = Path(bot.settings.bot.data_dir) / "files"
    intro_uids = check_slots((files / "meeting-times-pair-1.ics").read_bytes(), MADRID, MADRID_WALL)
    out = await chat.say("/mentor checkin not-yet", who="cat")
    assert "Times that suit you both" in out and "saved to" in out
    (path,) = re.findall(r"saved to (\S+\.ics)\]", out)  # beside amy's, not over it
    again = check_slots(Path(path).read_bytes(), SAO_PAULO, SAO_PAULO_WALL)
    assert again == intro_uids
    assert "Book time 1" in out
