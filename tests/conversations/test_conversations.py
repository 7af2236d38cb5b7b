"""Guided conversations end to end through the console adapter and the fake clock:
SMART goals with coaching, progress, feedback and fit, surveys, resume, reminders, expiry."""

from __future__ import annotations

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from adapters.surfaces import surfaces
from bot.app import build_bot
from bot.conversations.answers import Invalid, needs_coaching, parse, parse_goal_date
from bot.conversations.scripts import Step
from bot.pulse import Pulse
from bot.replies import Message
from storage.engine import transaction
from storage.models import (
    Conversation,
    Feedback,
    Goal,
    GoalUpdate,
    Member,
    Pair,
    Person,
)
from tests.checkins.helpers import make_pair, make_program
from tests.conversations.helpers import Chat, conversations, outbox

TODAY = date(2026, 11, 22)


async def _joined(bot, name="alice") -> Chat:
    chat = Chat(bot, user=name)
    assert "You're in!" in await chat.say("/mentor join mentee")
    return chat


async def test_smart_goal_with_every_coaching_branch(bot):
    """A vague goal, a measure with no number, bad and past and far dates each get their own
    follow-up; back, skip and keep work; the goal is stored as answered."""
    chat = await _joined(bot)
    first = await chat.say("/mentor goal")
    assert "specific, measurable and with a date" in first and "question 1 of 7" in first
    coach = await chat.say("get better at python")
    assert '"get better at python" is a direction more than a goal' in coach
    assert "question 2" not in coach
    assert "question 2 of 7" in await chat.say("Lead one code review of the payments service")
    coach = await chat.say("feel more at ease")
    assert 'How would someone else see that you\'ve done "feel more at ease"?' in coach
    assert "question 3 of 7" in await chat.say("keep")  # keeps the first answer
    assert "couldn't read that date" in await chat.say("someday soonish")
    assert "already passed (today is 2026-11-22)" in await chat.say("2026-01-05")
    assert "more than a year away" in await chat.say("2028-06-01")
    assert "question 4 of 7" in await chat.say("end of March")
    back = await chat.say("back")
    assert "question 3 of 7" in back and "Your answer was: 2027-03-31" in back
    assert "question 4 of 7" in await chat.say("in 8 weeks")
    assert "question 5 of 7" in await chat.say("It's the next step towards senior")
    assert "question 6 of 7" in await chat.say("skip")
    assert "yes or no" in await chat.say("maybe")
    assert "question 7 of 7" in await chat.say("no")
    done = await chat.say("yes")
    assert "Goal 1 is set" in done and "only you can see it" in done
    with transaction(bot.engine) as s:
        goal = s.exec(select(Goal)).one()
    assert goal.title == "Lead one code review of the payments service"
    assert goal.measure == "feel more at ease"
    assert goal.due_on == TODAY + timedelta(weeks=8)
    assert goal.why == "It's the next step towards senior" and goal.first_milestone == ""
    assert goal.private is True and goal.celebrate is True
    assert conversations(bot)[-1].status == "done"


async def test_a_second_vague_answer_is_accepted_not_looped(bot):
    """Coaching asks once; the next answer is taken as it is."""
    chat = await _joined(bot)
    await chat.say("/mentor goal")
    await chat.say("improve")
    assert "question 2 of 7" in await chat.say("improve at work")


