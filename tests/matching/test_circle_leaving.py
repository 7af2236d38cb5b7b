"""Someone leaving a circle on the console: the others are told and carry on while two people
(the mentor among them) remain; check-ins then go to those still in it."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.replies import Message
from storage.engine import transaction
from storage.models import OutboxMessage, Pair
from tests.checkins.helpers import Recorder
from tests.checkins.test_checkins import pulse_for, simulate
from tests.conftest import run
from tests.matching.test_rounds import active_pairs, admin, join, outbox


def circle_of_four(bot) -> None:
    """One mentor (max) and three mentees in one published circle."""
    run(bot, "admin program set kind circles", who="admin")
    for name in ("amy", "ben", "cal"):
        join(bot, name, "mentee", "wants python", "languages English")
    join(bot, "max", "mentor", "skills Python", "languages English")
    assert "1 circle, 0 people unmatched" in admin(bot, "match")
    admin(bot, "publish")
    assert active_pairs(bot) == [{"amy", "ben", "cal", "max"}]


def told(bot, prefix: str) -> dict[str, str]:
    """Who got a message whose key starts with ``prefix``, and its words."""
    return {r.target_ids[0]: Message.from_json(r.payload).plain() for r in outbox(bot, prefix)}


def ended(bot) -> list[Pair]:
    with transaction(bot.engine) as s:
        return list(s.exec(select(Pair).where(Pair.status == "ended")).all())


async def test_a_mentee_leaving_leaves_the_circle_to_the_other_three(bot):
    """amy leaves: max, ben and cal are told by name and carry on; the next check-ins go to
    the three of them only, and never to amy."""
    circle_of_four(bot)
    start = bot.clock.now()
    run(bot, "leave confirm", who="amy")
    assert active_pairs(bot) == [{"ben", "cal", "max"}]
    assert ended(bot) == []
    notices = told(bot, "circle_left:")
    assert set(notices) == {"ben", "cal", "max"}
    assert all("amy left your circle" in words for words in notices.values())
    assert outbox(bot, "left:") == []  # nobody hears that their pairing ended
    recorder = Recorder(bot.clock)
    await simulate(bot, pulse_for(bot, recorder), start + timedelta(days=10), recorder=recorder)
    asked = {t.ids[0] for _, t, _ in recorder.nudges()}
    assert asked == {"ben", "cal", "max"}
    nudge = next(m for _, t, m in recorder.nudges() if t.ids == ("ben",)).plain()
    assert "amy" not in nudge and "cal" in nudge and "max" in nudge
    digest = run(bot, "admin digest", who="admin")
    assert "Active circles: 1" in digest


def test_a_circle_ends_when_fewer_than_two_would_remain(bot):
    """A peer circle of three: one leaves and two carry on; the next to leave ends it."""
    run(bot, "admin program set kind circles", who="admin")
    for name in ("p0", "p1", "p2"):
        join(bot, name, "peer", "languages English")
    admin(bot, "match")
    admin(bot, "publish")
    assert active_pairs(bot) == [{"p0", "p1", "p2"}]
    run(bot, "leave confirm", who="p0")
    assert active_pairs(bot) == [{"p1", "p2"}]
    run(bot, "leave confirm", who="p1")
    assert active_pairs(bot) == []
    [pair] = ended(bot)
    assert pair.end_reason == "left"
    assert "p2" in told(bot, "left:")


def test_the_mentor_leaving_ends_the_circle_for_everyone(bot):
    """Without its mentor a group-mentoring circle ends: each mentee is told, as in a pair."""
    circle_of_four(bot)
    run(bot, "leave confirm", who="max")
    assert active_pairs(bot) == []
    [pair] = ended(bot)
    assert pair.end_reason == "left"
    assert set(told(bot, "left:")) == {"amy", "ben", "cal"}
    assert told(bot, "circle_left:") == {}


def test_forgetting_a_member_takes_them_out_unnamed(bot):
    """amy asks to be forgotten: the other three carry on, told someone left (no name)."""
    circle_of_four(bot)
    run(bot, "forget confirm", who="amy")
    assert [len(c) for c in active_pairs(bot)] == [3]
    assert ended(bot) == []
    notices = told(bot, "circle_left:")
    assert len(notices) == 3
    assert all("Someone left your circle" in w and "amy" not in w for w in notices.values())


def test_an_admin_removing_a_member_leaves_the_circle_running(bot):
    """``admin remove`` takes the person out of the circle; ``admin end`` ends it whole."""
    circle_of_four(bot)
    admin(bot, "remove confirm cal")
    assert active_pairs(bot) == [{"amy", "ben", "max"}]
    assert set(told(bot, "circle_left:")) == {"amy", "ben", "max"}
    admin(bot, "end confirm amy max")
    assert active_pairs(bot) == []
    [pair] = ended(bot)
    assert (pair.end_reason, pair.end_detail) == ("removed", "admin_ended")


def test_rematch_in_a_circle_takes_only_the_asker_out(bot):
    """``rematch`` from a circle: the asker leaves it, the others carry on."""
    circle_of_four(bot)
    run(bot, "rematch confirm not a fit", who="ben")
    assert active_pairs(bot) == [{"amy", "cal", "max"}]


def test_someone_who_left_the_workspace_leaves_the_circle(bot):
    """amy's DM fails as she left the workspace: she leaves the program and the circle; the
    other three are told and carry on."""
    from bot.delivery import LEFT_WORKSPACE
    from bot.unreachable.marks import Unreachable

    circle_of_four(bot)
    row = OutboxMessage(
        dedupe_key="test:amy",
        platform="console",
        workspace_id="console",
        target_kind="user",
        target_ids=["amy"],
        payload={},
        not_before=bot.clock.now(),
    )
    with transaction(bot.engine) as s:
        Unreachable(bot.registry, bot.prompts).unreachable(
            s, row, LEFT_WORKSPACE, now=bot.clock.now()
        )
    assert active_pairs(bot) == [{"ben", "cal", "max"}]
    assert set(told(bot, "circle_left:")) == {"ben", "cal", "max"}
    assert outbox(bot, "left:") == []


async def test_a_silent_member_is_taken_out_and_the_circle_carries_on(bot):
    """amy ignores every check-in for five weeks while the others answer: at 28 days she is
    taken out (and told), the other three carry on, told that she left."""
    from adapters.surfaces import CONSOLE
    from bot.events import Action, Actor
    from tests.checkins.helpers import button_commands

    circle_of_four(bot)
    recorder = Recorder(bot.clock)
    pulse = pulse_for(bot, recorder)
    answered = 0
    for _ in range(6):
        await simulate(
            bot, pulse, bot.clock.now() + timedelta(days=7), answer=False, recorder=recorder
        )
        for _, target, message in recorder.nudges()[answered:]:
            who = target.ids[0]
            if who != "amy":
                actor = Actor("console", who, who, "console", surface=CONSOLE)
                bot.handle(Action(actor, button_commands(message)[1]))
        answered = len(recorder.nudges())
    await simulate(bot, pulse, bot.clock.now() + timedelta(days=2), answer=False, recorder=recorder)
    assert active_pairs(bot) == [{"ben", "cal", "max"}]
    assert ended(bot) == []
    sent = {t.ids[0]: m.plain() for _, t, m in recorder.sent if "circle" in m.plain()}
    assert "taken you out" in sent["amy"]
    assert all("amy left your circle" in sent[who] for who in ("ben", "cal", "max"))
