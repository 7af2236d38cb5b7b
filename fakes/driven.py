"""A program run through the bot on the fake clock, with known outcomes (the report's tests
compare its truth with the report). It lives in the package, :mod:`bot.demo`, since
``mentorbot demo`` runs it too; this module keeps the tests' old import path.

The report's benchmark writes its year of rows straight to the database (``fakes.outcomes``);
this is the end-to-end version, slower (a few milliseconds per event) and closer to life.
"""

from __future__ import annotations

from typing import Any

from bot.app import MentorBot
from bot.demo.plan import (
    ANSWERED,
    LANGUAGE,
    OUTCOMES,
    SECRET,
    SMALL_ZONE,
    SURVEY_SCALES,
    ZONES,
    DrivenTruth,
    Driver,
    bucket,
)
from bot.demo.run import drive as drive_on

__all__ = [
    "ANSWERED",
    "LANGUAGE",
    "OUTCOMES",
    "SECRET",
    "SMALL_ZONE",
    "SURVEY_SCALES",
    "ZONES",
    "DrivenTruth",
    "Driver",
    "bucket",
    "drive",
]


async def drive(bot: MentorBot, **options: Any) -> DrivenTruth:
    """The program of ``bot.demo.run.drive`` on the console (the options: people, weeks, seed,
    effects, slow_region)."""
    return await drive_on(bot, platform="console", **options)
