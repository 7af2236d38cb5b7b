"""Two programs side by side for eight simulated weeks: mentoring (``default``, a round
every two weeks) and ``coffee`` (peer, weekly automatic rounds), driven by the pulse; then a
restart in the middle of a round, and the same setup on the Slack and Discord fakes."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import select

from adapters.slack.delivery import SlackSender
from adapters.surfaces import DISCORD, SLACK, surfaces
from bot.app import build_bot, build_dispatcher, load_prompts
from bot.events import Actor, Command, FormSubmitted
from bot.pulse import Pulse
from bot.replies import Buttons, Form, Message
from bot.report.figures import build as build_report
from fakes.discord import FakeDiscord, start_adapter, user
from storage.engine import transaction
from storage.models import Member, OutboxMessage, Pair, PairMember, Person, Program, Round
from tests.adapters.test_discord import callback_for, dm
from tests.adapters.test_slack import click_body, command, fake, post, served
from tests.adapters.test_slack import text_of as slack_text
from tests.conftest import actor, run, text_of
from tests.rounds.test_rounds import at, press, pulse_of

__all__ = ["fake", "served"]  # the Slack adapter's fixtures

MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # the first round, a day or more away
PICKER = "Which program is this for?"
GUILD = "424242424242424242"
MENTORS = ("mia", "max")
MENTEES = ("ann", "bob", "cal", "dan")
COFFEE = ("ann", "bob", "mia", "eve", "fay", "gus", "hal", "ida", "jon", "kim", "lea", "ned")
NEWCOMER = "nia"  # joins both programs in week 3
# Who sits out each coffee round (by week): every round has an even number of people, so
# a whole round pairs everyone (12, 10, 12, then 13 with the newcomer less one).
SKIPS: dict[int, tuple[str, ...]] = {1: ("eve", "fay"), 3: ("gus",), 4: ("ann",), 5: ("hal",)}
SKIPS |= {6: ("ida",), 7: ("jon",)}
PRESSES = {"fay", "ann"}  # sit out with the notice's button instead of typing skip


def admin(bot, command: str) -> str:
    """An admin command from the console."""
    return run(bot, f"admin {command}", who="admin")


def two_programs(bot) -> None:
    """``default`` (mentoring, a round every two weeks) and ``coffee`` (peer, weekly)."""
    admin(bot, "program")
    assert "Created *Coffee chats*" in admin(bot, "program new coffee peer Coffee chats")
    for name in MENTORS:
        assert "You joined *Mentorship program* as a mentor" in run(
            bot, "join default mentor", who=name
        )
        run(bot, "profile default set capacity 3", who=name)
        run(bot, "profile default set skills python", who=name)
    for name in MENTEES:
        assert "as a mentee" in run(bot, "join default mentee", who=name)
    for name in COFFEE:
        assert "You joined *Coffee chats* as a peer" in run(bot, "join coffee", who=name)
    assert "Updated: rounds is now" in admin(
        bot, "program default set rounds every 2 weeks at monday 09:00 auto"
    )
    assert "Updated: rounds is now" in admin(
        bot, "program coffee set rounds weekly at monday 09:00 auto"
    )


def slug_ids(bot) -> dict[str, int]:
    """Program short name -> id."""
    with transaction(bot.engine) as s:
        return {p.slug: p.id for p in s.exec(select(Program)).all()}  # type: ignore[misc]


def pairs_of(bot, program_id: int, *, active: bool = True) -> dict[int, frozenset[str]]:
    """Pair id -> its people (platform user ids), in one program."""
    query = (
        select(PairMember.pair_id, Person.platform_user_id)
        .join(Member, Member.id == PairMember.member_id)  # type: ignore[arg-type]
        .join(Person, Person.id == Member.person_id)  # type: ignore[arg-type]
        .join(Pair, Pair.id == PairMember.pair_id)  # type: ignore[arg-type]
        .where(Pair.program_id == program_id)
    )
    if active:
        query = query.where(Pair.status == "active")
    with transaction(bot.engine) as s:
        rows = s.exec(query).all()
    groups: dict[int, set[str]] = {}
    for pair_id, who in rows:
        groups.setdefault(pair_id, set()).add(who)
    return {k: frozenset(v) for k, v in groups.items()}


def intro_rows(bot) -> list[OutboxMessage]:
    """Every introduction queued, oldest first."""
    with transaction(bot.engine) as s:
        rows = s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()  # type: ignore[arg-type]
    return [r for r in rows if r.dedupe_key.startswith("intro:")]


def all_outbox(bot) -> list[OutboxMessage]:
    """Every message queued."""
    with transaction(bot.engine) as s:
        return list(s.exec(select(OutboxMessage)).all())


def buttons(message: Message) -> list[str]:
    """The commands of a message's buttons."""
    return [b.command for p in message.parts if isinstance(p, Buttons) for b in p.buttons]


