"""Forgetting leaves no trace: not in any table or column, not in the log, not in the files the
console saved, and not in the raw bytes of the SQLite database and its write-ahead log while
the bot is still running. Log lines name people by a pseudonym only."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlmodel import Session

from bot.app import MentorBot
from bot.cli.main import _logging
from bot.config import Settings
from storage.engine import checkpoint
from storage.models import Person
from tests.conversations.helpers import Chat
from tests.personal.test_personal import SECRETS, footprint

# Words only Zebediah wrote, beside the ones footprint() leaves (see SECRETS).
MORE_SECRETS = ("blorb", "grue")
# Zebediah's name and console id (the same word on the console), and everything they wrote.
NEEDLES = ("zebediah", *SECRETS, *MORE_SECRETS)


@pytest.fixture
def log_file(settings: Settings) -> Iterator[Path]:
    """The console's own logging set-up (everything into ``<data_dir>/mentorbot.log``),
    undone afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    path = _logging(settings, console=True)
    assert path is not None
    try:
        yield path
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(level)


def _explode_with_a_database_error(bot: MentorBot) -> None:
    """A command with a bug: it inserts the person twice, so the database refuses (and
    SQLAlchemy's error would carry the row's values)."""

    @bot.router.command("explode", hidden=True)
    def explode(ctx, args):  # type: ignore[no-untyped-def]
        session: Session = ctx.session
        session.add(
            Person(
                platform=ctx.actor.platform,
                platform_user_id=ctx.actor.user_id,
                display_name=ctx.actor.display_name,
                team="blorb team",
                created_at=ctx.now,
                updated_at=ctx.now,
            )
        )
        session.flush()


async def more_footprint(chat: Chat) -> None:
    """Others write Zebediah's name (an admin's announcement, mia's check-in note), Zebediah
    asks the mentors for help, is refused an admin command and hits a bug, and the admin
    saves a report page."""
    await chat.say("/mentor admin program set mentors C-mentors", who="admin")
    await chat.say("/mentor request how do I tame the blorb grue compiler", who="Zebediah")
    out = await chat.say(
        "/mentor admin announce Welcome Zebediah (<@zebediah>), our newest mentee!", who="admin"
    )
    assert "Preview of announcement #1" in out
    await chat.say("/mentor admin announce send 1", who="admin")
    await chat.say('/mentor checkin met "Zebediah showed me a neat trick"', who="mia")
    refused = await chat.say("/mentor admin match", who="Zebediah")
    assert "Only program admins can do that" in refused
    assert "something went wrong" in await chat.say("/mentor explode", who="Zebediah")
    report = await chat.say("/mentor admin report", who="admin")
    assert "saved to" in report


def scan_tables(bot: MentorBot) -> list[str]:
    """Every ``table.column: value`` in the database that holds a needle, in any case."""
    found = []
    with bot.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')).mappings():
                for column, value in row.items():
                    shown = str(value).lower()
                    found += [f"{table}.{column}: {value}" for n in NEEDLES if n in shown]
    return found


def scan_files(*paths: Path) -> list[str]:
    """``path: needle`` for every needle in the raw bytes of these files (in any case)."""
    found = []
    for path in paths:
        data = path.read_bytes().lower() if path.exists() else b""
        found += [f"{path.name}: {n}" for n in NEEDLES if n.encode() in data]
    return found


async def test_forget_leaves_no_trace_anywhere(bot, backend, log_file):
    """After /mentor forget, no table, log line, saved file or database byte holds the
    person's name, id or words (read while the bot's engine is still open)."""
    _explode_with_a_database_error(bot)
    chat = Chat(bot)
    await footprint(chat)
    await more_footprint(chat)
    data = Path(bot.settings.bot.data_dir)
    saved = sorted((data / "files").iterdir())
    assert saved  # the report page and its chart
    before = scan_tables(bot)
    assert {"announcement", "checkin", "mentorrequest", "outboxmessage"} <= {
        hit.split(".")[0] for hit in before
    }
    database = Path(bot.engine.url.database or "")
    wal = database.with_name(database.name + "-wal")
    if backend == "sqlite":
        # The bot has run for a while: SQLite has copied earlier writes into the database
        # file (it does every 1,000 pages), and newer ones sit in the write-ahead log.
        assert checkpoint(bot.engine)
        await chat.say("/mentor profile set goals grue hunting at dawn", who="Zebediah")
        assert len(scan_files(database)) >= len(SECRETS) and scan_files(wal)

    ask = await chat.say("/mentor forget", who="Zebediah")
    assert "everything personal about you is deleted" in await chat.click("Delete my data", ask)

    assert scan_tables(bot) == []
    assert scan_files(log_file, *saved) == []
    # The log still tells what happened, about someone: a pseudonym, not a name.
    logged = log_file.read_text()
    who = bot.pseudonyms.of("console", "zebediah")
    assert f"refused 'admin' to non-admin {who}" in logged
    assert f"error handling Command from {who}" in logged
    if backend == "sqlite":
        assert scan_files(database, wal) == []
        # Freed space is zeroed on every connection (this machine's SQLite is built that way
        # already; other builds are not).
        with bot.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    # Others' words stay, without the name.
    with bot.engine.connect() as conn:
        notes = conn.execute(text("SELECT note FROM checkin WHERE note != ''")).scalars().all()
        announced = conn.execute(text("SELECT text FROM announcement")).scalars().all()
    assert notes == ["(forgotten) showed me a neat trick"]
    assert announced == ["Welcome (forgotten) ((forgotten)), our newest mentee!"]