@pytest.mark.parametrize(
    ("check", "value", "expected"),
    [
        ("specific", "get better at public speaking", "specific"),
        ("specific", "improve my SQL", "specific"),
        ("specific", "python", "specific"),
        ("specific", "Give a 10-minute talk at the March demo", None),
        ("measurable", "be more confident", "measurable"),
        ("measurable", "3 merged PRs", None),
        ("measurable", "talk given at the team demo", None),
        ("date_window", "2027-03-01", None),
        ("date_window", "2028-01-01", "date_far"),
    ],
)
def test_coaching_checks(check, value, expected):
    assert needs_coaching(check, value, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-02-01", date(2027, 2, 1)),
        ("in 8 weeks", date(2027, 1, 17)),
        ("3 months", date(2027, 2, 22)),
        ("end of March", date(2027, 3, 31)),
        ("by the end of the year", date(2026, 12, 31)),
        ("end of month", date(2026, 11, 30)),
        ("15 jan", date(2027, 1, 15)),
    ],
)
def test_goal_dates(text, expected):
    assert parse_goal_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("step", "text", "key"),
    [
        (Step("s", "scale", "?", "S"), "6", "conv.invalid.scale"),
        (Step("s", "scale", "?", "S"), "great", "conv.invalid.scale"),
        (Step("n", "number", "?", "N"), "150", "conv.invalid.number"),
        (Step("n", "number", "?", "N"), "lots", "conv.invalid.number"),
        (Step("y", "yesno", "?", "Y"), "perhaps", "conv.invalid.yesno"),
        (
            Step("c", "choice", "?", "C", choices=(("a", "Apple"), ("b", "Banana"))),
            "kiwi",
            "conv.invalid.choice",
        ),
        (
            Step("m", "multi", "?", "M", choices=(("a", "Apple"), ("b", "Banana"))),
            "apple, kiwi",
            "conv.invalid.multi",
        ),
        (Step("t", "text", "?", "T", max_length=10), "x" * 11, "conv.invalid.too_long"),
        (Step("t", "text", "?", "T"), "   ", "conv.invalid.empty"),
        (Step("d", "date", "?", "D"), "yesterday", "conv.invalid.date_past"),
    ],
)
def test_invalid_answers_name_their_reask(step, text, key):
    with pytest.raises(Invalid) as caught:
        parse(step, text, today=TODAY)
    assert caught.value.key == key


def test_valid_answers_of_every_kind():
    fruit = (("a", "Apple"), ("b", "Banana"), ("c", "Cherry"))
    assert parse(Step("s", "scale", "?", "S"), "4/5", today=TODAY) == 4
    assert parse(Step("n", "number", "?", "N"), "40%", today=TODAY) == 40
    assert parse(Step("y", "yesno", "?", "Y"), "Yep", today=TODAY) is True
    assert parse(Step("c", "choice", "?", "C", choices=fruit), "2", today=TODAY) == "b"
    assert parse(Step("c", "choice", "?", "C", choices=fruit), "cher", today=TODAY) == "c"
    assert parse(Step("m", "multi", "?", "M", choices=fruit), "apple and 3", today=TODAY) == [
        "a",
        "c",
    ]
    assert parse(Step("t", "text", "?", "T", optional=True), "", today=TODAY) is None


async def test_reasks_keep_the_place_and_required_steps_cannot_be_skipped(bot):
    chat = await _joined(bot)
    await chat.say("/mentor goal")
    reply = await chat.say("skip")
    assert "can't be skipped" in reply and "question 1 of 7" in reply
    reply = await chat.say("back")
    assert "first question already" in reply
    reply = await chat.say("help")
    assert "We're in *Set a SMART goal*" in reply and "question 1 of 7" in reply
    assert "longer than I can take here (300" in await chat.say("x" * 301)
    assert conversations(bot)[0].step == 0


async def test_resume_after_a_restart_and_a_day_of_silence(bot, settings, clock, engine):
    """State is in the database: a new bot process picks up at the same question."""
    chat = await _joined(bot)
    await chat.say("/mentor goal")
    await chat.say("Ship the search feature to 10% of users")
    clock.advance(timedelta(hours=20))
    restarted = build_bot(settings, clock=clock, engine=engine, surfaces=surfaces())
    again = Chat(restarted, user="alice")
    reply = await again.say("/mentor conversation continue")
    assert "Picking up *Set a SMART goal*" in reply and "question 2 of 7" in reply
    assert "question 3 of 7" in await again.say("10% of users see it, error rate under 1%")
    assert conversations(restarted)[0].answers["measure"].startswith("10% of users")