def is_intro(message: Message, program: str) -> bool:
    """Whether ``message`` introduces a pair of ``program``."""
    text = message.plain()
    return f"*{program}*" in text and ("meet each other" in text or "Meet *" in text)


def coffee_people(week: int) -> set[str]:
    """Who is in coffee in ``week`` (the newcomer from week 3)."""
    return set(COFFEE) | ({NEWCOMER} if week >= 3 else set())


async def eight_weeks(bot, pulse, recorder) -> list[dict[int, frozenset[str]]]:
    """Eight weekly coffee rounds (and four mentoring ones), checked as they go; returns
    each coffee round's pairs."""
    ids = slug_ids(bot)
    window = bot.settings.matching.recency_rounds
    history: list[dict[int, frozenset[str]]] = []
    for week in range(8):
        due = MONDAY + timedelta(weeks=week)
        if week == 3:
            assert "as a mentee" in run(bot, "join default mentee", who=NEWCOMER)
            assert "as a peer" in run(bot, "join coffee", who=NEWCOMER)
        skippers = set(SKIPS.get(week, ()))
        for name in skippers - PRESSES:
            assert "You'll sit out the round" in run(bot, "skip coffee", who=name)
        await at(bot, pulse, due - timedelta(hours=24))
        notices = {
            t.ids[0]: m for _, t, m in recorder.sent if "New pairs in *Coffee chats*" in m.plain()
        }
        assert set(notices) == coffee_people(week) - (skippers - PRESSES), week
        for name in skippers & PRESSES:  # the notice's button
            assert "You'll sit out the round" in press(bot, name, buttons(notices[name])[0])
        recorder.sent.clear()

        await at(bot, pulse, due)
        pairs = pairs_of(bot, ids["coffee"])
        paired = [p for pair in pairs.values() for p in pair]
        assert sorted(paired) == sorted(coffee_people(week) - skippers), (week, pairs)
        assert all(len(pair) == 2 for pair in pairs.values())
        for earlier in history[-window:]:
            assert not set(pairs.values()) & set(earlier.values()), week
        history.append(pairs)
        heard = Counter(
            who
            for _, t, m in recorder.sent
            if "*Coffee chats*" in m.plain()
            and ("meet each other" in m.plain() or "Meet *" in m.plain())
            for who in t.ids
        )
        sat_out = {
            t.ids[0]
            for _, t, m in recorder.sent
            if "You sat this round of *Coffee chats* out" in m.plain()
        }
        assert sat_out == skippers, week
        assert heard == Counter(coffee_people(week) - skippers), (week, heard)
        recorder.sent.clear()
    return history


def mentoring_ledger(bot) -> dict[int, frozenset[str]]:
    """Every pair the mentoring program's published rounds made, through their match runs."""
    program = slug_ids(bot)["default"]
    with transaction(bot.engine) as s:
        rounds = s.exec(select(Round).where(Round.program_id == program)).all()
        runs = {r.match_run_id for r in rounds if r.status == "published"}
        made = {p.id for p in s.exec(select(Pair)).all() if p.match_run_id in runs}
    return {k: v for k, v in pairs_of(bot, program, active=False).items() if k in made}


