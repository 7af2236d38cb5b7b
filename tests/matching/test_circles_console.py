"""A circles program end to end on the console: join, match, publish, one group intro per
circle, check-ins to each member, and the digest and report counting circles.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.replies import Message
from bot.report.figures import build
from storage.engine import transaction
from storage.models import Pair, PairMember, Program
from tests.checkins.helpers import Recorder
from tests.checkins.test_checkins import pulse_for, simulate
from tests.conftest import run
from tests.matching.test_rounds import active_pairs, admin, join, outbox


def circles_of_mentoring(bot) -> None:
    """Two mentors and six mentees in a circles program."""
    run(bot, "admin program set kind circles", who="admin")
    for name in ("amy", "ben", "cal", "dan", "eve", "fay"):
        join(bot, name, "mentee", "wants python", "languages English")
    join(bot, "max", "mentor", "skills Python", "languages English")
    join(bot, "ned", "mentor", "skills Python", "languages English")


def test_group_mentoring_circles_are_introduced_in_one_group_conversation(bot):
    """Two mentors and six mentees make two circles of four, each introduced in one group DM."""
    circles_of_mentoring(bot)
    reply = admin(bot, "match")
    assert "2 circles, 0 people unmatched" in reply
    assert outbox(bot, "intro:") == []
    reply = admin(bot, "publish")
    assert "2 circles formed, 2 introductions" in reply
    circles = active_pairs(bot)
    assert sorted(len(c) for c in circles) == [4, 4]
    assert all(len(c & {"max", "ned"}) == 1 for c in circles)
    intros = outbox(bot, "intro:")
    assert len(intros) == 2 and all(r.target_kind == "group" for r in intros)
    assert {frozenset(r.target_ids) for r in intros} == {frozenset(c) for c in circles}
    body = Message.from_json(intros[0].payload).plain()
    assert "meet each other" in body and "Why this circle" in body
    assert "Times that suit everyone in the circle" in body
    with transaction(bot.engine) as s:
        for pair in s.exec(select(Pair).where(Pair.status == "active")).all():
            members = s.exec(select(PairMember).where(PairMember.pair_id == pair.id)).all()
            assert len(members) == 4


def test_peer_circles_place_everyone_with_sizes_set_by_the_admin(bot):
    """Peers in a circles program form peer circles of the set sizes; nobody is left out."""
    run(bot, "admin program set kind circles", who="admin")
    assert "two sizes" in run(bot, "admin program set circle 5-2", who="admin")
    assert "Updated" in run(bot, "admin program set circle 3-4", who="admin")
    names = [f"p{k}" for k in range(10)]
    for name in names:
        join(bot, name, "peer", "languages English")
    assert "3 circles, 0 people unmatched" in admin(bot, "match")
    admin(bot, "publish")
    assert sorted(len(c) for c in active_pairs(bot)) == [3, 3, 4]
    assert set().union(*active_pairs(bot)) == set(names)


async def test_check_ins_go_to_each_member_and_the_digest_counts_circles(bot):
    """Each member of a circle is asked; the digest counts circles, a circle's meeting once,
    and the report says circles formed and a circle's meeting held once."""
    circles_of_mentoring(bot)
    admin(bot, "match")
    admin(bot, "publish")
    recorder = Recorder(bot.clock)
    start = bot.clock.now()
    await simulate(bot, pulse_for(bot, recorder), start + timedelta(days=10), recorder=recorder)
    asked = sorted(t.ids[0] for _, t, _ in recorder.nudges())
    assert asked == sorted(["amy", "ben", "cal", "dan", "eve", "fay", "max", "ned"])
    nudge = next(m for _, t, m in recorder.nudges() if t.ids == ("amy",)).plain()
    circle = next(c for c in active_pairs(bot) if "amy" in c)
    assert all(name in nudge for name in circle - {"amy"})
    digest = run(bot, "admin digest", who="admin")
    assert "Active circles: 2" in digest
    assert "2 of 2 circles met (100%)" in digest
    assert "Circles that met: 2 of 2" in digest
    with transaction(bot.engine) as s:
        program = s.exec(select(Program)).one()
        report = build(s, program, bot.settings, now=bot.clock.now(), prompts=bot.prompts)
    figures = {f.key: f for section in report.sections for f in section.figures}
    assert figures["pairs"].label == "circles formed" and figures["pairs"].value == "2"
    assert (figures["held"].count, figures["held"].total) == (2, 2)


def test_a_circle_larger_than_a_group_dm_is_written_to_one_by_one(bot):
    """Nine people (a group DM holds eight): the intro and a stalled circle's nudge go to each
    person's own DM."""
    from bot.checkins.stalled import _nudge_pair
    from bot.replies import Section
    from bot.spans import Text

    run(bot, "admin program set kind circles", who="admin")
    run(bot, "admin program set circle 3-9", who="admin")
    join(bot, "max", "mentor", "skills Python")
    mentees = [f"m{k}" for k in range(8)]
    for name in mentees:
        join(bot, name, "mentee", "wants python")
    assert "1 circle," in admin(bot, "match")
    admin(bot, "publish")
    intros = outbox(bot, "intro:")
    assert sorted(r.target_ids[0] for r in intros) == sorted(["max", *mentees])
    assert all(r.target_kind == "user" for r in intros)
    with transaction(bot.engine) as s:
        program = s.exec(select(Program)).one()
        pair = s.exec(select(Pair).where(Pair.status == "active")).one()
        words = Message((Section(Text.trusted("nudge")),))
        _nudge_pair(
            s, program, pair.id, lambda _p: words, bot.clock.now(), bot.settings, True, bot.prompts
        )
    nudges = outbox(bot, "stalled:")
    assert len(nudges) == 9 and all(r.target_kind == "user" for r in nudges)


async def test_a_circle_met_once_however_many_of_it_say_so(bot):
    """One member says "met" and the others "not yet": the circle met once that cycle; the
    other circle, all "not yet", didn't; answers count per circle."""
    from adapters.surfaces import CONSOLE
    from bot.events import Action, Actor
    from tests.checkins.helpers import button_commands

    circles_of_mentoring(bot)
    admin(bot, "match")
    admin(bot, "publish")
    recorder = Recorder(bot.clock)
    start = bot.clock.now()
    pulse = pulse_for(bot, recorder)
    await simulate(bot, pulse, start + timedelta(days=10), recorder=recorder, answer=False)
    for _, target, message in recorder.nudges():
        who = target.ids[0]
        pressed = button_commands(message)[0 if who == "amy" else 1]
        bot.handle(Action(Actor("console", who, who, "console", surface=CONSOLE), pressed))
    digest = run(bot, "admin digest", who="admin")
    assert "1 of 2 circles met (50%)" in digest
    assert "Circles that answered: 2/2" in digest
    assert "Circles that met: 1 of 2" in digest
