"""Announcements through the console adapter on the fake clock: who hears them, when in their
own zone, once; the preview; cancelling; pings; audiences; restarts."""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel import select

from adapters.surfaces import surfaces
from bot.app import build_bot
from bot.time.wall import localize
from bot.time.zones import get_zone
from storage.engine import transaction
from storage.models import Announcement, OutboxMessage
from tests.conversations.helpers import Chat, outbox

ZONES = (
    "Pacific/Kiritimati",
    "Pacific/Auckland",
    "Australia/Lord_Howe",
    "Australia/Sydney",
    "Asia/Tokyo",
    "Asia/Shanghai",
    "Asia/Kathmandu",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Europe/Moscow",
    "Africa/Nairobi",
    "Europe/Berlin",
    "Europe/London",
    "Atlantic/Azores",
    "America/Sao_Paulo",
    "America/St_Johns",
    "America/New_York",
    "America/Denver",
    "America/Los_Angeles",
    "Pacific/Honolulu",
)


async def people(chat: Chat, zones=ZONES, role: str = "mentee") -> list[str]:
    names = []
    for k, zone in enumerate(zones):
        name = f"p{k:02d}"
        await chat.say(f"/mentor join {role}", who=name)
        await chat.say(f"/mentor timezone {zone}", who=name)
        names.append(name)
    return names


async def test_monday_nine_in_twenty_zones_is_nine_for_each_person_once(bot):
    chat = Chat(bot)
    names = await people(chat)
    out = await chat.say(
        "/mentor admin announce --at monday 09:00 Kick-off call *this week*!", who="admin"
    )
    assert "Preview of announcement #1" in out and "nothing has been sent yet" in out
    assert "Kick-off call *this week*!" in out  # the admin's formatting is kept
    assert re.search(r"DMs\s+20", out)
    # The first to hear it is the furthest east; the preview names the zones in order.
    zones_in_order = re.findall(r"^\s+([A-Za-z_/]+): 1 person at Mon 09:00 their time", out, re.M)
    assert zones_in_order[:3] == ["Pacific/Kiritimati", "Pacific/Auckland", "Australia/Lord_Howe"]
    assert "and 12 more zones" in out
    assert outbox(bot, "announce:") == []  # a preview queues nothing

    sent = await chat.click("Send", out)
    assert "20 DMs queued" in sent
    again = await chat.say("/mentor admin announce send 1", who="admin")
    assert "already on its way" in again
    rows = outbox(bot, "announce:1:")
    assert len(rows) == 20
    by_user = {r.target_ids[0]: r for r in rows}
    for name, zone in zip(names, ZONES, strict=True):
        expected = localize(datetime(2026, 11, 23, 9, 0), get_zone(zone))
        assert by_user[name].not_before == expected, zone

    # A week on the console's clock: every person hears it exactly once.
    out = await chat.say("/time +7d")
    heard = re.findall(r"\[DM to (p\d\d)\] 📣 Announcement from \*Mentorship program\*", out)
    assert sorted(heard) == sorted(names)
    listing = await chat.say("/mentor admin announcements", who="admin")
    assert "sent 20 · waiting 0 · failed 0 · withdrawn 0" in listing
    assert "Cancel #1" not in listing  # nothing left to withdraw


async def test_quiet_hours_move_a_message_and_now_means_now(bot):
    chat = Chat(bot)
    await people(chat, ("Asia/Tokyo", "Europe/London"))
    # Sunday 12:00 UTC is 21:00 in Tokyo: inside p00's quiet hours.
    await chat.say("/mentor profile set quiet 20:00-08:00", who="p00")
    out = await chat.say("/mentor admin announce The wiki moved.", who="admin")
    await chat.click("Send", out)
    when = {r.target_ids[0]: r.not_before for r in outbox(bot, "announce:")}
    assert when["p01"] == bot.clock.now()
    assert when["p00"] == localize(datetime(2026, 11, 23, 8, 0), get_zone("Asia/Tokyo"))


