"""Mentees who choose, through the console on the fake clock: suggestions keep the hard
rules, a request is accepted (pair and introduction), declined, withdrawn or lapses by the
job; a mentee waiting for an answer is left out of the admin's matching; a mentor without
room is told kindly."""

from __future__ import annotations

import json

from sqlmodel import select

from bot.events import Command
from bot.replies import File, Message
from storage.engine import transaction
from storage.models import Member, MentorChoice, Pair, PairStatus, Person
from tests.conftest import actor
from tests.conversations.helpers import Chat


async def program(chat: Chat) -> None:
    """mia (python) and max (design) mentor; ann wants python and bea design; choosing on."""
    for who, role, profile in (
        ("mia", "mentor", "skills python, sql"),
        ("max", "mentor", "skills design"),
        ("ann", "mentee", "wants python"),
        ("bea", "mentee", "wants design"),
    ):
        await chat.say(f"/mentor join {role}", who=who)
        await chat.say(f"/mentor profile set {profile}", who=who)
        await chat.say("/mentor profile set languages English", who=who)
    await chat.say("/mentor admin program set choose on days 2", who="admin")


def member_id(chat: Chat, name: str) -> int:
    with transaction(chat.bot.engine) as s:
        person = s.exec(select(Person).where(Person.platform_user_id == name)).one()
        member = s.exec(select(Member).where(Member.person_id == person.id)).one()
        assert member.id is not None
        return member.id


def choices(chat: Chat) -> list[MentorChoice]:
    with transaction(chat.bot.engine) as s:
        return list(s.exec(select(MentorChoice).order_by(MentorChoice.id)).all())  # type: ignore[arg-type]


def active_pairs(chat: Chat) -> list[set[int]]:
    from storage.models import PairMember

    with transaction(chat.bot.engine) as s:
        pairs = s.exec(select(Pair).where(Pair.status == PairStatus.ACTIVE)).all()
        return [
            {pm.member_id for pm in s.exec(select(PairMember).where(PairMember.pair_id == p.id))}
            for p in pairs
        ]


async def test_the_setting_is_shown_and_checked(bot):
    """``admin program set choose`` takes on/off and a number of days, shows it, and refuses
    nonsense and peer programs kindly."""
    chat = Chat(bot)
    off = await chat.say("/mentor admin program", who="admin")
    assert "choose   off" in off
    assert "on, 5 days to answer" in await chat.say(
        "/mentor admin program set choose on 5 days", who="admin"
    )
    bad = await chat.say("/mentor admin program set choose maybe", who="admin")
    assert "on, off, on days 3" in bad and "Traceback" not in bad
    assert "on days 3" in await chat.say("/mentor admin program set choose on days 99", who="admin")
    assert "choose   off" in await chat.say("/mentor admin program set choose off", who="admin")
    await chat.say("/mentor admin program set kind peer", who="admin")
    refused = await chat.say("/mentor admin program set choose on", who="admin")
    assert "mentoring programs only" in refused


async def test_suggestions_keep_the_hard_rules(bot):
    """A mentee is shown mentors sharing a language, with room, not blocked and not a recent
    partner, best first with why; asking one outside them is refused."""
    chat = Chat(bot)
    await program(chat)
    for who, profile in (("lea", "languages German"), ("bo", "skills python"), ("kai", "")):
        await chat.say("/mentor join mentor", who=who)
        if profile:
            await chat.say(f"/mentor profile set {profile}", who=who)
    await chat.say("/mentor profile set languages English", who="kai")
    await chat.say("/mentor profile set languages English", who="bo")
    await chat.say("/mentor admin block ann bo", who="admin")
    await chat.say("/mentor admin pair confirm bea kai", who="admin")  # kai is full now
    await chat.say("/mentor join mentor", who="rex")
    await chat.say("/mentor profile set languages English", who="rex")
    await chat.say("/mentor admin pair confirm ann rex", who="admin")
    await chat.say("/mentor admin end confirm ann rex", who="admin")  # rex: a recent partner

    shown = await chat.say("/mentor choose", who="ann")
    assert "*The mentors who fit you best*" in shown
    assert "*mia*: mia can help with python" in shown
    assert shown.index("*mia*") < shown.index("*max*")  # best first
    assert "Ask mia" in shown and "Ask max" in shown
    for name in ("lea", "bo", "kai", "rex"):
        assert f"Ask {name}" not in shown, name
    for name in ("lea", "bo", "kai", "rex"):
        refused = await chat.say(f"/mentor choose ask {member_id(chat, name)}", who="ann")
        assert "can't take a request from you right now" in refused, name
    assert choices(chat) == []
    assert "Choosing a mentor is for mentees" in await chat.say("/mentor choose", who="mia")
    assert "already have a mentor" in await chat.say("/mentor choose", who="bea")


