"""Guided conversations end to end through the console adapter and the fake clock: answers
parsed and re-asked, resume, reminders, expiry, one conversation at a time. The goal, feedback
and survey conversations themselves are tried in tests/goals/, tests/feedback/, tests/surveys/."""

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
from storage.models import Conversation, Feedback, Person
from tests.checkins.helpers import make_pair, make_program
from tests.conversations.helpers import TODAY, Chat, conversations, joined, outbox


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
    chat = await joined(bot)
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
    chat = await joined(bot)
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
    chat = await joined(bot)
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
    chat = await joined(bot)
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
