"""``mentorbot demo``: a separate database filled through the bot, whose report shows a
program; it refuses a database holding programs and the bot's own, and bounds its sizes."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app

runner = CliRunner()


def _config(tmp_path: Path) -> str:
    path = tmp_path / "c.toml"
    path.write_text(f'[bot]\ndata_dir = "{tmp_path / "data"}"\n')
    return str(path)


def _demo(config: str, *options: str):
    return runner.invoke(
        app, ["--config", config, "demo", "--people", "30", "--weeks", "6", *options], env={}
    )


def _programs(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM program").fetchone()[0]


# one process runs this module (an xdist group): its demo is run once
pytestmark = pytest.mark.xdist_group("demo")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A 30-person, six-week demo in a fresh data directory (a few seconds)."""
    tmp = tmp_path_factory.mktemp("demo")
    config = _config(tmp)
    result = _demo(config)
    assert result.exit_code == 0, result.output
    return tmp, config, result.output


def test_the_demo_fills_its_own_file_and_the_printed_report_command_shows_a_program(
    demo, monkeypatch
):
    """The demo writes data/demo.db (not the bot's database), a line per week, and prints a
    report command that, run as printed, reports meetings held, goals, ratings and answers."""
    tmp, config, output = demo
    assert (tmp / "data" / "demo.db").is_file()
    assert not (tmp / "data" / "mentorbot.db").exists()
    assert [int(n) for n in re.findall(r"week (\d+) of 6:", output)] == list(range(1, 7))
    assert "the week after the end:" in output  # the wrap-up and end survey
    printed = re.search(r"DATABASE_URL=(\S+) mentorbot report (.+)", output)
    assert printed, output
    assert printed.group(1) == f"sqlite:///{tmp / 'data' / 'demo.db'}"
    assert printed.group(2) == "--html report.html --csv tables/"
    monkeypatch.chdir(tmp)
    report = runner.invoke(
        app,
        ["--config", config, "report", *printed.group(2).split()],
        env={"DATABASE_URL": printed.group(1)},
    )
    assert report.exit_code == 0, report.output
    assert (tmp / "report.html").is_file() and any((tmp / "tables").glob("*.csv"))
    figures = report.output
    held = re.search(r"planned meetings held: \d+% \((\d+) of (\d+)\)", figures)
    assert held and int(held.group(1)) > 0, figures
    assert int(re.search(r"goals set: (\d+)", figures).group(1)) > 0
    assert int(re.search(r"people who rated sessions: (\d+)", figures).group(1)) > 0
    assert re.search(r"mean session rating \(1-5\): \d", figures)
    answered = re.search(r"of survey invitations answered \((\d+) of (\d+)\)", figures)
    assert answered and int(answered.group(1)) > 0, figures
    assert "mid-program:" in figures and "end-of-program:" in figures


def test_the_demo_refuses_a_database_that_holds_programs_unless_replacing_its_file(demo):
    """A second demo into the same file stops with a sentence (the file untouched); with
    --replace the file starts afresh and holds one program again."""
    tmp, config, _ = demo
    db = tmp / "data" / "demo.db"
    before = db.stat().st_mtime_ns, _programs(db)
    again = _demo(config)
    assert again.exit_code == 1
    assert "already holds a program" in again.output and "--replace" in again.output
    assert "Traceback" not in again.output
    assert (db.stat().st_mtime_ns, _programs(db)) == before
    replaced = _demo(config, "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert _programs(db) == 1


def test_the_demo_never_uses_the_bots_own_database(tmp_path):
    """--database naming the bot's database (even with --replace) is refused; nothing deleted."""
    config = _config(tmp_path)
    assert runner.invoke(app, ["--config", config, "db", "upgrade"], env={}).exit_code == 0
    own = tmp_path / "data" / "mentorbot.db"
    for target in (str(own), f"sqlite:///{own}"):
        result = _demo(config, "--database", target, "--replace")
        assert result.exit_code == 1
        assert "the bot's own database" in result.output
        assert own.is_file()


def test_replace_never_deletes_a_file_not_named_as_a_demo(tmp_path):
    """--replace on another SQLite file (a backup, say) that holds a program is refused and
    the file is left as it was."""
    config = _config(tmp_path)
    backup = tmp_path / "backup.db"
    first = _demo(config, "--database", str(backup))
    assert first.exit_code == 0, first.output
    again = _demo(config, "--database", str(backup), "--replace")
    assert again.exit_code == 1
    assert "deletes only a demo file" in again.output
    assert backup.is_file() and _programs(backup) == 1


@pytest.mark.parametrize(
    ("option", "value"),
    [("--people", "19"), ("--people", "2001"), ("--weeks", "3"), ("--weeks", "53")],
)
def test_the_demo_bounds_its_size_with_a_sentence(tmp_path, option, value):
    """Too few or too many people or weeks: a usage error naming the option, no database."""
    result = runner.invoke(app, ["--config", _config(tmp_path), "demo", option, value], env={})
    assert result.exit_code == 2
    assert f"Invalid value for '{option}'" in result.output
    assert not (tmp_path / "data").exists()
