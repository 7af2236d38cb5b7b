"""Engagement through the console and the fake clock: ghosting is flagged in the digest, the
report and ``admin pairs``; silence escalates 7 / 14 / 28 days, once each; the digest's
buttons act on pairs at risk, for admins only."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlmodel import select

from adapters.surfaces import CONSOLE, surfaces
from bot.app import build_bot, load_prompts
from bot.events import Action, Actor, Command
from bot.replies import Message
from bot.report.figures import build
from storage.engine import transaction
from storage.models import CheckIn, Member, OutboxMessage, Pair, Program
from storage.pairs import members_of_pairs
from tests.checkins.helpers import Recorder, button_commands, make_pair, make_program
from tests.checkins.test_checkins import pulse_for, simulate
from tests.conftest import actor, run, text_of
from tests.conversations.helpers import Chat

REMINDER = "haven't heard from you"
OFFER = "hasn't answered for"
CLOSED = "has been quiet for a long time"


def quiet_bot(settings, clock, engine):
    """A bot whose re-engagement is off, so silence can last as long as a test needs."""
    engagement = replace(settings.engagement, enabled=False)
    return build_bot(
        replace(settings, engagement=engagement), clock=clock, engine=engine, surfaces=surfaces()
    )


def press(bot, who: str, command: str) -> str:
    """Press a button carrying ``command`` as ``who``."""
    return text_of(bot.handle(Action(actor(who), command)))


async def weeks_alice_answers(bot, pulse, recorder: Recorder, weeks: int) -> None:
    """``weeks`` weeks in which alice answers every nudge "not yet" and bob ignores his."""
    answered = len(recorder.nudges())
    for _ in range(weeks):
        await simulate(
            bot, pulse, bot.clock.now() + timedelta(days=7), answer=False, recorder=recorder
        )
        for _, target, message in recorder.nudges()[answered:]:
            if target.ids == ("alice",):
                who = Actor("console", "alice", "alice", "console", surface=CONSOLE)
                bot.handle(Action(who, button_commands(message)[1]))
        answered = len(recorder.nudges())


def sent_to(recorder: Recorder, who: str, words: str) -> int:
    """How many messages containing ``words`` reached ``who``."""
    return sum(1 for _, t, m in recorder.sent if t.ids == (who,) and words in m.plain())


async def test_ignoring_seven_nudges_while_the_partner_answers_is_ghosting(settings, clock, engine):
    """Bob ignores seven nudges while alice answers: digest, report and admin pairs say ghosting."""
    bot = quiet_bot(settings, clock, engine)
    program = make_program(bot)
    pair_id = make_pair(bot, program, "alice", "bob")
    recorder = Recorder(bot.clock)
    pulse = pulse_for(bot, recorder)
    await weeks_alice_answers(bot, pulse, recorder, 9)
    bob = [m for _, t, m in recorder.nudges() if t.ids == ("bob",)]
    assert len(bob) >= 8
    digest = run(bot, "admin digest", who="admin")
    assert "Pairs at risk* (1)" in digest
    assert f"#{pair_id} alice & bob" in digest and "ghosting" in digest
    assert "bob silent since" in digest and "ignored in a row" in digest
    pairs = run(bot, "admin pairs", who="admin")
    assert "ghosting" in pairs and "bob silent since" in pairs
    with transaction(bot.engine) as s:
        report = build(
            s,
            s.get(Program, program),
            bot.settings,
            now=bot.clock.now(),
            zone="UTC",
            prompts=load_prompts(),
        )
    figures = report.figures()
    assert figures["meetings.ghosting"] == "1"
    assert figures["meetings.stalled"] == "1"


async def test_silence_escalates_once_each_and_closes_the_pair_at_28_days(bot):
    """7 days: bob reminded; 14: alice offered a new match; 28: closed as inactive, both told;
    running the pulse again sends nothing twice."""
    program = make_program(bot)
    pair_id = make_pair(bot, program, "alice", "bob")
    recorder = Recorder(bot.clock)
    pulse = pulse_for(bot, recorder)
    await weeks_alice_answers(bot, pulse, recorder, 2)  # bob's first nudge ignored
    first = min(t for t, target, m in recorder.nudges() if target.ids == ("bob",))
    await simulate(bot, pulse, first + timedelta(days=8), answer=False, recorder=recorder)
    assert sent_to(recorder, "bob", REMINDER) == 1
    assert sent_to(recorder, "alice", OFFER) == 0
    await weeks_alice_answers(bot, pulse, recorder, 1)
    await simulate(bot, pulse, first + timedelta(days=15), answer=False, recorder=recorder)
    assert sent_to(recorder, "alice", OFFER) == 1
    await simulate(bot, pulse, first + timedelta(days=27), answer=False, recorder=recorder)
    with transaction(bot.engine) as s:
        assert s.get(Pair, pair_id).status == "active"
    await simulate(bot, pulse, first + timedelta(days=29), answer=False, recorder=recorder)
    for _ in range(3):
        await pulse.tick()
    with transaction(bot.engine) as s:
        pair = s.get(Pair, pair_id)
        assert (pair.status, pair.end_reason, pair.end_detail) == ("ended", "inactive", "silence")
    assert sent_to(recorder, "bob", REMINDER) == 1
    assert sent_to(recorder, "alice", OFFER) == 1
    assert sent_to(recorder, "alice", CLOSED) == 1 and sent_to(recorder, "bob", CLOSED) == 1


async def test_a_meeting_reported_resets_the_clock(bot):
    """After bob's reminder, alice reports a meeting: no offer and no closing follow."""
    program = make_program(bot)
    pair_id = make_pair(bot, program, "alice", "bob")
    recorder = Recorder(bot.clock)
    pulse = pulse_for(bot, recorder)
    await weeks_alice_answers(bot, pulse, recorder, 2)
    first = min(t for t, target, m in recorder.nudges() if target.ids == ("bob",))
    await simulate(bot, pulse, first + timedelta(days=8), answer=False, recorder=recorder)
    assert sent_to(recorder, "bob", REMINDER) == 1
    assert "logged your meeting with bob" in run(bot, "checkin", who="alice")
    await simulate(bot, pulse, first + timedelta(days=20), answer=False, recorder=recorder)
    assert sent_to(recorder, "alice", OFFER) == 0
    with transaction(bot.engine) as s:
        assert s.get(Pair, pair_id).status == "active"


