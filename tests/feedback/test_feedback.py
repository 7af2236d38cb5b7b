"""Session feedback and the fit question end to end through the console adapter: offered
after "we met" (then goal progress), a poor fit leads to a rematch, and answers stay private."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from storage.engine import transaction
from storage.models import Feedback, Goal, GoalUpdate, Member, Pair
from tests.checkins.helpers import make_pair, make_program
from tests.conversations.helpers import Chat


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
    assert "Your pairing has ended and you're in the next round" in done
    with transaction(bot.engine) as s:
        pair = s.get(Pair, pair_id)
    assert pair.status == "ended" and pair.end_reason == "rematch"


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
