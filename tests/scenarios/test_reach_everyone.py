"""Issue 30's "done when": a Spanish-speaking mentee in Madrid (ana) and a Portuguese-speaking
mentor in São Paulo (joao) run a program in the console, on the Slack fake and on the Discord
fake, with the bundled translations. Each reads the intro, its meeting times, the buttons, the
first check-in nudge and a command's reply in their own language with Babel's dates; the intro's
.ics parses and its events start at the suggested instants; no suggested time is on a Spanish
(for her) or Brazilian (for him) public holiday; and a third person whose DMs are closed is
reached through the fallback and listed for the admin.

Published on Friday 4 December 2026: Madrid's 7 December and Spain's 8 December fall in the
window, so the times are the 9th-11th; the first check-in (Tuesday the 8th) moves for ana only.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import holidays
import pytest
from icalendar import Calendar

from adapters.slack import SlackAdapter
from adapters.surfaces import surfaces
from bot.app import MentorBot, build_bot, build_dispatcher
from bot.pulse import Pulse
from fakes.discord import FakeDiscord, start_adapter
from fakes.slack import FakeSlack
from tests.adapters.test_discord import callback_for, slash
from tests.adapters.test_slack import SECRET, command
from tests.conversations.helpers import Chat, outbox
from tests.i18n.helpers import advance

PUBLISHED = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)  # a Friday
MADRID, SAO_PAULO = ZoneInfo("Europe/Madrid"), ZoneInfo("America/Sao_Paulo")
# 14:00-18:00 in Madrid and 10:00-14:00 in São Paulo are both 13:00-17:00 UTC in December.
SLOTS = [datetime(2026, 12, d, 13, 0, tzinfo=UTC) for d in (9, 10, 11)]
SPAIN = holidays.country_holidays("ES", subdiv="MD", years=2026)
BRAZIL = holidays.country_holidays("BR", subdiv="SP", years=2026)

# What each reads, from the bundled translations (prompts/locales/es and pt-BR).
ES = {
    "intro": "Te presento a *joao*, tu mentor",
    "why": "joao puede ayudar con python; 20 horas a la semana en que ambos están disponibles",
    "times": "miércoles, 9 de diciembre de 2026, 14:00 (Europe/Madrid)",
    "partner_now": "(hora local: viernes, 4 de diciembre de 2026, 9:00)",
    "ics": ("SUMMARY:Mentoría: ana & joao", "DTSTART;TZID=Europe/Madrid:20261209T140000"),
    "nudge": "Toca tu primer check-in: ¿te reuniste con joao",
    "button": "Nos reunimos",
}
PT = {
    "intro": "Conheça *ana*, mentorado da sua dupla",
    "why": "joao pode ajudar com python; 20 horas por semana em que vocês dois estão disponíveis",
    "times": "ana: quarta-feira, 9 de dezembro de 2026 14:00 (Europe/Madrid)",
    "partner_now": "(horário local: sexta-feira, 4 de dezembro de 2026 13:00)",
    "ics": ("SUMMARY:Mentoria: ana & joao", "DTSTART;TZID=America/Sao_Paulo:20261209T100000"),
    "nudge": "Hora do seu primeiro check-in: você e ana se encontraram",
    "button": "Nos encontramos",
}
# Replies to commands: the language chosen...
LANGUAGE_SET = {
    "ana": "a partir de ahora te hablaré en español (es)",
    "joao": "de agora em diante vou falar com você em português (Brasil) (pt-BR)",
}
# ... where they live, its local time now (Babel's date, a whole sentence)...
NOW_THERE = {
    "ana": "Hora local allí: viernes, 4 de diciembre de 2026, 13:00.",
    "joao": "Horário local: sexta-feira, 4 de dezembro de 2026 09:00.",
}
# ... and the profile card (its title and the time zone row's label).
PROFILE = {"ana": "*Perfil de ana*", "joao": "*Perfil de joao*"}
# English that would show a message (or part of one) left untranslated.
ENGLISH = (
    "can help with",
    "hours a week",
    "Wed 9 Dec",
    "first check-in",
    "Book time",
    "The attached .ics",
    "First meeting tips",
    "Tap an answer",
    "Welcome",
)


@pytest.fixture
def bot(settings, clock, engine) -> MentorBot:
    """The bundled locales only; weekly check-ins on Tuesdays, the first three days after
    the intro at the earliest, so Tuesday 8 December (Spain's holiday) is its day."""
    checkins = replace(settings.checkins, first_checkin_after_days=3)
    program = replace(settings.program, cadence="weekly")
    clock.set(PUBLISHED)
    settings = replace(settings, checkins=checkins, program=program)
    return build_bot(settings, clock=clock, engine=engine, surfaces=surfaces())


def dms(output: str, who: str) -> list[str]:
    """Each console DM printed for ``who``, with its following indented lines."""
    return re.findall(rf"\[DM to {who}\] .*(?:\n(?: {{2,}}|\s*\[\d+\]).*)*", output)


def ics_events(ics: bytes, words: dict) -> list[datetime]:
    """The DTSTARTs (as UTC instants) of a PUBLISH calendar's VEVENTs, checked to be written
    in the reader's language and zone (``words["ics"]``)."""
    text = ics.decode()
    assert all(w in text for w in words["ics"]), text
    calendar = Calendar.from_ical(ics)
    assert str(calendar["METHOD"]) == "PUBLISH"
    return [e.decoded("DTSTART").astimezone(UTC) for e in calendar.walk("VEVENT")]


def assert_no_holiday(slots: list[datetime]) -> None:
    """No slot on a public holiday of Madrid (her local date) or São Paulo (his)."""
    for slot in slots:
        assert slot.astimezone(MADRID).date() not in SPAIN, slot
        assert slot.astimezone(SAO_PAULO).date() not in BRAZIL, slot


def test_the_window_holds_both_countries_holidays():
    """The scenario is worth running: without holidays the times would be the 7th-9th."""
    assert date(2026, 12, 7) in SPAIN and date(2026, 12, 8) in SPAIN
    assert date(2026, 12, 25) in SPAIN and date(2026, 12, 25) in BRAZIL
    assert date(2026, 11, 20) in BRAZIL  # Consciência Negra


async def test_console_each_in_their_language_with_the_ics_and_no_holidays(bot):
    """ana (``/mentor language es``) and joao (``pt-BR``) in the terminal console."""
    chat = Chat(bot)
    for who, tag, zone, lines in (
        (
            "ana",
            "es",
            "Madrid",
            ("wants python", "availability mon-fri 14:00-18:00", "country es-md"),
        ),
        ("joao", "pt-BR", "Sao Paulo", ("skills python", "availability mon-fri 10:00-14:00")),
    ):
        assert LANGUAGE_SET[who] in await chat.say(f"/mentor language {tag}", who=who)
        await chat.say("/mentor join " + ("mentee" if who == "ana" else "mentor"), who=who)
        assert NOW_THERE[who] in await chat.say(f"/mentor timezone {zone}", who=who)
        for line in lines:
            await chat.say(f"/mentor profile set {line}", who=who)
        assert PROFILE[who] in await chat.say("/mentor profile", who=who)
    out = await chat.say("/mentor admin match", who="admin")
    out += await chat.say("/mentor admin publish", who="admin")
    (ana,), (joao,) = dms(out, "ana")[-1:], dms(out, "joao")[-1:]
    for intro, words in ((ana, ES), (joao, PT)):
        assert words["intro"] in intro and words["why"] in intro and words["times"] in intro
        assert words["partner_now"] in intro
        assert not [w for w in ENGLISH if w in intro], intro
        (path,) = re.findall(r"saved to (\S+\.ics)\]", intro)
        assert ics_events(Path(path).read_bytes(), words) == SLOTS
    assert_no_holiday(SLOTS)

    later = await chat.say("/time +6d")
    for who, words in (("ana", ES), ("joao", PT)):
        (nudge,) = [m for m in dms(later, who) if words["nudge"] in m]
        assert not [w for w in ENGLISH if w in nudge]
        assert f"] {words['button']}" in nudge, nudge
    # The nudge on Spain's holiday moved a day for ana; joao's stayed on Tuesday the 8th.
    due = {r.target_ids[0]: r.not_before for r in outbox(bot, "nudge:")}
    assert due["ana"].astimezone(MADRID).date() == date(2026, 12, 9)
    assert due["joao"].astimezone(SAO_PAULO).date() == date(2026, 12, 8)


# -- Slack -------------------------------------------------------------------------------------
SLACK_USERS = {
    "U1": {"name": "ana", "tz": "Europe/Madrid", "locale": "es-ES"},
    "U2": {"name": "joao", "tz": "America/Sao_Paulo", "locale": "pt-BR"},
    "U3": {"name": "lucia", "tz": "Europe/Madrid", "locale": "es-ES"},
    "UADMIN": {"name": "admin", "tz": "UTC", "locale": "en-US"},
}
CHANNEL = "C0PROGRAM"
JOINED = {"ana": "¡Ya estás dentro!", "joao": "Você está dentro!", "lucia": "¡Ya estás dentro!"}


@pytest.fixture
async def slack():
    fake = await FakeSlack(users=SLACK_USERS).start()
    yield fake
    await fake.stop()


def slack_dm(fake: FakeSlack, user: str) -> str:
    """Everything posted in the fake's DM channel with ``user`` (blocks and text)."""
    posts = [p for p in fake.calls_to("chat.postMessage") if p["channel"] == dm_channel(user)]
    return json.dumps(posts, ensure_ascii=False)


def dm_channel(user: str) -> str:
    """The fake's DM channel id for ``user``."""
    return "D" + hashlib.sha1(user.encode()).hexdigest()[:8].upper()


async def test_slack_each_in_their_language_and_the_unreachable_third(bot, slack, clock):
    """Slack profile locales (es-ES, pt-BR) through slack-sdk and Bolt against the fake: the
    intros, their .ics uploads, buttons and first nudges in each language; lucia's DMs are
    closed (cannot_dm_bot), so her welcome reaches her privately in the program's channel
    and the admin sees her in ``admin person`` and the digest."""
    bot.settings = replace(bot.settings, admins=replace(bot.settings.admins, slack=("UADMIN",)))
    adapter = SlackAdapter(
        bot, token="xoxb-test", signing_secret=SECRET, api_url=slack.url + "/api/"
    )
    port = await adapter.start_http("127.0.0.1", 0)
    async with aiohttp.ClientSession() as http:
        served = (adapter, port, http)

        async def say(user: str, line: str) -> str:
            reply = await command(served, slack, line, user, SLACK_USERS[user]["name"])
            return json.dumps(reply, ensure_ascii=False)

        await say("UADMIN", f"admin program set channel #{CHANNEL}")
        for user, lines in (
            ("U1", ("join mentee", "profile set wants python", "profile set country es-md")),
            ("U2", ("join mentor", "profile set skills python")),
        ):
            replies = [await say(user, line) for line in lines]
            assert JOINED[SLACK_USERS[user]["name"]] in replies[0]
            hours = "14:00-18:00" if user == "U1" else "10:00-14:00"
            await say(user, f"profile set availability mon-fri {hours}")
        await say("UADMIN", "admin match")
        await say("UADMIN", "admin publish")
        dispatcher = build_dispatcher(bot, {"slack": adapter.sender})
        await dispatcher.dispatch_all()
        await slack.wait_calls("files.completeUploadExternal", 2)
        for user, words in (("U1", ES), ("U2", PT)):
            intro = slack_dm(slack, user)
            assert words["intro"] in intro and words["why"] in intro, intro
            assert words["times"] in intro
            (ics,) = [u for u in slack.uploads.values() if u["channel"] == dm_channel(user)]
            assert ics_events(ics["content"], words) == SLOTS
        assert_no_holiday(SLOTS)

        slack.dm_errors = {"U3": "cannot_dm_bot"}
        joined = await say("U3", "join mentee")
        assert JOINED["lucia"] in joined
        await dispatcher.dispatch_all()
        await advance(Pulse(bot, dispatcher), clock, 6)
        for user, words in (("U1", ES), ("U2", PT)):
            assert not [w for w in ENGLISH if w in slack_dm(slack, user)]
            assert words["nudge"] in slack_dm(slack, user)
            assert f'"text": "{words["button"]}"' in slack_dm(slack, user)
            assert f'"accessibility_label": "{words["button"]}"' in slack_dm(slack, user)
        card = await say("UADMIN", "admin person U3")
    await adapter.close()
    (private, *_) = slack.ephemeral
    assert private["channel"] == CHANNEL and private["user"] == "U3"
    assert "te damos la bienvenida" in private["text"]
    (note,) = slack.posted[CHANNEL]
    howto = bot.prompts.for_locale("es").text("unreachable.howto.slack")
    assert note["text"].startswith("<@U3>") and howto in note["text"]
    assert "can't get DMs (since 2026-12-04)" in card
    digest = slack_dm(slack, "UADMIN")
    assert "lucia: can't get DMs (since 2026-12-04)" in digest
    assert "could not be delivered" not in digest  # her welcome reached her in the channel


# -- Discord -----------------------------------------------------------------------------------
GUILD = "424242424242424242"
ANA, JOAO, ADMIN, LUCIA = (f"{n}00000000000000{n[0]}" for n in ("111", "222", "333", "444"))
THREADS_IN = "800000000000000001"  # the program's channel


@pytest.fixture
async def discord_fake():
    fake = await FakeDiscord(
        users={ANA: "ana", JOAO: "joao", ADMIN: "admin", LUCIA: "lucia"},
        guilds={GUILD: [("999", "Coordinators")]},
        text_channels={THREADS_IN: GUILD},
    ).start()
    yield fake
    await fake.stop()


@pytest.fixture
async def discord(bot, discord_fake):
    bot.settings = replace(
        bot.settings,
        admins=replace(bot.settings.admins, discord=(ADMIN,), discord_roles=("999",)),
    )
    adapter = await start_adapter(bot, discord_fake, GUILD)
    yield adapter
    await adapter.close()


def discord_dms(fake: FakeDiscord, user: str) -> list[dict]:
    """Every message body the bot posted in its DM channel with ``user``."""
    return fake.calls_to("POST", rf"channels/7{user[-17:]}/messages")


async def test_discord_each_in_their_language_and_the_unreachable_third(
    bot, discord_fake, discord, clock
):
    """Discord interaction locales (es-ES, pt-BR) through discord.py against the fake: each
    intro DM carries its .ics and buttons in the reader's language, the first nudges too;
    lucia's DMs are closed (50007), so her welcome comes in a private thread of the program's
    channel, and the admin sees her in ``admin person``."""
    fake = discord_fake
    who = {
        ANA: {"user_id": ANA, "name": "ana", "guild_id": GUILD, "locale": "es-ES"},
        JOAO: {"user_id": JOAO, "name": "joao", "guild_id": GUILD, "locale": "pt-BR"},
        LUCIA: {"user_id": LUCIA, "name": "lucia", "guild_id": GUILD, "locale": "es-ES"},
        ADMIN: {"user_id": ADMIN, "name": "admin", "guild_id": GUILD, "roles": ["999"]},
    }

    async def say(user: str, sub: str, args: str | None = None) -> str:
        reply = await callback_for(fake, slash(fake, sub, args, **who[user]))
        return json.dumps(reply, ensure_ascii=False)

    await say(ADMIN, "admin", f"program set channel {THREADS_IN}")
    for user, role, lines in (
        (ANA, "mentee", ("wants python", "country es-md", "availability mon-fri 14:00-18:00")),
        (JOAO, "mentor", ("skills python", "availability mon-fri 10:00-14:00")),
    ):
        name = who[user]["name"]
        assert JOINED[name] in await say(user, "join", role)
        zone = "Madrid" if user == ANA else "Sao Paulo"
        assert NOW_THERE[name] in await say(user, "timezone", zone)
        for line in lines:
            await say(user, "profile", f"set {line}")
    await say(ADMIN, "admin", "match")
    await say(ADMIN, "admin", "publish")
    dispatcher = build_dispatcher(bot, {"discord": discord.sender})
    await dispatcher.dispatch_all()
    for user, words in ((ANA, ES), (JOAO, PT)):
        (intro,) = [b for b in discord_dms(fake, user) if b.get("files")]
        text = json.dumps(intro, ensure_ascii=False, default=str)
        assert words["intro"] in text and words["why"] in text and words["times"] in text
        (ics,) = [f["content"] for f in intro["files"] if f["filename"].endswith(".ics")]
        assert ics_events(ics, words) == SLOTS
    assert_no_holiday(SLOTS)

    fake.closed_dms.add(LUCIA)
    assert JOINED["lucia"] in await say(LUCIA, "join", "mentee")
    await dispatcher.dispatch_all()
    await advance(Pulse(bot, dispatcher), clock, 6)
    for user, words in ((ANA, ES), (JOAO, PT)):
        sent = json.dumps(discord_dms(fake, user), ensure_ascii=False, default=str)
        assert words["nudge"] in sent and f'"label": "{words["button"]}"' in sent
        assert not [w for w in ENGLISH if w in sent]

    (thread_id,) = fake.threads
    assert fake.threads[thread_id]["members"] == [LUCIA]
    howto, welcome = [m for m in fake.created if m["channel_id"] == thread_id][:2]
    her_words = bot.prompts.for_locale("es").text("unreachable.howto.discord")
    assert her_words.split("*")[0] in howto["content"]  # (Discord writes bold as **)
    assert "te damos la bienvenida" in json.dumps(welcome, ensure_ascii=False)
    card = await say(ADMIN, "admin", f"person {LUCIA}")
    assert "can't get DMs (since 2026-12-04)" in card
