"""Closure on the console's clock: whenever a pair ends, each person still in the program is
thanked with what the pair did, may rate it, keep in touch or be matched again; a person who
left is not asked, and a forgotten partner is never named."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import select

from bot.events import Command
from bot.replies import File, Message
from storage.engine import transaction
from storage.models import Program
from tests.closure.helpers import keys, mentor_and_mentees, message_to, priority, set_goal
from tests.conftest import actor
from tests.conversations.helpers import Chat
from tests.engagement.helpers import ghosting_pair
from tests.scenarios.helpers import button_number


async def test_a_rematch_closes_with_thanks_facts_and_mutual_keep_in_touch(bot):
    """After a rematch request both get one closing message (ended early, what they did, no
    zero facts) at a daytime hour; when both choose "keep in touch" each hears the other wants
    to as well; re-running the pulse sends nothing twice."""
    chat = Chat(bot)
    await mentor_and_mentees(chat, [("ann", "Asia/Tokyo")], capacity=1)
    await set_goal(chat, "ann")
    assert "logged your meeting" in await chat.say("/mentor checkin met", who="ann")
    await chat.say("/mentor rematch confirm our schedules never line up", who="ann")
    out = await chat.say("/time +1d")
    ann = message_to(out, "ann", "Hi ann! Your pairing with mia")
    mia = message_to(out, "mia", "Hi mia! Your pairing with ann")
    for text in (ann, mia):
        assert "in *Mentorship program* ended early" in text
        assert "What you did together: 1 meeting held, 1 goal set." in text
        assert "0 " not in text and "Rate and close" in text and "Keep in touch" in text
    assert "send mia a thank-you" in ann  # the mentee may thank the mentor
    first = await chat.say(f"/click {button_number(out, '[DM to ann] Hi ann!', 'Keep in touch')}")
    assert "If they'd like to as well, I'll tell you both" in first
    second = await chat.say(f"/click {button_number(out, '[DM to mia] Hi mia!', 'Keep in touch')}")
    assert "ann would like to keep in touch too" in second
    assert "[DM to ann] Good news: mia would like to keep in touch too" in second
    again = await chat.say("/time +3d")
    assert "Your pairing with" not in again and "keep in touch too" not in again
    assert len(keys(bot, "closure:")) == 3  # two closing messages and one "they want to too"


async def test_a_partner_who_left_is_not_asked_and_the_next_round_is_not_offered_twice(bot):
    """When bea leaves, only mia is asked (no "keep in touch": there's nobody to keep in touch
    with); bea's leaving already put mia in the next round, so her closing message says so and
    offers no "Match me again"; asking anyway raises her priority no further."""
    chat = Chat(bot)
    await mentor_and_mentees(chat, [("bea", "America/Los_Angeles")], capacity=1)
    await chat.say("/mentor leave confirm", who="bea")
    before = priority(bot, "mia")
    assert before == 1
    out = await chat.say("/time +2d")
    mia = message_to(out, "mia", "Hi mia! Your pairing with bea")
    assert "ended early" in mia and "Keep in touch" not in mia and "Match me again" not in mia
    assert "You're already in the next matching round" in mia
    assert "What you did together" not in mia  # nothing to count: no zero facts
    assert "[DM to bea] Hi bea! Your pairing" not in out
    for _ in range(2):
        said = await chat.say("/mentor closure again pair:1", who="mia")
        assert "in the next matching round" in said
    assert priority(bot, "mia") == before
    refused = await chat.say("/mentor closure keep pair:1", who="mia")
    assert "has left the program" in refused


async def test_a_forgotten_partner_is_never_named(bot):
    """After ann asks to be forgotten, mia's closing message and her wrap-up at the program's
    end say "a partner who left": no name, no blank, no "0 of 0 goals"."""
    chat = Chat(bot)
    await mentor_and_mentees(chat, [("ann", "Asia/Tokyo")], capacity=1)
    await chat.say("/mentor admin program set ends 2026-12-09", who="admin")
    await chat.say("/mentor forget confirm", who="ann")
    out = await chat.say("/time +2d")
    mia = message_to(out, "mia", "Hi mia! Your pairing with")
    assert "Your pairing with a partner who left in *Mentorship program* ended early" in mia
    assert "ann" not in mia.lower() and "Keep in touch" not in mia
    end = await chat.say("/time +16d")
    wrap = message_to(end, "mia", "Hi mia! *Mentorship program* has come to an end")
    assert "You were paired with a partner who left." in wrap
    assert "(with" not in wrap and "0 of 0" not in wrap and "ann" not in wrap.lower()
    assert "Keep in touch with your partner" not in wrap


async def test_thanks_reach_the_mentor_escaped_and_the_digest_only_with_consent(bot):
    """At the program's end each mentee's wrap-up is their closing message; a thank-you
    reaches the mentor by DM as the mentee's own words (escaped where it is rendered), and
    the final digest shows only the one its writer agreed to share."""
    chat = Chat(bot)
    await mentor_and_mentees(
        chat, [("ann", "Asia/Tokyo"), ("bea", "America/Los_Angeles")], capacity=2
    )
    await chat.say("/mentor admin program set ends 2026-12-09", who="admin")
    end = await chat.say("/time +19d")
    sent = ""
    for who, answers in (
        ("ann", ("5", "she listened", "Thank you <@U999> *so* much", "yes")),
        ("bea", ("4", "skip", "Thanks a lot, truly", "no")),
    ):
        number = button_number(end, f"[DM to {who}] Hi {who}! *Mentorship", "Rate and close")
        await chat.say(f"/click {number}")
        for answer in answers[:-1]:
            await chat.say(answer, who=who)
        done = await chat.say(answers[-1], who=who)
        assert "Your thank-you is on its way to mia" in done
        sent += done
    assert "[DM to mia] ann sent you a thank-you" in sent
    assert "> Thank you <@U999> *so* much" in sent
    assert "[DM to mia] bea sent you a thank-you" in sent
    _assert_escaped_for_slack(bot)
    digests = await chat.say("/time +14d")
    assert "ended on 2026-12-09: the final numbers" in digests
    assert "ann to mia: Thank you <@U999> *so* much" in digests
    assert "Thanks a lot, truly" not in digests


def _assert_escaped_for_slack(bot) -> None:
    """The thank-you DM, read back from the outbox and rendered by the Slack adapter, keeps
    the mentee's words as text: no mention, no bold."""
    from adapters.slack.blocks import mrkdwn
    from storage.models import OutboxMessage

    with transaction(bot.engine) as s:
        row = s.exec(
            select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("closure:thanks:"))  # type: ignore[attr-defined]
        ).first()
        assert row is not None
        message = Message.from_json(row.payload)
    note = next(p for p in message.parts if "Thank you" in getattr(p, "text", None).plain())  # type: ignore[union-attr]
    rendered = mrkdwn(note.text)  # type: ignore[union-attr]
    assert "<@U999>" not in rendered and "&lt;@U999&gt;" in rendered