# Text and JSON columns forget does not search, and why none holds someone's words about
# another person. A new column must be added here or to storage.personal's lists.
NOT_SEARCHED = {
    # The person's own row: forget blanks or replaces these itself.
    "person.platform_user_id",
    "person.display_name",
    "person.team",
    "person.timezone",
    "person.timezone_source",
    "person.languages",
    "person.availability",
    "person.quiet_start",
    "person.quiet_end",
    "person.country",  # where they keep holidays ("ES-MD")
    "person.unreachable_reason",  # the bot's own reason ("dms_closed")
    "member.skills_offered",  # skill words, blanked on the person's own memberships
    "member.skills_wanted",
    # The program's names an admin gives it, channel ids, platform and workspace ids.
    "program.slug",
    "program.name",
    "program.platform",
    "program.workspace_id",
    "program.announcement_channel",
    "program.mentors_channel",
    "program.prompts_dir",  # a coordinator's folder
    "program.timezone",
    "program.rounds_time",  # "HH:MM"
    "program.rounds_publish",  # "auto" or "preview"
    "member.intake_batch",  # the label an admin gave a roster import
    # Fixed words (statuses, kinds, roles, zones), keys and ids the bot makes.
    "person.platform",
    "platformhold.platform",
    "program.kind",
    "program.cadence",
    "seenrequest.key",
    "sendingprocess.owner",
    "announcement.mode",
    "announcement.audience",
    "announcement.pair_ids",
    "announcement.local_time",
    "announcement.author_zone",
    "announcement.status",
    "conversation.script",
    "conversation.status",
    "matchrun.status",
    "round.status",
    "round.summary",  # member ids and counts the rounds pulse records
    "member.role",
    "member.status",
    "outboxmessage.dedupe_key",  # recipients' ids; rows to the person are deleted
    "outboxmessage.platform",
    "outboxmessage.workspace_id",
    "outboxmessage.target_kind",
    "outboxmessage.target_ids",
    "outboxmessage.status",
    "outboxmessage.lease_owner",
    "outboxmessage.last_error",  # a platform's error
    "outboxmessage.platform_message_id",
    "goal.status",
    "matchrule.kind",
    "mentorrequest.urgency",
    "mentorrequest.status",
    "mentor_choice.status",  # a mentee's request for a mentor: open, accepted, ...
    "pair.status",
    "pair.end_reason",  # one of the bot's own reasons
    "pair.end_detail",  # a fixed key refining it
    "person.name_source",  # where the name came from ("import" or "platform")
    "person.locale",  # a language tag ("es"); forget clears it with the person's fields
    "person.platform_locale",
    "pair.stall_reason",
    "surveyresponse.survey",
    "checkin.outcome",
    "feedback.kind",
    "pairmember.role",
}


def test_every_text_column_is_searched_by_forget_or_holds_no_ones_words():
    """Each text or JSON column is either scrubbed of the person by forget or listed above
    with the reason it can't hold another person's words about them."""
    from sqlalchemy import JSON, String
    from sqlmodel import SQLModel
    from sqlmodel.sql.sqltypes import AutoString

    from storage.personal import SCRUBBED_JSON, SCRUBBED_TEXT

    searched = {f"{model.__tablename__}.{column}" for model, column in SCRUBBED_JSON}
    searched |= {f"{model.__tablename__}.{column}" for model, column in SCRUBBED_TEXT}
    texts = {
        f"{table.name}.{column.name}"
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, String | JSON | AutoString)
    }
    assert not searched & NOT_SEARCHED
    assert texts - searched - NOT_SEARCHED == set()  # a new column: decide which it is
    assert searched | NOT_SEARCHED == texts