async def test_eight_weeks_of_two_programs_on_the_console(bot):
    """Coffee pairs everyone who didn't sit out, every week, with no partner twice inside
    the avoid window, and everyone hears of each round; the mentoring program's rounds,
    digest and report count only its own pairs; someone in both sees both and is asked."""
    two_programs(bot)
    pulse, recorder = pulse_of(bot)
    await eight_weeks(bot, pulse, recorder)
    ids = slug_ids(bot)
    with transaction(bot.engine) as s:
        held = s.exec(select(Round).where(Round.status == "published")).all()
        by_program = Counter(r.program_id for r in held)
    assert by_program == {ids["coffee"]: 8, ids["default"]: 4}
    ledger = mentoring_ledger(bot)
    active = pairs_of(bot, ids["default"])
    assert set(ledger.values()) == set(active.values())  # mentoring pairs last
    assert pairs_of(bot, ids["default"], active=False) == ledger  # none made otherwise
    assert {p for pair in ledger.values() for p in pair} == set(MENTORS + MENTEES) | {NEWCOMER}
    assert f"Active pairs: {len(ledger)}" in admin(bot, "digest default")
    assert f"Active pairs: {len(pairs_of(bot, ids['coffee']))}" in admin(bot, "digest coffee")
    with transaction(bot.engine) as s:
        program = s.exec(select(Program).where(Program.slug == "default")).one()
        report = build_report(s, program, bot.settings, now=bot.clock.now(), prompts=load_prompts())
    figures = report.figures()
    assert figures["matching.pairs"] == str(len(ledger)) == "5"
    assert figures["participation.joined"] == str(len(MENTORS + MENTEES) + 1)
    both_programs(bot)


def both_programs(bot) -> None:
    """ann is a mentee and a coffee peer: status shows both; checkin and leave ask which,
    and the picker's buttons act in the program pressed."""
    status = run(bot, "status", who="ann")
    assert "You're in 2 programs" in status
    assert "*Mentorship program*: your status" in status and "*Coffee chats*: your status" in status
    asked = bot.handle(Command(actor("ann"), "checkin"))
    assert PICKER in text_of(asked)
    assert isinstance(asked, Message) and buttons(asked) == ["checkin default", "checkin coffee"]
    partner = partner_of(pairs_of(bot, slug_ids(bot)["coffee"]), "ann")
    assert f"Great, logged your meeting with {partner}!" in press(bot, "ann", "checkin coffee")
    asked = bot.handle(Command(actor("ann"), "leave"))
    assert isinstance(asked, Message) and buttons(asked) == ["leave default", "leave coffee"]
    confirm = bot.handle(Command(actor("ann"), "leave default"))
    assert "Do you really want to leave *Mentorship program*?" in text_of(confirm)
    assert isinstance(confirm, Message)
    assert buttons(confirm) == ["leave default confirm", "leave default cancel"]


async def test_a_restart_in_the_middle_of_a_round_repeats_nothing(
    bot, settings, clock, engine, monkeypatch
):
    """Both programs' rounds fall at the same instant. After the notices went out, a new
    process (a second bot on the same database) takes over and is killed while publishing
    coffee; it is restarted, and the old process runs too: each person is introduced once
    per round, and no message is queued twice."""
    import bot.rounds.cycle as cycle

    two_programs(bot)
    pulse, recorder = pulse_of(bot)
    ids = slug_ids(bot)
    await at(bot, pulse, MONDAY - timedelta(hours=24))
    told = Counter(t.ids[0] for _, t, m in recorder.sent if "New pairs in" in m.plain())
    mentoring = set(MENTORS + MENTEES)
    assert told == Counter(COFFEE) + Counter(mentoring)  # one notice per program
    recorder.sent.clear()

    real, calls = cycle.publish, []

    def dies_in_coffee(session, program, *args, **kwargs):
        result = real(session, program, *args, **kwargs)
        if program.slug == "coffee" and not calls:  # after its pairs were written
            calls.append(1)
            raise RuntimeError("killed while publishing coffee")
        return result

    monkeypatch.setattr(cycle, "publish", dies_in_coffee)
    clock.set(MONDAY)
    second = build_bot(settings, clock=clock, engine=engine, surfaces=surfaces())
    with pytest.raises(RuntimeError):
        Pulse(second, build_dispatcher(second, {})).run("rounds")
    assert pairs_of(bot, ids["coffee"]) == {}
    restarted = build_bot(settings, clock=clock, engine=engine, surfaces=surfaces())
    Pulse(restarted, build_dispatcher(restarted, {})).run("rounds")
    await at(bot, pulse, MONDAY)  # the old process wakes up too: nothing left to do
    pulse.run("rounds")
    await pulse.dispatch()

    coffee, mentoring_pairs = pairs_of(bot, ids["coffee"]), pairs_of(bot, ids["default"])
    assert len(coffee) == len(COFFEE) // 2 and len(mentoring_pairs) == len(MENTEES)
    rows = intro_rows(bot)
    assert len(rows) == len(coffee) + len(mentoring_pairs)
    keys = [r.dedupe_key for r in all_outbox(bot)]
    assert len(keys) == len(set(keys))
    for name, program in (("Coffee chats", "coffee"), ("Mentorship program", "default")):
        heard = Counter(who for _, t, m in recorder.sent if is_intro(m, name) for who in t.ids)
        everyone = [p for pair in pairs_of(bot, ids[program]).values() for p in pair]
        assert heard == Counter(everyone), name
    with transaction(bot.engine) as s:
        statuses = Counter((r.program_id, r.status) for r in s.exec(select(Round)).all())
    assert statuses[(ids["coffee"], "published")] == statuses[(ids["default"], "published")] == 1