async def test_audiences_and_paused_people(bot):
    chat = Chat(bot)
    await people(chat, ("UTC", "UTC"), role="mentor")  # p00, p01
    await chat.say("/mentor join mentee", who="ann")
    await chat.say("/mentor join mentee", who="bob")
    await chat.say("/mentor pause 2 weeks", who="bob")
    await chat.say("/mentor admin match", who="admin")
    await chat.say("/mentor admin publish", who="admin")
    pairs = await chat.say("/mentor admin pairs", who="admin")
    found = re.search(r"#(\d+) (\w+) & (\w+)", pairs)
    pair_id, matched = found.group(1), {found.group(2), found.group(3)}
    assert "ann" in matched  # bob is on a break, so ann is the one mentee matched

    async def audience(options: str) -> set[str]:
        out = await chat.say(f"/mentor admin announce {options} hello", who="admin")
        assert "Preview" in out, out
        sent = await chat.click("Send", out)
        number = re.search(r"Announcement #(\d+)", sent).group(1)
        return {r.target_ids[0] for r in outbox(bot, f"announce:{number}:")}

    assert await audience("") == {"p00", "p01", "ann"}  # bob is on a break
    assert await audience("--paused") == {"p00", "p01", "ann", "bob"}
    assert await audience("--to mentors") == {"p00", "p01"}
    assert await audience("--to mentees --paused") == {"ann", "bob"}
    assert await audience("--to unmatched") == {"p00", "p01", "ann"} - matched
    assert await audience(f"--pairs {pair_id}") == matched
    nobody = await chat.say("/mentor admin announce --to peers hello", who="admin")
    assert "Nobody is in that audience" in nobody


async def test_pings_need_the_box_and_a_channel_post_needs_a_channel(bot):
    chat = Chat(bot)
    await people(chat, ("UTC",))
    refused = await chat.say("/mentor admin announce @here standup moved", who="admin")
    assert "mentions everyone" in refused
    refused = await chat.say("/mentor admin announce <!channel> standup moved", who="admin")
    assert "mentions everyone" in refused
    no_channel = await chat.say("/mentor admin announce --via both --ping @here hi", who="admin")
    assert "no announcement channel" in no_channel
    await chat.say("/mentor admin program set channel C-general", who="admin")
    out = await chat.say("/mentor admin announce --via both --ping @here hi", who="admin")
    assert "Channel post" in out
    await chat.click("Send", out)
    rows = {r.dedupe_key: r for r in outbox(bot, "announce:")}
    assert rows["announce:1:channel"].target_ids == ["C-general"]
    assert rows["announce:1:channel"].payload.get("ping") is True
    assert "ping" not in rows["announce:1:p00"].payload  # a DM never pings
    with transaction(bot.engine) as s:
        assert [a.status for a in s.exec(select(Announcement)).all()] == ["queued"]


async def test_cancel_withdraws_what_has_not_gone_out(bot):
    chat = Chat(bot)
    await people(chat, ("Asia/Tokyo", "America/New_York"))
    out = await chat.say("/mentor admin announce --at monday 09:00 Office hours", who="admin")
    await chat.click("Send", out)
    out = await chat.say("/time +12h")  # Tokyo's 09:00 has passed, New York's has not
    assert "[DM to p00] 📣" in out
    listing = await chat.say("/mentor admin announcements", who="admin")
    assert "sent 1 · waiting 1" in listing
    cancelled = await chat.click("Cancel #1", listing)
    assert "1 unsent message withdrawn, 1 was already delivered" in cancelled
    out = await chat.say("/time +2d")
    assert "📣" not in out
    listing = await chat.say("/mentor admin announcements", who="admin")
    assert "cancelled" in listing and "withdrawn 1" in listing
    again = await chat.say("/mentor admin announce cancel 1", who="admin")
    assert "already cancelled" in again