async def test_the_partner_may_be_matched_with_someone_else(bot):
    """Alice presses "match me with someone else": the pair ends inactive, she goes first."""
    program = make_program(bot)
    pair_id = make_pair(bot, program, "alice", "bob")
    recorder = Recorder(bot.clock)
    pulse = pulse_for(bot, recorder)
    await weeks_alice_answers(bot, pulse, recorder, 2)
    first = min(t for t, target, m in recorder.nudges() if target.ids == ("bob",))
    await weeks_alice_answers(bot, pulse, recorder, 1)
    await simulate(bot, pulse, first + timedelta(days=15), answer=False, recorder=recorder)
    offer = next(m for _, t, m in recorder.sent if t.ids == ("alice",) and OFFER in m.plain())
    wait, switch = button_commands(offer)
    assert "stays as it is" in press(bot, "alice", wait)
    assert "not in the program" in press(bot, "mallory", switch)
    assert "has ended" in press(bot, "alice", switch)
    with transaction(bot.engine) as s:
        pair = s.get(Pair, pair_id)
        assert (pair.end_reason, pair.end_detail) == ("inactive", "partner_silent")
        alice = s.exec(select(Member).where(Member.id == pair_members(s, pair_id)[0])).one()
        assert alice.match_priority == 1


def pair_members(s, pair_id: int) -> list[int]:
    from storage import pairs as pairs_db

    return pairs_db.members_of_pairs(session=s, pair_ids=[pair_id])[pair_id]