async def test_reminder_first_then_expiry(bot, clock):
    """Silence brings one reminder at a daytime hour, then the conversation is closed."""
    chat = await _joined(bot)
    await chat.say("/mentor timezone Asia/Tokyo")
    await chat.say("/mentor goal")
    pulse = Pulse(bot, chat.session.dispatcher)
    clock.advance(timedelta(hours=23))
    assert pulse.run("conversations").reminded == 0
    clock.advance(timedelta(hours=2))  # 2026-11-23 13:00 UTC = 22:00 in Tokyo
    assert pulse.run("conversations").reminded == 1
    assert pulse.run("conversations").reminded == 0  # once
    (reminder,) = outbox(bot, "conv-reminder:")
    local = reminder.not_before.astimezone(ZoneInfo("Asia/Tokyo"))
    assert 8 <= local.hour < 20
    sent = Message.from_json(reminder.payload)
    assert "halfway through *Set a SMART goal*" in sent.plain()
    assert "conversation continue" in [b.command for b in sent.parts[1].buttons]
    clock.advance(timedelta(hours=48))
    stats = pulse.run("conversations")
    assert stats.expired == 1 and conversations(bot)[0].status == "expired"
    # An answer after that is not lost silently: they hear what happened, once.
    told = await chat.say("ship it")
    assert "I closed *Set a SMART goal* after 72 hours" in told and "`/mentor goal`" in told
    assert "I don't know `/mentor ship`" in await chat.say("ship it")


async def test_one_conversation_at_a_time(bot, clock):
    """Starting another asks first; "start the new one" stops the old one."""
    program = make_program(bot)
    make_pair(bot, program, "alice", "bob")
    chat = Chat(bot, user="alice")
    await chat.say("/mentor goal")
    busy = await chat.say("/mentor feedback")
    assert "middle of setting a goal" in busy and "session feedback" in busy
    resumed = await chat.click("Continue", busy)
    assert "question 1 of 7" in resumed
    busy = await chat.say("/mentor feedback")
    started = await chat.click("Start the new one", busy)
    assert "How useful was the session" in started
    statuses = [c.status for c in conversations(bot)]
    assert statuses == ["cancelled", "active"]
    assert "Stopped *Session feedback*" in await chat.say("cancel")


async def test_we_met_offers_feedback_then_progress_per_goal(bot):
    """After "we met": feedback (with the fit question after the first session), then a
    progress round for each active goal; 100% offers to mark the goal done."""
    program = make_program(bot)
    make_pair(bot, program, "alice", "bob")
    with transaction(bot.engine) as s:
        alice = s.exec(select(Member).where(Member.role == "mentee")).one()
        for title in ("Give a talk", "Merge 3 PRs"):
            s.add(Goal(member_id=alice.id, title=title, measure="done", created_at=bot.clock.now()))
    chat = Chat(bot, user="alice")
    met = await chat.say("/mentor checkin met")
    assert "[1] How did it go?" in met and "Update my goals" in met
    fb = await chat.click("How did it go?", met)
    assert "bob never sees it" in fb and "How useful was the session" in fb
    await chat.click("4", fb)
    await chat.say("Concrete advice on my PR")
    fit = await chat.say("skip")
    assert "how is the fit with bob" in fit
    poor = await chat.say("3")
    assert "isn't clicking" in poor and "Ask for a new match" in poor
    with transaction(bot.engine) as s:
        rows = {f.kind: f for f in s.exec(select(Feedback)).all()}
    assert rows["session"].rating == 4 and rows["session"].helped == "Concrete advice on my PR"
    assert rows["fit"].helped == "poor" and rows["fit"].rating == 1

    progress = await chat.say("/mentor progress")
    assert "*Give a talk*: roughly how far along" in progress
    assert "from 0 to 100" in await chat.say("150")
    assert "question 2 of 2" in await chat.say("100%")
    second = await chat.say("skip")
    assert "Noted: *Give a talk* at 100%" in second and "Mark it done" in second
    assert "*Merge 3 PRs*: roughly how far along" in second
    assert "You did it: *Give a talk* is done" in await chat.click("Mark it done", second)
    await chat.say("40")  # a button in between does not lose the conversation's place
    assert "That's all your goals" in await chat.say("Waiting for reviews")
    with transaction(bot.engine) as s:
        updates = s.exec(select(GoalUpdate).order_by(GoalUpdate.id)).all()
    assert [(u.progress, u.blockers) for u in updates] == [(100, ""), (40, "Waiting for reviews")]
    goals = await chat.say("/mentor goals")
    assert "~Give a talk~: done" in goals and "Merge 3 PRs: 40%" in goals
    assert "blocked by: Waiting for reviews" in goals


