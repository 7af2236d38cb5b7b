"""Accessibility: every Slack button has an accessibility label, no emoji carries meaning
alone in the prompts, and the digest's chart travels with its text alternative."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import select

from adapters.slack.blocks import blocks
from adapters.slack.delivery import SlackSender
from bot.app import build_dispatcher
from bot.checkins.digest import weekly_digest
from bot.delivery import Target
from bot.events import Command
from bot.outbox import enqueue
from bot.replies import Button, Buttons, Message
from fakes.outcomes import generate
from fakes.slack import FakeSlack
from storage.engine import transaction
from storage.models import Program
from tests.conftest import actor
from tests.engagement.helpers import ghosting_pair

ROOT = Path(__file__).resolve().parents[2]
EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2190-\u21ff\u25a0-\u25ff]")


def buttons_of(rendered: list[dict]) -> list[dict]:
    return [e for b in rendered if b["type"] == "actions" for e in b["elements"]]


def test_every_slack_button_carries_an_accessibility_label(bot):
    """Buttons of real replies (the digest's pair actions, leave's confirm) and a long label:
    each has an accessibility_label, the rendered label clipped to Block Kit's 75."""
    ghosting_pair(bot, a="amy", b="cat")
    with transaction(bot.engine) as s:
        program = s.exec(select(Program)).one()
        digest = weekly_digest(s, program, bot.prompts, bot.settings, now=bot.clock.now())
    leave = bot.handle(Command(actor("amy"), "leave"))
    long = Message((Buttons((Button("A" * 120, "help"),)),))
    found = [e for m in (digest, leave, long) for e in buttons_of(blocks(m))]
    assert len(found) >= 4
    for element in found:
        assert element["accessibility_label"] == element["text"]["text"][:75]
        assert 0 < len(element["accessibility_label"]) <= 75
    assert found[-1]["accessibility_label"] == "A" * 74 + "…"


def _templates() -> list[tuple[str, str]]:
    files = [*ROOT.glob("bot/*/prompts.toml"), *ROOT.glob("prompts/**/*.toml")]
    found: list[tuple[str, str]] = []

    def walk(where: str, value: object) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{where}.{key}", inner)
        elif isinstance(value, list):
            for k, inner in enumerate(value):
                walk(f"{where}[{k}]", inner)
        elif isinstance(value, str):
            found.append((where, value))

    for path in files:
        walk(str(path.relative_to(ROOT)), tomllib.loads(path.read_text(encoding="utf-8")))
    return found


def test_no_emoji_carries_meaning_alone():
    """Every prompt with an emoji still says it in words: without its emoji, placeholders
    and markup, at least one word is left (a screen reader's "megaphone" is no headline)."""
    with_emoji = [(where, text) for where, text in _templates() if EMOJI.search(text)]
    assert with_emoji  # the check looks at something
    for where, text in with_emoji:
        words = re.sub(r"\{[^}]*\}|[*_`~]", " ", EMOJI.sub(" ", text))
        assert re.search(r"[^\W\d_]{3,}", words), f"{where}: {text!r} says it only by emoji"


async def test_the_digest_chart_goes_with_its_text_alternative(bot):
    """The weekly digest's chart is uploaded to Slack with alt_txt: the chart's own text
    alternative (rendered from the prompts, in the reader's language), not its file name."""
    fake = await FakeSlack().start()
    try:
        truth = generate(bot.engine, people=40, weeks=12, platform="slack", workspace="T1")
        now = bot.clock.now()
        with transaction(bot.engine) as s:
            program = s.get(Program, truth.program_id)
            message = weekly_digest(s, program, bot.prompts, bot.settings, now=now)
            enqueue(
                s,
                dedupe_key="digest:alt",
                target=Target("slack", "T1", "user", ("U1",)),
                message=message,
                not_before=now,
                now=now,
                program_id=truth.program_id,
            )
        (chart,) = message.files()
        assert chart.alt and "meetings" in chart.alt.lower()
        client = AsyncWebClient(token="xoxb-test", base_url=fake.url + "/api/")
        await build_dispatcher(bot, {"slack": SlackSender(client)}).dispatch_all()
        await fake.wait_calls("files.completeUploadExternal")
        (upload,) = fake.uploads.values()
        assert upload["alt_txt"] == chart.alt
        assert json.dumps(chart.alt) not in upload["filename"]
    finally:
        await fake.stop()


def test_the_announcement_header_says_it_in_words(bot):
    """The announcement header says "Announcement" in words beside its emoji."""
    header = bot.prompts.render("announce.header", program="Mentoring").plain()
    assert header == "📣 Announcement from *Mentoring*"


async def test_the_digest_chart_goes_to_discord_with_its_description(bot):
    """On Discord the chart's attachment carries the same text alternative as its
    description (what screen readers read for an image)."""
    from fakes.discord import FakeDiscord, start_adapter

    guild = "424242424242424242"
    fake = await FakeDiscord(users={"222": "bob"}, guilds={guild: []}).start()
    adapter = await start_adapter(bot, fake, guild)
    try:
        truth = generate(bot.engine, people=40, weeks=12, platform="discord", workspace=guild)
        with transaction(bot.engine) as s:
            program = s.get(Program, truth.program_id)
            message = weekly_digest(s, program, bot.prompts, bot.settings, now=bot.clock.now())
        (chart,) = message.files()
        result = await adapter.sender.send(Target("discord", guild, "user", ("222",)), message)
        assert result.status == "sent"
        body = fake.calls_to("POST", r"channels/\d+/messages")[-1]
        (attachment,) = body["attachments"]
        assert attachment["description"] == chart.alt and attachment["filename"] == chart.name
    finally:
        await adapter.close()
        await fake.stop()
