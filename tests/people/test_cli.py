"""``mentorbot person``: the card and the same changes from the terminal, through the real
command line (typer's runner) on the database a chat bot filled."""

from __future__ import annotations

from typer.testing import CliRunner

from adapters.surfaces import surfaces
from bot.app import build_bot
from bot.cli.main import app
from bot.config import load_settings
from bot.time.clock import FakeClock
from tests.conftest import START
from tests.people.helpers import dms, members, pair_of, program

runner = CliRunner()
ENV = {"DATABASE_URL": "", "MENTORBOT_CONFIG": ""}


def test_person_show_end_and_refusals_from_the_terminal(tmp_path):
    """`person show` prints the card; `person end ... --yes` ends the pair like chat does
    (reason kept for admins, both told); a refused pair exits 1 with the reason; without
    --yes a "no" changes nothing; an unknown name is said plainly."""
    config = tmp_path / "c.toml"
    config.write_text(f'[bot]\ndata_dir = "{tmp_path / "data"}"\n')
    bot = build_bot(load_settings(config, env={}), clock=FakeClock(START), surfaces=surfaces())
    program(bot)

    def cli(*args: str, answer: str = "") -> tuple[int, str]:
        result = runner.invoke(
            app, ["--config", str(config), "person", *args], env=ENV, input=answer
        )
        return result.exit_code, result.output

    code, out = cli("show", "amy")
    assert code == 0, out
    assert "Wants to learn: python" in out and "with cat: since 2026-11-22" in out

    code, out = cli("end", "amy", "cat", "never met", answer="n\n")
    assert code == 1 and "Nothing was changed" in out
    assert pair_of(bot, "amy", "cat").status == "active"

    code, out = cli("end", "amy", "cat", "never met", "--yes")
    assert code == 0, out
    assert "End the pairing of amy and cat?" in out and "• cat: that their pairing has ended" in out
    assert "The pairing of amy and cat has ended (#1). 2 messages queued" in out
    pair = pair_of(bot, "amy", "cat")
    assert (pair.status, pair.end_reason, pair.end_note) == ("ended", "removed", "never met")
    assert set(dms(bot)) == {"amy", "cat"}
    assert members(bot)["amy"].match_priority == 1

    code, out = cli("pair", "amy", "ben", "--yes")
    assert code == 1 and "amy is a mentee and ben is a mentee" in out
    code, out = cli("show", "zed")
    assert code == 1 and "Nobody in Mentorship program goes by 'zed'" in out


def test_the_terminal_gets_plain_text_its_own_commands_and_what_changed(tmp_path):
    """`person show` prints no chat marks and names the terminal's commands; a change says
    what changed with proper plurals; a recent partner needs --anyway."""
    config = tmp_path / "c.toml"
    config.write_text(f'[bot]\ndata_dir = "{tmp_path / "data"}"\n')
    bot = build_bot(load_settings(config, env={}), clock=FakeClock(START), surfaces=surfaces())
    program(bot)

    def cli(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["--config", str(config), "person", *args], env=ENV)
        return result.exit_code, result.output

    code, out = cli("show", "cat")
    assert code == 0, out
    assert "cat (cat) in Mentorship program" in out and "*" not in out and "`" not in out
    assert "mentorbot person remove, readmit, role, pair, end or move" in out
    assert "/mentor admin" not in out

    code, out = cli("end", "amy", "cat", "--yes")
    assert "The pairing of amy and cat has ended (#1). 2 messages queued;" in out
    code, out = cli("pair", "amy", "cat", "--yes")
    assert code == 1 and "amy and cat were partners within the last 3 rounds" in out
    assert "add --anyway" in out
    code, out = cli("pair", "amy", "cat", "--anyway", "--yes")
    assert code == 0, out
    assert "amy and cat are now paired (#3). 1 message queued" in out
    assert pair_of(bot, "amy", "cat").status == "active"
