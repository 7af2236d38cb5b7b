"""The program's own record, tried as a coordinator would: through the console adapter, with
the fake clock moved by the console's own ``/time``.

Check-in answers are never guessed, a mentor with several mentees answers for each pair, the
digest counts every check-in whatever path it took, and the console lets a newcomer try it.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.conftest import START
from tests.conversations.helpers import Chat
from tests.scenarios.helpers import button_number, mentor_with_three_mentees, outcomes, pair_of


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("checkin not yet", "not_yet"),
        ("checkin didnt meet", "not_yet"),
        ("checkin didn't meet", "not_yet"),
        ("checkin did not meet", "not_yet"),
        ("checkin not-yet", "not_yet"),
        ("checkin rescheduled", "rescheduled"),
        ("checkin skip", "skipped"),
        ("checkin met", "met"),
        ("checkin", "met"),
    ],
)
async def test_checkin_words_mean_what_they_say(bot, typed, stored):
    chat = Chat(bot)
    await chat.say("/mentor join mentor", who="mia")
    await chat.say("/mentor join mentee", who="ann")
    await chat.say("/mentor admin match", who="admin")
    await chat.say("/mentor admin publish", who="admin")
    reply = await chat.say(f"/mentor {typed}", who="ann")
    assert list(outcomes(bot, "ann").values()) == [stored]
    if stored != "met":
        assert "logged your meeting" not in reply


@pytest.mark.parametrize("typed", ["maybe", "banana", "perhaps we did"])
async def test_unknown_checkin_answers_are_refused_with_the_choices(bot, typed):
    chat = Chat(bot)
    await chat.say("/mentor join mentor", who="mia")
    await chat.say("/mentor join mentee", who="ann")
    await chat.say("/mentor admin match", who="admin")
    await chat.say("/mentor admin publish", who="admin")
    reply = await chat.say(f"/mentor checkin {typed}", who="ann")
    assert "isn't one of the answers" in reply and "didn't record anything" in reply
    assert re.search(r"\[\d+\] We met  \[\d+\] Not yet  \[\d+\] Rescheduled  \[\d+\] Skip", reply)
    assert outcomes(bot, "ann") == {}
    # the offered buttons work and name the pair
    done = await chat.say(f"/click {button_number(reply, 'answers I can log', 'Not yet')}")
    assert "No worries" in done
    assert list(outcomes(bot, "ann").values()) == ["not_yet"]


async def test_checkin_dates_before_the_pair_or_in_the_future_are_refused(bot):
    chat = Chat(bot)
    await chat.say("/mentor join mentor", who="mia")
    await chat.say("/mentor join mentee", who="ann")
    await chat.say("/mentor admin match", who="admin")
    await chat.say("/mentor admin publish", who="admin")  # paired on Sun 22 Nov 2026
    before = await chat.say("/mentor checkin met 2026-11-10", who="ann")
    assert "You were paired on 2026-11-22" in before
    future = await chat.say("/mentor checkin met 2026-12-20", who="ann")
    assert "hasn't happened yet" in future
    assert outcomes(bot, "ann") == {}
    await chat.say("/time +2d")
    ok = await chat.say("/mentor checkin met 2026-11-23", who="ann")
    assert "logged your meeting with mia" in ok
    assert list(outcomes(bot, "ann").items()) == [
        ((pair_of(bot, "ann", "mia"), "2026-11-23"), "met")
    ]


async def test_a_mentor_with_three_mentees_answers_for_each_pair(bot):
    chat = Chat(bot)
    await mentor_with_three_mentees(chat)
    ann, bea, cal = (pair_of(bot, x, "mia") for x in ("ann", "bea", "cal"))
    out = await chat.say("/time +10d")  # Tuesday 1 December's nudges arrive
    # one nudge per pair, each naming the partner, each button naming the pair
    for name in ("ann", "bea", "cal"):
        assert f"[DM to mia] Hi mia! Time for your first check-in: did you and {name} meet" in out
    # mia presses "We met" on the nudge about bea (the second mentee)
    number = button_number(out, "did you and bea meet", "We met")
    reply = await chat.say(f"/click {number}")
    assert "logged your meeting with bea" in reply
    assert "(you are now mia" in reply
    mine = outcomes(bot, "mia")
    assert {k: v for k, v in mine.items() if k[1] == "2026-12-01"} == {
        (ann, "2026-12-01"): "pending",
        (bea, "2026-12-01"): "met",
        (cal, "2026-12-01"): "pending",
    }
    # typed without a name: asked which, with a button per partner
    ask = await chat.say("/mentor checkin met")
    assert "more than one partner" in ask
    assert re.search(r"\[\d+\] ann  \[\d+\] bea  \[\d+\] cal", ask)
    await chat.say(f"/click {button_number(ask, 'more than one partner', 'cal')}")
    assert outcomes(bot, "mia")[(cal, "2026-12-01")] == "met"
    # by name, with a note
    named = await chat.say("/mentor checkin not yet Ann she was travelling")
    assert "No worries" in named and "ann" in named
    assert outcomes(bot, "mia")[(ann, "2026-12-01")] == "not_yet"
    # feedback asks which pair too, and the fit question is about the one chosen
    ask = await chat.say("/mentor feedback")
    assert re.search(r"\[\d+\] ann  \[\d+\] bea  \[\d+\] cal", ask)
    started = await chat.say(f"/click {button_number(ask, 'more than one partner', 'bea')}")
    assert "bea" in started
    await chat.say("cancel")
    # a button for a pair mia is not in is refused
    other = await chat.say(f"/mentor checkin met pair:{ann + bea + cal}")
    assert "no longer in" in other


async def test_old_nudge_buttons_without_a_pair_still_find_theirs(bot):
    """Nudges queued by an earlier version carry only the cycle: the cycle finds the pair."""
    chat = Chat(bot)
    await mentor_with_three_mentees(chat)
    await chat.say("/time +10d")
    reply = await chat.say("/mentor checkin met 2026-12-01", who="ann")
    assert "logged your meeting with mia" in reply
    # for mia the cycle alone does not say which mentee: asked, not guessed
    ask = await chat.say("/mentor checkin met 2026-12-01", who="mia")
    assert "more than one partner" in ask
    assert set(outcomes(bot, "mia").values()) == {"pending"}


async def test_the_digest_counts_typed_checkins(bot):
    """Five people log meetings with /mentor checkin (no nudge yet): the digest shows them."""
    chat = Chat(bot)
    await mentor_with_three_mentees(chat)
    await chat.say("/mentor join mentor", who="dan")
    await chat.say("/mentor join mentee", who="eve")
    await chat.say("/mentor admin match", who="admin")
    await chat.say("/mentor admin publish", who="admin")
    await chat.say("/time +1d")
    for who in ("ann", "bea", "cal", "eve"):
        assert "logged your meeting" in await chat.say("/mentor checkin met", who=who)
    await chat.say("/mentor checkin met bea", who="mia")
    digest = await chat.say("/mentor admin digest", who="admin")
    assert "Meetings            5 of 5 check-ins said they met (100%)" in digest
    assert "Pairs that met      4 of 4" in digest
    pairs = await chat.say("/mentor admin pairs", who="admin")
    assert "ann & mia" in pairs or "mia & ann" in pairs
    assert pairs.count("meetings held: 1") == 4


async def test_console_time_runs_the_program_and_numbers_every_button(bot):
    chat = Chat(bot)
    await mentor_with_three_mentees(chat)
    shown = await chat.say("/time")
    assert "(the bot's clock: Sun 22 Nov 2026 12:00 UTC)" in shown
    bad = await chat.say("/time soon")
    assert "usage: /time +N" in bad
    out = await chat.say("/time +1w3d")
    assert "(the bot's clock: Wed 02 Dec 2026 12:00 UTC)" in out
    numbers = [int(n) for n in re.findall(r"\[(\d+)\] ", out)]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers))) and len(numbers) >= 24
    assert bot.clock.now() == START + timedelta(days=10)


async def _pairs_of_two(chat: Chat) -> None:
    """amy-cat and ben-dan, published."""
    for who, role, field in (
        ("amy", "mentee", "wants python"),
        ("ben", "mentee", "wants design"),
        ("cat", "mentor", "skills python"),
        ("dan", "mentor", "skills design"),
    ):
        await chat.say(f"/mentor join {role}", who=who)
        await chat.say(f"/mentor profile set {field}", who=who)
    await chat.say("/mentor admin match", who="admin")
    await chat.say("/mentor admin publish", who="admin")


async def test_a_fresh_round_keeps_working_pairs_and_tells_whoever_it_ends(bot):
    chat = Chat(bot)
    await _pairs_of_two(chat)
    # amy says the fit is great; ben says it is poor
    await chat.say("/time +1d")
    for who, fit in (("amy", "great"), ("ben", "poor")):
        await chat.say("/mentor checkin met", who=who)
        await chat.say("/mentor feedback", who=who)
        for answer in ("4", "skip", "skip", fit):
            await chat.say(answer, who=who)
    preview = await chat.say("/mentor admin match fresh", who="admin")
    assert "Pairs this round would end* (1)" in preview
    assert has_field(preview, "ben & dan", "someone said the fit isn't good")
    assert "amy & cat" not in preview.split("Pairs this round would end")[1]
    assert "1 working pair is kept" in preview
    publish = button_number(preview, "Nothing has been sent", "Publish and introduce")
    published = await chat.say(f"/click {publish}")
    assert "1 earlier pair ended, and each person in them was told" in published
    for who, partner in (("ben", "dan"), ("dan", "ben")):
        assert (
            f"[DM to {who}] A new round of *Mentorship program* has started, and your pairing "
            f"with {partner} has ended so you both get a better fit" in published
        )
    pairs = await chat.say("/mentor admin pairs", who="admin")
    assert "amy & cat" in pairs and "ben & dan" not in pairs


async def test_publishing_an_out_of_date_preview_warns_and_rechecks(bot):
    chat = Chat(bot)
    for who, role in (("amy", "mentee"), ("ben", "mentee"), ("cat", "mentor"), ("dan", "mentor")):
        await chat.say(f"/mentor join {role}", who=who)
    await chat.say("/mentor admin match", who="admin")
    await chat.say("/mentor pause 2 weeks", who="amy")
    stale = await chat.say("/mentor admin publish", who="admin")
    assert "The preview is out of date" in stale and "amy is taking a break" in stale
    assert "amy" not in stale.split("Match preview")[1].split("Not matched")[0]
    assert "[DM to" not in stale  # nothing was sent
    # the old preview's Publish button is refused: it carries its own id
    found = re.search(r"admin publish (\d+)", _first_publish_command(bot))
    assert found is not None
    old_id = int(found.group(1))
    refused = await chat.say(f"/mentor admin publish {old_id}", who="admin")
    assert "isn't the latest any more" in refused
    ok = await chat.say("/mentor admin publish", who="admin")
    assert "Published: 1 pair matched" in ok


def has_field(output: str, label: str, value: str) -> bool:
    """The console shows Fields as aligned "label   value" lines."""
    return re.search(rf"^\s*{label}\s+{re.escape(value)}", output, re.MULTILINE) is not None


def _first_publish_command(bot) -> str:
    """The Publish command of the latest stored preview run (the console shows labels)."""
    from sqlmodel import select

    from storage.engine import transaction
    from storage.models import MatchRun

    with transaction(bot.engine) as s:
        first = s.exec(select(MatchRun).order_by(MatchRun.id)).first()  # type: ignore[arg-type]
        return f"admin publish {first.id}"


async def test_a_pin_never_silently_beats_a_block(bot):
    chat = Chat(bot)
    for who, role in (("amy", "mentee"), ("cat", "mentor"), ("dan", "mentor")):
        await chat.say(f"/mentor join {role}", who=who)
    assert "will never be paired" in await chat.say("/mentor admin block amy cat", who="admin")
    refused = await chat.say("/mentor admin pin amy cat", who="admin")
    assert "blocked from being paired, so I can't pin them" in refused
    await chat.say("/mentor admin unblock amy cat", who="admin")
    await chat.say("/mentor admin pin amy dan", who="admin")
    refused = await chat.say("/mentor admin block amy dan", who="admin")
    assert "pinned to be paired, so I can't block them" in refused
    # a pin with last round's partner is honoured, and the preview says so
    await chat.say("/mentor admin match", who="admin")
    await chat.say("/mentor admin publish", who="admin")
    preview = await chat.say("/mentor admin match fresh all", who="admin")
    assert "amy & dan" in preview
    assert "amy and dan are pinned although they were paired recently" in preview


async def test_unmatched_reasons_name_the_true_cause(bot):
    chat = Chat(bot)
    await chat.say("/mentor join mentee", who="amy")
    await chat.say("/mentor profile set languages English", who="amy")
    await chat.say("/mentor join mentor", who="cat")
    await chat.say("/mentor profile set languages English", who="cat")
    await chat.say("/mentor join mentor", who="dan")
    await chat.say("/mentor profile set languages Spanish", who="dan")
    await chat.say("/mentor admin block amy cat", who="admin")
    preview = await chat.say("/mentor admin match", who="admin")
    # cat is blocked, dan shares no language: the block is not reported as a language gap
    assert not has_field(preview, "amy", "no one shares a language with them")
    assert has_field(preview, "amy", "blocked from everyone who would fit")
    await chat.say("/mentor profile set languages English, Spanish", who="dan")
    await chat.say("/mentor admin block amy dan", who="admin")
    preview = await chat.say("/mentor admin match", who="admin")
    assert has_field(preview, "amy", "blocked from everyone who would fit")
    # a mentee whose fitting mentor is full while another mentor (who doesn't fit) has room
    await chat.say("/mentor admin unblock amy cat", who="admin")
    await chat.say("/mentor admin unblock amy dan", who="admin")
    await chat.say("/mentor profile set languages English", who="dan")
    await chat.say("/mentor join mentee", who="bob")
    await chat.say("/mentor profile set languages English", who="bob")
    await chat.say("/mentor join mentee", who="eve")
    await chat.say("/mentor profile set languages Japanese", who="eve")
    await chat.say("/mentor profile set languages Japanese", who="cat")
    await chat.say("/mentor profile set capacity 2", who="cat")  # a free place, but no fit
    preview = await chat.say("/mentor admin match", who="admin")
    assert "more mentees than mentor places" not in preview
    assert has_field(preview, "(bob|amy)", "the mentors who fit them had no places left")


async def test_a_paired_mentee_becoming_a_mentor_is_asked_first(bot):
    chat = Chat(bot)
    await _pairs_of_two(chat)
    asked = await chat.say("/mentor profile set role mentor", who="amy")
    assert "You're paired with cat as a mentee" in asked and "ends that pairing" in asked
    assert re.search(r"\[\d+\] Yes, change it  \[\d+\] Keep it as it is", asked)
    kept = await chat.say(f"/click {button_number(asked, 'Switch?', 'Keep it as it is')}")
    assert "Nothing changed" in kept
    assert "amy & cat" in await chat.say("/mentor admin pairs", who="admin")
    asked = await chat.say("/mentor profile set role mentor", who="amy")
    done = await chat.say(f"/click {button_number(asked, 'Switch?', 'Yes, change it')}")
    assert "Saved your role: mentor" in done
    assert "[DM to cat] amy has changed their role in *Mentorship program*" in done
    assert "amy & cat" not in await chat.say("/mentor admin pairs", who="admin")


async def test_capacity_below_current_mentees_says_what_happens(bot):
    chat = Chat(bot)
    await mentor_with_three_mentees(chat)
    asked = await chat.say("/mentor profile set capacity 1", who="mia")
    assert "You mentor 3 people now (ann, bea, cal)" in asked
    assert "pairings all continue" in asked
    profile = await chat.say("/mentor profile", who="mia")
    assert re.search(r"Mentee capacity\s+3", profile)
    asked = await chat.say("/mentor profile set capacity 1", who="mia")
    done = await chat.say(f"/click {button_number(asked, 'Set it?', 'Yes, change it')}")
    assert "Saved your mentee capacity: 1" in done
    assert (await chat.say("/mentor admin pairs", who="admin")).count("& mia") + (
        await chat.say("/mentor admin pairs", who="admin")
    ).count("mia &") == 3


async def test_changing_the_program_kind_with_active_pairs_asks_and_explains(bot):
    chat = Chat(bot)
    await _pairs_of_two(chat)
    asked = await chat.say("/mentor admin program set kind peer", who="admin")
    assert "all 4 members become peers" in asked and "2 active pairs carry on" in asked
    settings = await chat.say("/mentor admin program", who="admin")
    assert re.search(r"kind\s+mentoring", settings)
    await chat.say("/mentor admin program set kind peer confirm", who="admin")
    members = await chat.say("/mentor admin members", who="admin")
    assert members.count("peer, active") == 4
    await chat.say("/mentor join peer", who="zoe")
    await chat.say("/mentor join peer", who="yan")
    preview = await chat.say("/mentor admin match", who="admin")
    assert "1 pair," in preview and ("zoe & yan" in preview or "yan & zoe" in preview)
    # and back: everyone is asked to choose a role, and isn't matched until they do
    back = await chat.say("/mentor admin program set kind mentoring confirm", who="admin")
    assert "[DM to zoe] *Mentorship program* now pairs mentors with mentees" in back
    preview = await chat.say("/mentor admin match", who="admin")
    assert has_field(preview, "zoe", "hasn't chosen mentor or mentee")


async def test_smaller_things_a_coordinator_noticed(bot):
    chat = Chat(bot)
    await _pairs_of_two(chat)
    # admin help: usages once, and help for one command
    helped = await chat.say("/mentor admin help", who="admin")
    assert "/mentor admin admin" not in helped and "/mentor admin survey [mid|end]" in helped
    one = await chat.say("/mentor admin help match", who="admin")
    assert "/mentor admin match [seed N] [fresh [all]]" in one and "/mentor admin pairs" not in one
    # plain greetings and questions in a DM get help, not "unknown command"
    for line in ("hello", "what can you do?", "Hi there!"):
        reply = await chat.say(line, who="amy")
        assert "Hi amy!" in reply and "I don't know" not in reply
    # field names in confirmations are words people use
    quiet = await chat.say("/mentor profile set quiet 22:00-07:00", who="amy")
    assert "Saved your quiet hours: 22:00-07:00" in quiet
    # an offset is shown as typed, never as the inverted Etc/GMT-14
    zone = await chat.say("/mentor timezone UTC+14", who="amy")
    assert "Saved your time zone: UTC+14" in zone and "Etc/GMT" not in zone
    # feedback mine includes the fit answer and the partner
    await chat.say("/mentor checkin met", who="amy")
    await chat.say("/mentor feedback", who="amy")
    for answer in ("5", "a clear plan", "skip", "great"):
        await chat.say(answer, who="amy")
    mine = await chat.say("/mentor feedback mine", who="amy")
    assert "with cat: 5/5" in mine and "How's the fit: a great fit" in mine


async def test_typing_while_asked_to_continue_or_switch_answers_nothing(bot):
    """'Continue / Start the new one' is pending: typed text is not taken as an answer to the
    old conversation; the choice can be typed too."""
    chat = Chat(bot)
    await _pairs_of_two(chat)
    await chat.say("/mentor goal", who="amy")
    asked = await chat.say("/mentor feedback", who="amy")
    assert "Shall we continue that, or stop it and start session feedback?" in asked
    for _ in range(3):
        again = await chat.say("Give a 10 minute talk at the team demo", who="amy")
        assert "First, a quick choice" in again and "question 2" not in again
    from tests.conversations.helpers import conversations

    (goal,) = [c for c in conversations(bot) if c.script == "goal"]
    assert goal.answers == {} and goal.step == 0
    switched = await chat.say("2", who="amy")
    assert "session" in switched.lower() and "cat" in switched
    assert [c.script for c in conversations(bot) if c.status == "active"] == ["feedback"]


async def test_which_partner_buttons_keep_the_date_and_the_note(bot):
    """Asked which partner, the buttons carry the typed date and note exactly once."""
    chat = Chat(bot)
    await mentor_with_three_mentees(chat)
    await chat.say("/time +2d")
    ask = await chat.say("/mentor checkin met 2026-11-23 good talk", who="mia")
    done = await chat.say(f"/click {button_number(ask, 'more than one partner', 'bea')}")
    assert "logged your meeting with bea" in done
    bea = pair_of(bot, "bea", "mia")
    assert outcomes(bot, "mia") == {(bea, "2026-11-23"): "met"}
    from sqlmodel import select

    from storage.engine import transaction
    from storage.models import CheckIn

    with transaction(bot.engine) as s:
        (row,) = s.exec(select(CheckIn)).all()
        assert row.note == "good talk"