async def test_request_accept_pairs_and_introduces_and_is_held_out_of_matching(bot):
    """ann asks mia: mia gets the card in the outbox; while it is open ann is left out of
    ``admin match`` and can't ask twice; Accept makes the pair with the usual intro."""
    chat = Chat(bot)
    await program(chat)
    shown = await chat.say("/mentor choose", who="ann")
    asked = await chat.click("Ask mia", shown)
    assert "I've asked *mia*. They have until Tue 24 Nov 2026, 12:00" in asked
    assert "[DM to mia] 🙋 *ann* would like you as their mentor" in asked
    assert "Wants to learn  python" in asked and "Why you fit: mia can help with python" in asked
    assert "Time zone       UTC" in asked
    assert "already waiting for *mia*'s answer" in await chat.say(
        f"/mentor choose ask {member_id(chat, 'max')}", who="ann"
    )
    assert "You asked *mia*" in await chat.say("/mentor choose", who="ann")
    waiting = await chat.say("/mentor admin choices", who="admin")
    assert "ann → mia" in waiting and "answer by Tue 24 Nov 2026, 12:00" in waiting
    digest = await chat.say("/mentor admin digest", who="admin")
    assert "*Mentees choosing*: 1 mentee waits for the answer of the mentor they chose" in digest

    preview = await chat.say("/mentor admin match", who="admin")
    assert "1 pairs" in preview or "1 pair" in preview
    assert "ann" not in preview.split("Nothing has been sent")[0].replace("bea", "")
    await chat.say("/mentor admin publish", who="admin")
    assert {member_id(chat, "bea"), member_id(chat, "max")} in active_pairs(chat)

    assert "This request was made to another mentor" in await chat.say(
        "/mentor choose accept 1", who="max"
    )
    accepted = await chat.click("Accept", asked)
    assert "You and *ann* are paired!" in accepted
    assert "*ann & mia*, meet each other!" in accepted
    assert "ann chose mia, who said yes; mia can help with python" in accepted
    assert "[DM to ann] 🎉 *mia* said yes!" in accepted
    assert {member_id(chat, "ann"), member_id(chat, "mia")} in active_pairs(chat)
    assert [c.status for c in choices(chat)] == ["accepted"]
    assert "already closed (accepted)" in await chat.say("/mentor choose decline 1", who="mia")
    assert "No mentee is waiting" in await chat.say("/mentor admin choices", who="admin")
    assert "Mentees choosing" not in await chat.say("/mentor admin digest", who="admin")


async def test_decline_is_kind_and_the_mentee_is_back_in_the_matching(bot):
    """Decline tells the mentee kindly with a way to choose again (not that mentor), and the
    next ``admin match`` includes them."""
    chat = Chat(bot)
    await program(chat)
    asked = await chat.click("Ask mia", await chat.say("/mentor choose", who="ann"))
    declined = await chat.click("Decline", asked)
    assert "Thanks for answering. ann is told kindly" in declined
    assert "[DM to ann] *mia* can't take you on right now; it's nothing about you." in declined
    assert "Choose another mentor" in declined
    again = await chat.say("/mentor choose", who="ann")
    assert "Ask max" in again and "Ask mia" not in again
    await chat.say("/mentor admin match", who="admin")
    await chat.say("/mentor admin publish", who="admin")
    assert {member_id(chat, "ann"), member_id(chat, "mia")} in active_pairs(chat)


async def test_unanswered_requests_lapse_by_the_job(bot):
    """After choose_days the pulse lapses the request: the mentee and the mentor are told,
    and a late Accept is answered kindly."""
    chat = Chat(bot)
    await program(chat)
    asked = await chat.click("Ask mia", await chat.say("/mentor choose", who="ann"))
    assert "lapsed" not in await chat.say("/time +1d")
    out = await chat.say("/time +1d")
    assert "[DM to ann] *mia* didn't answer in time" in out
    assert "[DM to mia] The request from *ann* lapsed" in out
    assert [c.status for c in choices(chat)] == ["expired"]
    late = await chat.click("Accept", asked)
    assert "already closed (lapsed)" in late
    assert active_pairs(chat) == []
    assert "lapsed" not in await chat.say("/time +3d")  # told once


