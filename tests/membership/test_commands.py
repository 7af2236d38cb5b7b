"""The membership commands (help, join, leave, pause, resume, status, admin) end to end through
the core: happy paths and bad input. Profile and time zone: tests/profile/."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from adapters.surfaces import CONSOLE
from bot.events import Action, Command, DirectMessage
from bot.replies import Buttons, Message
from storage.engine import transaction
from storage.models import Member, OutboxMessage, Pair, PairMember, Person
from tests.conftest import actor, run, text_of
from tests.membership.helpers import member_of, person_of


def _outbox(bot) -> list[OutboxMessage]:
    with transaction(bot.engine) as s:
        return list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def _pair(bot, *names: str) -> int:
    with transaction(bot.engine) as s:
        pair = Pair(
            program_id=1, status="active", created_at=bot.clock.now(), started_at=bot.clock.now()
        )
        s.add(pair)
        s.flush()
        for name in names:
            person = s.exec(select(Person).where(Person.platform_user_id == name)).one()
            member = s.exec(select(Member).where(Member.person_id == person.id)).one()
            s.add(PairMember(pair_id=pair.id, member_id=member.id, role=member.role))
        return pair.id


# -- help ---------------------------------------------------------------------------------


def test_help_lists_commands_but_hides_admin_ones(bot):
    """help lists every user command; admin commands only for admins."""
    reply = run(bot, "help")
    for name in ("join", "leave", "pause", "resume", "profile", "timezone", "status"):
        assert f"/mentor {name}" in reply
    assert "/mentor admin" not in reply
    assert "/mentor admin" in run(bot, "help", who="admin")


def test_help_for_one_command_and_unknown(bot):
    """help <command> explains it; an unknown name gets a suggestion."""
    assert "Take a break" in run(bot, "help pause")
    assert "Did you mean `/mentor pause`" in run(bot, "help paus")


def test_unknown_subcommand_suggests(bot):
    """A typo gets a did-you-mean."""
    assert "Did you mean `/mentor status`?" in run(bot, "stauts")
    assert "I don't know `/mentor xyzzy`" in run(bot, "xyzzy")


# -- join ---------------------------------------------------------------------------------


def test_join_without_role_offers_buttons(bot):
    """join alone asks mentee or mentor with buttons that carry the commands."""
    reply = bot.handle(Command(actor(), "join"))
    assert isinstance(reply, Message)
    buttons = next(p for p in reply.parts if isinstance(p, Buttons))
    assert [b.command for b in buttons.buttons] == ["join mentee", "join mentor"]
    assert _outbox(bot) == []


def test_join_button_click_joins(bot):
    """Clicking a button runs its command."""
    assert "You're in!" in text_of(bot.handle(Action(actor(), "join mentee")))
    assert member_of(bot).role == "mentee"


def test_join_as_mentee_sends_one_welcome_dm(bot):
    """Joining creates the membership and queues a welcome DM once."""
    reply = run(bot, "join mentee")
    assert "You joined *Mentorship program* as a mentee" in reply
    assert "tell me your time zone" in reply
    rows = _outbox(bot)
    assert len(rows) == 1
    assert rows[0].target_kind == "user" and rows[0].target_ids == ["alice"]
    assert "welcome" in Message.from_json(rows[0].payload).plain()
    assert "already" in run(bot, "join mentee")
    assert len(_outbox(bot)) == 1


def test_join_takes_platform_timezone(bot):
    """When the platform knows the zone (Slack), joining stores it."""
    reply = run(bot, "join mentor", tz="Asia/Tokyo")
    assert "Asia/Tokyo" in reply
    assert person_of(bot).timezone == "Asia/Tokyo"
    assert person_of(bot).timezone_source == "platform"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("join peer", "pairs mentors with mentees"),
        ("join boss", "isn't a role here"),
        ("join mentee now", "Use `/mentor join mentor`"),
    ],
)
def test_join_bad_input(bot, command, expected):
    """Wrong roles get a specific message and create nothing."""
    assert expected in run(bot, command)
    with transaction(bot.engine) as s:
        assert s.exec(select(Member)).all() == []


def test_join_other_role_points_to_profile_set(bot):
    """Joining again with another role explains how to switch."""
    run(bot, "join mentee")
    assert "profile set role mentor" in run(bot, "join mentor")
    assert member_of(bot).role == "mentee"


def test_peer_program(bot):
    """In a peer program everyone joins as a peer."""
    run(bot, "admin program set kind peer", who="admin")
    assert "peer program" in run(bot, "join mentor")
    assert "as a peer" in run(bot, "join")


# -- leave --------------------------------------------------------------------------------


def test_leave_asks_then_leaves_and_tells_partner(bot):
    """leave confirms first; confirming ends the pair and DMs the partner."""
    run(bot, "join mentee")
    run(bot, "join mentor", who="bob")
    pair_id = _pair(bot, "alice", "bob")
    reply = bot.handle(Command(actor(), "leave"))
    assert "really want to leave" in text_of(reply)
    assert member_of(bot).status == "active"
    assert "Nothing changed" in run(bot, "leave cancel")
    assert "You've left" in run(bot, "leave confirm")
    assert member_of(bot).status == "left"
    with transaction(bot.engine) as s:
        assert s.get(Pair, pair_id).status == "ended"
    notices = [r for r in _outbox(bot) if r.target_ids == ["bob"] and "left" in r.dedupe_key]
    assert len(notices) == 1
    assert "alice has left" in Message.from_json(notices[0].payload).plain()
    assert "not in the program" in run(bot, "status")
    assert "Welcome back" in run(bot, "join mentee")
    assert member_of(bot).status == "active"


def test_leave_when_not_member(bot):
    """leave before joining says how to join."""
    assert "not in the program yet" in run(bot, "leave confirm")


# -- pause / resume -----------------------------------------------------------------------


def test_pause_two_weeks_and_resume(bot):
    """pause 2 weeks sets the end in the person's zone; resume ends it early."""
    run(bot, "join mentee")
    run(bot, "timezone Europe/Berlin")
    reply = run(bot, "pause 2 weeks")
    assert "Sun 6 Dec 2026, 13:00 (Europe/Berlin)" in reply
    member = member_of(bot)
    assert member.status == "paused"
    assert member.paused_until == datetime(2026, 12, 6, 12, tzinfo=UTC)
    assert "on a break until Sun 6 Dec 2026" in run(bot, "status")
    assert "Welcome back" in run(bot, "resume")
    assert member_of(bot).status == "active" and member_of(bot).paused_until is None
    assert "not on a break" in run(bot, "resume")


