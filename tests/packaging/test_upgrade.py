"""A database made by the previous release upgrades with ``mentorbot db upgrade`` and keeps
everything: ``tests/fixtures/mentorbot-0.1.0.db`` was made by release 0.1.0 (commit 10b7936)
driving its console with ``tests/fixtures/mentorbot-0.1.0.session``:

    mentorbot run < tests/fixtures/mentorbot-0.1.0.session      # from an empty folder
    python -c "import sqlite3; sqlite3.connect('data/mentorbot.db').execute('VACUUM')"

(a program, alice a mentor, ann and bob mentees, a published match, check-ins answered by
button and by command, ann's goal, bob's break). When a migration is added, this test runs it
on that data."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine

from storage.migrate import head_revision
from tests.packaging.install import LEAKY_ENV, ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "mentorbot-0.1.0.db"


def mentorbot(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The checkout's ``mentorbot`` command, run in ``cwd`` on its ``data/mentorbot.db``."""
    env = {k: v for k, v in os.environ.items() if k not in LEAKY_ENV}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def rows(database: Path) -> dict[str, tuple[list[str], Counter[tuple[object, ...]]]]:
    """Every table but Alembic's: its columns and its rows."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        tables = [
            name
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if name != "alembic_version"
        ]
        out = {}
        for table in tables:
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            columns = [d[0] for d in cursor.description]
            out[table] = (columns, Counter(cursor.fetchall()))
    return out


def revision(database: Path) -> str:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])


def head() -> str:
    return str(head_revision(create_engine("sqlite://")))


def _copy_fixture(folder: Path) -> Path:
    (folder / "data").mkdir(parents=True)
    return Path(shutil.copy(FIXTURE, folder / "data" / "mentorbot.db"))


def test_the_fixture_is_a_real_older_database(tmp_path: Path):
    """The fixture holds the people, pairs, check-ins and goal it says, at a known revision."""
    database = _copy_fixture(tmp_path)  # opening a WAL database writes beside it: a copy
    before = rows(database)
    assert revision(database) == "0009"  # release 0.1.0's head
    counts = {table: sum(found.values()) for table, (_, found) in before.items()}
    assert counts["member"] == 3 and counts["pair"] == 2 and counts["goal"] == 1
    assert counts["checkin"] >= 2 and counts["program"] == 1


def test_db_upgrade_keeps_every_row_and_the_bot_answers(tmp_path: Path):
    """db upgrade reaches head, every row of the 0.1.0 database is still there, and the bot
    answers /mentor status for a person in it."""
    database = _copy_fixture(tmp_path)
    before, old = rows(database), revision(database)

    upgrade = mentorbot("db", "upgrade", cwd=tmp_path)
    assert upgrade.returncode == 0, upgrade.stderr
    assert upgrade.stdout.strip() == f"database at revision {head()} (was {old})"
    current = mentorbot("db", "current", cwd=tmp_path)
    assert current.returncode == 0, current.stderr
    assert "(up to date)" in current.stdout

    after = rows(database)
    with sqlite3.connect(database) as conn:
        for table, (columns, found) in before.items():
            assert table in after, f"table {table} is gone"
            listed = ", ".join(f'"{c}"' for c in columns)
            kept = Counter(conn.execute(f'SELECT {listed} FROM "{table}"').fetchall())
            assert found - kept == Counter(), f"rows of {table} lost or changed"

    chat = mentorbot("run", "--as", "ann", cwd=tmp_path, stdin="/mentor status\n")
    assert chat.returncode == 0, chat.stderr
    assert "*Mentorship program*: your status" in chat.stdout
    for line in ("Role           mentee", "Partner        alice"):
        assert line in chat.stdout, chat.stdout


def test_run_applies_the_migrations_itself(tmp_path: Path):
    """mentorbot run on a 0.1.0 database migrates it first (docs/operations.md, Upgrading)."""
    _copy_fixture(tmp_path)
    chat = mentorbot("run", "--as", "alice", cwd=tmp_path, stdin="/mentor status\n")
    assert chat.returncode == 0, chat.stderr
    assert "Partner        ann, bob" in chat.stdout
    current = mentorbot("db", "current", cwd=tmp_path)
    assert "(up to date)" in current.stdout
