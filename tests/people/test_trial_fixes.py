"""What a coordinator's trial of the per-person commands found: recent partners, an admin
pair's introduction, a removed person rejoining, and replies that say what changed."""

from __future__ import annotations

from bot.replies import Message
from storage.models import PairStatus
from tests.conftest import START, run
from tests.people.helpers import admin, dms, join, members, outbox_rows, pair_of, pairs, program


def test_pair_and_move_refuse_recent_partners_unless_told_anyway(bot):
    """A pair that just ended can't be made again (the matching's recency window, named);
    `anyway` makes it, after the usual confirmation; `move` keeps the same rule."""
    program(bot)
    admin(bot, "end confirm amy cat")
    before = pairs(bot)
    refused = admin(bot, "pair amy cat")
    assert "amy and cat were partners within the last 3 rounds" in refused
    assert "`[matching] recency_rounds`" in refused and "add `anyway`" in refused
    assert "[Pair them]" not in refused and pairs(bot) == before

    asked = admin(bot, "pair amy cat anyway")
    assert "Pair amy with cat now, outside a matching round?" in asked
    assert "[Pair them]  [Cancel]" in asked
    assert "amy and cat are now paired" in admin(bot, "pair confirm amy cat anyway")
    assert pair_of(bot, "amy", "cat").status == PairStatus.ACTIVE

    admin(bot, "move confirm ben cat")  # ben leaves dan for cat, so dan is a recent partner
    assert "ben and dan were partners within the last 3 rounds" in admin(bot, "move ben dan")
    assert "ben is now paired with dan" in admin(bot, "move confirm ben dan anyway")
    assert "Give two people" in admin(bot, "pair amy cat please")


def test_an_admin_pair_is_introduced_as_a_coordinators_choice(bot):
    """The introduction of a pair made by `admin pair` or `admin move` says a coordinator
    paired them and gives the real reasons, never a round's "best fit available"; the admin's
    confirmation speaks about the pair ("they"), not to them ("you")."""
    join(bot, "gus", "mentee", "wants knitting", "availability mon 06:00-07:00")
    join(bot, "fay", "mentor", "skills cooking", "availability fri 20:00-21:00")
    asked = admin(bot, "pair gus fay")
    assert "their available hours don't overlap" in asked
    assert "nothing stands out beyond the hard rules" in asked
    assert " you" not in asked.lower().replace("your reason", "")
    admin(bot, "pair confirm gus fay")
    pair = pair_of(bot, "gus", "fay")
    intro = Message.from_json(outbox_rows(bot, f"intro:{pair.id}")[0].payload).plain()
    assert "Why you two:* a coordinator paired you; heads-up: your available hours" in intro
    assert "best fit available" not in intro and "this round" not in intro

    program(bot)
    admin(bot, "move confirm ben cat")
    moved = pair_of(bot, "ben", "cat")
    intro = Message.from_json(outbox_rows(bot, f"intro:{moved.id}")[0].payload).plain()
    assert "Why you two:* a coordinator paired you; about 40 hours a week" in intro
    assert "you both speak English" in intro and "best fit available" not in intro


def test_a_removed_person_asks_the_coordinators_until_readmitted(bot):
    """After `admin remove` the person can't rejoin by themselves (a kind pointer to the
    coordinators); the card says so; `admin readmit` lifts it, tells them, and they rejoin."""
    program(bot)
    admin(bot, "remove confirm amy")
    assert members(bot)["amy"].removed_at == START
    said = run(bot, "join mentee", who="amy")
    assert "please ask one of the coordinators" in said and "Welcome back" not in said
    assert members(bot)["amy"].status == "left"
    for command in ("status", "goal list"):  # not "join first", which would be refused
        said = run(bot, command, who="amy")
        assert "please ask one of the coordinators" in said and "Join with" not in said, said
    assert "removed by an admin on 2026-11-22" in admin(bot, "person amy")

    asked = admin(bot, "readmit amy")
    assert "Let amy rejoin *Mentorship program*?" in asked
    assert "[Let them rejoin]  [Cancel]" in asked
    done = admin(bot, "readmit confirm amy")
    assert "amy may rejoin *Mentorship program* now" in done and "1 message queued" in done
    assert "reopened your place" in dms(bot)["amy"][-1]
    assert "Welcome back" in run(bot, "join mentee", who="amy")
    assert members(bot)["amy"].removed_at is None
    assert "wasn't removed by an admin" in admin(bot, "readmit ben")

    run(bot, "leave confirm", who="ben")  # leaving by oneself is no removal
    assert "Welcome back" in run(bot, "join mentee", who="ben")


def test_confirmations_and_results_say_what_they_do(bot):
    """Each change has its own buttons and says what changed; `end` repeats the admins' reason;
    `person` alone gets a usage line."""
    program(bot)
    asked = admin(bot, "end dan ben schedules never aligned")
    assert "schedules never aligned" in asked and "nobody in the pair sees it" in asked
    assert "[End the pair]  [Cancel]" in asked
    done = admin(bot, "end confirm dan ben schedules never aligned")
    pair_id = pair_of(bot, "ben", "dan").id
    assert f"The pairing of ben and dan has ended (#{pair_id}). 2 messages queued" in done
    assert "[Move]  [Cancel]" in admin(bot, "move amy dan")
    assert "[Change the role]  [Cancel]" in admin(bot, "role eve mentor")
    done = admin(bot, "pair confirm eve dan")
    new_id = pair_of(bot, "eve", "dan").id
    assert f"eve and dan are now paired (#{new_id}). 1 message queued" in done  # one group DM
    usage = admin(bot, "person")
    assert "Give a name: `/mentor admin person <name>`" in usage


def test_the_card_tells_role_changes_and_moves_apart_and_a_new_mentor_is_asked(bot):
    """Ended pairs show why an admin ended them (role change, moved); a mentee made a mentor
    is asked for skills and capacity, and their card no longer shows what they wanted."""
    program(bot)
    admin(bot, "move confirm ben cat")
    ben = admin(bot, "person ben")
    assert "ended: ended by an admin (moved to a new partner)" in ben
    admin(bot, "role confirm amy mentor")
    card = admin(bot, "person amy")
    assert "ended: ended by an admin (role change)" in card
    assert "Wants to learn" not in card and "Can help with: -" in card
    assert "/mentor profile set skills" in dms(bot)["amy"][-1]
    assert "/mentor profile set capacity" in dms(bot)["amy"][-1]