PLATFORM_WEEKS = 2  # a couple of automatic coffee rounds on each platform


def partner_of(pairs: dict[int, frozenset[str]], who: str) -> str:
    """``who``'s partner among ``pairs``."""
    (partner,) = next(pair - {who} for pair in pairs.values() if who in pair)
    return partner


def platform_programs(bot, platform: str, workspace: str, admin_id: str, people: list[str]) -> None:
    """The two programs on ``platform``: ``people[0]`` mentors ``people[1]`` in ``default``;
    everyone is in ``coffee`` (weekly, automatic); ``people[1]`` is in both."""
    admins = bot.settings.admins
    bot.settings = replace(bot.settings, admins=replace(admins, **{platform: (admin_id,)}))
    surface = SLACK if platform == "slack" else DISCORD

    def who_is(name: str) -> Actor:
        return Actor(platform, name, f"n{name[-2:]}", workspace, surface=surface)

    def say(name: str, command: str) -> str:
        return text_of(bot.handle(Command(who_is(name), command)))

    say(admin_id, "admin program")
    assert "Created *Coffee chats*" in say(admin_id, "admin program new coffee peer Coffee chats")
    assert "as a mentor" in say(people[0], "join default mentor")
    assert "as a mentee" in say(people[1], "join default mentee")
    for who in people:  # the join form, as the platform's modal would submit it
        form = bot.handle(Command(who_is(who), "join coffee"))
        assert isinstance(form, Form) and form.form_id == "join@coffee"
        answers = {"timezone": "Europe/Lisbon"}
        assert "as a peer" in text_of(bot.handle(FormSubmitted(who_is(who), form.form_id, answers)))
    for slug, every in (("default", "every 2 weeks"), ("coffee", "weekly")):
        assert "Updated: rounds is now" in say(
            admin_id, f"admin program {slug} set rounds {every} at monday 09:00 auto"
        )


async def platform_rounds(bot, sender, platform: str) -> list[dict[int, frozenset[str]]]:
    """PLATFORM_WEEKS weekly rounds delivered through ``sender``; each round's coffee pairs."""
    pulse = Pulse(bot, build_dispatcher(bot, {platform: sender}))
    coffee = slug_ids(bot)["coffee"]
    history = []
    for week in range(PLATFORM_WEEKS):
        due = MONDAY + timedelta(weeks=week)
        await at(bot, pulse, due - timedelta(hours=24))
        await at(bot, pulse, due)
        history.append(pairs_of(bot, coffee))
    assert not set(history[0].values()) & set(history[1].values())  # new partners
    return history


