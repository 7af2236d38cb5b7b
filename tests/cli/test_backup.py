"""`mentorbot db backup` and `db restore` on SQLite: a backup taken while the bot writes holds
every row committed before it started and opens on its own; a restore brings back every row
of every table, refuses a bot's open database, and migrates an older backup. PostgreSQL gets
pointed at pg_dump and pg_restore."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from pathlib import Path

from typer.testing import CliRunner

from bot.cli.main import app
from storage import repo
from storage.engine import make_engine, transaction
from storage.migrate import current_revision, head_revision, upgrade
from tests.conftest import START
from tests.conversations.helpers import Chat
from tests.personal.test_personal import footprint

runner = CliRunner()
ENV = {"DATABASE_URL": ""}


def _config(tmp_path: Path, data: Path) -> str:
    path = tmp_path / f"{data.parent.name}-{data.name}.toml"
    path.write_text(f'[bot]\ndata_dir = "{data}"\n')
    return str(path)


def _tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of the SQLite database at ``path``, in rowid order."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: db.execute(f'SELECT * FROM "{n}" ORDER BY rowid').fetchall() for n in names}


def _people(path: Path) -> list[str]:
    """The platform user ids of the people in the SQLite database at ``path``, in id order."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        return [u for (u,) in db.execute("SELECT platform_user_id FROM person ORDER BY id")]


class _Writer(threading.Thread):
    """Adds people one committed transaction at a time through the bot's own engine."""

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        super().__init__(daemon=True)
        self.engine = engine
        self.committed = 0
        self.changed = threading.Condition()
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            n = self.committed + 1
            with transaction(self.engine) as session:
                repo.get_or_create_person(
                    session=session,
                    platform="console",
                    platform_user_id=f"w{n:06d}",
                    display_name=f"Writer {n}",
                    now=START,
                )
            with self.changed:
                self.committed = n
                self.changed.notify_all()

    def wait_for(self, count: int) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: self.committed >= count, timeout=60)


def test_a_backup_taken_while_the_bot_writes_has_every_committed_row(bot, tmp_path):
    """Rows committed before the backup started are all in it, with no gap after them (one
    snapshot), and the file opens alone: no -wal beside it, rollback-journal mode."""
    config = _config(tmp_path, tmp_path / "data")
    live = tmp_path / "data" / "mentorbot.db"
    copy = tmp_path / "b.db"
    writer = _Writer(bot.engine)
    writer.start()
    try:
        writer.wait_for(300)
        assert Path(f"{live}-wal").stat().st_size > 0  # the data is in the WAL, not the .db
        before = writer.committed
        result = runner.invoke(app, ["--config", config, "db", "backup", str(copy)], env=ENV)
        after = writer.committed
        writer.wait_for(after + 50)  # the bot went on writing after the backup
    finally:
        writer.stop.set()
        writer.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert "Backed up" in result.output
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(copy, alone / "copy.db")
    numbers = [int(user[1:]) for user in _people(alone / "copy.db")]  # "w000123"
    assert numbers == list(range(1, len(numbers) + 1))
    assert before <= len(numbers) <= after < writer.committed
    print(f"committed before {before}, in the backup {len(numbers)}, after {after}")
    with closing(sqlite3.connect(alone / "copy.db")) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert sorted(p.name for p in alone.iterdir()) == ["copy.db"]


