"""Per-person administration through the console: the card, and remove, role, pair, end and
move, each confirmed first and saying who will be told."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from adapters.slack.blocks import blocks
from bot.events import Command
from bot.replies import Message
from storage.engine import transaction
from storage.models import CheckIn, Feedback, Goal, GoalUpdate, MatchRule, PairStatus
from tests.conftest import START, actor, run
from tests.people.helpers import admin, dms, join, members, outbox_rows, pair_of, pairs, program


def _goals_and_silence(bot, clock) -> None:
    """amy has a shared goal at 40 %, a private one and private words; 40 days on, amy has
    ignored three nudges while cat answers: ghosting."""
    ids = members(bot)
    amy = ids["amy"].id
    pair_id = pair_of(bot, "amy", "cat").id
    with transaction(bot.engine) as s:
        shared = Goal(member_id=amy, title="Ship a Python package", created_at=START)
        hidden = Goal(member_id=amy, title="HIDDENGOAL", private=True, created_at=START)
        s.add_all([shared, hidden])
        s.flush()
        s.add(GoalUpdate(goal_id=shared.id, progress=40, note="UPDATEWORDS", created_at=START))
        s.add(Feedback(pair_id=pair_id, member_id=amy, kind="session", rating=2,
                       helped="FEEDBACKWORDS", created_at=START))  # fmt: skip
        for k, days in enumerate((5, 15, 25)):
            s.add(CheckIn(pair_id=pair_id, member_id=amy, cycle_on=date(2026, 12, 1 + k),
                          due_at=START + timedelta(days=days)))  # fmt: skip
    clock.advance(timedelta(days=40))
    assert "amy" in run(bot, "checkin not-yet NOTEWORDS", who="cat")


def test_the_card_shows_profile_pairs_checkins_goals_and_health_but_nothing_private(bot, clock):
    """`admin person` shows the profile with the local time, pairs with meetings, the last
    answers, goals (a private goal's title hidden) and the pair's health with who is silent;
    never feedback words, check-in notes or goal updates."""
    program(bot)
    run(bot, "timezone Asia/Tokyo", who="amy")
    run(bot, "profile set availability mon-fri 18:00-21:00", who="amy")
    _goals_and_silence(bot, clock)
    card = admin(bot, "person amy")
    assert "*amy* (amy)" in card
    assert "Wants to learn: python" in card and "Languages: English" in card
    assert "Asia/Tokyo" in card and "Fri 1 Jan 2027, 21:00 there now" in card
    assert "Availability: mon-fri 18:00-21:00" in card and "Status: active" in card
    pair_id = pair_of(bot, "amy", "cat").id
    assert f"#{pair_id} with cat: since 2026-11-22, 0 meetings (last -), ghosting" in card
    assert "Ship a Python package: active, 40% done" in card
    assert "(a private goal): active, no progress noted" in card
    assert "with cat: ghosting" in card
    assert "amy hasn't answered 3 nudges in a row since 2026-11-27" in card
    for secret in ("HIDDENGOAL", "FEEDBACKWORDS", "NOTEWORDS", "UPDATEWORDS"):
        assert secret not in card
    mentor = admin(bot, "person cat")
    assert "Mentee capacity: 1 of 2 taken" in mentor
    assert "with amy: not yet" in mentor and "NOTEWORDS" not in mentor


def test_remove_asks_first_then_ends_pairs_and_tells_partner_and_person(bot):
    """The confirmation names who is told; only the confirm ends the pair (removed), takes
    amy out, puts cat first in line and tells both, kindly."""
    program(bot)
    asked = admin(bot, "remove amy")
    assert "Remove amy from *Mentorship program*? Their 1 active pair ends." in asked
    assert "• cat: that their pairing has ended because their partner left" in asked
    assert "• amy: that their place in the program has closed" in asked
    assert "[Remove]  [Cancel]" in asked
    assert pair_of(bot, "amy", "cat").status == PairStatus.ACTIVE and dms(bot) == {}
    assert "Nothing was changed" in admin(bot, "remove keep")

    assert "2 messages queued" in admin(bot, "remove confirm amy")
    pair = pair_of(bot, "amy", "cat")
    assert (pair.status, pair.end_reason, pair.end_detail) == ("ended", "removed", "removed")
    assert members(bot)["amy"].status == "left"
    assert members(bot)["cat"].match_priority == 1
    told = dms(bot)
    assert set(told) == {"amy", "cat"}
    assert "amy is no longer in *Mentorship program*" in told["cat"][0]
    assert "in the next matching round" in told["cat"][0]
    assert "closed your place in *Mentorship program*" in told["amy"][0]
    assert "has already left" in admin(bot, "remove amy")


def test_role_change_ends_the_pairs_of_the_old_role(bot):
    """A mentor made a mentee: their pair ends (removed, role_change), the mentee is told
    kindly and goes first in line, the mentor hears of their new role."""
    program(bot)
    asked = admin(bot, "role dan mentee")
    assert "Change dan's role from mentor to mentee? Their 1 active pair ends." in asked
    assert "• ben: that their pairing has ended because their partner's role changed" in asked
    assert "• dan: that their role changed" in asked
    admin(bot, "role confirm dan mentee")
    pair = pair_of(bot, "ben", "dan")
    assert (pair.status, pair.end_reason, pair.end_detail) == ("ended", "removed", "role_change")
    dan, ben = members(bot)["dan"], members(bot)["ben"]
    assert (dan.role, dan.capacity, ben.match_priority) == ("mentee", 1, 1)
    told = dms(bot)
    assert "dan's role in *Mentorship program* has changed" in told["ben"][0]
    assert "you're now a mentee" in told["dan"][0]
    assert "already a mentee" in admin(bot, "role dan mentee")
    assert "`/mentor admin role <name> mentor`" in admin(bot, "role dan boss")


def test_pair_now_shows_the_fit_then_introduces_like_a_round(bot):
    """`admin pair` shows the reasons and who gets the intro; on confirm the pair is active
    now, eve stops waiting and the round's introduction goes to both."""
    program(bot)
    with transaction(bot.engine) as s:
        eve = s.get(type(members(bot)["eve"]), members(bot)["eve"].id)
        eve.match_priority = 2
        s.add(eve)
    asked = admin(bot, "pair eve cat")
    assert "Pair eve with cat now, outside a matching round?" in asked
    assert "Why: cat can help with Python" in asked
    assert "• eve: the introduction" in asked and "• cat: the introduction" in asked
    assert outbox_rows(bot, "intro:") and len(outbox_rows(bot, "intro:")) == 2  # the round's

    admin(bot, "pair confirm eve cat")
    pair = pair_of(bot, "eve", "cat")
    assert pair.status == PairStatus.ACTIVE and pair.started_at == START
    assert {"key": "match.reason.skills", "values": {"mentor": "cat", "skills": ["Python"]}} in (
        pair.reasons
    )
    assert members(bot)["eve"].match_priority == 0
    intro = outbox_rows(bot, f"intro:{pair.id}")
    assert len(intro) == 1 and intro[0].target_kind == "group"
    assert set(intro[0].target_ids) == {"eve", "cat"}
    body = Message.from_json(intro[0].payload).plain()
    assert "Why you two" in body and "cat can help with Python" in body


REFUSALS = [
    ("pair amy ben", "amy is a mentee and ben is a mentee"),
    ("pair eve dan", "dan is full: 1 mentee already"),
    ("pair amy dan", "amy is already paired"),
    ("pair amy cat", "amy and cat are already paired"),
    ("pair eve eve", "same person twice"),
    ("pair eve", "Give two people"),
]


@pytest.mark.parametrize(("command", "reason"), REFUSALS)
def test_pair_refuses_what_the_hard_rules_forbid(bot, command, reason):
    """Roles, capacity, an existing pair, the same person: refused with the reason, and
    nothing is made."""
    program(bot)
    before = pairs(bot)
    assert reason in admin(bot, command)
    assert pairs(bot) == before


def test_pair_refuses_blocked_left_and_paused_people(bot):
    """A block, no shared language, someone who left and someone on a break are refused."""
    program(bot)
    join(bot, "fay", "mentor", "skills python", "languages English")
    ids = members(bot)
    with transaction(bot.engine) as s:
        s.add(MatchRule(program_id=ids["eve"].program_id, member_a_id=ids["eve"].id,
                        member_b_id=ids["fay"].id, kind="block", created_at=START))  # fmt: skip
    assert "eve and fay are blocked from being paired" in admin(bot, "pair eve fay")
    join(bot, "gus", "mentee", "wants python", "languages Japanese")
    assert "They share no language" in admin(bot, "pair gus fay")
    run(bot, "pause 2 weeks", who="fay")
    assert "fay is on a break" in admin(bot, "pair fay eve")
    run(bot, "leave confirm", who="eve")
    assert "eve has left the program" in admin(bot, "pair eve cat")


def test_end_keeps_the_reason_for_admins_and_tells_both_kindly(bot):
    """`admin end a b reason`: removed, admin_ended, the reason on the pair and the card
    only; both told without it and first in line."""
    program(bot)
    asked = admin(bot, "end cat amy they never met, says cat")
    assert "End the pairing of amy and cat?" in asked
    assert "nobody in the pair sees it" in asked
    assert "• amy: that their pairing has ended (no reason given)" in asked
    admin(bot, "end confirm cat amy they never met, says cat")
    pair = pair_of(bot, "amy", "cat")
    assert (pair.status, pair.end_reason, pair.end_detail) == ("ended", "removed", "admin_ended")
    assert pair.end_note == "they never met, says cat"
    ids = members(bot)
    assert (ids["amy"].match_priority, ids["cat"].match_priority) == (1, 1)
    told = dms(bot)
    assert set(told) == {"amy", "cat"}
    assert all("never met" not in text for texts in told.values() for text in texts)
    assert "Your pairing with cat in *Mentorship program* has come to an end" in told["amy"][0]
    assert "admins' note: they never met, says cat" in admin(bot, "person amy")
    assert "aren't paired right now" in admin(bot, "end cat amy")


def test_move_ends_the_old_pair_and_introduces_the_new_one(bot):
    """`admin move ben cat`: ben's pair with dan ends (removed, moved), dan is told and goes
    first in line, ben hears of it and ben and cat get the introduction."""
    program(bot)
    asked = admin(bot, "move ben cat")
    assert "Move ben from dan to cat?" in asked
    assert "• dan: that their pairing has ended, and that they're in the next" in asked
    assert "• ben: that they have a new partner" in asked
    assert "• cat: the introduction" in asked
    admin(bot, "move confirm ben cat")
    old, new = pair_of(bot, "ben", "dan"), pair_of(bot, "ben", "cat")
    assert (old.status, old.end_reason, old.end_detail) == ("ended", "removed", "moved")
    assert new.status == PairStatus.ACTIVE
    assert members(bot)["dan"].match_priority == 1
    told = dms(bot)
    assert set(told) == {"ben", "dan"}
    assert "they've been matched with someone else" in told["dan"][0]
    assert "new partner in *Mentorship program*: cat" in told["ben"][0]
    assert len(outbox_rows(bot, f"intro:{new.id}")) == 1
    assert "Only a mentee can be moved" in admin(bot, "move cat dan")
    assert "eve isn't paired right now" in admin(bot, "move eve dan")


def test_non_admins_are_refused(bot):
    """Every one of the commands is admin-only."""
    program(bot)
    for command in ("person amy", "remove amy", "role amy mentor", "pair eve cat",
                    "end amy cat", "move ben cat"):  # fmt: skip
        assert "Only program admins can do that" in run(bot, f"admin {command}", who="ben")
    assert pair_of(bot, "amy", "cat").status == PairStatus.ACTIVE


def test_ambiguous_names_ask_which_and_unknown_names_say_so(bot):
    """Two people called Sam: a friendly "which one?" with a button each (carrying the id);
    a name nobody has: a friendly error."""
    join(bot, "Sam Lee", "mentee")
    join(bot, "Sam Park", "mentee")
    reply = bot.handle(Command(actor("admin"), "admin remove sam"))
    assert isinstance(reply, Message)
    assert "More than one person goes by sam. Which one do you mean?" in reply.plain()
    commands = [b.command for part in reply.parts for b in getattr(part, "buttons", ())]
    assert commands == ["admin remove 'sam lee'", "admin remove 'sam park'"]
    assert "Remove Sam Park from" in admin(bot, commands[1].removeprefix("admin "))
    assert "I can't find zed in this program" in admin(bot, "person zed")


def test_names_are_escaped_when_echoed(bot):
    """A person called <!channel> reaches Slack as text in the card, the confirmation, an
    unknown-name error and their partner's notice; never as a ping."""
    join(bot, "<!channel>", "mentee", "wants python")
    join(bot, "cat", "mentor", "skills python")
    admin(bot, "match")
    admin(bot, "publish")
    for command in ("admin person <!channel>", "admin remove <!channel>", "admin person <!here>"):
        reply = bot.handle(Command(actor("admin"), command))
        assert isinstance(reply, Message)
        shown = [b for b in blocks(reply) if b["type"] != "actions"]  # a button's id is no text
        rendered = json.dumps(shown)
        assert "<!channel>" not in rendered and "<!here>" not in rendered
        assert "&lt;!" in rendered
    admin(bot, "remove confirm <!channel>")
    row = outbox_rows(bot, "admin-remove")[0]
    assert row.target_ids == ["cat"]
    rendered = json.dumps(blocks(Message.from_json(row.payload)))
    assert "&lt;!channel&gt; is no longer in" in rendered and "<!channel>" not in rendered


def test_an_admins_note_loses_the_name_of_someone_forgotten(bot):
    """The reason kept by `admin end` is scrubbed like every other copy of a forgotten name."""
    program(bot)
    admin(bot, "end confirm amy cat amy never came")
    run(bot, "forget confirm", who="amy")
    assert pair_of_note(bot) == "(forgotten) never came"


def pair_of_note(bot) -> str | None:
    """The end note of the only pair that has one."""
    notes = [p.end_note for p, _ in pairs(bot) if p.end_note]
    assert len(notes) == 1
    return notes[0]


def test_the_card_says_waiting_first_only_for_those_placed_first(bot):
    """After amy is removed, cat (a mentor) has a raised priority but is not placed first, so
    her card does not say so; a waiting mentee's card does."""
    program(bot)
    assert "2 messages queued" in admin(bot, "remove confirm amy")
    assert members(bot)["cat"].match_priority == 1
    assert "goes before newcomers" not in admin(bot, "person cat")
    with transaction(bot.engine) as s:
        eve = s.get(type(members(bot)["eve"]), members(bot)["eve"].id)
        eve.match_priority = 1
        s.add(eve)
    assert "goes before newcomers" in admin(bot, "person eve")
