"""Bulk inserts that skip rows whose unique key already exists (SQLite and PostgreSQL).

Planning writes hundreds of thousands of rows at once, so this skips SQLAlchemy's per-row
statement machinery: the statement is compiled once, each column's bind processor (our UTC
type, JSON, ...) is looked up once, and the driver's ``executemany`` gets plain tuples.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

CHUNK = 5000


def insert_for(session: Session) -> Any:
    """The INSERT construct of the session's database, the one with ``on_conflict_*``."""
    return pg_insert if session.connection().dialect.name == "postgresql" else sqlite_insert


def insert_ignoring_conflicts(
    session: Session, model: Any, rows: Sequence[dict[str, Any]], *, conflict: Sequence[str]
) -> int:
    """Insert ``rows`` (dicts with the same keys) into ``model``'s table; rows clashing on
    ``conflict`` are skipped. Returns how many rows were offered.
    """
    if not rows:
        return 0
    connection = session.connection()
    dialect = connection.dialect
    table = model.__table__
    keys = list(rows[0])
    statement = insert_for(session)(table).on_conflict_do_nothing(index_elements=list(conflict))
    compiled = statement.compile(dialect=dialect, column_keys=keys)
    processors = {key: table.c[key].type._cached_bind_processor(dialect) for key in keys}
    order = list(compiled.positiontup or []) if compiled.positional else keys
    # Compiled parameter names are the column keys here (no renaming for plain columns).
    procs = [(name, processors[name]) for name in order]

    def column(name: str, proc: Any, raw: list[Any]) -> list[Any]:
        """One column's values, converted; planned rows share many values (instants, ids)."""
        if proc is None:
            return raw
        memo: dict[Any, Any] = {}
        out = []
        for value in raw:
            if isinstance(value, list | dict):
                out.append(proc(value))
                continue
            converted = memo.get(value, memo)
            if converted is memo:
                converted = memo[value] = proc(value)
            out.append(converted)
        return out

    def convert(chunk: Sequence[dict[str, Any]]) -> list[Any]:
        columns = [column(name, proc, [row[name] for row in chunk]) for name, proc in procs]
        if compiled.positional:
            return list(zip(*columns, strict=True))
        return [dict(zip(order, values, strict=True)) for values in zip(*columns, strict=True)]

    sql = str(compiled)
    for start in range(0, len(rows), CHUNK):
        connection.exec_driver_sql(sql, convert(rows[start : start + CHUNK]))
    return len(rows)
