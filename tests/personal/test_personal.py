"""Personal data through the console: a person's own export, and forgetting them, after
which no table holds their name, their ids or anything they wrote."""

from __future__ import annotations

import json
import re

from sqlalchemy import inspect, text
from sqlmodel import select

from bot.events import Command
from bot.replies import File, Message
from storage.engine import transaction
from storage.models import Person
from tests.conftest import actor
from tests.conversations.helpers import Chat, outbox

# Everything zeb writes carries a marker that a scan can find anywhere it was copied to.
SECRETS = ("xyzzy", "plugh", "quux", "qwerty", "frobnicate", "obscura", "zorkmid")


async def footprint(chat: Chat) -> None:
    """Zebediah (console id "zebediah") leaves a trace in every corner of the program."""
    await chat.say("/mentor admin program set starts 2026-11-08", who="admin")
    await chat.say("/mentor admin program set ends 2026-12-06", who="admin")
    await chat.say("/mentor join mentor", who="mia")
    await chat.say("/mentor profile set skills python, haskell", who="mia")
    await chat.say("/mentor join mentee", who="Zebediah")
    await chat.say("/mentor timezone Asia/Tokyo", who="Zebediah")
    await chat.say("/mentor profile set wants haskell, obscura-lang", who="Zebediah")
    await chat.say("/mentor profile set goals learn to frobnicate monads", who="Zebediah")
    await chat.say("/mentor profile set team zorkmid guild", who="Zebediah")
    await chat.say("/mentor admin match", who="admin")
    await chat.say("/mentor admin publish", who="admin")
    await chat.say("/mentor admin match fresh all", who="admin")  # a preview naming the pair
    await chat.say("/mentor admin block Zebediah mia", who="admin")
    await chat.say('/mentor checkin met "we met at the qwerty cafe"', who="Zebediah")
    await chat.say("/mentor goal", who="Zebediah")
    for answer in ("Ship the xyzzy widget to users", "xyzzy widget shipped", "in 6 weeks"):
        await chat.say(answer, who="Zebediah")
    for answer in ("skip", "skip", "no", "no"):
        await chat.say(answer, who="Zebediah")
    await chat.say("/mentor feedback", who="Zebediah")
    for answer in ("4", "the quux walkthrough helped", "more quux please", "great"):
        await chat.say(answer, who="Zebediah")
    await chat.say("/mentor survey mid", who="Zebediah")
    for answer in ("4", "4", "4", "4", "5", "4", "the plugh sessions"):
        await chat.say(answer, who="Zebediah")
    await chat.say("/mentor feedback", who="mia")  # mia's conversation names Zebediah


def scan(bot, needles: list[str]) -> list[str]:
    """Every (table.column: value) in the database containing one of ``needles``."""
    found = []
    with bot.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).mappings().all()
            for row in rows:
                for column, value in row.items():
                    shown = str(value).lower()
                    for needle in needles:
                        if needle.lower() in shown:
                            found.append(f"{table}.{column}: {value}")
    return found


async def test_forget_leaves_nothing_personal_anywhere(bot):
    chat = Chat(bot)
    await footprint(chat)
    needles = ["zebediah", *SECRETS]
    before = scan(bot, needles)
    tables = {hit.split(".")[0] for hit in before}
    # The footprint really is everywhere the scan must look.
    assert {"person", "member", "goal", "feedback", "surveyresponse", "checkin"} <= tables
    assert {"outboxmessage", "conversation", "matchrun"} <= tables

    ask = await chat.say("/mentor forget", who="Zebediah")
    assert "can't be undone" in ask
    kept = await chat.click("Keep it", ask)
    assert "Nothing was deleted" in kept
    assert scan(bot, needles) == before

    ask = await chat.say("/mentor forget", who="Zebediah")
    done = await chat.click("Delete my data", ask)
    assert "everything personal about you is deleted" in done
    assert "1 pair ended" in done
    assert scan(bot, needles) == []

    # mia is told, without the name, and is free for the next round.
    told = [r for r in outbox(bot, "left:") if r.target_ids == ["mia"]]
    assert len(told) == 1 and "your partner left the program" in json.dumps(told[0].payload)
    status = await chat.say("/mentor status", who="mia")
    assert "Zebediah" not in status
    # Counts already reported keep their numbers: a meeting was held, one rating given.
    feedback = await chat.say("/mentor admin feedback", who="admin")
    assert "Zebediah" not in feedback
    with bot.engine.connect() as conn:
        outcomes = conn.execute(text("SELECT outcome FROM checkin WHERE outcome='met'")).all()
        ratings = conn.execute(text("SELECT rating FROM feedback WHERE kind='session'")).all()
    assert len(outcomes) >= 1 and [r[0] for r in ratings] == [4]

    # The same name joining again is a new person with nothing of the old.
    again = await chat.say("/mentor status", who="Zebediah")
    assert "not in the program yet" in again


