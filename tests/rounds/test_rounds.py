"""Recurring rounds on the fake clock: the schedule setting, the notice a day before, peer
programs re-paired every week without repeats, ``skip``, auto and preview publishing with its
reminder, and every step taken once across reruns, restarts and a second process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from adapters.surfaces import CONSOLE, surfaces
from bot.app import build_bot, build_dispatcher
from bot.events import Action, Actor
from bot.pulse import Pulse
from bot.replies import Buttons, Message
from storage.engine import transaction
from storage.models import Member, OutboxMessage, Pair, PairMember, Person, Round
from tests.checkins.helpers import Recorder
from tests.conftest import run

PEERS = ("ann", "bob", "cal", "dee", "eve", "fay", "gus", "hal")
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # the first Monday 09:00 a day or more away


def admin(bot, command: str) -> str:
    return run(bot, f"admin {command}", who="admin")


def pulse_of(bot) -> tuple[Pulse, Recorder]:
    recorder = Recorder(bot.clock)
    return Pulse(bot, build_dispatcher(bot, {"console": recorder})), recorder


def outbox(bot, prefix: str) -> list[OutboxMessage]:
    with transaction(bot.engine) as s:
        rows = s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return [r for r in rows if r.dedupe_key.startswith(prefix)]


def active_pairs(bot) -> list[frozenset[str]]:
    with transaction(bot.engine) as s:
        rows = s.exec(
            select(PairMember.pair_id, Person.platform_user_id)
            .join(Member, Member.id == PairMember.member_id)
            .join(Person, Person.id == Member.person_id)
            .join(Pair, Pair.id == PairMember.pair_id)
            .where(Pair.status == "active")
        ).all()
    groups: dict[int, set[str]] = {}
    for pair_id, who in rows:
        groups.setdefault(pair_id, set()).add(who)
    return [frozenset(g) for g in groups.values()]


def rounds(bot) -> list[Round]:
    with transaction(bot.engine) as s:
        return list(s.exec(select(Round).order_by(Round.due_at)).all())


def peer_program(bot, schedule: str) -> None:
    admin(bot, "program set kind peer")
    for name in PEERS:
        assert "You're in!" in run(bot, "join", who=name)
    assert "Updated: rounds is now " in admin(bot, f"program set rounds {schedule}")


def press(bot, who: str, command: str) -> str:
    actor = Actor("console", who, who, "console", surface=CONSOLE)
    reply = bot.handle(Action(actor, command))
    assert isinstance(reply, Message)
    return reply.plain()


async def at(bot, pulse: Pulse, when: datetime) -> None:
    """Move the clock to ``when``, run the rounds job and send what it queued."""
    bot.clock.set(when)
    pulse.run("rounds")
    await pulse.dispatch()


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("every 2 weeks at monday 09:00", "every 2 weeks, monday at 09:00 (UTC), previewed"),
        ("weekly at fri 14:30 auto", "every week, friday at 14:30 (UTC), published on its own"),
        ("every week on tuesdays at 8am", "every week, tuesday at 08:00 (UTC), previewed"),
        ("off", "by hand (`admin match`)"),
    ],
)
def test_the_rounds_setting_is_read_and_shown(bot, value, shown):
    """`admin program set rounds ...` stores the schedule and `admin program` shows it."""
    admin(bot, f"program set rounds {value}")
    assert shown in admin(bot, "program")


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("every 0 weeks at monday 09:00", "every 1 to 52 weeks, not every 0"),
        ("every 2 weeks at monday 25:00", "couldn't read 25:00 as a time"),
        ("every 2 weeks at blursday 09:00", 'didn\'t understand "blursday"'),
        ("at monday 09:00", "Say when rounds come"),
        ("every 2 weeks at <b>", "didn't understand"),
    ],
)
def test_a_bad_rounds_setting_is_refused_kindly(bot, value, said):
    """Bad words, numbers and times get a friendly line, and nothing changes."""
    reply = admin(bot, f"program set rounds {value}")
    assert said in reply and "Traceback" not in reply
    assert "by hand" in admin(bot, "program")


def test_skip_without_a_round_is_friendly(bot):
    """A program matched by hand has no round to sit out: `skip` says so."""
    run(bot, "join mentee", who="ann")
    assert "has no round scheduled" in run(bot, "skip", who="ann")
    assert "join" in run(bot, "skip", who="zed").lower()


@pytest.mark.slow
async def test_weekly_peer_rounds_pair_everyone_without_repeats(bot, settings, clock, engine):
    """Six weekly rounds of eight peers: each hears of the round a day before, everyone not
    sitting out is paired every week, no pair comes back within the avoid window, and a
    rerun, a second process or a restart at the same instant repeats nothing."""
    peer_program(bot, "weekly at monday 09:00 auto")
    pulse, recorder = pulse_of(bot)
    second = build_bot(settings, clock=clock, engine=engine, surfaces=surfaces())
    window = bot.settings.matching.recency_rounds
    history: list[set[frozenset[str]]] = []
    everyone = set(PEERS)
    for week in range(6):
        due = MONDAY + timedelta(weeks=week)
        skipper = PEERS[week] if week in (1, 3, 5) else None
        if week == 2:  # a newcomer is in the next round without anyone doing anything
            assert "You're in!" in run(bot, "join", who="ivy")
            everyone.add("ivy")
        if skipper:
            assert "You'll sit out the round" in run(bot, "skip", who=skipper)
        await at(bot, pulse, due - timedelta(hours=24))
        told = {t.ids[0] for _, t, m in recorder.sent if "New pairs in" in m.plain()}
        assert told == everyone - {skipper}, week
        notice = next(m for _, _, m in recorder.sent if "New pairs in" in m.plain())
        assert "Mon 30 Nov 2026, 09:00" in notice.plain() or week > 0
        recorder.sent.clear()

        bot.clock.set(due)
        Pulse(second, build_dispatcher(second, {})).run("rounds")  # another process first
        pulse.run("rounds")  # ... then this one: nothing left to do
        await pulse.dispatch()
        pairs = set(active_pairs(bot))
        paired = {p for pair in pairs for p in pair}
        assert paired == everyone - {skipper}, (week, pairs, admin(bot, f"round {week + 1}"))
        for earlier in history[-window:]:
            assert not pairs & earlier, (week, pairs & earlier)
        history.append(pairs)
        intros = len(outbox(bot, "intro:"))
        if skipper:  # told they sat it out, and when the next round is
            after = due + timedelta(weeks=1)
            nxt = f"{after:%a} {after.day} {after:%b %Y}, 09:00"
            sat_out = [m.plain() for _, t, m in recorder.sent if t.ids == (skipper,)]
            assert [t for t in sat_out if "You sat this round" in t and nxt in t], sat_out
        recorder.sent.clear()
        pulse.run("rounds")  # a rerun at the same instant
        assert len(outbox(bot, "intro:")) == intros
    held = [r for r in rounds(bot) if r.status == "published"]
    assert len(held) == 6
    assert [len(r.summary["skipped"]) for r in held] == [0, 1, 0, 1, 0, 1]


@pytest.mark.slow
async def test_a_preview_round_waits_for_publish_reminds_once_and_publishes_once(
    bot, settings, clock, engine
):
    """`preview`: at the round the admins get the preview with a Publish button and nothing
    else is sent; a day later one reminder; after a restart one press publishes the round,
    a second press introduces nobody again."""
    peer_program(bot, "weekly at monday 09:00 preview")
    pulse, recorder = pulse_of(bot)
    await at(bot, pulse, MONDAY)
    assert active_pairs(bot) == [] and outbox(bot, "intro:") == []
    preview = [m for _, t, m in recorder.sent if t.ids == ("admin",)]
    assert len(preview) == 1 and "Round #1 of" in preview[0].plain()
    assert "4 pairs, 0 people unmatched" in preview[0].plain()
    buttons = [b.command for p in preview[0].parts if isinstance(p, Buttons) for b in p.buttons]
    assert buttons == ["admin round 1 publish"]
    await at(bot, pulse, MONDAY + timedelta(hours=12))
    await at(bot, pulse, MONDAY + timedelta(hours=25))
    await at(bot, pulse, MONDAY + timedelta(hours=40))
    reminders = [m.plain() for _, t, m in recorder.sent if "still waiting" in m.plain()]
    assert len(reminders) == 1

    stranger = Actor("console", "admin", "admin", "elsewhere", surface=CONSOLE)
    refused = bot.handle(Action(stranger, buttons[0]))  # another workspace's admin
    assert isinstance(refused, Message) and "Published" not in refused.plain()
    assert active_pairs(bot) == []

    restarted = build_bot(settings, clock=clock, engine=engine, surfaces=surfaces())
    assert "Published: 4 pairs matched" in press(restarted, "admin", buttons[0])
    assert len(active_pairs(bot)) == 4
    intros = len(outbox(bot, "intro:"))
    assert "already published" in press(bot, "admin", buttons[0])
    Pulse(restarted, build_dispatcher(restarted, {})).run("rounds")
    assert len(outbox(bot, "intro:")) == intros == 4
    assert [r.status for r in rounds(bot)] == ["published", "scheduled"]


@pytest.mark.slow
async def test_an_unpublished_preview_is_superseded_by_the_next_round(bot):
    """Nobody pressed Publish for a week: the next round replaces the old preview."""
    peer_program(bot, "weekly at monday 09:00 preview")
    pulse, _ = pulse_of(bot)
    await at(bot, pulse, MONDAY)
    await at(bot, pulse, MONDAY + timedelta(weeks=1))
    assert [r.status for r in rounds(bot)][:2] == ["superseded", "proposed"]
    assert "no preview waiting" in press(bot, "admin", "admin round 1 publish")
    assert "Published: 4 pairs" in press(bot, "admin", "admin round 2 publish")


@pytest.mark.slow
async def test_skip_undo_and_the_rounds_record(bot):
    """`skip undo` brings someone back; the record lists who was matched, sat out, left out
    and why, and who can't get DMs (not sent the notice, counted)."""
    peer_program(bot, "weekly at monday 09:00 auto")
    run(bot, "skip", who="ann")
    run(bot, "skip", who="bob")
    assert "You're back in the round" in run(bot, "skip undo", who="bob")
    assert "already in the round" in run(bot, "skip undo", who="bob")
    with transaction(bot.engine) as s:
        hal = s.exec(select(Person).where(Person.platform_user_id == "hal")).one()
        hal.unreachable_since, hal.unreachable_reason = MONDAY - timedelta(days=2), "dms_closed"
        s.add(hal)
    run(bot, "language es", who="cal")
    run(bot, "timezone Tokyo", who="cal")
    pulse, recorder = pulse_of(bot)
    await at(bot, pulse, MONDAY - timedelta(hours=24))
    notices = ("New pairs in", "Nuevas parejas en")  # cal reads Spanish
    told = {t.ids[0]: m for _, t, m in recorder.sent if m.plain().startswith(notices)}
    assert set(told) == set(PEERS) - {"ann", "hal"}
    assert "30 de noviembre de 2026, 18:00" in told["cal"].plain()  # her language, her time
    button = [b.command for p in told["bob"].parts if isinstance(p, Buttons) for b in p.buttons]
    assert "You'll sit out the round" in press(bot, "bob", button[0])
    assert "You're back in" in run(bot, "skip undo", who="bob")
    await at(bot, pulse, MONDAY)
    listing = admin(bot, "rounds")
    assert "every week, monday at 09:00" in listing
    assert "published: 3 pairs, 1 sat out, 0 left out, 1 not reachable by DM" in listing
    record = admin(bot, "round 1")
    matched = record.split("Matched* (3): ")[1].split("\n")[0]
    assert matched.count(" & ") == 4 and "hal" in matched and "ann" not in matched
    assert "Sat out* (1): ann" in record and "Left out* (0): -" in record
    assert "Not reachable by DM* (1, " in record and record.endswith("hal")
    assert "no round 99" in admin(bot, "round 99")