async def test_digest_buttons_act_for_admins_and_are_refused_to_others(settings, clock, engine):
    """The digest's nudge, end and rematch buttons confirm first, say who is told, and work only
    for admins."""
    bot = quiet_bot(settings, clock, engine)
    program = make_program(bot)
    first = make_pair(bot, program, "alice", "bob")
    second = make_pair(bot, program, "carol", "dave")
    recorder = Recorder(bot.clock)
    pulse = pulse_for(bot, recorder)
    await weeks_alice_answers(bot, pulse, recorder, 5)  # carol and dave ignore theirs too
    digest = bot.handle(Command(actor("admin"), "admin digest"))
    assert isinstance(digest, Message)
    commands = button_commands(digest)
    assert f"admin pair-nudge {first}" in commands
    assert f"admin pair-end {second}" in commands and f"admin pair-rematch {first}" in commands
    assert "Only program admins" in press(bot, "bob", f"admin pair-end {first}")
    assert "Only program admins" in press(bot, "bob", f"admin pair-end {first} confirm")
    asked = bot.handle(Action(actor("admin"), f"admin pair-nudge {first}"))
    assert "Who will be told: bob" in text_of(asked)
    assert "on its way to bob" in press(bot, "admin", button_commands(asked)[0])
    with transaction(bot.engine) as s:
        keys = s.exec(select(OutboxMessage.dedupe_key, OutboxMessage.target_ids)).all()
    assert [ids for key, ids in keys if key.startswith(f"engage:{first}:")] == [["bob"]]
    assert "Who will be told: carol, dave" in press(bot, "admin", f"admin pair-end {second}")
    with transaction(bot.engine) as s:
        assert s.get(Pair, second).status == "active"  # not confirmed yet
    press(bot, "admin", f"admin pair-end {second} confirm")
    press(bot, "admin", f"admin pair-rematch {first} confirm")
    with transaction(bot.engine) as s:
        assert s.get(Pair, second).end_reason == "removed"
        assert s.get(Pair, first).end_reason == "rematch"
        priorities = [s.get(Member, m).match_priority for m in pair_members(s, first)]
    assert priorities == [1, 1]
    assert "already ended" in press(bot, "admin", f"admin pair-end {second} confirm")


async def test_whoever_is_reminded_is_shown_silent_on_the_card_and_in_the_digest(bot):
    """On the day bob gets the 7-day reminder, his card, admin pairs and the digest say he is
    silent since his first ignored nudge, not healthy nor "stalled (answers, but no meeting)"."""
    program = make_program(bot)
    pair_id = make_pair(bot, program, "alice", "bob")
    recorder = Recorder(bot.clock)
    pulse = pulse_for(bot, recorder)
    await weeks_alice_answers(bot, pulse, recorder, 2)
    first = min(t for t, target, m in recorder.nudges() if target.ids == ("bob",))
    await simulate(bot, pulse, first + timedelta(days=8), answer=False, recorder=recorder)
    assert sent_to(recorder, "bob", REMINDER) == 1
    since = f"since {first.date().isoformat()}"
    card = run(bot, "admin person bob", who="admin")
    assert "ghosting" in card and "healthy" not in card
    assert "bob hasn't answered" in card and since in card
    pairs = run(bot, "admin pairs", who="admin")
    assert "ghosting" in pairs and f"bob silent since {first.date().isoformat()}" in pairs
    digest = run(bot, "admin digest", who="admin")
    assert f"#{pair_id} alice & bob" in digest and "bob silent since" in digest
    assert "answers, but no meeting" not in digest


async def test_a_nudge_queued_before_the_silence_close_is_withdrawn_with_the_pair(bot):
    """Alice's weekly nudge is queued a few minutes ahead; at its due instant bob's silence
    reaches 28 days and the pair closes: the queued, unsent nudge goes with the pair, so alice
    hears only of the close, not "did you meet bob?" first."""
    program = make_program(bot)
    now = bot.clock.now()  # a Sunday noon
    started = now - timedelta(weeks=5, minutes=-10)
    pair_id = make_pair(bot, program, "alice", "bob", started=started)
    with transaction(bot.engine) as s:
        alice, bob = members_of_pairs(session=s, pair_ids=[pair_id])[pair_id]
        for week in range(1, 5):
            due = started + timedelta(weeks=week)
            at = due + timedelta(hours=1)
            s.add(
                CheckIn(
                    pair_id=pair_id,
                    member_id=alice,
                    cycle_on=due.date(),
                    due_at=due,
                    outcome="not_yet",
                    recorded_at=at,
                )
            )
            s.add(CheckIn(pair_id=pair_id, member_id=bob, cycle_on=due.date(), due_at=due))
        soon = started + timedelta(weeks=5)  # the instant bob's silence is 28 days
        s.add(CheckIn(pair_id=pair_id, member_id=alice, cycle_on=soon.date(), due_at=soon))
    chat = Chat(bot)
    await chat.say("/time +5m", who="admin")
    with transaction(bot.engine) as s:
        assert s.get(Pair, pair_id).status == "active"
        queued = s.exec(
            select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("nudge"))
        ).all()
        assert [row.target_ids for row in queued] == [["alice"]]
    shown = await chat.say("/time +1d", who="admin")
    with transaction(bot.engine) as s:
        assert s.get(Pair, pair_id).end_detail == "silence"
    assert "Time for a quick check-in" not in shown
    assert "Your pairing with bob has been quiet for a long time" in shown