async def test_a_full_mentor_is_told_kindly_and_may_make_room(bot):
    """A mentor whose places filled since the request is told how to make room; the request
    stays open, and Accept works once they raised their capacity."""
    chat = Chat(bot)
    await program(chat)
    asked = await chat.click("Ask mia", await chat.say("/mentor choose", who="ann"))
    await chat.say("/mentor admin pair confirm bea mia", who="admin")
    full = await chat.click("Accept", asked)
    assert "You have no free place right now (1 of 1 taken)" in full
    assert "`/mentor profile set capacity 2`" in full
    assert [c.status for c in choices(chat)] == ["open"]
    await chat.say("/mentor profile set capacity 2", who="mia")
    assert "You and *ann* are paired!" in await chat.say("/mentor choose accept 1", who="mia")


async def test_withdraw_tells_the_mentor(bot):
    """A mentee may withdraw; the mentor hears there is nothing to answer."""
    chat = Chat(bot)
    await program(chat)
    asked = await chat.click("Ask mia", await chat.say("/mentor choose", who="ann"))
    out = await chat.click("Withdraw my request", await chat.say("/mentor choose", who="ann"))
    assert "Withdrew your request to *mia*" in out
    assert "[DM to mia] ann withdrew their request" in out
    assert "already closed (withdrawn)" in await chat.click("Accept", asked)
    assert "no request waiting" in await chat.say("/mentor choose withdraw", who="ann")


async def test_export_and_forget_cover_requests(bot):
    """A person's export lists their requests; forget deletes them."""
    chat = Chat(bot)
    await program(chat)
    await chat.click("Ask mia", await chat.say("/mentor choose", who="ann"))
    reply = bot.handle(Command(actor("ann"), "export"))
    assert isinstance(reply, Message)
    data = json.loads(next(p for p in reply.parts if isinstance(p, File)).content)
    assert [(c["as"], c["status"]) for c in data["mentor_choices"]] == [("mentee", "open")]
    await chat.say("/mentor forget confirm", who="mia")
    assert choices(chat) == []


async def test_one_open_request_per_mentee_even_when_two_arrive_at_once(bot):
    """The database keeps one open request per mentee: a second insert (two clicks racing
    past the check) is refused, and a closed request doesn't count."""
    from datetime import timedelta

    from storage import choices as choices_db

    chat = Chat(bot)
    await program(chat)
    ann, mia, max_ = (member_id(chat, n) for n in ("ann", "mia", "max"))
    now = bot.clock.now()
    with transaction(bot.engine) as s:
        program_id = s.get(Member, ann).program_id  # type: ignore[union-attr]
        values = {"session": s, "program_id": program_id, "mentee_member_id": ann, "now": now}
        first = choices_db.create(**values, mentor_member_id=mia, answer_by=now + timedelta(days=1))
        second = choices_db.create(**values, mentor_member_id=max_, answer_by=now)
        assert first is not None and second is None
        assert choices_db.answer(session=s, choice_id=first.id, status="declined", now=now)
        assert not choices_db.answer(session=s, choice_id=first.id, status="expired", now=now)
        third = choices_db.create(**values, mentor_member_id=max_, answer_by=now)
        assert third is not None
    assert [c.status for c in choices(chat)] == ["declined", "open"]


async def test_a_block_made_after_the_request_holds_at_accept(bot):
    """An admin's block between the two, made while the request waited, still holds when the
    mentor presses Accept: no pair, and the mentee is told kindly."""
    chat = Chat(bot)
    await program(chat)
    asked = await chat.click("Ask mia", await chat.say("/mentor choose", who="ann"))
    await chat.say("/mentor admin block ann mia", who="admin")
    out = await chat.click("Accept", asked)
    assert "This pairing can't be made in this program" in out
    assert "[DM to ann] *mia* can't take you on right now" in out
    assert active_pairs(chat) == [] and [c.status for c in choices(chat)] == ["declined"]