async def test_fit_is_asked_after_the_first_session_only(bot):
    program = make_program(bot)
    make_pair(bot, program, "alice", "bob")
    chat = Chat(bot, user="alice")
    await chat.say("/mentor checkin met")
    await chat.say("/mentor feedback")
    await chat.say("5")
    await chat.say("skip")
    await chat.say("skip")
    great = await chat.say("1")  # "A great fit"
    assert "Thank you!" in great and "new match" not in great
    bot.clock.advance(timedelta(days=14))
    await chat.say("/mentor checkin met")
    await chat.say("/mentor feedback")
    await chat.say("4")
    await chat.say("skip")
    done = await chat.say("skip")
    assert "Thank you!" in done and "how is the fit" not in done


async def test_poor_fit_leads_to_a_rematch_request(bot):
    program = make_program(bot)
    pair_id = make_pair(bot, program, "alice", "bob")
    chat = Chat(bot, user="alice")
    await chat.say("/mentor checkin met")
    await chat.say("/mentor feedback")
    for line in ("2", "skip", "skip"):
        await chat.say(line)
    poor = await chat.say("poor")
    confirm = await chat.click("Ask for a new match", poor)
    assert "This ends your pairing with bob" in confirm
    done = await chat.click("Yes, end this pairing", confirm)
    assert "Your pairing has ended and you'll be first in line" in done
    with transaction(bot.engine) as s:
        pair = s.get(Pair, pair_id)
    assert pair.status == "ended" and pair.end_reason == "rematch"


async def test_goals_are_shared_with_the_partner_only_unless_private(bot):
    """bob (partner) sees alice's shared goal, never her private one; carol sees neither."""
    program = make_program(bot)
    make_pair(bot, program, "alice", "bob")
    with transaction(bot.engine) as s:
        alice = s.exec(select(Member).where(Member.role == "mentee")).one()
        s.add(Goal(member_id=alice.id, title="Shared talk goal", created_at=bot.clock.now()))
        s.add(
            Goal(
                member_id=alice.id,
                title="Secret job hunt",
                private=True,
                created_at=bot.clock.now(),
            )
        )
    chat = Chat(bot, user="alice")
    mine = await chat.say("/mentor goals")
    assert "Shared talk goal" in mine and "Secret job hunt" in mine and "private" in mine
    home = await chat.say("/mentor home")  # the Slack App Home tab
    assert "Partner" in home and "Secret job hunt" in home and "[1] Set a goal" in home
    assert "Secret job hunt" not in await chat.say("/mentor home", who="bob")
    partner = await chat.say("/mentor goals", who="bob")
    assert "alice's shared goals" in partner and "Shared talk goal" in partner
    assert "Secret job hunt" not in partner
    await chat.say("/mentor join mentor", who="carol")
    other = await chat.say("/mentor goals", who="carol")
    assert "Shared talk goal" not in other and "Secret job hunt" not in other
    assert "private" in await chat.say("/mentor goal private 1", who="alice")
    assert "Shared talk goal" not in await chat.say("/mentor goals", who="bob")
    assert "no goal 7" in await chat.say("/mentor goal done 7", who="alice")


