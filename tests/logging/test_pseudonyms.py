"""Pseudonyms in log lines: stable across restarts of one installation, different in another,
and made from a key only the bot's user can read."""

from __future__ import annotations

import stat

from bot.pseudonyms import KEY_FILE, Pseudonyms


def test_pseudonyms_are_stable_per_installation_and_reveal_nothing(tmp_path):
    """A restart finds the same key; another data directory gets its own key."""
    first = Pseudonyms.for_install(str(tmp_path / "a"))
    again = Pseudonyms.for_install(str(tmp_path / "a"))
    other = Pseudonyms.for_install(str(tmp_path / "b"))
    name = first.of("slack", "U0ZEB42")
    assert name == again.of("slack", "U0ZEB42")
    assert name != other.of("slack", "U0ZEB42") and name != first.of("discord", "U0ZEB42")
    assert name.startswith("u-") and len(name) == 12 and "ZEB" not in name.upper()
    mode = stat.S_IMODE((tmp_path / "a" / KEY_FILE).stat().st_mode)
    assert mode == 0o600


def test_an_unusable_key_file_still_gives_pseudonyms(tmp_path):
    """A damaged key file is not fatal: this process gets a key of its own."""
    (tmp_path / KEY_FILE).write_text("not a key\n")
    pseudonyms = Pseudonyms.for_install(str(tmp_path))
    assert pseudonyms.of("console", "zebediah").startswith("u-")