def test_pause_until_date(bot):
    """pause until <date> ends when that day starts locally."""
    run(bot, "join mentee")
    run(bot, "timezone New York")
    assert "Sun 10 Jan 2027 (America/New_York)" in run(bot, "pause until 2027-01-10")
    assert member_of(bot).paused_until == datetime(2027, 1, 10, 5, tzinfo=UTC)


def test_pause_ends_by_itself(bot):
    """Once the pause date passes the person counts as active again."""
    run(bot, "join mentee")
    run(bot, "pause 3 days")
    bot.clock.advance(timedelta(days=4))
    assert "active" in run(bot, "status")
    assert member_of(bot).status == "active"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("pause", "How long would you like a break?"),
        ("pause whenever", 'couldn\'t read "whenever"'),
        ("pause until 2020-01-01", "already past"),
        ("pause 2 years", "up to a year"),
    ],
)
def test_pause_bad_input_changes_nothing(bot, command, expected):
    """Bad durations get a specific message with an example, and the member stays active."""
    run(bot, "join mentee")
    assert expected in run(bot, command)
    assert member_of(bot).status == "active"


def test_pause_tells_partner(bot):
    """A partner hears (once) that the other person is on a break."""
    run(bot, "join mentee")
    run(bot, "join mentor", who="bob")
    _pair(bot, "alice", "bob")
    run(bot, "pause 1 week")
    notices = [r for r in _outbox(bot) if r.dedupe_key.startswith("paused:")]
    assert [r.target_ids for r in notices] == [["bob"]]


# -- status -------------------------------------------------------------------------------