async def test_export_says_completed_or_ended_early_and_forget_blanks_the_words(bot):
    """A person's export lists each ended pair as completed or ended early with how they
    closed it; after forget the reason and thank-you are blank and nothing is shared."""
    chat = Chat(bot)
    await mentor_and_mentees(chat, [("ann", "Asia/Tokyo")], capacity=1)
    await chat.say("/mentor admin program set ends 2026-12-09", who="admin")
    end = await chat.say("/time +19d")
    number = button_number(end, "[DM to ann] Hi ann! *Mentorship", "Rate and close")
    await chat.say(f"/click {number}")
    for answer in ("5", "patient and kind", "Thanks for everything", "yes"):
        await chat.say(answer, who="ann")
    reply = bot.handle(Command(actor("ann"), "export"))
    assert isinstance(reply, Message)
    data = json.loads(next(p for p in reply.parts if isinstance(p, File)).content)
    [row] = data["closure"]
    assert row["outcome"] == "completed" and row["end_reason"] == "program_ended"
    assert row["rating"] == 5 and row["thanks"] == "Thanks for everything"
    with transaction(bot.engine) as s:
        program = s.exec(select(Program)).one()
        header, rows = bot.registry.tables["closure"](s, program, bot.settings)
    table = dict(rows)
    assert header == ["measure", "value"]
    assert table["closures asked (one per person and pair)"] == "hidden"  # 2 people: too few
    assert table["mean last rating (1-5)"] == "hidden"  # one rating: fewer than three people
    await chat.say("/mentor forget confirm", who="ann")
    from storage.models import PairClosure

    with transaction(bot.engine) as s:
        [closure] = [c for c in s.exec(select(PairClosure)).all() if c.rating == 5]
        assert (closure.reason, closure.thanks, closure.share_thanks) == ("", "", False)


