"""Alembic wiring: run migrations programmatically, without an alembic.ini on disk."""

from __future__ import annotations

import tomllib
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

SCRIPT_LOCATION = "storage:migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config that migrates through ``engine``'s own connection."""
    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (default: the newest)."""
    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    """The newest revision shipped with this version of mentorbot."""
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def source_checkout(package: Path = Path(__file__).resolve().parent) -> Path | None:
    """The checkout of mentorbot the ``storage`` package (``package``) sits in, or None for
    an installed copy: the folder above it must hold a pyproject.toml naming mentorbot.

    New migrations belong in the source tree; written into site-packages they would change
    the head of that one installation only.
    """
    root = package.parent
    try:
        project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    table = project.get("project")
    named = isinstance(table, dict) and table.get("name") == "mentorbot"
    return root if named and (package / "migrations").is_dir() else None


def revision(engine: Engine, message: str) -> None:
    """Autogenerate a new migration from the difference between the models and the database."""
    command.revision(alembic_config(engine), message=message, autogenerate=True)


def known_revisions() -> list[str]:
    """Every revision this version of mentorbot ships, oldest first."""
    scripts = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(scripts.walk_revisions()))]
