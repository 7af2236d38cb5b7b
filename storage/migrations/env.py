"""Alembic environment: migrates through the engine handed over in ``config.attributes``."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers every table on SQLModel.metadata)
from storage.engine import make_engine

config = context.config
target_metadata = SQLModel.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the configured connection."""
    engine = config.attributes.get("engine")
    if engine is None:
        engine = make_engine(
            config.get_main_option("sqlalchemy.url") or "sqlite:///data/mentorbot.db"
        )
    with engine.connect() as connection:
        _run(connection)
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("mentorbot migrations run online only: use `mentorbot db upgrade`")
run_migrations_online()
