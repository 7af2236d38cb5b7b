"""The mentorbot command line: help, db upgrade/current, prompts check, config errors."""

from __future__ import annotations

import sys

from typer.testing import CliRunner

from bot.cli.main import app
from storage.engine import make_engine
from storage.migrate import current_revision, head_revision

runner = CliRunner()


def _config(tmp_path, body: str = "") -> str:
    path = tmp_path / "c.toml"
    path.write_text(f'[bot]\ndata_dir = "{tmp_path / "data"}"\n{body}')
    return str(path)


def test_help_lists_subcommands():
    """--help names run, db and prompts."""
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for word in ("run", "db", "prompts", "--config"):
        assert word in result.output


def test_db_upgrade_on_empty_database(tmp_path):
    """db upgrade brings an empty database to the head revision and says so."""
    config = _config(tmp_path)
    result = runner.invoke(app, ["--config", config, "db", "upgrade"], env={"DATABASE_URL": ""})
    assert result.exit_code == 0, result.output
    assert "(was empty)" in result.output
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'mentorbot.db'}")
    assert current_revision(engine) == head_revision(engine)
    result = runner.invoke(app, ["--config", config, "db", "current"], env={"DATABASE_URL": ""})
    assert "up to date" in result.output


def test_database_url_env_wins(tmp_path):
    """DATABASE_URL overrides the config file's database."""
    url = f"sqlite:///{tmp_path / 'other.db'}"
    result = runner.invoke(
        app, ["--config", _config(tmp_path), "db", "upgrade"], env={"DATABASE_URL": url}
    )
    assert result.exit_code == 0
    assert (tmp_path / "other.db").exists()
    assert not (tmp_path / "data" / "mentorbot.db").exists()


def test_prompts_check(tmp_path):
    """prompts check passes on the bundled files and fails clearly on a broken override."""
    result = runner.invoke(app, ["--config", _config(tmp_path), "prompts", "check"])
    assert result.exit_code == 0
    assert "prompts and 6 conversation scripts OK" in result.output
    custom = tmp_path / "prompts"
    custom.mkdir()
    (custom / "x.toml").write_text('[resume]\ndone = "Back, {nmae}!"\n')
    config = _config(tmp_path, f'prompts_dir = "{custom}"\n')
    result = runner.invoke(app, ["--config", config, "prompts", "check"])
    assert result.exit_code == 1
    assert "{nmae}" in result.output


def test_config_errors_are_clear(tmp_path):
    """A bad config file stops with a one-line explanation and exit code 2."""
    config = _config(tmp_path, "colour = 'blue'\n")
    result = runner.invoke(app, ["--config", config, "db", "upgrade"])
    assert result.exit_code == 2
    assert "unknown setting(s): colour" in result.output


def test_unavailable_platform_is_refused(tmp_path):
    """Asking for a platform this version cannot serve fails before starting."""
    result = runner.invoke(app, ["--config", _config(tmp_path), "run", "--platform", "irc"])
    assert result.exit_code == 2
    assert "Not available in this version: irc; available:" in result.output


def test_version():
    """--version prints the version."""
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("mentorbot ")


def test_slack_without_tokens_explains_what_is_missing(tmp_path, monkeypatch):
    """Starting Slack without SLACK_BOT_TOKEN fails clearly, before serving anything."""
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    result = runner.invoke(
        app, ["--config", _config(tmp_path), "run", "--platform", "slack", "--http", "--port", "0"]
    )
    assert result.exit_code == 2
    assert "SLACK_BOT_TOKEN is not set" in result.output


def test_http_options_without_slack_are_refused(tmp_path):
    """`run --http` (or --host/--port) on a config whose platforms lack Slack would start the
    console, read end of input and exit 0: refused instead, naming the fix, before anything runs.
    """
    config = _config(tmp_path)  # [bot] platforms defaults to console
    for extra in (["--http"], ["--port", "3000"], ["--host", "127.0.0.1"]):
        for platform in ([], ["--platform", "discord"]):
            result = runner.invoke(app, ["--config", config, "run", *platform, *extra], input="")
            assert result.exit_code == 2, result.output
            assert "--platform slack" in result.output
            assert '[bot] platforms = ["slack"]' in result.output
    assert not (tmp_path / "data").exists()  # refused before the database was made


def test_discord_without_token_explains_what_is_missing(tmp_path, monkeypatch):
    """Starting Discord without DISCORD_TOKEN fails clearly."""
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    result = runner.invoke(app, ["--config", _config(tmp_path), "run", "--platform", "discord"])
    assert result.exit_code == 2
    assert "DISCORD_TOKEN is not set" in result.output


def test_bad_seeds_are_refused_without_a_traceback(tmp_path):
    """`match --seed -3` and a 25-digit seed get a usage error, not a traceback."""
    config = _config(tmp_path)
    for seed in ("-3", "1234567890123456789012345"):
        result = runner.invoke(app, ["--config", config, "match", "--seed", seed])
        assert result.exit_code == 2, result.output
        assert "Invalid value for '--seed'" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_an_unusable_database_url_is_one_clear_line(tmp_path):
    """DATABASE_URL=garbage://x: a short message naming the URL and an example, exit 2."""
    config = _config(tmp_path)
    for args in (["run"], ["db", "upgrade"], ["db", "current"]):
        result = runner.invoke(
            app, ["--config", config, *args], env={"DATABASE_URL": "garbage://x"}, input=""
        )
        assert result.exit_code == 2, result.output
        assert "garbage://x" in result.output and "sqlite:///" in result.output
        assert "Traceback" not in result.output and len(result.output.splitlines()) <= 4


