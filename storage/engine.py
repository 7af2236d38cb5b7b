"""Engine and session factory.

SQLite gets the pragmas a bot with a scheduler and several threads needs: WAL so readers never
block the writer, a busy timeout instead of instant "database is locked" errors, enforced
foreign keys, and ``BEGIN IMMEDIATE`` so a transaction takes the write lock up front rather
than failing half-way when it upgrades from reading to writing. ``secure_delete`` zeroes what
a write frees, so deleted words don't linger in free space (see :func:`checkpoint`).

On every database, errors and echo lines never show a statement's values (``hide_parameters``):
they are people's names and words, and would end up in the log. For the same reason PostgreSQL's
explanations of an error, which quote the row ("DETAIL: Key (platform_user_id)=(zebediah)
already exists"), are left out of error messages (they stay in ``exc.orig.diag``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import event, text
from sqlalchemy.engine import Engine, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlmodel import Session, create_engine

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 5000
SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database


def _json_dumps(value: Any) -> str:
    """JSON columns through orjson: several times faster than json.dumps for bulk writes."""
    return orjson.dumps(value).decode()


class BadDatabaseURL(ValueError):
    """A database URL that can't be used: unreadable, an unknown dialect or a missing driver."""


def unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` means the database can't be reached or used right now (server down,
    connection dropped, SQLite locked past the busy timeout), as opposed to a bug: worth a
    "try again in a moment" and a retry, not a traceback.
    """
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def _redacted(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):  # not even a URL: show only what follows any "@"
        return url.split("@")[-1] if "@" in url else url


def make_engine(url: str, *, echo: bool = False, data_dir: Path | None = None) -> Engine:
    """Build an engine for ``url``. A SQLite file must be a SQLite database (or not exist
    yet). Its parent directory is created when it is missing, unless ``data_dir`` is given
    (the configuration's): then only that directory is, and another missing one is an error,
    so a mistyped path names the directory instead of quietly creating it.
    """
    try:
        _check_supported(url)
        return _make_engine(url, echo=echo, data_dir=data_dir)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise BadDatabaseURL(
            f"the database URL {_redacted(url)!r} can't be used ({exc}). {URL_EXAMPLES}"
        ) from None
    except ImportError as exc:
        raise BadDatabaseURL(_missing_driver(url, exc.name or str(exc))) from None


URL_EXAMPLES = (
    "Use for example sqlite:///data/mentorbot.db or postgresql+psycopg://user:password@host/dbname"
)
SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def _check_supported(url: str) -> None:
    """Only SQLite and PostgreSQL: another database SQLAlchemy knows (MySQL, ...) would fail
    later, in a migration, or ask for a driver that would not help.
    """
    backend = make_url(url).get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise BadDatabaseURL(
            f"the database URL {_redacted(url)!r} names {backend!r}: mentorbot supports only "
            f"SQLite and PostgreSQL. {URL_EXAMPLES}"
        )


def _missing_driver(url: str, module: str) -> str:
    """What to install (or write) when a PostgreSQL URL's driver module can't be imported."""
    install = (
        "install it with pip install 'mentorbot[postgres]' (or pip install 'psycopg[binary]'; "
        "in a checkout of mentorbot: pip install -e '.[postgres]')"
    )
    if make_url(url).get_driver_name() != "psycopg":  # postgresql:// means psycopg2
        return (
            f"the driver {module} for {_redacted(url)!r} is not installed; mentorbot uses "
            f"psycopg 3: write the URL as postgresql+psycopg://... and {install}"
        )
    return f"the PostgreSQL driver psycopg is not installed ({module}); {install}"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None for another database or an in-memory one."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    return None if database.startswith("file::memory:") else Path(database).expanduser()


def is_sqlite_file(path: Path) -> bool:
    """Whether ``path`` starts with SQLite's header (an empty file counts: SQLite fills it)."""
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_HEADER))
    return head in (b"", SQLITE_HEADER)


def _check_sqlite_file(path: Path, data_dir: Path | None) -> None:
    """A missing parent directory is created (only ``data_dir`` when that is given); an
    existing file must be a SQLite database.
    """
    parent = path.parent
    if not parent.is_dir():
        if parent.exists():
            raise BadDatabaseURL(
                f"{parent} is a file, not a directory (in the database path {path})"
            )
        if data_dir is not None and parent.resolve() != data_dir.expanduser().resolve():
            raise BadDatabaseURL(
                f"the directory {parent} (of the database {path}) does not exist; "
                "create it first, or correct the path"
            )
        parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        raise BadDatabaseURL(f"{path} is a directory, not a SQLite database")
    try:
        valid = not path.exists() or is_sqlite_file(path)
    except OSError as exc:
        raise BadDatabaseURL(f"{path} can't be read: {exc.strerror or exc}") from None
    if not valid:
        raise BadDatabaseURL(f"{path} is not a SQLite database")


_SERVER_DETAILS = ("DETAIL:", "HINT:", "CONTEXT:")


def _without_server_details(context: ExceptionContext) -> None:
    """Drop PostgreSQL's DETAIL, HINT and CONTEXT lines from a failed statement's error (the
    server's own and SQLAlchemy's copy of it): they quote values from the row.
    """
    for error in (context.original_exception, context.sqlalchemy_exception):
        if error is not None and error.args and isinstance(error.args[0], str):
            kept = [
                line
                for line in error.args[0].splitlines()
                if not line.lstrip().startswith(_SERVER_DETAILS)
            ]
            error.args = ("\n".join(kept), *error.args[1:])


def _make_engine(url: str, *, echo: bool, data_dir: Path | None) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(
            url,
            echo=echo,
            pool_pre_ping=True,
            json_serializer=_json_dumps,
            hide_parameters=True,
        )
        event.listen(engine, "handle_error", _without_server_details)
        return engine

    path = sqlite_path(url)
    in_memory = path is None
    if path is not None:
        _check_sqlite_file(path, data_dir)
    kwargs: dict[str, Any] = {
        "echo": echo,
        "json_serializer": _json_dumps,
        "hide_parameters": True,
        "connect_args": {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    }
    if in_memory:
        from sqlalchemy.pool import StaticPool

        kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)
    _install_sqlite_pragmas(engine, wal=not in_memory)
    return engine


def _install_sqlite_pragmas(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module; we emit BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            if wal:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA secure_delete=ON")
        finally:
            cursor.close()

    # SQLite has one writer at a time. Threads of this process queue for it on a lock
    # rather than in SQLite's busy handler, which polls with growing sleeps (a waiting
    # command could sleep 100 ms after the lock was free: long tail latencies under load).
    writer = threading.RLock()
    held = threading.local()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        got = writer.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        held.stack = [*getattr(held, "stack", []), got]
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _on_end(conn)
            raise

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(conn: Any) -> None:
        stack = getattr(held, "stack", None)
        if stack and stack.pop():
            writer.release()


def ping(engine: Engine) -> None:
    """Connect and run a trivial query: raises SQLAlchemy's error if the database is unreachable."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def checkpoint(engine: Engine) -> bool:
    """On SQLite, copy everything in the write-ahead log into the database file and empty the
    log (``wal_checkpoint(TRUNCATE)``): old versions of changed pages stay in the ``-wal`` file
    until then. False if a reader kept it from finishing (SQLite does it later). PostgreSQL
    keeps its files itself: nothing to do there.
    """
    if engine.dialect.name != "sqlite":
        return True
    raw = engine.raw_connection()  # outside any transaction: a checkpoint can't run in one
    try:
        cursor = raw.cursor()
        try:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy = cursor.fetchone()
        finally:
            cursor.close()
    finally:
        raw.close()
    return not (busy and busy[0])


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back everything on any exception."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session
