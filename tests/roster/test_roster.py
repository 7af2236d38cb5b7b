"""Roster import and export through the command line (typer's runner), against a real
SQLite database; Slack emails through slack-sdk against the loopback fake."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import threading
from pathlib import Path

import aiohttp
from rich.console import Console
from sqlmodel import select
from typer.testing import CliRunner

from adapters.slack.lookup import email_resolver
from adapters.surfaces import surfaces
from bot.app import build_bot
from bot.cli.main import app
from bot.cli.roster import ImportOptions, run_import
from bot.config import load_settings
from fakes.slack import FakeSlack
from storage.engine import transaction
from storage.models import Member, OutboxMessage, Person
from tests.conftest import run

runner = CliRunner()
WHERE = "into 'Mentorship program' (console workspace 'console')"
ENV = {"DATABASE_URL": ""}
HEADER = "platform_id,name,role,timezone,skills,wants,goals,languages,team,capacity,availability\n"
GOOD = (
    "ann,Ann Lee,mentee,Tokyo,,python; sql,Learn to lead,en; ja,Platform,,mon-fri 09:00-17:00\n"
    "mia,Mia Wong,mentor,Europe/London,python; leadership,,,en,Infra,2,\n"
)
BAD = (
    "bob,Bob,mentee,Atlantis,,,,,,,\n"
    "cat,Cat,wizard,UTC,,,,,,,\n"
    "dan,Dan,mentee,UTC,,,,,,2,mon-fri 17:00-09:00\n"
    ",Nobody,mentee,UTC,,,,,,,\n"
)


def setup(tmp_path: Path, body: str) -> tuple[list[str], Path]:
    config = tmp_path / "c.toml"
    config.write_text(f'[bot]\ndata_dir = "{tmp_path / "data"}"\n')
    path = tmp_path / "people.csv"
    path.write_text(HEADER + body)
    return ["--config", str(config)], path


def people(tmp_path: Path) -> dict[str, tuple[str, str | None, list[str]]]:
    settings = load_settings(tmp_path / "c.toml", env={})
    bot = build_bot(settings, surfaces=surfaces())
    with transaction(bot.engine) as s:
        rows = s.exec(select(Member, Person).join(Person, Person.id == Member.person_id)).all()  # type: ignore[arg-type]
        return {p.platform_user_id: (m.role, p.timezone, list(m.skills_wanted)) for m, p in rows}


def test_every_error_by_line_and_column_and_nothing_written(tmp_path):
    base, path = setup(tmp_path, GOOD + BAD)
    result = runner.invoke(app, [*base, "import", str(path)], env=ENV)
    assert result.exit_code == 1
    out = result.output
    assert 'line 4, timezone: I don\'t know the time zone "Atlantis". Did you mean Atlanta?' in out
    assert 'line 5, role: "wizard" isn\'t a role here' in out
    assert "line 6, availability: Each window must end after it starts" in out
    assert "line 6, capacity: Capacity is for mentors" in out
    assert "line 7, platform_id: Give the person's platform id or email." in out
    assert "5 problems in 4 rows:" in out and "Nothing was imported" in out
    assert people(tmp_path) == {}


def test_skip_invalid_dry_run_and_idempotent_reimport(tmp_path):
    base, path = setup(tmp_path, GOOD + BAD)
    dry = runner.invoke(app, [*base, "import", str(path), "--skip-invalid", "--dry-run"], env=ENV)
    assert dry.exit_code == 0
    assert "Skipped 4 rows:" in dry.output
    assert f"Would import 2 people {WHERE}: 2 new, 4 rows skipped." in dry.output
    assert people(tmp_path) == {}
    first = runner.invoke(app, [*base, "import", str(path), "--skip-invalid"], env=ENV)
    assert first.exit_code == 0, first.output
    assert f"Imported 2 people {WHERE}: 2 new, 4 rows skipped." in first.output
    assert people(tmp_path) == {
        "ann": ("mentee", "Asia/Tokyo", ["python", "sql"]),
        "mia": ("mentor", "Europe/London", []),
    }
    again = runner.invoke(app, [*base, "import", str(path), "--skip-invalid"], env=ENV)
    assert f"Imported 2 people {WHERE}: 2 unchanged, 4 rows skipped." in again.output
    path.write_text(HEADER + GOOD.replace("python; sql", "rust"))
    changed = runner.invoke(app, [*base, "import", str(path)], env=ENV)
    assert f"Imported 2 people {WHERE}: 1 updated, 1 unchanged." in changed.output
    assert people(tmp_path)["ann"][2] == ["rust"]


def test_the_summary_counts_people_in_words(tmp_path):
    """One person, one skipped row: singular words, zero counts left out, the program and
    workspace named once each."""
    base, path = setup(tmp_path, "zoe,Zoe,mentee,UTC,,,,,,,\ncat,Cat,wizard,UTC,,,,,,,\n")
    result = runner.invoke(app, [*base, "import", str(path), "--skip-invalid"], env=ENV)
    assert result.exit_code == 0, result.output
    assert "1 problem in 1 row:" not in result.output and "Skipped 1 row:" in result.output
    assert f"Imported 1 person {WHERE}: 1 new, 1 row skipped." in result.output
    path.write_text(HEADER + "cat,Cat,wizard,UTC,,,,,,,\n")
    result = runner.invoke(app, [*base, "import", str(path)], env=ENV)
    assert result.exit_code == 1 and "1 problem in 1 row:" in result.output


def test_a_missing_file_is_named_without_a_line_number(tmp_path):
    """`import nope.csv`: "Cannot read nope.csv: no such file", exit 2, no "line 0"."""
    base, _ = setup(tmp_path, "")
    missing = tmp_path / "nope.csv"
    result = runner.invoke(app, [*base, "import", str(missing)], env=ENV)
    assert result.exit_code == 2
    assert result.output.strip() == f"Cannot read {missing}: no such file"


def test_welcome_dms_only_when_asked(tmp_path):
    base, path = setup(tmp_path, GOOD)
    runner.invoke(app, [*base, "import", str(path)], env=ENV)
    path.write_text(HEADER + "zoe,Zoe,mentee,UTC,,,,,,,\n")
    result = runner.invoke(app, [*base, "import", str(path), "--welcome"], env=ENV)
    assert "Welcome DMs queued: 1" in result.output
    bot = build_bot(load_settings(tmp_path / "c.toml", env={}), surfaces=surfaces())
    with transaction(bot.engine) as s:
        keys = [r.target_ids for r in s.exec(select(OutboxMessage)).all()]
    assert keys == [["zoe"]]


def test_an_export_imports_back_unchanged_and_rebuilds_the_roster(tmp_path):
    base, path = setup(tmp_path, GOOD)
    runner.invoke(app, [*base, "import", str(path)], env=ENV)
    bot = build_bot(load_settings(tmp_path / "c.toml", env={}), surfaces=surfaces())
    assert "22:00-07:00" in run(bot, "profile set quiet 22:00-07:00", who="ann")
    out = tmp_path / "out"
    assert runner.invoke(app, [*base, "export", "--out", str(out)], env=ENV).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "checkins.csv", "closure.csv", "feedback.csv", "goals.csv", "pairs.csv",
        "participants.csv", "surveys.csv",
    ]  # fmt: skip
    again = runner.invoke(app, [*base, "import", str(out / "participants.csv")], env=ENV)
    assert f"Imported 2 people {WHERE}: 2 unchanged." in again.output
    assert "ignored" not in again.output
    # A fresh database rebuilt from the export exports the same participants.
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    fresh_base, _ = setup(fresh, "")
    runner.invoke(app, [*fresh_base, "import", str(out / "participants.csv")], env=ENV)
    runner.invoke(app, [*fresh_base, "export", "--out", str(fresh / "out")], env=ENV)

    def rows(p: Path) -> list[dict[str, str]]:
        return [
            {k: v for k, v in r.items() if k != "joined_at"}
            for r in csv.DictReader(io.StringIO(p.read_text()))
        ]

    assert rows(fresh / "out" / "participants.csv") == rows(out / "participants.csv")
    by_id = {r["platform_id"]: r for r in rows(out / "participants.csv")}
    assert by_id["ann"]["quiet"] == "22:00-07:00"
    assert by_id["ann"]["availability"] == "mon-fri 09:00-17:00"


def test_json_export_keeps_feedback_and_surveys_to_totals(tmp_path):
    base, path = setup(tmp_path, GOOD)
    runner.invoke(app, [*base, "import", str(path)], env=ENV)
    out = tmp_path / "out"
    result = runner.invoke(app, [*base, "export", "--format", "json", "--out", str(out)], env=ENV)
    assert result.exit_code == 0
    doc = json.loads((out / "mentorbot-export.json").read_text())
    assert [p["platform_id"] for p in doc["participants"]] == ["ann", "mia"]
    assert doc["feedback"] == [{"measure": "people who gave feedback", "value": "fewer than 3"}]
    bad = runner.invoke(app, [*base, "export", "--format", "xml"], env=ENV)
    assert bad.exit_code == 2 and "csv or json" in bad.output


def test_a_role_cannot_change_under_an_active_pair(tmp_path):
    base, path = setup(tmp_path, GOOD)
    runner.invoke(app, [*base, "import", str(path)], env=ENV)
    bot = build_bot(load_settings(tmp_path / "c.toml", env={}), surfaces=surfaces())
    run(bot, "admin match", who="admin")
    run(bot, "admin publish", who="admin")
    path.write_text(HEADER + "ann,Ann Lee,mentor,Tokyo,,,,,,,\n")
    result = runner.invoke(app, [*base, "import", str(path), "--skip-invalid"], env=ENV)
    assert "line 2, role: Their role can't change while they are in an active pair" in result.output
    assert people(tmp_path)["ann"][0] == "mentee"


def test_slack_emails_are_looked_up(tmp_path):
    """Rows given by email become Slack ids through users.lookupByEmail; an email nobody has
    is reported on its line."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    users = {"U1": {"name": "ann", "email": "ann@example.org"}}
    fake = asyncio.run_coroutine_threadsafe(FakeSlack(users=users).start(), loop).result()
    try:
        _, path = setup(tmp_path, "")
        path.write_text(
            "email,name,role\nANN@example.org,Ann,mentee\nghost@example.org,Ghost,mentee\n"
        )
        settings = load_settings(tmp_path / "c.toml", env={})
        options = ImportOptions(path, platform="slack", workspace="T1")
        resolvers = {"slack": email_resolver("xoxb-test", fake.url + "/api/")}
        console = Console(file=io.StringIO(), width=200)
        code = run_import(settings, options, console=console, resolvers=resolvers)
        text = console.file.getvalue()  # type: ignore[attr-defined]
        assert code == 1
        assert "line 3, email: No Slack user has the email ghost@example.org." in text
        options = ImportOptions(path, skip_invalid=True, platform="slack", workspace="T1")
        assert run_import(settings, options, console=console, resolvers=resolvers) == 0
        assert people(tmp_path) == {"U1": ("mentee", None, [])}
        assert len(fake.calls_to("users.lookupByEmail")) == 4
    finally:
        asyncio.run_coroutine_threadsafe(fake.stop(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


EVIL = (
    '"@evil","=HYPERLINK(""http://evil"",""x"")",mentee,UTC,,"=cmd|\' /C calc\'!A0",'
    '+1 promotion,"-de; en",@team,,\n'
    '-mia,-Mia,mentor,UTC,"@python; =sql",,=goal,en,+ops,2,\n'
    "oneill,'Neill,mentee,UTC,,'quoted; -x,,,,,\n"
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def stored(tmp_path: Path) -> dict[str, tuple[object, ...]]:
    """Every imported value, by platform id, as the database holds it."""
    bot = build_bot(load_settings(tmp_path / "c.toml", env={}), surfaces=surfaces())
    with transaction(bot.engine) as s:
        rows = s.exec(select(Member, Person).join(Person, Person.id == Member.person_id)).all()  # type: ignore[arg-type]
        return {
            p.platform_user_id: (
                p.display_name, m.role, p.timezone, m.skills_offered, m.skills_wanted,
                m.goals, p.languages, p.team, m.capacity,
            )
            for m, p in rows
        }  # fmt: skip


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_formulas_are_neutralised_in_the_export_and_read_back_unchanged(tmp_path):
    """A roster of formulas (=, +, -, @ starts) is exported with a leading ' on every such
    cell of participants.csv and pairs.csv, and that export imports back to the same values."""
    base, path = setup(tmp_path, EVIL)
    first = runner.invoke(app, [*base, "import", str(path)], env=ENV)
    assert first.exit_code == 0, first.output
    before = stored(tmp_path)
    assert before["@evil"][0] == '=HYPERLINK("http://evil","x")'
    assert before["@evil"][4] == ["=cmd|' /C calc'!A0"]
    assert before["oneill"][0] == "'Neill"  # an apostrophe before ordinary text is kept
    bot = build_bot(load_settings(tmp_path / "c.toml", env={}), surfaces=surfaces())
    run(bot, "admin match", who="admin")
    run(bot, "admin publish", who="admin")
    out = tmp_path / "out"
    assert runner.invoke(app, [*base, "export", "--out", str(out)], env=ENV).exit_code == 0

    people = {r["platform_id"]: r for r in read(out / "participants.csv")}
    evil, mia = people["'@evil"], people["'-mia"]
    assert evil["name"] == '\'=HYPERLINK("http://evil","x")'
    assert evil["wants"] == "'=cmd|' /C calc'!A0"
    assert (evil["goals"], evil["languages"], evil["team"]) == (
        "'+1 promotion",
        "'-de; en",
        "'@team",
    )
    assert (mia["name"], mia["skills"], mia["goals"]) == ("'-Mia", "'@python; =sql", "'=goal")
    assert people["oneill"]["name"] == "'Neill" and people["oneill"]["wants"] == "'quoted; -x"
    (pair,) = [p for p in read(out / "pairs.csv") if "@evil" in p["platform_ids"]]
    assert pair["platform_ids"] in ("'@evil; -mia", "'-mia; @evil"), pair
    assert pair["names"].startswith(("'=HYPERLINK", "'-Mia; =HYPERLINK")), pair
    for name in ("participants", "pairs"):
        for row in read(out / f"{name}.csv"):
            assert not [c for c in row.values() if c.startswith(FORMULA_STARTS)], row

    again = runner.invoke(app, [*base, "import", str(out / "participants.csv")], env=ENV)
    assert again.exit_code == 0, again.output
    assert stored(tmp_path) == before
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    fresh_base, _ = setup(fresh, "")
    rebuilt = runner.invoke(app, [*fresh_base, "import", str(out / "participants.csv")], env=ENV)
    assert rebuilt.exit_code == 0, rebuilt.output
    assert stored(fresh) == before


def test_the_json_export_keeps_formulas_as_plain_strings(tmp_path):
    """JSON is data to a spreadsheet (nothing in it is run), so values are written as stored."""
    base, path = setup(tmp_path, EVIL)
    runner.invoke(app, [*base, "import", str(path)], env=ENV)
    out = tmp_path / "out"
    runner.invoke(app, [*base, "export", "--format", "json", "--out", str(out)], env=ENV)
    doc = json.loads((out / "mentorbot-export.json").read_text(encoding="utf-8"))
    evil = next(p for p in doc["participants"] if p["platform_id"] == "@evil")
    assert evil["name"] == '=HYPERLINK("http://evil","x")'
    assert evil["wants"] == "=cmd|' /C calc'!A0"


def test_mac_windows_and_unix_line_ends_import_alike(tmp_path):
    """A file saved with CR (Excel's "Macintosh" CSV), CRLF or LF line ends imports the same."""
    for name, end in (("mac", "\r"), ("windows", "\r\n"), ("unix", "\n")):
        folder = tmp_path / name
        folder.mkdir()
        base, path = setup(folder, "")
        path.write_bytes((HEADER + GOOD).replace("\n", end).encode())
        assert runner.invoke(app, [*base, "import", str(path)], env=ENV).exit_code == 0
        assert people(folder)["ann"] == ("mentee", "Asia/Tokyo", ["python", "sql"])


def statuses(tmp_path: Path) -> dict[str, str]:
    """Each member's platform id -> status."""
    bot = build_bot(load_settings(tmp_path / "c.toml", env={}), surfaces=surfaces())
    with transaction(bot.engine) as s:
        rows = s.exec(select(Member, Person).join(Person, Person.id == Member.person_id)).all()  # type: ignore[arg-type]
        return {p.platform_user_id: m.status for m, p in rows}


def test_a_forgotten_person_is_not_exported_and_never_comes_back(tmp_path):
    """After `forget`, the export leaves the person out of participants.csv (pairs.csv keeps
    an anonymous placeholder); rows that say "left" (or are a forgotten placeholder, as older
    exports wrote them) are skipped and counted, never made active members."""
    base, path = setup(tmp_path, GOOD)
    runner.invoke(app, [*base, "import", str(path)], env=ENV)
    bot = build_bot(load_settings(tmp_path / "c.toml", env={}), surfaces=surfaces())
    run(bot, "admin match", who="admin")
    run(bot, "admin publish", who="admin")
    forgot = runner.invoke(app, [*base, "forget", "console", "ann", "--yes"], env=ENV)
    assert forgot.exit_code == 0, forgot.output
    out = tmp_path / "out"
    assert runner.invoke(app, [*base, "export", "--out", str(out)], env=ENV).exit_code == 0
    exported = list(csv.DictReader(io.StringIO((out / "participants.csv").read_text())))
    assert [r["platform_id"] for r in exported] == ["mia"]
    [pair] = list(csv.DictReader(io.StringIO((out / "pairs.csv").read_text())))
    placeholder, partner = pair["platform_ids"].split("; ")
    assert placeholder.startswith("forgotten-") and partner == "mia"
    assert pair["names"] == "(forgotten); Mia Wong" and pair["end_reason"] == "forgotten"
    # A file with a forgotten placeholder and someone who left, into a fresh database.
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    fresh_base, old = setup(fresh, "")
    header = "platform_id,email,name,role,timezone,status,joined_at\n"
    old.write_text(
        header
        + f"{placeholder},,,mentee,,left,2026-01-01T00:00:00\n"
        + "leo,,Leo,mentee,UTC,left,2026-01-01T00:00:00\n"
        + "zoe,,Zoe,mentee,UTC,active,2026-01-01T00:00:00\n"
    )
    result = runner.invoke(app, [*fresh_base, "import", str(old)], env=ENV)
    assert result.exit_code == 0, result.output
    summary = f"Imported 1 person {WHERE}: 1 new, 2 rows skipped (left the program)."
    assert summary in result.output
    assert statuses(fresh) == {"zoe": "active"}
    # For a member already here, status stays read-only: "left" in the file changes nothing.
    path.write_text("platform_id,name,role,status\nmia,Mia Wong,mentor,left\n")
    again = runner.invoke(app, [*base, "import", str(path)], env=ENV)
    assert f"Imported 1 person {WHERE}: 1 unchanged." in again.output
    assert statuses(tmp_path)["mia"] == "active"


def test_a_semicolon_separated_file_imports(tmp_path):
    """A file Excel saved with ``;`` between cells (many European locales), quoted cells
    holding commas, imports like the comma-separated one."""
    base, path = setup(tmp_path, "")
    path.write_text(
        "platform_id;name;role;timezone;wants;languages\r\n"
        'ann;"Lee, Ann";mentee;Tokyo;"python, sql";en\r\n'
        'mia;Mia Wong;mentor;Europe/London;;"en, ja"\r\n',
        encoding="utf-8-sig",  # Excel's "CSV UTF-8" starts with a byte order mark
    )
    result = runner.invoke(app, [*base, "import", str(path)], env=ENV)
    assert result.exit_code == 0, result.output
    assert f"Imported 2 people {WHERE}: 2 new." in result.output
    assert people(tmp_path) == {
        "ann": ("mentee", "Asia/Tokyo", ["python", "sql"]),
        "mia": ("mentor", "Europe/London", []),
    }


async def test_an_imported_name_is_kept_when_the_person_first_uses_the_bot(bot, tmp_path):
    """Ravi, imported as "Ravi Kumar", keeps that name when his first slash command comes with
    his Slack handle; someone imported without a name takes the platform's, and someone never
    imported follows the platform as before."""
    from adapters.slack import SlackAdapter
    from fakes.slack import signed_headers, slash_command_body

    path = tmp_path / "people.csv"
    path.write_text("platform_id,name,role\nU1,Ravi Kumar,mentee\nU2,,mentor\n")
    options = ImportOptions(path, platform="slack", workspace="T1")
    console = Console(file=io.StringIO(), width=200)
    assert run_import(bot.settings, options, console=console) == 0
    users = {u: {"name": n} for u, n in (("U1", "ravi"), ("U2", "mia.w"), ("U3", "cal"))}
    fake = await FakeSlack(users=users).start()
    adapter = SlackAdapter(
        bot, token="xoxb-test", signing_secret="s3cret", api_url=fake.url + "/api/"
    )
    port = await adapter.start_http("127.0.0.1", 0)
    try:
        async with aiohttp.ClientSession() as http:
            for n, (user, name) in enumerate((("U1", "ravi"), ("U2", "mia.w"), ("U3", "cal"))):
                url = f"{fake.url}/response/{n}"
                trigger = f"13345224609.{738474920 + n}.8088930838d88f008e0"
                text = "status" if user != "U3" else "join mentee"  # U3 is new here
                body = slash_command_body(url, text, user=user, name=name, trigger=trigger)
                headers = signed_headers("s3cret", body)
                async with http.post(
                    f"http://127.0.0.1:{port}/slack/events", data=body.encode(), headers=headers
                ) as response:
                    assert response.status == 200
            await fake.wait_responses(3)
    finally:
        await adapter.close()
        await fake.stop()
    with transaction(bot.engine) as s:
        names = {p.platform_user_id: p.display_name for p in s.exec(select(Person)).all()}
    assert names == {"U1": "Ravi Kumar", "U2": "mia.w", "U3": "cal"}