async def test_two_programs_on_the_slack_fake(served, fake, bot):
    """Two automatic coffee rounds reach everyone as real Slack DMs (notices one to one,
    introductions in a group DM of the pair), and the picker's button works on Slack."""
    people = [f"U0{k}" for k in range(1, 7)]
    platform_programs(bot, "slack", "T1", "UADMIN", people)
    client = AsyncWebClient(token="xoxb-test", base_url=fake.url + "/api/")
    history = await platform_rounds(bot, SlackSender(client), "slack")
    posts = fake.calls_to("chat.postMessage")
    noticed = Counter(
        fake.dm_of[p["channel"]] for p in posts if "New pairs in *Coffee chats*" in p["text"]
    )
    assert noticed == Counter(people * PLATFORM_WEEKS)
    intros = [p for p in posts if "You've been matched in *Coffee chats*" in p["text"]]
    assert len(intros) == len(people) // 2 * PLATFORM_WEEKS
    assert all(p["channel"].startswith("G") for p in intros)  # each pair's group DM
    opened = {frozenset(c["users"].split(",")) for c in fake.calls_to("conversations.open")}
    mentoring = set(pairs_of(bot, slug_ids(bot)["default"]).values())
    assert {g for g in opened if len(g) == 2} == set().union(
        *(h.values() for h in history)
    ) | mentoring
    assert len(mentoring) == 1

    _, port, session = served  # U02 is in both programs: checkin asks which, on Slack
    asked = await command(served, fake, "checkin", user="U02", name="n02")
    assert PICKER in slack_text(asked)
    row = next(b for b in asked["blocks"] if b["type"] == "actions")
    assert [e["value"] for e in row["elements"]] == ["checkin default", "checkin coffee"]
    before = len(fake.responses)
    status, _ = await post(
        session, port, click_body(fake, "checkin coffee", user="U02", name="n02")
    )
    assert status == 200
    await fake.wait_responses(before + 1)
    partner = partner_of(history[-1], "U02")
    assert f"logged your meeting with n{partner[-2:]}" in slack_text(fake.responses[before])


async def test_two_programs_on_the_discord_fake(bot):
    """Two automatic coffee rounds reach everyone as real Discord DMs (bots can't open
    group DMs there, so one introduction each), and the picker's button works on Discord."""
    people = [f"11100000000000000{k}" for k in range(1, 7)]
    fake = await FakeDiscord(users={u: f"n{u[-2:]}" for u in people}, guilds={GUILD: []}).start()
    adapter = await start_adapter(bot, fake, GUILD)
    try:
        platform_programs(bot, "discord", GUILD, "999000000000000001", people)
        history = await platform_rounds(bot, adapter.sender, "discord")
        dms = [
            (fake.dm_of[m["channel_id"]], str(m.get("embeds")).replace("*", ""))
            for m in fake.created
        ]
        noticed = Counter(who for who, text in dms if "New pairs in Coffee chats" in text)
        assert noticed == Counter(people * PLATFORM_WEEKS), dms
        introduced = Counter(
            who for who, text in dms if "in Coffee chats" in text and "Meet" in text
        )
        assert introduced == Counter(people * PLATFORM_WEEKS)

        who = people[1]  # in both programs: checkin asks which, on Discord
        option = {"name": "checkin", "type": 1, "options": []}
        data = {"id": "1", "name": "mentor", "type": 1, "options": [option]}
        asked = await callback_for(
            fake, fake.interaction(2, data, user_id=who, name="n02", guild_id=GUILD)
        )
        assert PICKER in asked["data"]["content"]
        row = asked["data"]["components"][0]["components"]
        assert [b["custom_id"] for b in row] == ["mentor:checkin default", "mentor:checkin coffee"]
        shown = {**dm(""), "author": user("900000000000000001", "mentorbot", True)}
        shown["components"] = asked["data"]["components"]
        click = fake.interaction(
            3,
            {"custom_id": "mentor:checkin coffee", "component_type": 2},
            user_id=who,
            name="n02",
            guild_id=GUILD,
            message=shown,
        )
        answer = await callback_for(fake, click)
        partner = partner_of(history[-1], who)
        said = answer["data"]["embeds"][0]["description"]
        assert f"logged your meeting with n{partner[-2:]}" in said, said
    finally:
        await adapter.close()
        await fake.stop()
