"""The console adapter: a scripted session through piped stdin, and its own commands."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from adapters.console import ConsoleSession, escape

SCRIPT = """\
# a new mentee finds their way around
/mentor join mentee
/mentor timezone new york
/mentor profile set skills python, data analysis
/mentor status
/mentor pause 2 weeks
/mentor resume
/mentor timezone Atlantis
/mentor stauts
/as admin
/mentor admin members
"""


def _run_cli(tmp_path: Path, stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "mentorbot.toml"
    config.write_text(f'[bot]\ndata_dir = "{tmp_path / "data"}"\nlog_level = "WARNING"\n')
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MENTORBOT_CONFIG")}
    return subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), "run", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
    )


def test_scripted_console_session(tmp_path):
    """A scripted console walk-through works through piped stdin, in order."""
    result = _run_cli(tmp_path, SCRIPT)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    expected_in_order = [
        "alice> /mentor join mentee",
        "You're in! You joined *Mentorship program* as a mentee.",
        "[DM to alice] Hi alice, welcome",
        "Saved your time zone: America/New_York",
        "Saved your skills you offer: python, data analysis",
        "Role",
        "America/New_York), once you're matched",
        "Enjoy your break!",
        "Welcome back!",
        'I don\'t know the time zone "Atlantis". Did you mean Atlanta?',
        "Did you mean `/mentor status`?",
        "(you are now admin)",
        "alice",
        "mentee, active, America/New_York",
    ]
    position = 0
    for fragment in expected_in_order:
        found = out.find(fragment, position)
        assert found >= 0, f"{fragment!r} missing after position {position}:\n{out}"
        position = found + len(fragment)
    assert "Traceback" not in out + result.stderr
    assert (tmp_path / "data" / "mentorbot.db").exists()


def test_state_survives_a_restart(tmp_path):
    """A second run on the same database remembers the first."""
    _run_cli(tmp_path, "/mentor join mentor\n/mentor profile set capacity 2\n")
    result = _run_cli(tmp_path, "/mentor profile\n")
    assert "Mentee capacity" in result.stdout and "2" in result.stdout
    assert "welcome" not in result.stdout.lower().split("alice> /mentor profile")[1]


def test_run_as_option(tmp_path):
    """--as picks the console user."""
    result = _run_cli(tmp_path, "/mentor join mentor\n", "--as", "bob")
    assert "bob> /mentor join mentor" in result.stdout
    assert "[DM to bob]" in result.stdout


async def test_click_and_submit(bot):
    """/click presses a button of the last reply; /submit sends the last form."""
    out = io.StringIO()
    session = ConsoleSession(bot, out)
    await session.handle_line("/mentor join")
    assert "[1] Join as mentee" in out.getvalue()
    await session.handle_line("/click 1")
    assert "You joined" in out.getvalue()
    await session.handle_line("/mentor profile edit")
    assert "[form] Your mentorship profile" in out.getvalue()
    await session.handle_line('/submit wants="rust, sql" goals="Ship a side project"')
    text = out.getvalue()
    assert "Skills you want" in text and "rust, sql" in text
    await session.handle_line("/click 9")
    assert "usage: /click N" in out.getvalue()


async def test_a_button_in_someone_elses_reply_is_pressed_as_them(bot):
    """A reply's buttons were shown only to who typed the command (as Slack's ephemeral
    replies are): /click after /as acts as that person, and says so."""
    out = io.StringIO()
    session = ConsoleSession(bot, out)
    await session.handle_line("/mentor join mentee")
    await session.handle_line("/mentor timezone Australia")
    assert "[4] Brisbane" in out.getvalue()
    await session.handle_line("/as admin")
    await session.handle_line("/click 4")
    after = out.getvalue().split("(you are now admin)")[-1]
    assert "(you are now alice: the button was in their reply)" in after
    assert "Saved your time zone: Australia/Brisbane" in after and session.user == "alice"
    await session.handle_line("/as admin")
    await session.handle_line("/mentor join mentee")
    await session.handle_line("/mentor timezone US")
    assert "[6] New York" in out.getvalue()
    await session.handle_line("/click 6")  # admin's own reply: admin presses it
    assert session.user == "admin"
    assert "Saved your time zone: America/New_York" in out.getvalue()


async def test_a_form_is_submitted_as_who_it_was_shown_to(bot):
    """/submit after /as submits the form as the person it was shown to, and says so."""
    out = io.StringIO()
    session = ConsoleSession(bot, out)
    await session.handle_line("/mentor join mentee")
    await session.handle_line("/mentor profile edit")
    await session.handle_line("/as admin")
    await session.handle_line('/submit goals="Ship a side project"')
    text = out.getvalue()
    assert "(you are now alice: the form was in their reply)" in text
    assert "Ship a side project" in text and session.user == "alice"


async def test_submitting_a_field_the_form_lacks_names_its_fields(bot):
    """/submit bogus=1 submits nothing and lists the form's fields."""
    out = io.StringIO()
    session = ConsoleSession(bot, out)
    await session.handle_line("/mentor join mentee")
    await session.handle_line("/mentor profile edit")
    await session.handle_line('/submit goals="Learn rust" bogus=1')
    names = "skills, wants, goals, languages, country, availability, quiet, team"
    assert f"This form has no field 'bogus'; its fields are: {names}" in out.getvalue()
    assert "Learn rust" not in out.getvalue().split("bogus=1")[-1]
    await session.handle_line("/submit a=1 b=2")
    assert "This form has no fields 'a', 'b'; its fields are:" in out.getvalue()
    await session.handle_line("/mentor status")
    assert "Learn rust" not in out.getvalue()


