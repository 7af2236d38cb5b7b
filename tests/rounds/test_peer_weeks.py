"""Weekly peer rounds over ten weeks on the fake clock, with odd counts and people sitting
rounds out: everyone not sitting out is placed every week (the odd one in a trio), no pair
comes back inside the avoid window, and the pairs a round re-pairs end quietly (no "your pair
ended", no closing conversation); a mentoring program's fresh round still tells everyone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from storage.engine import transaction
from storage.models import Pair, PairClosure, Round
from tests.conftest import run
from tests.rounds.test_rounds import MONDAY, active_pairs, admin, at, outbox, pulse_of

NINE = ("ann", "bob", "cal", "dee", "eve", "fay", "gus", "hal", "ivy")
# Who sits each week out: nine, eight, seven or six people in the round.
SITTING_OUT = [(), ("bob",), ("cal", "dee"), (), ("eve",), ("fay", "gus", "hal"), (), ("ann",),
               ("ivy", "bob"), ()]  # fmt: skip


@pytest.mark.slow
async def test_ten_weekly_peer_rounds_place_everyone_without_repeats_and_quietly(bot):
    """Nine peers, rounds of 6 to 9: with 8 possible partners each and at most 6 of them
    from the last 3 rounds (two a week in a trio), every round can avoid repeats, and does;
    everyone not sitting out is placed; nobody hears their pair ended or gets a closure."""
    admin(bot, "program set kind peer")
    for name in NINE:
        assert "You're in!" in run(bot, "join", who=name)
    assert "Updated: rounds is now" in admin(bot, "program set rounds weekly at mon 9:00 auto")
    pulse, recorder = pulse_of(bot)
    window = bot.settings.matching.recency_rounds
    assert window == 3
    history: list[set[frozenset[str]]] = []
    for week, out in enumerate(SITTING_OUT):
        for who in out:
            assert "You'll sit out the round" in run(bot, "skip", who=who)
        await at(bot, pulse, MONDAY + timedelta(weeks=week) - timedelta(hours=24))
        await at(bot, pulse, MONDAY + timedelta(weeks=week))
        groups = set(active_pairs(bot))
        placed = [p for g in groups for p in g]
        assert sorted(placed) == sorted(set(NINE) - set(out)), (week, groups)
        assert sum(len(g) == 3 for g in groups) == len(placed) % 2, (week, groups)
        met = {frozenset((a, b)) for g in groups for a in g for b in g if a < b}
        for earlier in history[-window:]:
            assert not met & earlier, (week, met & earlier)
        history.append(met)
    with transaction(bot.engine) as s:
        held = s.exec(select(Round).where(Round.status == "published")).all()
        ended = s.exec(select(Pair).where(Pair.status == "ended")).all()
        closures = s.exec(select(PairClosure)).all()
    assert len(held) == 10 and all(r.summary["left_out"] == 0 for r in held)
    assert closures == [] and outbox(bot, "ended:") == [] and outbox(bot, "unmatched:") == []
    assert ended and {(p.end_reason, p.end_detail) for p in ended} == {("rematch", "peer_round")}
    await pulse.dispatch()
    assert not [m for _, _, m in recorder.sent if "has ended" in m.plain()]


async def test_a_mentoring_fresh_round_still_tells_and_closes(bot):
    """A mentoring program's `match fresh all` ends the pairs as before: each person is told
    the pair ended and gets a closing conversation."""
    for name, role in (("amy", "mentee"), ("ben", "mentee"), ("cat", "mentor"), ("dan", "mentor")):
        run(bot, f"join {role}", who=name)
    admin(bot, "match")
    admin(bot, "publish")
    admin(bot, "match fresh all")
    admin(bot, "publish")
    assert len(outbox(bot, "ended:")) == 4
    with transaction(bot.engine) as s:
        assert len(s.exec(select(PairClosure)).all()) == 4
        ended = s.exec(select(Pair).where(Pair.status == "ended")).all()
    assert {p.end_detail for p in ended} == {"fresh_all"}
