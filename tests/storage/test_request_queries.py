"""What one request costs the database: the statements a ``status`` runs, counted on the real
engine (both databases). Each statement is ~66 us of SQLAlchemy's own Python on top of the
database's work, so the per-request CPU the load benchmark reports moves with this count.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlmodel import select

from storage.engine import transaction
from storage.models import Member, Pair, PairMember, Person
from tests.conftest import run


@contextmanager
def statements(engine: Any) -> Iterator[list[str]]:
    """Every SQL statement ``engine`` runs inside the block (transaction control left out)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _pair(bot: Any, *names: str) -> None:
    with transaction(bot.engine) as s:
        now = bot.clock.now()
        pair = Pair(program_id=1, status="active", created_at=now, started_at=now)
        s.add(pair)
        s.flush()
        for name in names:
            person = s.exec(select(Person).where(Person.platform_user_id == name)).one()
            member = s.exec(select(Member).where(Member.person_id == person.id)).one()
            s.add(PairMember(pair_id=pair.id, member_id=member.id, role=member.role))


def test_status_of_a_paired_member_reads_six_times_and_writes_nothing(bot):
    """The person and the workspace's program come in one query (they were two); then the
    membership, the active pairs, the partner, the planned nudges and the answered cycles.
    """
    run(bot, "join mentee")
    run(bot, "join mentor", who="bob")
    _pair(bot, "alice", "bob")
    run(bot, "status")  # warm: the same statements, now from SQLAlchemy's compiled cache
    with statements(bot.engine) as seen:
        reply = run(bot, "status")
    assert "bob" in reply
    assert all(s.upper().startswith("SELECT") for s in seen), seen
    assert len(seen) == 6, "\n".join(seen)
    first = seen[0].lower()
    assert "from person left outer join program" in first


def test_replay_check_is_one_insert(bot):
    """The replay record every platform request makes is one statement, and a replay of the
    same key is told apart by that one statement too.
    """
    with statements(bot.engine) as seen:
        assert bot.first_time("slack-sig:v0=one") is True
        assert bot.first_time("slack-sig:v0=one") is False
    assert len(seen) == 2 and all(s.upper().startswith("INSERT") for s in seen), seen