@pytest.mark.slow
async def test_a_mentoring_round_matches_whoever_waits_and_tells_who_is_left_out(bot):
    """A mentoring program's round matches the mentees waiting; one left out is told why,
    and the record says why too."""
    run(bot, "join mentor", who="mia")
    run(bot, "profile set skills python", who="mia")
    for name in ("ann", "bea"):
        run(bot, "join mentee", who=name)
        run(bot, "profile set wants python", who=name)
    admin(bot, "program set rounds weekly at monday 09:00 auto")
    pulse, recorder = pulse_of(bot)
    await at(bot, pulse, MONDAY)
    assert len(active_pairs(bot)) == 1
    record = admin(bot, "round 1")
    assert "Matched* (1): " in record and "Left out* (1): " in record
    assert "more mentees than mentor places" in record, record
    left_out = [t.ids[0] for _, t, m in recorder.sent if "matched this time" in m.plain()]
    assert len(left_out) == 1, [m.plain() for _, _, m in recorder.sent]
    await at(bot, pulse, MONDAY + timedelta(weeks=1))  # the waiting mentee goes first again
    assert len(active_pairs(bot)) == 1 and len(rounds(bot)) >= 2


@pytest.mark.slow
async def test_a_crash_in_the_middle_of_a_round_repeats_nothing(bot, monkeypatch):
    """The process dies after the round's pairs were made but before it was published: the
    whole step rolls back, the next run (a restart) takes it once, and a rerun does nothing."""
    import bot.rounds.cycle as cycle

    peer_program(bot, "weekly at monday 09:00 auto")
    real, calls = cycle.publish, []

    def dies_once(*args, **kwargs):
        result = real(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("killed mid-round")
        return result

    monkeypatch.setattr(cycle, "publish", dies_once)
    pulse, _ = pulse_of(bot)
    bot.clock.set(MONDAY)
    with pytest.raises(RuntimeError):
        pulse.run("rounds")
    assert active_pairs(bot) == [] and outbox(bot, "intro:") == []
    assert [r.status for r in rounds(bot)] == ["scheduled"]
    pulse.run("rounds")
    pulse.run("rounds")
    assert len(active_pairs(bot)) == 4 and len(outbox(bot, "intro:")) == 4
    assert [r.status for r in rounds(bot)] == ["published", "scheduled"]


@pytest.mark.slow
async def test_the_console_clock_runs_rounds_on_time(bot):
    """On the console, `/time` runs the rounds: people hear of the round, then are
    introduced, in that order."""
    from tests.conversations.helpers import Chat

    chat = Chat(bot)
    await chat.say("/mentor admin program set kind peer", who="admin")
    for name in PEERS[:4]:
        await chat.say("/mentor join", who=name)
    await chat.say("/mentor admin program set rounds weekly at monday 09:00 auto", who="admin")
    out = await chat.say("/time +9d")
    notice = out.index("[DM to ann] New pairs in *Mentorship program* on Mon 30 Nov 2026, 09:00")
    intro = out.index("meet each other")
    assert notice < intro
    assert "`/mentor skip` sits this round out" in out
    listing = await chat.say("/mentor admin rounds", who="admin")
    assert "published: 2 pairs, 0 sat out, 0 left out, 0 not reachable by DM" in listing


async def test_simulated_time_stops_at_each_round_step(bot):
    """The pulse's next due instant is each round's notice, then the round itself, then
    (for a preview) the admins' reminder, so `/time` runs each step on time."""
    peer_program(bot, "weekly at monday 09:00 preview")
    pulse, _ = pulse_of(bot)
    assert pulse.next_due(bot.clock.now()) == MONDAY - timedelta(hours=24)
    await at(bot, pulse, MONDAY - timedelta(hours=24))
    assert pulse.next_due(bot.clock.now()) == MONDAY
    await at(bot, pulse, MONDAY)
    assert pulse.next_due(bot.clock.now()) == MONDAY + timedelta(hours=24)


async def test_a_round_after_the_programs_last_day_is_not_held(bot):
    """The program's end moved before its next round: the round is cancelled, nobody is
    re-paired, and `skip` says there is no round."""
    peer_program(bot, "weekly at monday 09:00 auto")
    admin(bot, "program set ends 2026-11-29")
    pulse, recorder = pulse_of(bot)
    await at(bot, pulse, MONDAY - timedelta(hours=24))
    assert not [m for _, _, m in recorder.sent if "New pairs in" in m.plain()]
    await at(bot, pulse, MONDAY)
    assert active_pairs(bot) == [] and [r.status for r in rounds(bot)] == ["cancelled"]
    assert "has no round scheduled" in run(bot, "skip", who="ann")


def test_the_rounds_someone_sat_out_are_in_their_export(bot):
    """`/mentor export` holds the rounds a person sat out."""
    import json

    from bot.events import Command
    from bot.replies import File
    from tests.conftest import actor

    peer_program(bot, "weekly at monday 09:00 auto")
    run(bot, "skip", who="ann")
    reply = bot.handle(Command(actor("ann"), "export"))
    assert isinstance(reply, Message)
    data = json.loads(next(p for p in reply.parts if isinstance(p, File)).content)
    assert [r["due_at"] for r in data["rounds_sat_out"]] == [MONDAY.isoformat()]


async def test_a_stale_round_preview_is_made_again_before_publishing(bot):
    """Someone left after the preview was made: Publish shows what changed and a new
    preview with the round's Publish button; that one publishes without them."""
    peer_program(bot, "weekly at monday 09:00 preview")
    pulse, _ = pulse_of(bot)
    await at(bot, pulse, MONDAY)
    assert "left" in run(bot, "leave confirm", who="ann").lower()
    again = press(bot, "admin", "admin round 1 publish")
    assert "The preview is out of date" in again and "ann left the program" in again
    assert active_pairs(bot) == []
    assert "Published: 3 pairs matched" in press(bot, "admin", "admin round 1 publish")
    assert "ann" not in {p for pair in active_pairs(bot) for p in pair}
