"""Bulk inserts that skip rows whose unique key already exists (SQLite and PostgreSQL).

Planning writes hundreds of thousands of rows at once, so this skips SQLAlchemy's per-row
statement machinery: the statement is compiled once, each column's bind processor (our UTC
type, JSON, ...) is looked up once, and the driver's ``executemany`` gets plain tuples.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

CHUNK = 5000


class _Collector:
    """The cycle collector is one per process, so pausing it is counted across threads: it
    runs again when the last pause ends, if it ran before the first began.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pauses = 0
        self.was_enabled = False

    @contextmanager
    def paused(self) -> Iterator[None]:
        with self.lock:
            if self.pauses == 0:
                self.was_enabled = gc.isenabled()
                gc.disable()
            self.pauses += 1
        try:
            yield
        finally:
            with self.lock:
                self.pauses -= 1
                if self.pauses == 0 and self.was_enabled:
                    gc.enable()


_COLLECTOR = _Collector()  # mirrors the process's one collector


def collector_paused() -> Any:
    """Pause Python's cycle collector around bulk work (a context manager): reading or
    building hundreds of thousands of (acyclic) row tuples otherwise triggers collections
    that rescan all of them again and again (planning 100,000 pairs spent about half of its
    reading time there). Reference counting still frees memory; the collector runs again
    afterwards.
    """
    return _COLLECTOR.paused()


def insert_for(session: Session) -> Any:
    """The INSERT construct of the session's database, the one with ``on_conflict_*``."""
    return pg_insert if session.connection().dialect.name == "postgresql" else sqlite_insert


def bind_value(session: Session, model: Any, key: str, value: Any) -> Any:
    """``value`` of ``model``'s column ``key`` as the driver takes it (for the ``converted``
    columns of :func:`insert_tuples_ignoring_conflicts`: a value many rows share is
    converted once).
    """
    dialect = session.connection().dialect
    proc = model.__table__.c[key].type._cached_bind_processor(dialect)
    return value if proc is None else proc(value)


def insert_ignoring_conflicts(
    session: Session, model: Any, rows: Sequence[dict[str, Any]], *, conflict: Sequence[str]
) -> int:
    """Insert ``rows`` (dicts with the same keys) into ``model``'s table; rows clashing on
    ``conflict`` are skipped. Returns how many rows were offered.
    """
    if not rows:
        return 0
    keys = list(rows[0])
    return insert_tuples_ignoring_conflicts(
        session, model, keys, [tuple(row[k] for k in keys) for row in rows], conflict=conflict
    )


def insert_tuples_ignoring_conflicts(
    session: Session,
    model: Any,
    keys: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    conflict: Sequence[str],
    converted: Sequence[str] = (),
) -> int:
    """Like :func:`insert_ignoring_conflicts` for rows given as tuples in the order of
    ``keys`` (the fast path for planners writing hundreds of thousands of rows). Columns
    named in ``converted`` hold values already made by :func:`bind_value`.
    """
    if not rows:
        return 0
    connection = session.connection()
    dialect = connection.dialect
    table = model.__table__
    statement = insert_for(session)(table).on_conflict_do_nothing(index_elements=list(conflict))
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    order = list(compiled.positiontup or []) if compiled.positional else list(keys)
    # Compiled parameter names are the column keys here (no renaming for plain columns).
    position = {key: i for i, key in enumerate(keys)}
    procs = [
        (
            position[name],
            None if name in converted else table.c[name].type._cached_bind_processor(dialect),
        )
        for name in order
    ]

    convert = _converter(procs, order if not compiled.positional else None)
    sql = str(compiled)
    for start in range(0, len(rows), CHUNK):
        connection.exec_driver_sql(sql, convert(rows[start : start + CHUNK]))
    return len(rows)


def _column(proc: Any, raw: Sequence[Any]) -> Sequence[Any]:
    """One column's values, converted; planned rows share many values (instants, ids)."""
    if proc is None:
        return raw
    memo: dict[Any, Any] = {}
    out = []
    for value in raw:
        if isinstance(value, list | dict):
            out.append(proc(value))
            continue
        done = memo.get(value, memo)
        if done is memo:
            done = memo[value] = proc(value)
        out.append(done)
    return out


def _converter(
    procs: list[tuple[int, Any]], names: list[str] | None
) -> Callable[[Sequence[tuple[Any, ...]]], Sequence[Any]]:
    """Turns a chunk of row tuples into the driver's parameters: ``procs`` gives, per
    statement parameter, the tuple position and its bind processor; ``names``, for drivers
    taking named parameters, their names.
    """
    if names is None and all(proc is None and i == n for n, (i, proc) in enumerate(procs)):
        return lambda chunk: chunk  # nothing to convert or reorder: tuples go as they are

    def convert(chunk: Sequence[tuple[Any, ...]]) -> list[Any]:
        given = list(zip(*chunk, strict=True))
        columns = [_column(proc, given[i]) for i, proc in procs]
        if names is None:
            return list(zip(*columns, strict=True))
        return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]

    return convert