async def test_edit_replaces_the_draft_and_drafts_send_nothing(bot):
    chat = Chat(bot)
    await people(chat, ("UTC",))
    out = await chat.say("/mentor admin announce Frist draft", who="admin")
    form = await chat.click("Edit", out)
    assert "[form] Announcement" in form and "Frist draft" in form
    fixed = await chat.say('/submit text="First draft" audience=everyone when=now', who="admin")
    assert "Preview of announcement #2" in fixed
    stale = await chat.say("/mentor admin announce send 1", who="admin")
    assert "replaced by a newer draft" in stale
    await chat.click("Send", fixed)
    assert [r.payload["parts"][1]["text"][0][0] for r in outbox(bot, "announce:")] == [
        "First draft"
    ]


async def test_the_form_reports_every_bad_field_at_once(bot):
    chat = Chat(bot)
    await people(chat, ("UTC",))
    await chat.say("/mentor admin announce", who="admin")
    out = await chat.say(
        '/submit text="" audience=aliens mode=pigeon when="last year"', who="admin"
    )
    assert "no text yet" in out and "aliens" in out and "pigeon" in out
    assert "couldn't read" in out or "in the past" in out
    with transaction(bot.engine) as s:
        assert s.exec(select(Announcement)).all() == []


async def test_bad_times_and_options_are_explained(bot):
    chat = Chat(bot)
    await people(chat, ("UTC",))
    for command, expected in (
        ("--at someday hi", "couldn't read"),
        ("--at 2020-01-01 09:00 hi", "in the past"),
        ("--at 2029-01-01 09:00 hi", "more than a year away"),
        ("--to aliens hi", "isn't an audience"),
        ("--colour red hi", "don't know the option `--colour`"),
        ("--pairs x hi", "isn't a list of pair numbers"),
        ("--to", "Write the text after the command"),
        ("x" * 1001, "longer than I can take (1000"),  # a command line; the form takes more
    ):
        out = await chat.say(f"/mentor admin announce {command}", who="admin")
        assert expected in out, (command, out)
    await chat.say("/mentor admin announce", who="admin")
    out = await chat.say(f'/submit text="{"x" * 3001}"', who="admin")
    assert "That's 3,001 characters; an announcement holds 3,000" in out
    await chat.say("/mentor admin announce", who="admin")
    out = await chat.say(f'/submit text="{"x" * 3000}"', who="admin")
    assert "Preview of announcement #1" in out
    assert outbox(bot, "announce:") == []


async def test_non_admins_cannot_announce_or_cancel(bot):
    chat = Chat(bot)
    await people(chat, ("UTC",))
    out = await chat.say("/mentor admin announce --at monday 09:00 hi", who="admin")
    await chat.click("Send", out)
    for line in (
        "/mentor admin announce hi",
        "/mentor admin announce cancel 1",
        "/mentor admin announcements",
    ):
        refused = await chat.say(line, who="p00")
        assert "Only program admins" in refused, line
    # (the announce form itself, submitted by a non-admin: tests/scenarios/test_permissions.py)
    assert {r.status for r in outbox(bot, "announce:")} == {"pending"}


async def test_a_queued_announcement_survives_a_restart(bot, settings, clock, engine):
    chat = Chat(bot)
    await people(chat, ("Europe/Berlin",))
    out = await chat.say("/mentor admin announce --at tomorrow 10:00 See you there", who="admin")
    await chat.click("Send", out)
    # A new process on the same database (nothing about the announcement lives in memory).
    restarted = build_bot(settings, clock=clock, engine=engine, surfaces=surfaces())
    later = Chat(restarted)
    out = await later.say("/time +2d")
    assert out.count("[DM to p00] 📣") == 1
    with transaction(engine) as s:
        key = OutboxMessage.dedupe_key == "announce:1:p00"
        row = s.exec(select(OutboxMessage).where(key)).one()
    assert row.status == "sent"
    assert row.sent_at == localize(datetime(2026, 11, 23, 10, 0), get_zone("Europe/Berlin"))