async def _silence_closed(bot, *, ends_in_days: int | None, every_weeks: int | None = None) -> str:
    """alice answers, bob has been silent for five weeks; a day on the console clock closes
    the pair and sends the closing messages. Returns what the console printed. ``every_weeks``:
    the program's rounds recur (on the weekday and time it keeps by default)."""
    program, _ = ghosting_pair(bot, a="alice", b="bob")
    with transaction(bot.engine) as s:
        row = s.get(Program, program)
        row.rounds_every_weeks = every_weeks
        if ends_in_days is not None:
            row.ends_on = (bot.clock.now() + timedelta(days=ends_in_days)).date()
    return await Chat(bot).say("/time +2d", who="admin")


async def test_a_silence_close_points_to_the_closing_message_which_offers_the_next_round(bot):
    """The automatic close after a long silence does not send people to the coordinators: it
    points to the closing message, which (nobody being in the next round yet) offers it."""
    out = await _silence_closed(bot, ends_in_days=None)
    closed = message_to(out, "alice", "Hi alice! Your pairing with bob has been quiet")
    assert "ask the coordinators" not in closed and "my next message asks" in closed
    closing = message_to(out, "alice", "Hi alice! Your pairing with bob in *Test program*")
    assert "Match me again" in closing and "already in the next matching round" not in closing


async def test_in_the_programs_last_weeks_no_next_round_is_promised(bot):
    """With the program ending before another round could come, neither message promises a
    next round, and asking for one anyway says why not."""
    out = await _silence_closed(bot, ends_in_days=10)
    closing = message_to(out, "alice", "Hi alice! Your pairing with bob in *Test program*")
    assert "Rate and close" in closing
    assert "Match me again" not in closing and "next round" not in closing
    said = await Chat(bot).say("/mentor closure again pair:1", who="alice")
    assert "ends before another matching round" in said


async def test_with_weekly_rounds_the_schedule_says_a_next_round_comes_before_the_end(bot):
    """Ten days before the end, no rounds published yet: by the usual four-week rhythm no
    round would come, but the program's weekly schedule has one due within a week, so the
    closing message offers it and asking for it puts alice in it."""
    out = await _silence_closed(bot, ends_in_days=10, every_weeks=1)
    closing = message_to(out, "alice", "Hi alice! Your pairing with bob in *Test program*")
    assert "Match me again" in closing
    said = await Chat(bot).say("/mentor closure again pair:1", who="alice")
    assert "ends before another matching round" not in said


async def test_after_admin_end_the_closing_message_does_not_ask_for_the_next_round_again(bot):
    """`admin end` tells both they're in the next matching round; a day later their closing
    message says they already are, instead of asking "Match me again"."""
    chat = Chat(bot)
    await mentor_and_mentees(chat, [("ann", "Europe/Paris")], capacity=1)
    await chat.say("/mentor admin end confirm mia ann", who="admin")
    out = await chat.say("/time +2d")
    ann = message_to(out, "ann", "Hi ann! Your pairing with mia in *Mentorship program* ended")
    assert "You're already in the next matching round" in ann
    assert "Match me again" not in ann and "Keep in touch" in ann
