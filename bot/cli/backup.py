"""``mentorbot db backup FILE`` and ``mentorbot db restore FILE``: a consistent single-file
copy of the SQLite database while the bot runs, and putting one back while it is stopped.
PostgreSQL has its own tools (pg_dump, pg_restore); these commands say how to use them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from bot.config import Settings
from storage.backup import BackupError, Snapshot, backup, check_backup, in_use, restore
from storage.engine import BadDatabaseURL, make_engine, sqlite_path
from storage.migrate import current_revision, known_revisions, upgrade


def _postgres_help(url: str, *, restoring: bool) -> str:
    """How to do it with PostgreSQL's own tools, for the configured server (no password)."""
    try:
        plain = make_url(url).set(drivername=make_url(url).get_backend_name())
        where = plain.render_as_string(hide_password=True)
    except (ArgumentError, ValueError):  # an unreadable URL still gets the advice
        where = "postgresql://user@host/dbname"
    if restoring:
        return (
            "The database is PostgreSQL: restore it with PostgreSQL's own pg_restore (with the "
            "bot stopped), then run `mentorbot db upgrade`, e.g.\n"
            f"  pg_restore --clean --if-exists --no-owner --dbname '{where}' mentorbot.dump"
        )
    return (
        "The database is PostgreSQL: back it up with PostgreSQL's own pg_dump "
        "(it may run while the bot does), e.g.\n"
        f"  pg_dump --format=custom --file=mentorbot.dump '{where}'"
    )


def _sqlite_file(settings: Settings, out: Console, *, restoring: bool) -> Path | None:
    """The configured SQLite file, or None after saying why there is none to work on."""
    url = settings.database_url
    try:
        path = sqlite_path(url)
        backend = make_url(url).get_backend_name()
    except (ArgumentError, ValueError):
        out.print("The database URL can't be read; see `mentorbot db current`.", markup=False)
        return None
    if path is not None:
        return path
    if backend == "postgresql":
        out.print(_postgres_help(url, restoring=restoring), markup=False, soft_wrap=True)
    elif backend == "sqlite":
        out.print("The database is in memory: there is nothing to back up or restore.")
    else:
        out.print(f"Backups are for SQLite databases; this one is {backend!r}.", markup=False)
    return None


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n / 1000:.0f} KB"


def run_backup(
    settings: Settings, dest: Path, *, force: bool, console: Console | None = None
) -> int:
    """Write a consistent copy of the configured SQLite database to ``dest``; exit code."""
    out = console or Console()
    source = _sqlite_file(settings, out, restoring=False)
    if source is None:
        return 1
    try:
        done = backup(source, dest, force=force)
    except BackupError as exc:
        out.print(f"No backup made: {exc}.", markup=False, soft_wrap=True)
        return 1
    out.print(
        f"Backed up {source} to {done.path} ({_size(done.size)}, revision "
        f"{done.revision or 'none'}): one file, nothing else needed beside it.",
        markup=False,
        soft_wrap=True,
    )
    return 0


def _check_revision(snapshot: Snapshot) -> None:
    """A backup made by a newer mentorbot can't be used by this one."""
    known = known_revisions()
    if snapshot.revision not in known:
        raise BackupError(
            f"{snapshot.path} was made by a newer mentorbot (revision {snapshot.revision}; "
            f"this one knows up to {known[-1]}): upgrade mentorbot first"
        )


def _ask(snapshot: Snapshot, target: Path, confirm: Callable[[str], bool]) -> bool:
    exists = target.is_file() and target.stat().st_size > 0
    question = (
        f"Replace everything in {target} with the backup {snapshot.path} "
        f"(revision {snapshot.revision}, {_size(snapshot.size)})? "
        if exists
        else f"Restore the backup {snapshot.path} into {target}? "
    ) + "Stop the bot first."
    return confirm(question)


def run_restore(
    settings: Settings,
    source: Path,
    *,
    confirm: Callable[[str], bool],
    console: Console | None = None,
) -> int:
    """Replace the configured SQLite database by the backup ``source`` after ``confirm``
    agrees, then migrate it if the backup is older than this version; exit code.
    """
    out = console or Console()
    target = _sqlite_file(settings, out, restoring=True)
    if target is None:
        return 1
    try:
        engine = make_engine(settings.database_url, data_dir=Path(settings.bot.data_dir))
    except BadDatabaseURL as exc:
        out.print(f"Cannot open the database: {exc}", markup=False, soft_wrap=True)
        return 2
    try:
        snapshot = check_backup(source)
        _check_revision(snapshot)
        if target.exists() and source.resolve() == target.resolve():
            raise BackupError(f"{source} is the configured database itself")
        if in_use(target):
            raise BackupError(
                f"{target} is in use (is the bot running?): stop the bot, then restore"
            )
        if not _ask(snapshot, target, confirm):
            out.print("Nothing was restored.")
            return 1
        restore(source, target)
    except BackupError as exc:
        out.print(f"Nothing restored: {exc}.", markup=False, soft_wrap=True)
        return 1
    try:
        upgrade(engine)
        now = current_revision(engine)
    except SQLAlchemyError as exc:
        out.print(f"Restored, but the migrations failed: {exc}", markup=False, soft_wrap=True)
        return 1
    finally:
        engine.dispose()
    migrated = f", then migrated to {now}" if now != snapshot.revision else ""
    out.print(
        f"Restored {source} (revision {snapshot.revision}) into {target}{migrated}.",
        markup=False,
        soft_wrap=True,
    )
    return 0
