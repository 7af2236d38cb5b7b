"""The Spanish mentee and the Portuguese mentor on Slack and on Discord, through the real
clients against the loopback fakes: the platform's language (Slack profile locale, Discord
interaction locale) decides each one's intro and first check-in nudge."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import aiohttp
import pytest
from sqlmodel import select

from adapters.slack import SlackAdapter
from adapters.surfaces import surfaces
from bot.app import build_bot, build_dispatcher
from bot.pulse import Pulse
from fakes.discord import FakeDiscord, start_adapter
from fakes.slack import FakeSlack
from storage.engine import transaction
from storage.models import Person
from tests.adapters.test_discord import callback_for, slash
from tests.adapters.test_slack import SECRET, command
from tests.i18n.helpers import INTRO, MONTH, NUDGE, advance, with_locales

GUILD = "424242424242424242"


@pytest.fixture
def bot(settings, clock, engine, tmp_path):
    return build_bot(
        with_locales(settings, tmp_path / "p"), clock=clock, engine=engine, surfaces=surfaces()
    )


@pytest.fixture
async def slack():
    fake = await FakeSlack(
        users={
            "U1": {"name": "ana", "tz": "Europe/Madrid", "locale": "es-ES"},
            "U2": {"name": "joao", "tz": "America/Sao_Paulo", "locale": "pt-BR"},
            "UADMIN": {"name": "admin", "tz": "UTC", "locale": "en-US"},
        }
    ).start()
    yield fake
    await fake.stop()


def _dm_texts(fake: FakeSlack, user: str) -> str:
    """Everything posted in the fake's DM channel with ``user``."""
    channel = "D" + hashlib.sha1(user.encode()).hexdigest()[:8].upper()
    return json.dumps(fake.posted.get(channel, []), ensure_ascii=False)


async def test_slack_profile_locales_decide_each_persons_language(bot, slack, clock):
    """users.info's locale (asked for with include_locale) is each person's language."""
    bot.settings = replace(bot.settings, admins=replace(bot.settings.admins, slack=("UADMIN",)))
    adapter = SlackAdapter(
        bot, token="xoxb-test", signing_secret=SECRET, api_url=slack.url + "/api/"
    )
    port = await adapter.start_http("127.0.0.1", 0)
    async with aiohttp.ClientSession() as http:
        served = (adapter, port, http)
        await command(served, slack, "join mentee", "U1", "ana")
        await command(served, slack, "profile set wants python", "U1", "ana")
        await command(served, slack, "join mentor", "U2", "joao")
        await command(served, slack, "profile set skills python", "U2", "joao")
        await command(served, slack, "admin match", "UADMIN", "admin")
        await command(served, slack, "admin publish", "UADMIN", "admin")
        dispatcher = build_dispatcher(bot, {"slack": adapter.sender})
        await dispatcher.dispatch_all()
        ana, joao = _dm_texts(slack, "U1"), _dm_texts(slack, "U2")
        assert INTRO["es"] in ana and INTRO["pt-BR"] not in ana, ana
        assert INTRO["pt-BR"] in joao and MONTH["pt-BR"] in joao, joao
        await advance(Pulse(bot, dispatcher), clock, 10)
        assert NUDGE["es"] in _dm_texts(slack, "U1")
        assert NUDGE["pt-BR"] in _dm_texts(slack, "U2")
    await adapter.close()
    with transaction(bot.engine) as s:
        locales = {p.platform_user_id: p.platform_locale for p in s.exec(select(Person))}
    assert locales["U1"] == "es-ES" and locales["U2"] == "pt-BR"


@pytest.fixture
async def discord_fake():
    fake = await FakeDiscord(
        users={"111": "ana", "222": "joao", "333": "admin"},
        guilds={GUILD: [("999", "Coordinators")]},
    ).start()
    yield fake
    await fake.stop()


async def test_discord_interaction_locales_decide_each_persons_language(bot, discord_fake, clock):
    """Each interaction's locale is stored as the person's platform language and decides
    the language of their intro and nudge."""
    fake = discord_fake
    bot.settings = replace(
        bot.settings, admins=replace(bot.settings.admins, discord_roles=("999",))
    )
    adapter = await start_adapter(bot, fake, GUILD)
    try:
        synced = fake.calls_to("PUT", rf"applications/\d+/guilds/{GUILD}/commands")[-1]
        group = next(c for c in synced if c["name"] == "mentor")
        checkin = next(o for o in group["options"] if o["name"] == "checkin")
        described = checkin["description_localizations"]
        assert described["es-ES"] == described["es-419"] == "Cuéntame si te viste con tu pareja."
        option = checkin["options"][0]["description_localizations"]
        assert option["es-ES"] == "[met|not-yet] [fecha]"
        # pt-BR from the bundled translation (the test folder's pt-BR lacks this key)
        assert described["pt-BR"].startswith("Me conte se você se encontrou")
        assert checkin["name"] == "checkin" and not checkin.get("name_localizations")
        ana = {"user_id": "111", "name": "ana", "guild_id": GUILD, "locale": "es-ES"}
        joao = {"user_id": "222", "name": "joao", "guild_id": GUILD, "locale": "pt-BR"}
        admin = {"user_id": "333", "name": "admin", "guild_id": GUILD, "roles": ["999"]}
        joined = await callback_for(fake, slash(fake, "join", "mentee", **ana))
        assert "como mentorada" in json.dumps(joined)  # the reply and its role word are hers (es)
        await callback_for(fake, slash(fake, "profile", "set wants python", **ana))
        await callback_for(fake, slash(fake, "join", "mentor", **joao))
        await callback_for(fake, slash(fake, "profile", "set skills python", **joao))
        await callback_for(fake, slash(fake, "admin", "match", **admin))
        await callback_for(fake, slash(fake, "admin", "publish", **admin))
        with transaction(bot.engine) as s:
            locales = {p.platform_user_id: p.platform_locale for p in s.exec(select(Person))}
        assert locales["111"] == "es-ES" and locales["222"] == "pt-BR"
        dispatcher = build_dispatcher(bot, {"discord": adapter.sender})
        await dispatcher.dispatch_all()

        def sent(user: str) -> str:
            posts = fake.calls_to("POST", rf"channels/7{user}/messages")
            return json.dumps(posts, ensure_ascii=False, default=str)  # .ics files are bytes

        assert INTRO["es"] in sent("111") and INTRO["pt-BR"] not in sent("111")
        assert INTRO["pt-BR"] in sent("222") and MONTH["es"] in sent("111")
        await advance(Pulse(bot, dispatcher), clock, 10)
        assert NUDGE["es"] in sent("111") and NUDGE["pt-BR"] in sent("222")
    finally:
        await adapter.close()  # its aiohttp sessions must not outlive the test
    await adapter.close()