def test_only_sqlite_and_postgresql_are_offered(tmp_path):
    """A MySQL URL is not sent looking for a driver: only SQLite and PostgreSQL are supported."""
    url = "mysql://bot:secret@db/mentorbot"
    result = runner.invoke(
        app, ["--config", _config(tmp_path), "db", "current"], env={"DATABASE_URL": url}
    )
    assert result.exit_code == 2, result.output
    assert "supports only SQLite and PostgreSQL" in result.output
    assert "pip install" not in result.output and "secret" not in result.output


def test_a_missing_postgresql_driver_names_what_an_installed_copy_needs(tmp_path, monkeypatch):
    """Without psycopg the hint is the installed package's extra, not only a checkout's
    `pip install -e`; a URL for another driver (psycopg2, SQLAlchemy 2.0's default for a plain
    postgresql://) is told to say +psycopg, the driver the extra installs.
    """
    for module in ("psycopg", "psycopg2"):
        monkeypatch.setitem(sys.modules, module, None)  # `import psycopg` fails as if absent
    config = _config(tmp_path)
    for url, extra in (
        ("postgresql+psycopg://bot@db/mentorbot", "driver psycopg is not installed"),
        ("postgresql+psycopg2://bot@db/mentorbot", "write the URL as postgresql+psycopg://"),
    ):
        result = runner.invoke(
            app, ["--config", config, "db", "current"], env={"DATABASE_URL": url}
        )
        assert result.exit_code == 2, result.output
        assert "pip install 'mentorbot[postgres]'" in result.output, result.output
        assert extra in result.output, result.output


def test_config_errors_keep_the_section_name(tmp_path):
    """Rich markup must not eat `[bot]` in a configuration error."""
    config = _config(tmp_path, "log_level = 3\n")
    result = runner.invoke(app, ["--config", config, "db", "current"])
    assert result.exit_code == 2
    assert "[bot] log_level" in result.output


def test_json_log_lines(tmp_path):
    """With log_format = "json" every log record is one JSON object (time, level, logger,
    message)."""
    import json
    import logging

    from bot.logformat import JsonLines

    record = logging.LogRecord("bot.x", logging.WARNING, __file__, 1, "refused %r", ("a",), None)
    line = json.loads(JsonLines().format(record))
    assert line["level"] == "WARNING" and line["logger"] == "bot.x"
    assert line["message"] == "refused 'a'" and line["time"].endswith("+00:00")
    config = _config(tmp_path, 'log_format = "xml"\n')  # inside [bot]
    result = runner.invoke(app, ["--config", config, "db", "current"], env={"DATABASE_URL": ""})
    assert result.exit_code == 2 and "log_format" in result.output


def test_a_file_that_is_not_a_database_is_one_clear_line(tmp_path):
    """DATABASE_URL naming a text file: every command says so in one line (exit 2), and the
    file is left as it was."""
    config = _config(tmp_path)
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a database\n" * 100)
    env = {"DATABASE_URL": f"sqlite:///{text_file}"}
    commands = (
        ["run"], ["db", "upgrade"], ["db", "current"], ["match"], ["export", "--out", "x"],
        ["report"], ["forget", "console", "bob", "--yes"], ["import", str(text_file)],
    )  # fmt: skip
    for args in commands:
        result = runner.invoke(app, ["--config", config, *args], env=env, input="")
        assert result.exit_code == 2, (args, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].endswith(f"{text_file} is not a SQLite database"), (
            args,
            result.output,
        )
    assert text_file.read_text() == "not a database\n" * 100


def test_a_configured_database_in_a_missing_directory_is_an_error(tmp_path):
    """An explicit database path whose directory does not exist names that directory and
    creates nothing; the data directory itself (the default database's) is created."""
    missing = tmp_path / "nonexistent" / "dir"
    for config, env in (
        (_config(tmp_path), {"DATABASE_URL": f"sqlite:///{missing}/x.db"}),
        (_config(tmp_path, f'database_url = "sqlite:///{missing}/x.db"\n'), {"DATABASE_URL": ""}),
    ):
        for args in (["db", "upgrade"], ["run"], ["match"]):
            result = runner.invoke(app, ["--config", config, *args], env=env, input="")
            assert result.exit_code == 2, result.output
            assert f"the directory {missing} (of the database {missing}/x.db) does not exist" in (
                result.output
            )
            assert not (tmp_path / "nonexistent").exists()
    data = tmp_path / "new" / "data"
    config = tmp_path / "new.toml"
    config.write_text(f'[bot]\ndata_dir = "{data}"\n')
    for env in ({"DATABASE_URL": ""}, {"DATABASE_URL": f"sqlite:///{data}/mentorbot.db"}):
        result = runner.invoke(app, ["--config", str(config), "db", "upgrade"], env=env)
        assert result.exit_code == 0, result.output
        assert (data / "mentorbot.db").is_file()
