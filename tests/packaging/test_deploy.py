"""The deployment files stay true to the code: the systemd unit's and the container image's
command lines are ones the ``mentorbot`` CLI accepts (that the image installs a bot that
starts: tests/packaging/test_dockerfile.py)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from typer.testing import CliRunner

from bot.cli.main import app

ROOT = Path(__file__).resolve().parents[2]


def _parses(args: list[str]) -> bool:
    """Whether ``mentorbot <args>`` parses: every option exists and takes what it is given
    (``--help`` at the end stops before anything runs)."""
    result = CliRunner().invoke(app, [*args, "--help"])
    return result.exit_code == 0 and result.output.startswith("Usage: mentorbot")


def test_the_systemd_unit_runs_a_command_the_cli_accepts():
    unit = (ROOT / "deploy" / "mentorbot.service").read_text()
    exec_start = re.search(r"^ExecStart=(.+)$", unit, re.MULTILINE)
    assert exec_start is not None
    program, *args = shlex.split(exec_start.group(1))
    assert program.endswith("/mentorbot")
    assert _parses(args)
    assert re.search(r"^KillSignal=SIGTERM$", unit, re.MULTILINE)
    assert int(re.search(r"^TimeoutStopSec=(\d+)$", unit, re.MULTILINE).group(1)) > 10  # type: ignore[union-attr]


def _serves_slack_with_the_example_config(args: list[str], tmp_path: Path) -> str:
    """Run ``mentorbot <args>`` against the ``config example`` file (platforms = console) with
    no Slack tokens: the output, which names the missing token only if Slack was started.
    """
    example = CliRunner().invoke(app, ["config", "example"]).output
    config = tmp_path / "mentorbot.toml"
    config.write_text(example.replace('data_dir = "data"', f'data_dir = "{tmp_path / "data"}"'))
    at = args.index("--config")
    args = [*args[:at], "--config", str(config), *args[at + 2 :]]
    env = dict.fromkeys(("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "DATABASE_URL"), "")
    result = CliRunner().invoke(app, args, env=env, input="")
    assert result.exit_code != 0, result.output  # no silent exit 0 for systemd to accept
    return result.output


def test_the_deployments_serve_slack_with_the_example_config(tmp_path):
    """A config made by `mentorbot config example` keeps platforms = ["console"]; the unit and
    the image still serve Slack (they say --platform slack), so a missing token stops them.
    """
    unit = (ROOT / "deploy" / "mentorbot.service").read_text()
    _, *unit_args = shlex.split(re.search(r"^ExecStart=(.+)$", unit, re.MULTILINE).group(1))  # type: ignore[union-attr]
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = json.loads(re.search(r"^CMD (\[.+\])$", dockerfile, re.MULTILINE).group(1))  # type: ignore[union-attr]
    for args in (unit_args, cmd):
        assert "SLACK_BOT_TOKEN is not set" in _serves_slack_with_the_example_config(args, tmp_path)


def test_the_container_image_runs_a_command_the_cli_accepts():
    dockerfile = (ROOT / "Dockerfile").read_text()
    entry = json.loads(re.search(r"^ENTRYPOINT (\[.+\])$", dockerfile, re.MULTILINE).group(1))  # type: ignore[union-attr]
    cmd = json.loads(re.search(r"^CMD (\[.+\])$", dockerfile, re.MULTILINE).group(1))  # type: ignore[union-attr]
    assert entry == ["mentorbot"]
    assert _parses(cmd)


def test_a_bad_option_would_be_caught():
    """The check above is real: an option the CLI lacks fails."""
    assert not _parses(["run", "--no-such-option"])
    assert _parses(["run", "--port", "3000"])