async def test_console_meta_commands(bot):
    """/help, unknown console commands, bad /as names and plain DMs."""
    out = io.StringIO()
    session = ConsoleSession(bot, out)
    await session.handle_line("/help")
    await session.handle_line("/frob")
    await session.handle_line("/as bad name!")
    await session.handle_line("help")
    text = out.getvalue()
    assert "console commands:" in text
    assert "unknown console command /frob" in text
    assert "usage: /as NAME" in text
    assert "here's what you can ask me" in text


async def test_user_text_cannot_inject_terminal_escapes(bot):
    """Control characters in user text are stripped before printing."""
    out = io.StringIO()
    session = ConsoleSession(bot, out)
    await session.handle_line("/mentor join mentee")
    await session.handle_line("/mentor profile set goals be \x1b[31mred\x1b[0m")
    assert "\x1b" not in out.getvalue()
    assert escape("a\x1b[2Jb\x07") == "a[2Jb"


def test_interactive_console_quits_cleanly_and_keeps_logs_off_the_screen(tmp_path):
    """In a real terminal (a pty): no scheduler INFO lines on screen and no CancelledError
    tracebacks when /quit comes right after start; the log goes to data/mentorbot.log."""
    import pty
    import select
    import time

    config = tmp_path / "mentorbot.toml"
    config.write_text(f'[bot]\ndata_dir = "{tmp_path / "data"}"\nlog_level = "INFO"\n')
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MENTORBOT_CONFIG")}
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(config), "run"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=tmp_path,
    )
    os.close(slave)
    screen = b""
    deadline = time.monotonic() + 30
    quit_sent = False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            screen += chunk
        if not quit_sent and b"alice> " in screen:
            os.write(master, b"/quit\n")  # at once, while the first pulse jobs still run
            quit_sent = True
        if proc.poll() is not None and not ready:
            break
    proc.wait(timeout=10)
    os.close(master)
    text = screen.decode(errors="replace")
    assert quit_sent and proc.returncode == 0, text
    assert "Traceback" not in text and "CancelledError" not in text, text
    assert " INFO " not in text and "apscheduler" not in text, text
    log = (tmp_path / "data" / "mentorbot.log").read_text()
    assert "Scheduler started" in log


async def test_the_admin_report_is_saved_as_files_and_their_paths_printed(bot):
    """`/mentor admin report` in the console: the figures, then the page and the chart saved
    under the data directory's files/ with their paths (the console can't attach files)."""
    import re

    from fakes.outcomes import generate
    from tests.conversations.helpers import Chat

    generate(bot.engine, people=40, weeks=3, workspace="console")
    out = await Chat(bot).say("/mentor admin report", who="admin")
    assert re.search(r"\d+% of planned meetings held \(\d+ of \d+\)", out), out
    files = Path(bot.settings.bot.data_dir) / "files"
    saved = re.findall(r"saved to (\S+)\]", out)
    assert [Path(p).parent for p in saved] == [files, files]
    page, chart = (Path(p) for p in saved)
    assert page.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert chart.read_bytes().startswith(b"\x89PNG")


async def test_switching_to_an_imported_person_keeps_their_imported_name(bot):
    """The console names people by what is typed after /as; that only names someone new, so a
    person an import named "Yuki Tanaka" keeps that name after /as yuki."""
    from storage import repo
    from storage.engine import transaction

    with transaction(bot.engine) as s:  # as an import leaves them
        repo.get_or_create_person(
            session=s,
            platform="console",
            platform_user_id="yuki",
            display_name="Yuki Tanaka",
            now=bot.clock.now(),
        )
    session = ConsoleSession(bot, io.StringIO())
    await session.handle_line("/as yuki")
    await session.handle_line("/mentor join mentee")
    await session.handle_line("/as newcomer")
    await session.handle_line("/mentor join mentor")
    with transaction(bot.engine) as s:
        yuki = repo.find_person(session=s, platform="console", platform_user_id="yuki")
        newcomer = repo.find_person(session=s, platform="console", platform_user_id="newcomer")
        assert yuki is not None and yuki.display_name == "Yuki Tanaka"
        assert newcomer is not None and newcomer.display_name == "newcomer"
