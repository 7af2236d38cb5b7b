"""Storage on SQLite and PostgreSQL: UTC instants, constraints, and migrations that match the
models on both (SQLite pragmas on their own)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import StatementError
from sqlmodel import SQLModel, select

from storage.engine import make_engine, transaction
from storage.migrate import current_revision, head_revision, source_checkout, upgrade
from storage.models import OutboxMessage, Person


def _person(created: datetime) -> Person:
    return Person(platform="console", platform_user_id="u1", created_at=created, updated_at=created)


@pytest.mark.parametrize(
    "written",
    [
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
        datetime(2026, 3, 29, 3, 30, tzinfo=timezone(timedelta(hours=2))),
        datetime(2026, 11, 1, 1, 30, tzinfo=timezone(timedelta(hours=-4))),
        datetime(2026, 1, 1, 0, 0, 0, 123456, tzinfo=timezone(timedelta(hours=5, minutes=45))),
    ],
)
def test_instants_round_trip_as_aware_utc(empty_db_url, written):
    """Whatever offset an instant is written with, it reads back as the same instant in UTC."""
    engine = make_engine(empty_db_url)
    upgrade(engine)
    with transaction(engine) as s:
        s.add(_person(written))
    with transaction(engine) as s:
        person = s.exec(select(Person)).one()
    assert person.created_at == written
    assert person.created_at.tzinfo is UTC
    with engine.connect() as conn:
        raw = conn.execute(text("select created_at from person")).scalar_one()
    assert str(raw).startswith(written.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"))


def test_naive_datetime_is_refused(empty_db_url):
    """A naive datetime is an error, not silently taken as local or UTC."""
    engine = make_engine(empty_db_url)
    upgrade(engine)
    with pytest.raises(StatementError, match="naive datetime"), transaction(engine) as s:
        s.add(_person(datetime(2026, 1, 1)))
        s.flush()


def test_utc_comparisons_work_in_queries(empty_db_url):
    """Filtering by instants compares real instants, whatever offset the query uses."""
    engine = make_engine(empty_db_url)
    upgrade(engine)
    base = datetime(2026, 6, 1, 12, tzinfo=UTC)
    with transaction(engine) as s:
        for i in range(3):
            s.add(
                OutboxMessage(
                    dedupe_key=f"k{i}",
                    platform="console",
                    target_kind="user",
                    not_before=base + timedelta(hours=i),
                    created_at=base,
                )
            )
    cutoff = datetime(2026, 6, 1, 15, 30, tzinfo=timezone(timedelta(hours=2)))  # 13:30 UTC
    with transaction(engine) as s:
        due = s.exec(select(OutboxMessage).where(OutboxMessage.not_before <= cutoff)).all()
    assert sorted(r.dedupe_key for r in due) == ["k0", "k1"]


def test_sqlite_pragmas(tmp_path):
    """File databases run in WAL mode with foreign keys and a busy timeout."""
    engine = make_engine(f"sqlite:///{tmp_path}/sub/dir/t.db")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    assert (tmp_path / "sub" / "dir" / "t.db").exists()


def test_foreign_keys_are_enforced(empty_db_url):
    """A member pointing at a missing program is rejected by the database."""
    from sqlalchemy.exc import IntegrityError

    from storage.models import Member

    engine = make_engine(empty_db_url)
    upgrade(engine)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(IntegrityError), transaction(engine) as s:
        s.add(Member(program_id=999, person_id=999, role="mentee", joined_at=now))
        s.flush()


def test_upgrade_reaches_head_and_matches_models(empty_db_url):
    """`db upgrade` on an empty database reaches head and autogenerate finds no difference."""
    engine = make_engine(empty_db_url)
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine) is not None
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata
        )
    assert diff == []


def test_upgrade_twice_is_harmless(empty_db_url):
    """Running the migrations again on an up-to-date database changes nothing."""
    engine = make_engine(empty_db_url)
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)


def test_transaction_rolls_back_everything_on_error(empty_db_url):
    """A failing unit of work leaves no partial rows behind."""
    engine = make_engine(empty_db_url)
    upgrade(engine)
    with pytest.raises(RuntimeError), transaction(engine) as s:
        s.add(_person(datetime(2026, 1, 1, tzinfo=UTC)))
        s.flush()
        raise RuntimeError("boom")
    with transaction(engine) as s:
        assert s.exec(select(Person)).all() == []


def test_the_cycle_collector_runs_again_after_the_last_pause_only():
    """Bulk work pauses Python's cycle collector; pauses overlapping in two threads leave it
    off until the last ends, and a collector that was off before stays off."""
    import gc
    import threading

    from storage.bulk import collector_paused

    was = gc.isenabled()
    try:
        gc.enable()
        first_in, second_done = threading.Event(), threading.Event()

        def other() -> None:
            with collector_paused():
                first_in.set()
                second_done.wait(5)

        thread = threading.Thread(target=other)
        with collector_paused():
            thread.start()
            first_in.wait(5)
            assert not gc.isenabled()
        assert not gc.isenabled()  # the other thread's pause is still on
        second_done.set()
        thread.join(5)
        assert gc.isenabled()  # both ended: collecting again
        gc.disable()
        with collector_paused():
            pass
        assert not gc.isenabled()  # off before, off after
    finally:
        gc.enable() if was else gc.disable()


def test_only_a_checkout_of_mentorbot_gets_new_migrations(tmp_path):
    """`db revision` writes beside the storage package: allowed in a checkout (a pyproject.toml
    naming mentorbot one folder up), refused for an installed copy or another project."""
    import shutil
    from pathlib import Path

    import storage

    package = Path(storage.__file__).resolve().parent
    assert source_checkout(package) == package.parent
    installed = tmp_path / "site-packages" / "storage"
    shutil.copytree(package / "migrations", installed / "migrations")
    assert source_checkout(installed) is None
    (installed.parent / "pyproject.toml").write_text('[project]\nname = "other"\n')
    assert source_checkout(installed) is None
    (installed.parent / "pyproject.toml").write_text("[project\n")
    assert source_checkout(installed) is None
    (installed.parent / "pyproject.toml").write_text('[project]\nname = "mentorbot"\n')
    assert source_checkout(installed) == installed.parent
