"""Settings: the example file is true to the code; bad values are named; env overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def test_example_config_matches_defaults():
    """config.example.toml documents exactly the built-in defaults."""
    import tomllib
    from dataclasses import fields, replace

    example = load_settings(ROOT / "config.example.toml", env={})
    defaults = Settings()
    assert replace(example, source=defaults.source) == defaults
    # and every setting of every section is written out there (documented, not implied)
    written = tomllib.loads((ROOT / "config.example.toml").read_text())
    for section in fields(Settings):
        if section.name == "source":
            continue
        names = {f.name for f in fields(getattr(defaults, section.name))}
        assert names <= set(written.get(section.name, {})), (section.name, names)


def test_config_from_env_variable(tmp_path):
    """MENTORBOT_CONFIG points at the file when --config is not given."""
    path = tmp_path / "c.toml"
    path.write_text('[program]\nname = "Rust mentoring"\n[admins]\nslack = ["U1"]\n')
    settings = load_settings(None, env={"MENTORBOT_CONFIG": str(path)})
    assert settings.program.name == "Rust mentoring"
    assert settings.admins.for_platform("slack") == ("U1",)


def test_database_url(tmp_path):
    """Default is a SQLite file in data_dir; DATABASE_URL overrides."""
    assert load_settings(None, env={}).database_url == "sqlite:///data/mentorbot.db"
    env = {"DATABASE_URL": "postgresql://x/y"}
    assert load_settings(None, env=env).database_url == "postgresql://x/y"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[bots]\n", "unknown config section"),
        ("[bot]\nplatforms = ['irc']\n", "unknown platform"),
        ("[bot]\nlog_level = 3\n", "log_level must be str"),
        ("[bot]\nlog_level = 'LOUD'\n", "log_level 'LOUD' is not a level; use one of DEBUG, "),
        ("[program]\ncadence = 'daily'\n", "cadence must be one of"),
        ("[program]\ncheckin_weekday = 'funday'\n", "checkin_weekday"),
        ("[program]\ncheckin_hour = 24\n", "between 0 and 23"),
        ("[program]\ndefault_timezone = 'Mars/Olympus'\n", "not a known zone"),
        ("[admins]\nslack = 'U1'\n", "list of strings"),
        ("[bot\n", "not valid TOML"),
        ("[report]\nreportable_fields = ['salary']\n", "unknown field.s. salary .choose from"),
    ],
)
def test_bad_config_is_named(tmp_path, body, message):
    """Each mistake is reported with what to fix."""
    path = tmp_path / "c.toml"
    path.write_text(body)
    with pytest.raises(ConfigError, match=message):
        load_settings(path, env={})


def test_log_levels_are_case_insensitive(tmp_path):
    """`log_level = "debug"` is as good as "DEBUG"."""
    path = tmp_path / "c.toml"
    for level in ("debug", "Warning", "CRITICAL"):
        path.write_text(f"[bot]\nlog_level = '{level}'\n")
        assert load_settings(path, env={}).bot.log_level == level


def test_missing_config_file(tmp_path):
    """A config path that does not exist is an error, not silently ignored."""
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", env={})


def test_every_problem_is_reported_at_once(tmp_path):
    """A file with several mistakes names each of them in one error, not only the first."""
    path = tmp_path / "c.toml"
    path.write_text(
        "[bot]\nlog_level = 3\ncolour = 'blue'\n"
        "[program]\ncheckin_hour = 24\ncadence = 'daily'\n[matching]\nrecency_rounds = 99\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    message = str(caught.value)
    assert message.startswith(f"5 problems in {path}:")
    for problem in (
        "[bot] has unknown setting(s): colour",
        "[bot] log_level must be str, not int",
        "[program] cadence must be one of",
        "[program] checkin_hour must be between 0 and 23",
        "[matching] recency_rounds must be between 0 and 52",
    ):
        assert f"\n  {problem}" in message, problem


def test_a_config_path_that_is_a_directory(tmp_path):
    """`--config <a directory>` says it is a directory, not that it is missing."""
    with pytest.raises(ConfigError, match=f"config file {tmp_path} is a directory, not a file"):
        load_settings(tmp_path, env={})
