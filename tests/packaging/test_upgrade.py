"""A database made by an older mentorbot upgrades with ``mentorbot db upgrade`` and keeps
everything: ``tests/fixtures/mentorbot-0008.db`` was made at revision 0008 by commit c8eda46
(the last one before migration 0009), driving its console with
``tests/fixtures/mentorbot-0008.session`` (tests/fixtures/README.md says how): a program,
alice a mentor, ann and bob mentees, a published match, check-ins answered by button and by
command, ann's goal, bob's break. So this test runs every migration since 0008 on real data;
the fixture must stay older than head (the tests fail if it is at head)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine

from storage.migrate import head_revision, known_revisions
from tests.packaging.install import LEAKY_ENV, ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "mentorbot-0008.db"
FIXTURE_REVISION = "0008"


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
    """The fixture holds the people, pairs, check-ins and goal it says, at a revision older
    than head: otherwise the upgrade below would run no migration and prove nothing."""
    database = _copy_fixture(tmp_path)  # opening a WAL database writes beside it: a copy
    before = rows(database)
    assert revision(database) == FIXTURE_REVISION
    assert FIXTURE_REVISION in known_revisions()[:-1], (
        f"the fixture is at head ({head()}): the upgrade test would migrate nothing"
    )
    counts = {table: sum(found.values()) for table, (_, found) in before.items()}
    assert counts["member"] == 3 and counts["pair"] == 2 and counts["goal"] == 1
    assert counts["checkin"] >= 2 and counts["program"] == 1


def test_db_upgrade_keeps_every_row_and_the_bot_answers(tmp_path: Path):
    """db upgrade runs the migrations since 0008 and reaches head, every row of the older
    database is still there, and the bot answers /mentor status for a person in it."""
    database = _copy_fixture(tmp_path)
    before, old = rows(database), revision(database)
    assert old != head(), "the fixture is at head: nothing to upgrade"

    upgrade = mentorbot("db", "upgrade", cwd=tmp_path)
    assert upgrade.returncode == 0, upgrade.stderr
    assert upgrade.stdout.strip() == f"database at revision {head()} (was {old})"
    assert revision(database) == head() != old
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
        # 0009: check-ins planned before it already had their nudge in the outbox; they are
        # marked queued, so the feeder does not send them a second time.
        unqueued = "SELECT count(*) FROM checkin WHERE due_at IS NOT NULL AND queued_at IS NULL"
        assert conn.execute(unqueued).fetchone() == (0,)

    chat = mentorbot("run", "--as", "ann", cwd=tmp_path, stdin="/mentor status\n")
    assert chat.returncode == 0, chat.stderr
    assert "*Mentorship program*: your status" in chat.stdout
    for line in ("Role           mentee", "Partner        alice"):
        assert line in chat.stdout, chat.stdout


def test_run_applies_the_migrations_itself(tmp_path: Path):
    """mentorbot run on an older database migrates it first (docs/operations.md, Upgrading)."""
    _copy_fixture(tmp_path)
    chat = mentorbot("run", "--as", "alice", cwd=tmp_path, stdin="/mentor status\n")
    assert chat.returncode == 0, chat.stderr
    assert "Partner        ann, bob" in chat.stdout
    current = mentorbot("db", "current", cwd=tmp_path)
    assert "(up to date)" in current.stdout
