"""The console's moved clock is kept in the database: a restart, and the terminal commands
on the same database, see the time ``/time`` moved it to (not the wall clock).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from rich.console import Console
from typer.testing import CliRunner

from bot.cli.main import app
from bot.cli.start import start_bot
from bot.config import load_settings

runner = CliRunner()


def _config(tmp_path, platforms: str = '["console"]') -> str:
    path = tmp_path / "c.toml"
    path.write_text(f'[bot]\ndata_dir = "{tmp_path / "data"}"\nplatforms = {platforms}\n')
    return str(path)


def _clock_in(output: str) -> datetime:
    found = re.findall(r"the bot's clock: (\w{3} \d\d \w{3} \d{4} \d\d:\d\d) UTC", output)
    assert found, output
    return datetime.strptime(found[-1], "%a %d %b %Y %H:%M").replace(tzinfo=UTC)


def test_a_restart_and_the_terminal_commands_keep_the_moved_clock(tmp_path):
    """/time +40d in one run; the next run starts 40 days ahead and says so, moving on from
    there; `mentorbot report`'s bot (start_bot) sees the same "now"; a Slack configuration on
    the same database keeps the wall clock.
    """
    config = _config(tmp_path)
    env = {"DATABASE_URL": "", "MENTORBOT_CONFIG": ""}
    first = runner.invoke(
        app, ["--config", config, "run"], input="/mentor join mentee\n/time +40d\n", env=env
    )
    assert first.exit_code == 0, first.output
    moved = _clock_in(first.output)
    assert moved - datetime.now(UTC) > timedelta(days=39)

    second = runner.invoke(app, ["--config", config, "run"], input="/time +1d\n", env=env)
    assert second.exit_code == 0, second.output
    assert "moved ahead by /time earlier" in second.output
    assert _clock_in(second.output) - moved >= timedelta(days=1)

    bot = start_bot(load_settings(config), Console())
    assert bot is not None
    assert bot.clock.now() - datetime.now(UTC) > timedelta(days=40)

    slack = tmp_path / "slack.toml"
    slack.write_text(f'[bot]\ndata_dir = "{tmp_path / "data"}"\nplatforms = ["slack"]\n')
    real = start_bot(load_settings(str(slack)), Console())
    assert real is not None
    assert abs(real.clock.now() - datetime.now(UTC)) < timedelta(minutes=5)