async def test_forget_clears_the_country_and_the_unreachable_mark(bot):
    """Where someone keeps holidays (their region) and that DMs can't reach them go too."""
    chat = Chat(bot)
    await chat.say("/mentor join mentee", who="Zebediah")
    await chat.say("/mentor profile set country es-md", who="Zebediah")
    with transaction(bot.engine) as s:
        person = s.exec(select(Person).where(Person.platform_user_id == "zebediah")).one()
        person.unreachable_since, person.unreachable_reason = bot.clock.now(), "dms_closed"
        s.add(person)
        person_id = person.id
    assert person.country == "ES-MD"
    ask = await chat.say("/mentor forget", who="Zebediah")
    await chat.click("Delete my data", ask)
    with transaction(bot.engine) as s:
        person = s.get(Person, person_id)
        assert person is not None
        assert (person.country, person.unreachable_since, person.unreachable_reason) == (
            None,
            None,
            None,
        )


async def test_export_is_the_persons_own_data_as_a_file(bot):
    chat = Chat(bot)
    await footprint(chat)
    reply = bot.handle(Command(actor("Zebediah"), "export"))
    assert isinstance(reply, Message)
    files = reply.files()
    assert len(files) == 1 and isinstance(files[0], File)
    assert files[0].name.endswith(".json") and files[0].mime == "application/json"
    data = json.loads(files[0].content)
    assert data["person"]["display_name"] == "Zebediah"
    assert data["person"]["timezone"] == "Asia/Tokyo"
    assert data["memberships"][0]["goals"] == "learn to frobnicate monads"
    assert data["pairs"][0]["partners"] == ["mia"]
    assert any("qwerty" in c["note"] for c in data["checkins"])
    assert data["goals"][0]["title"] == "Ship the xyzzy widget to users"
    assert any(f["helped"] == "the quux walkthrough helped" for f in data["feedback"])
    assert data["surveys"][0]["answers"]["open"] == "the plugh sessions"
    # Nobody else's answers: mia's feedback conversation isn't in Zebediah's file.
    assert "mia" not in json.dumps(data["feedback"])
    # On the console the file is printed.
    printed = await chat.say("/mentor export", who="Zebediah")
    assert re.search(r"\[file mentorbot-my-data-2026-11-22\.json, [\d,]+ bytes\]", printed)
    assert '"display_name": "Zebediah"' in printed


def test_admin_forgets_someone_from_the_terminal(tmp_path):
    """`mentorbot forget console <id>` asks first; `--yes` forgets; an unknown id changes
    nothing and says so."""
    from dataclasses import replace

    from typer.testing import CliRunner

    from adapters.surfaces import surfaces
    from bot.app import build_bot
    from bot.cli.main import app
    from bot.config import load_settings
    from tests.conftest import run

    config = tmp_path / "c.toml"
    config.write_text(f'[bot]\ndata_dir = "{tmp_path / "data"}"\n')
    settings = load_settings(config, env={})
    bot = build_bot(replace(settings), surfaces=surfaces())
    run(bot, "join mentee", who="Zebediah")
    run(bot, "profile set goals learn to frobnicate", who="Zebediah")
    runner = CliRunner()
    base = ["--config", str(config), "forget", "console"]
    env = {"DATABASE_URL": ""}
    result = runner.invoke(app, [*base, "nobody"], env=env)
    assert result.exit_code == 1 and "Nothing was changed" in result.output
    result = runner.invoke(app, [*base, "zebediah"], input="n\n", env=env)
    assert result.exit_code == 1 and "can't be undone" in result.output
    assert scan(bot, ["frobnicate"]) != []
    result = runner.invoke(app, [*base, "zebediah", "--yes"], env=env)
    assert result.exit_code == 0, result.output
    assert "Forgotten: 1 membership closed, 0 pairs ended (0 partners told" in result.output
    assert scan(bot, ["zebediah", "frobnicate"]) == []
