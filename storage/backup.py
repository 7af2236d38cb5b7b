"""Backups of a SQLite database through SQLite's online backup API.

While the bot runs, most of its data sits in the ``-wal`` file beside the database, so copying
the ``.db`` file alone loses it. The backup API copies every page of one consistent snapshot
(one read transaction, which never blocks the bot's writers in WAL mode) into a single
self-contained file. A restore copies a backup's pages into the configured database the same
way, but only while no other connection has that database open.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from storage.engine import SQLITE_BUSY_TIMEOUT_MS, is_sqlite_file

# Tables every mentorbot database has had since the first migration.
OUR_TABLES = frozenset({"alembic_version", "person", "program", "member", "pair", "outboxmessage"})


class BackupError(Exception):
    """A backup or restore that can't be done; the message says why, for the terminal."""


@dataclass(frozen=True)
class Snapshot:
    """A database file as seen by a backup or restore: its migration revision and size."""

    path: Path
    revision: str
    size: int


@contextlib.contextmanager
def _connect(
    path: Path, *, timeout: float = SQLITE_BUSY_TIMEOUT_MS / 1000
) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection (autocommit), closed afterwards."""
    connection = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    try:
        yield connection
    finally:
        connection.close()


def _revision(connection: sqlite3.Connection) -> str:
    rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    return rows[0][0] if rows else ""


def check_backup(path: Path) -> Snapshot:
    """The revision of the mentorbot database in ``path``, or a BackupError saying why the
    file isn't one (missing, a directory, not SQLite, damaged, or another program's).
    """
    if path.is_dir():
        raise BackupError(f"{path} is a directory, not a backup file")
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        if not is_sqlite_file(path) or path.stat().st_size == 0:
            raise BackupError(f"{path} is not a SQLite database, so not a mentorbot backup")
        with _connect(path) as connection:
            connection.execute("PRAGMA query_only = 1")
            check = connection.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"{path} is damaged ({check}); it can't be restored")
            tables = {
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type='table'"
                )
            }
            missing = sorted(OUR_TABLES - tables)
            if missing:
                raise BackupError(
                    f"{path} is a SQLite database but not mentorbot's "
                    f"(it has no {', '.join(missing)} table{'s' if len(missing) > 1 else ''})"
                )
            revision = _revision(connection)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} can't be read as a database: {exc}") from None
    except OSError as exc:
        raise BackupError(f"{path} can't be read: {exc.strerror or exc}") from None
    if not revision:
        raise BackupError(f"{path} has no migration revision, so it is not a mentorbot backup")
    return Snapshot(path, revision, path.stat().st_size)


def _check_destination(source: Path, dest: Path, *, force: bool) -> None:
    if dest.is_dir():
        raise BackupError(f"{dest} is a directory: name the backup file inside it")
    if not dest.parent.is_dir():
        raise BackupError(f"the directory {dest.parent} does not exist")
    if dest.exists() and dest.resolve() == source.resolve():
        raise BackupError(f"{dest} is the database itself: choose another file")
    if dest.exists() and not force:
        raise BackupError(f"{dest} already exists: choose another name, or --force to replace it")


def backup(source: Path, dest: Path, *, force: bool = False) -> Snapshot:
    """Copy the live database ``source`` into the single file ``dest`` (rollback-journal mode,
    so nothing else is needed beside it). The copy is written next to ``dest`` and renamed
    into place only when complete, so ``dest`` is never half written.
    """
    if not source.is_file():
        raise BackupError(f"there is no database at {source} yet: nothing to back up")
    if not is_sqlite_file(source):
        raise BackupError(f"{source} is not a SQLite database")
    _check_destination(source, dest, force=force)
    partial = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
    try:
        with _connect(source) as live, _connect(partial) as copy:
            live.backup(copy)  # all pages in one step: one consistent snapshot
            copy.execute("PRAGMA journal_mode = DELETE")
            revision = _revision(copy) if _has_table(copy, "alembic_version") else ""
        os.replace(partial, dest)
    except sqlite3.Error as exc:
        raise BackupError(f"the backup failed: {exc}") from None
    except OSError as exc:
        raise BackupError(f"the backup can't be written to {dest}: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    return Snapshot(dest, revision, dest.stat().st_size)


def _has_table(connection: sqlite3.Connection, name: str) -> bool:
    found = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)
    ).fetchone()
    return found is not None


def _take_alone(connection: sqlite3.Connection, target: Path) -> None:
    """Leave WAL mode, which SQLite allows only to the one connection that has the database
    open: proof that no bot (nor anything else) is using it.
    """
    try:
        mode = connection.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except sqlite3.OperationalError:
        mode = "locked"
    if str(mode).lower() != "delete":
        raise BackupError(f"{target} is in use (is the bot running?): stop the bot, then restore")


def in_use(target: Path) -> bool:
    """Whether another connection (a running bot) has the database ``target`` open. When
    not, the database is left in rollback-journal mode; the bot's engine turns WAL back on.
    """
    if not target.is_file():
        return False
    try:
        with _connect(target, timeout=0) as connection:
            _take_alone(connection, target)
    except BackupError:
        return True
    return False


def restore(source: Path, target: Path) -> Snapshot:
    """Replace the database ``target`` by the backup ``source`` (checked first), page by
    page; refused while anything else has ``target`` open.
    """
    snapshot = check_backup(source)
    try:
        with _connect(target, timeout=0) as live:
            _take_alone(live, target)
            with _connect(source) as saved:
                saved.execute("PRAGMA query_only = 1")
                saved.backup(live)
    except sqlite3.Error as exc:
        raise BackupError(f"the restore failed: {exc}") from None
    return snapshot
