"""Goals end to end through the console adapter and the fake clock: the SMART goal
conversation with its coaching, who sees a goal, and completing one."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from storage.engine import transaction
from storage.models import Goal, Member
from tests.checkins.helpers import make_pair, make_program
from tests.conversations.helpers import TODAY, Chat, conversations, joined, outbox


async def test_smart_goal_with_every_coaching_branch(bot):
    """A vague goal, a measure with no number, bad and past and far dates each get their own
    follow-up; back, skip and keep work; the goal is stored as answered."""
    chat = await joined(bot)
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
    chat = await joined(bot)
    await chat.say("/mentor goal")
    await chat.say("improve")
    assert "question 2 of 7" in await chat.say("improve at work")


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


async def _set_goal(chat: Chat, due: str) -> str:
    """Answer the goal conversation (as alice) with a clear goal due ``due``; the read-back."""
    await chat.say("/mentor goal", who="alice")
    await chat.say("Lead one code review of the payments service")
    await chat.say("3 reviews merged")
    await chat.say(due)
    await chat.say("skip")
    await chat.say("skip")
    await chat.say("yes")
    return await chat.say("no")


async def test_a_goal_due_after_the_program_ends_is_kept_with_a_friendly_note(bot):
    """Due after the program's last day: kept as set, and the read-back says so and suggests
    an earlier date; a goal due by the last day gets no note."""
    chat = await joined(bot)
    assert "2027-01-31" in await chat.say("/mentor admin program set ends 2027-01-31", who="admin")
    late = await _set_goal(chat, "end of March")
    assert "Goal 1 is set" in late
    assert "this goal is due Wed 31 Mar 2027, after the program ends on Sun 31 Jan 2027" in late
    assert "a date before the end" in late
    on_time = await _set_goal(chat, "2027-01-31")
    assert "Goal 2 is set" in on_time and "after the program ends" not in on_time
    with transaction(bot.engine) as s:
        dues = [g.due_on.isoformat() for g in s.exec(select(Goal).order_by(Goal.id)).all()]  # type: ignore[arg-type, union-attr]
    assert dues == ["2027-03-31", "2027-01-31"]