async def test_completing_a_goal_celebrates_only_with_consent(bot):
    program = make_program(bot)
    make_pair(bot, program, "alice", "bob")
    with transaction(bot.engine) as s:
        alice = s.exec(select(Member).where(Member.role == "mentee")).one()
        s.add(
            Goal(
                member_id=alice.id, title="Talk at demo", celebrate=True, created_at=bot.clock.now()
            )
        )
        s.add(Goal(member_id=alice.id, title="Quiet goal", created_at=bot.clock.now()))
    chat = Chat(bot, user="alice")
    await chat.say("/mentor admin program set channel mentoring", who="admin")
    done = await chat.say("/mentor goal done 1", who="alice")
    assert "You did it" in done and "celebrate it in the program channel" in done
    assert "[#mentoring] Congratulations to alice" in done
    assert "[DM to bob] alice just completed a goal" in done
    (post,) = outbox(bot, "celebrate:")
    assert post.target_kind == "channel" and post.target_ids == ["mentoring"]
    quiet = await chat.say("/mentor goal done 2")
    assert "[#mentoring]" not in quiet
    assert len(outbox(bot, "celebrate:")) == 1
    assert "already done" in await chat.say("/mentor goal done 1")


async def test_feedback_stays_private_and_admins_see_totals_of_three_or_more(bot):
    program = make_program(bot)
    make_pair(bot, program, "alice", "bob")
    make_pair(bot, program, "carol", "dan")
    chat = Chat(bot, user="alice")

    async def give(who: str, rating: str, helped: str) -> None:
        await chat.say("/mentor feedback", who=who)
        await chat.say(rating)
        await chat.say(helped)
        await chat.say("skip")
        await chat.say("great")

    await give("alice", "2", "SECRET-alice-note")
    await give("bob", "5", "SECRET-bob-note")
    mine = await chat.say("/mentor feedback mine", who="alice")
    assert "2/5 · helped: SECRET-alice-note" in mine and "SECRET-bob-note" not in mine
    # bob (alice's partner) and any non-admin cannot read it anywhere.
    for who in ("bob", "carol"):
        commands = (
            "status",
            "goals",
            "feedback mine",
            "admin feedback",
            "admin survey mid",
            "home",
        )
        for command in commands:
            reply = await chat.say(f"/mentor {command}", who=who)
            assert "SECRET-alice-note" not in reply
            if command.startswith("admin"):
                assert "Only program admins" in reply
    two = await chat.say("/mentor admin feedback", who="admin")
    assert "Not enough feedback to show yet: 2 so far" in two and "average" not in two
    await give("carol", "4", "SECRET-carol-note")
    three = await chat.say("/mentor admin feedback", who="admin")
    assert "3.7 / 5" in three and "great 3" in three
    assert "SECRET" not in three


async def test_survey_invitations_arrive_at_local_hour_and_results_stay_anonymous(bot, clock):
    program = make_program(bot, hour=10)
    make_pair(bot, program, "alice", "bob", zone_a="America/New_York", zone_b="Asia/Tokyo")
    make_pair(bot, program, "carol", "dan", zone_a="Europe/Berlin", zone_b="UTC")
    chat = Chat(bot, user="admin")
    start = clock.now().date()
    await chat.say(f"/mentor admin program set ends {(start + timedelta(weeks=12)).isoformat()}")
    pulse = Pulse(bot, chat.session.dispatcher)
    assert pulse.run("surveys") == 0  # nothing due yet
    assert "opens on 2027-01-03" in await chat.say("/mentor survey mid", who="alice")
    clock.advance(timedelta(weeks=6) - timedelta(hours=14))  # the day before mid, 22:00 UTC
    assert pulse.run("surveys") == 4
    assert pulse.run("surveys") == 0  # idempotent
    for row in outbox(bot, "survey:"):
        zone = {"alice": "America/New_York", "bob": "Asia/Tokyo", "carol": "Europe/Berlin"}.get(
            row.target_ids[0], "UTC"
        )
        local = row.not_before.astimezone(ZoneInfo(zone))
        assert (local.date(), local.hour) == (date(2027, 1, 4), 10), row.target_ids  # Monday
        assert "survey mid" in str(row.payload)

    clock.advance(timedelta(days=1, hours=12))
    answers = {"alice": "1", "bob": "4", "carol": "5"}
    for who, scale in answers.items():
        reply = await chat.say("/mentor survey", who=who)
        assert "The mid-program survey" in reply and "belong" in reply
        for _ in range(6):  # belonging, social, academic, confidence, continue, value
            await chat.say(scale)
        thanks = await chat.say(f"OPEN-{who}")
        assert "Thank you for answering" in thanks
        if who == "alice":
            assert "already answered" in await chat.say("/mentor survey mid", who="alice")
            few = await chat.say("/mentor admin survey mid", who="admin")
            assert "1 so far" in few and "/ 5" not in few
    results = await chat.say("/mentor admin survey mid", who="admin")
    assert re.search(r"people who answered\s+3", results)
    assert "3.3 / 5" in results and "1 of 3 (33%)" in results
    assert "OPEN-" not in results
    own = await chat.say("/mentor survey mine", who="bob")
    assert "Your answers to the mid-program survey" in own and "OPEN-bob" in own
    assert "OPEN-alice" not in own
    assert "Only program admins" in await chat.say("/mentor admin survey mid", who="bob")


