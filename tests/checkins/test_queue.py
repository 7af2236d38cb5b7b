"""Planned check-ins enter the outbox shortly before they are due: planning stays cheap at any
size, an answer given before then means no nudge at all, and the nudge carries the names of
the moment it is queued."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.checkins.planner import QUEUE_AHEAD, queue_due_nudges
from bot.events import Command
from storage.engine import transaction
from storage.models import CheckIn, OutboxMessage
from tests.checkins.test_replan import planned_week
from tests.conftest import actor, run, text_of

TUESDAY_10 = datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("UTC"))


def queued_nudges(bot) -> dict[str, OutboxMessage]:
    with transaction(bot.engine) as s:
        rows = s.exec(select(OutboxMessage).where(OutboxMessage.payload.is_not(None))).all()
    return {r.target_ids[0]: r for r in rows if r.dedupe_key.startswith("nudge:")}


async def test_a_nudge_is_queued_shortly_before_it_is_due_and_sent_once(bot):
    _, recorder, pulse = await planned_week(bot)
    with transaction(bot.engine) as s:
        planned = s.exec(select(CheckIn)).all()
    assert {r.due_at for r in planned} == {TUESDAY_10}
    assert all(r.queued_at is None for r in planned)
    assert queued_nudges(bot) == {}  # planned 22 hours ahead: not in the outbox yet
    # The simulated clock stops where something falls due, queued or not.
    assert pulse.next_due(bot.clock.now()) == TUESDAY_10

    bot.clock.set(TUESDAY_10 - QUEUE_AHEAD - timedelta(minutes=1))
    await pulse.dispatch()
    assert queued_nudges(bot) == {}
    bot.clock.set(TUESDAY_10 - QUEUE_AHEAD + timedelta(minutes=1))
    await pulse.dispatch()
    queued = queued_nudges(bot)
    assert sorted(queued) == ["ann", "bob"]
    assert {r.not_before for r in queued.values()} == {TUESDAY_10}
    assert {r.status for r in queued.values()} == {"pending"}
    assert recorder.nudges() == []  # queued is not sent: it waits for its instant

    bot.clock.set(TUESDAY_10)
    await pulse.dispatch()
    await pulse.tick()  # planning and queuing again change nothing
    bot.clock.set(TUESDAY_10 + timedelta(hours=1))
    await pulse.tick()
    assert sorted(t.ids[0] for _, t, _ in recorder.nudges()) == ["ann", "bob"]
    assert {at for at, _, _ in recorder.nudges()} == {TUESDAY_10}
    with transaction(bot.engine) as s:
        assert {r.queued_at is not None for r in s.exec(select(CheckIn)).all()} == {True}


async def test_an_answer_before_the_nudge_is_queued_means_no_nudge(bot):
    _, recorder, pulse = await planned_week(bot)
    assert "logged your meeting" in run(bot, "checkin met", who="ann")
    bot.clock.set(TUESDAY_10 + timedelta(hours=2))
    await pulse.tick()
    assert [t.ids[0] for _, t, _ in recorder.nudges()] == ["bob"]
    assert sorted(queued_nudges(bot)) == ["bob"]


async def test_the_nudge_names_the_partner_as_they_are_called_when_it_is_queued(bot):
    _, recorder, pulse = await planned_week(bot)
    bob = actor("bob")  # bob's name changed since, on a platform that knows real names
    bobby = replace(
        bob, display_name="Bobby Tables", surface=replace(bob.surface, users_are_names=False)
    )
    text_of(bot.handle(Command(bobby, "status")))
    bot.clock.set(TUESDAY_10)
    await pulse.tick()
    to_ann = [m for _, t, m in recorder.nudges() if t.ids == ("ann",)]
    assert len(to_ann) == 1
    assert "Bobby Tables" in str(to_ann[0].parts[0])


async def test_a_nudge_more_than_stale_late_after_downtime_is_never_queued(bot):
    _, recorder, pulse = await planned_week(bot)
    stale = timedelta(hours=bot.settings.checkins.stale_after_hours)
    bot.clock.set(TUESDAY_10 + stale + timedelta(minutes=1))  # the bot was down till now
    await pulse.tick()
    assert recorder.nudges() == []
    assert queued_nudges(bot) == {}


async def test_withdrawing_for_more_pairs_than_a_statement_can_name(bot):
    """A whole-program re-plan withdraws by pair id: 70,000 ids (beyond PostgreSQL's 65,535
    parameters per statement, and SQLite's default build limit of 32,766) still work, in
    chunks. Unchunked, this fails on PostgreSQL (this machine's SQLite allows more)."""
    from bot.checkins.planner import withdraw_future_nudges

    await planned_week(bot)
    bot.clock.set(TUESDAY_10 - QUEUE_AHEAD)
    with transaction(bot.engine) as s:
        queue_due_nudges(s, now=bot.clock.now(), settings=bot.settings)
    assert sorted(queued_nudges(bot)) == ["ann", "bob"]
    with transaction(bot.engine) as s:
        pair_id = s.exec(select(CheckIn.pair_id)).first()
        ids = [pair_id, *range(pair_id + 1, pair_id + 70_000)]
        assert withdraw_future_nudges(s, now=bot.clock.now(), pair_ids=ids) == 2
    with transaction(bot.engine) as s:
        assert s.exec(select(CheckIn)).all() == []
    assert queued_nudges(bot) == {}  # their unsent nudges went too


async def test_a_pair_that_ends_when_its_nudge_falls_due_leaves_no_check_in_behind(bot):
    """A pair ending at the very minute its nudges fall due, before they were queued (the
    engagement job closing a silent pair at 28 days runs at that tick), takes those check-ins
    with it: nobody is asked, and the digest and report count no cycle for them."""
    from bot.pairs.lifecycle import end_pairs
    from storage.models import EndReason, Pair

    await planned_week(bot)
    bot.clock.set(TUESDAY_10)  # due now, never queued
    with transaction(bot.engine) as s:
        pair = s.exec(select(Pair)).one()
        assert [r.queued_at for r in s.exec(select(CheckIn)).all()] == [None, None]
        end_pairs(s, bot.registry, [pair], reason=EndReason.INACTIVE, now=bot.clock.now())
    with transaction(bot.engine) as s:
        assert s.exec(select(CheckIn)).all() == []
        queue_due_nudges(s, now=bot.clock.now(), settings=bot.settings)
    assert queued_nudges(bot) == {}