async def test_a_restore_into_an_empty_location_brings_back_every_row(bot, tmp_path):
    """A program with people, pairs, check-ins, goals, feedback, surveys and conversations,
    backed up and restored where there was no database: every table equal row by row."""
    await footprint(Chat(bot))
    config = _config(tmp_path, tmp_path / "data")
    backup = tmp_path / "program.backup"
    result = runner.invoke(app, ["--config", config, "db", "backup", str(backup)], env=ENV)
    assert result.exit_code == 0, result.output
    elsewhere = tmp_path / "elsewhere" / "data"  # does not exist yet: the data directory
    result = runner.invoke(
        app, ["--config", _config(tmp_path, elsewhere), "db", "restore", str(backup), "--yes"],
        env=ENV,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"Restored {backup} (revision {head_revision(bot.engine)})" in result.output
    original = _tables(tmp_path / "data" / "mentorbot.db")
    restored = _tables(elsewhere / "mentorbot.db")
    filled = [name for name, rows in original.items() if rows]
    assert len(filled) >= 12, filled
    assert {"person", "pair", "checkin", "goal", "feedback", "surveyresponse"} <= set(filled)
    assert restored == original


def test_an_older_backup_is_migrated_after_the_restore(tmp_path):
    """A backup from a database at an older revision is restored, then brought to head."""
    old = tmp_path / "old" / "data"
    engine = make_engine(f"sqlite:///{old}/mentorbot.db")
    upgrade(engine, "0005")
    engine.dispose()
    backup = tmp_path / "old.backup"
    result = runner.invoke(
        app, ["--config", _config(tmp_path, old), "db", "backup", str(backup)], env=ENV
    )
    assert result.exit_code == 0 and "revision 0005" in result.output, result.output
    new = tmp_path / "new" / "data"
    result = runner.invoke(
        app, ["--config", _config(tmp_path, new), "db", "restore", str(backup), "--yes"], env=ENV
    )
    assert result.exit_code == 0, result.output
    engine = make_engine(f"sqlite:///{new}/mentorbot.db")
    head = head_revision(engine)
    assert f"(revision 0005) into {new}/mentorbot.db, then migrated to {head}." in result.output
    assert current_revision(engine) == head
    engine.dispose()


def test_a_restore_is_refused_while_a_bot_has_the_database_open(tmp_path):
    """With the console bot running on the database, restore says to stop it and changes
    nothing; once the bot has exited, the same restore goes through."""
    data = tmp_path / "data"
    config = _config(tmp_path, data)
    assert runner.invoke(app, ["--config", config, "db", "upgrade"], env=ENV).exit_code == 0
    backup = tmp_path / "empty.backup"
    assert (
        runner.invoke(app, ["--config", config, "db", "backup", str(backup)], env=ENV).exit_code
        == 0
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PYTHONPATH"] = os.getcwd()
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", config, "run", "--as", "ann"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    assert bot.stdin is not None and bot.stdout is not None
    try:
        bot.stdin.write("/mentor join mentee\n")
        bot.stdin.flush()
        assert bot.stdout.readline()  # it answered: it has the database open
        result = runner.invoke(
            app, ["--config", config, "db", "restore", str(backup), "--yes"], env=ENV
        )
        assert result.exit_code == 1
        assert "is in use (is the bot running?): stop the bot, then restore" in result.output
    finally:
        bot.stdin.close()
        bot.wait(timeout=60)
    assert _people(data / "mentorbot.db") == ["ann"]
    result = runner.invoke(
        app, ["--config", config, "db", "restore", str(backup), "--yes"], env=ENV
    )
    assert result.exit_code == 0, result.output
    assert _people(data / "mentorbot.db") == []


def test_backup_and_restore_say_what_is_wrong(tmp_path):
    """An existing file needs --force; a missing, non-SQLite, foreign or newer file is named
    with the reason; a declined confirmation restores nothing; never a traceback."""
    data = tmp_path / "data"
    config = _config(tmp_path, data)
    cli = ["--config", config, "db"]
    result = runner.invoke(app, [*cli, "backup", str(tmp_path / "b.db")], env=ENV)
    assert result.exit_code == 1 and "there is no database at" in result.output
    runner.invoke(app, [*cli, "upgrade"], env=ENV)
    taken = tmp_path / "taken.db"
    taken.write_text("keep me")
    result = runner.invoke(app, [*cli, "backup", str(taken)], env=ENV)
    assert result.exit_code == 1 and "already exists: choose another name, or --force" in (
        result.output
    )
    assert taken.read_text() == "keep me"
    assert runner.invoke(app, [*cli, "backup", str(taken), "--force"], env=ENV).exit_code == 0
    foreign = tmp_path / "other.db"
    with closing(sqlite3.connect(foreign)) as db, db:
        db.execute("CREATE TABLE notes (body TEXT)")
    newer = tmp_path / "newer.db"
    shutil.copy(taken, newer)
    with closing(sqlite3.connect(newer)) as db, db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    for path, reason in (
        (tmp_path / "nope.db", "nope.db: no such file"),
        (text, "notes.txt is not a SQLite database, so not a mentorbot backup"),
        (tmp_path, "is a directory, not a backup file"),
        (foreign, "is a SQLite database but not mentorbot's (it has no alembic_version"),
        (newer, "was made by a newer mentorbot (revision 9999"),
    ):
        result = runner.invoke(app, [*cli, "restore", str(path), "--yes"], env=ENV)
        assert result.exit_code == 1, (path, result.output)
        assert result.output.startswith("Nothing restored: ") and reason in result.output
        assert "Traceback" not in result.output
    result = runner.invoke(app, [*cli, "restore", str(taken)], env=ENV, input="n\n")
    assert result.exit_code == 1
    assert "Replace everything in" in result.output and "Stop the bot first." in result.output
    assert "Nothing was restored." in result.output


def test_postgresql_is_pointed_at_pg_dump_and_pg_restore(tmp_path):
    """On PostgreSQL both commands explain its own tools (the URL shown without password)
    and exit 1; nothing is connected to or written."""
    config = _config(tmp_path, tmp_path / "data")
    env = {"DATABASE_URL": "postgresql+psycopg://bob:s3cret@db.example:5432/mentorbot"}
    dump = tmp_path / "x.dump"
    backup = runner.invoke(app, ["--config", config, "db", "backup", str(dump)], env=env)
    assert backup.exit_code == 1
    assert "The database is PostgreSQL: back it up with PostgreSQL's own pg_dump" in backup.output
    assert (
        "pg_dump --format=custom --file=mentorbot.dump 'postgresql://bob:***@db.example:5432/mentorbot'"
        in backup.output
    )
    restore = runner.invoke(app, ["--config", config, "db", "restore", str(dump), "--yes"], env=env)
    assert restore.exit_code == 1
    assert "restore it with PostgreSQL's own pg_restore" in restore.output
    assert "mentorbot db upgrade" in restore.output
    assert "s3cret" not in backup.output + restore.output
    assert not dump.exists()