async def test_buttons_of_earlier_steps_or_other_people_do_nothing_harmful(bot):
    program = make_program(bot)
    make_pair(bot, program, "alice", "bob")
    chat = Chat(bot, user="alice")
    await chat.say("/mentor checkin met")
    first = await chat.say("/mentor feedback")
    assert re.search(r"\[\d+\] 5 ", first)  # the rating buttons carry "answer 1 0 <n>"
    await chat.say("4")  # typed instead of pressing a button
    stale = await chat.say("/mentor answer 1 0 5")  # the old rating button, pressed late
    assert "for an earlier question" in stale and "What helped most?" in stale
    assert "someone else's conversation" in await chat.say("/mentor answer 1 0 3", who="bob")
    assert "someone else's conversation" in await chat.say("/mentor answer 99 0 3", who="bob")
    with transaction(bot.engine) as s:
        (conv,) = s.exec(select(Conversation)).all()
    assert conv.answers == {"rating": 4} and conv.step == 1


def test_one_active_conversation_per_person_is_enforced_by_the_database(bot):
    from sqlalchemy.exc import IntegrityError

    now = bot.clock.now()
    with transaction(bot.engine) as s:
        person = Person(platform="console", platform_user_id="zed", created_at=now, updated_at=now)
        s.add(person)
        s.flush()
        s.add(Conversation(person_id=person.id, script="goal", started_at=now, updated_at=now))
        s.add(
            Conversation(
                person_id=person.id, script="goal", status="done", started_at=now, updated_at=now
            )
        )
    with pytest.raises(IntegrityError), transaction(bot.engine) as s:
        s.add(Conversation(person_id=person.id, script="feedback", started_at=now, updated_at=now))


async def test_leaving_the_program_stops_a_conversation_in_progress(bot):
    chat = await _joined(bot)
    await chat.say("/mentor goal")
    await chat.say("/mentor leave confirm")
    assert [c.status for c in conversations(bot)] == ["cancelled"]
    assert "not in the program" in await chat.say("/mentor goal")


def test_a_forged_form_for_someone_elses_conversation_is_refused(bot):
    from bot.events import FormSubmitted
    from tests.conftest import actor, run, text_of

    program = make_program(bot)
    make_pair(bot, program, "alice", "bob")
    run(bot, "feedback", who="alice")  # console: step by step, conversation 1
    forged = bot.handle(FormSubmitted(actor("bob"), "conv:1", {"rating": "1", "fit": "poor"}))
    assert "someone else's conversation" in text_of(forged)
    own = bot.handle(FormSubmitted(actor("alice"), "conv:1", {"rating": "9", "fit": "poor"}))
    assert "rating: Please answer with a number from 1 to 5." in text_of(own)
    ok = bot.handle(FormSubmitted(actor("alice"), "conv:1", {"rating": "3", "fit": "ok"}))
    assert "Thank you!" in text_of(ok)
    with transaction(bot.engine) as s:
        assert {f.kind for f in s.exec(select(Feedback)).all()} == {"session", "fit"}
    again = bot.handle(FormSubmitted(actor("alice"), "conv:1", {"rating": "3", "fit": "ok"}))
    assert "already closed" in text_of(again)
