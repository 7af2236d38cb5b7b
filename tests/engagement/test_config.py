"""The [engagement] settings: read from the file, and out-of-order days refused in words."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings


def test_engagement_days_are_read_and_checked(tmp_path) -> None:
    """Days in order are taken; a reminder after the offer is a friendly ConfigError."""
    good = tmp_path / "good.toml"
    good.write_text("[engagement]\nnudge_after_days = 5\noffer_after_days = 10\n", "utf-8")
    e = load_settings(good, env={}).engagement
    assert (e.nudge_after_days, e.offer_after_days, e.close_after_days) == (5, 10, 28)
    bad = tmp_path / "bad.toml"
    bad.write_text("[engagement]\nnudge_after_days = 14\noffer_after_days = 7\n", "utf-8")
    with pytest.raises(ConfigError, match=r"nudge_after_days < offer_after_days.*now 14, 7, 28"):
        load_settings(bad, env={})