def test_status_shows_partner_and_local_next_checkin(bot):
    """status shows role, partner and the next check-in at the program hour in local time."""
    run(bot, "join mentee")
    run(bot, "join mentor", who="bob")
    run(bot, "timezone Asia/Kathmandu")
    _pair(bot, "alice", "bob")
    reply = run(bot, "status")
    assert "Role" in reply and "mentee" in reply
    assert "Partner        bob" in reply or "Partner: bob" in reply
    assert "Tue 1 Dec 2026, 10:00 (Asia/Kathmandu)" in reply


def test_status_without_timezone_explains_default(bot):
    """Without a zone, times are in the default zone and the reply says so."""
    run(bot, "join mentee")
    reply = run(bot, "status")
    assert "(UTC), once you're matched" in reply
    assert "haven't set a time zone" in reply


def test_status_needs_membership(bot):
    """status before joining says how to join."""
    assert "not in the program yet" in run(bot, "status")


# -- admin --------------------------------------------------------------------------------


def test_admin_needs_permission(bot):
    """Non-admins are refused and nothing changes."""
    assert "Only program admins" in run(bot, "admin program set cadence weekly")
    assert "cadence" in run(bot, "admin program", who="admin")
    assert "biweekly" in run(bot, "admin program", who="admin")


def test_admin_program_settings_drive_status(bot):
    """Changing the program's cadence/weekday/hour changes everyone's next check-in."""
    run(bot, "join mentee")
    for setting in ("cadence weekly", "weekday fri", "hour 15"):
        assert "Updated" in run(bot, f"admin program set {setting}", who="admin")
    assert "Fri 27 Nov 2026, 15:00 (UTC)" in run(bot, "status")
    assert "not a valid value for hour" in run(bot, "admin program set hour 25", who="admin")
    assert "not a valid value for cadence" in run(
        bot, "admin program set cadence daily", who="admin"
    )


def test_admin_members(bot):
    """The member list shows each member's role, status and zone."""
    assert "Nobody has joined" in run(bot, "admin members", who="admin")
    run(bot, "join mentee")
    run(bot, "timezone Lisbon")
    reply = run(bot, "admin members", who="admin")
    assert "alice" in reply and "mentee, active, Europe/Lisbon" in reply
    assert "Did you mean `/mentor admin members`" in run(bot, "admin membrs", who="admin")


# -- robustness ---------------------------------------------------------------------------


def test_oversized_text_is_refused(bot):
    """Text over the limit is refused with the limit named, and nothing is saved."""
    run(bot, "join mentee")
    assert "1000 characters at most" in run(bot, "profile set goals " + "x" * 1200)
    assert member_of(bot).goals == ""


def test_direct_message_runs_commands(bot):
    """A DM with a command word (with or without /mentor) works like the slash command."""
    assert "You're in!" in text_of(bot.handle(DirectMessage(actor(), "join mentee")))
    assert "Role" in text_of(bot.handle(DirectMessage(actor(), "/mentor status")))


def test_unexpected_errors_show_a_reference_and_save_nothing(bot, caplog):
    """A crash in a handler is logged with a reference id the person sees; no traceback."""

    @bot.router.command("explode", hidden=True)
    def explode(ctx, args):
        ctx.session.add(
            Person(
                platform="console", platform_user_id="ghost", created_at=ctx.now, updated_at=ctx.now
            )
        )
        ctx.session.flush()
        raise RuntimeError("kaboom")

    with caplog.at_level(logging.ERROR):
        reply = run(bot, "explode")
    assert "something went wrong" in reply and "Traceback" not in reply
    ref = reply.split("reference `")[1].split("`")[0]
    assert any(ref in r.getMessage() and r.exc_info for r in caplog.records)
    with transaction(bot.engine) as s:
        assert s.exec(select(Person).where(Person.platform_user_id == "ghost")).all() == []


def test_display_name_updates_follow_the_platform(bot):
    """A user renamed on a platform that knows real names shows under the new name."""
    run(bot, "join mentee")
    from dataclasses import replace

    from bot.events import Actor

    named = replace(CONSOLE, users_are_names=False)  # as Slack and Discord are
    renamed = Actor("console", "alice", "Alice Smith", "console", surface=named)
    bot.handle(Command(renamed, "status"))
    assert person_of(bot).display_name == "Alice Smith"
