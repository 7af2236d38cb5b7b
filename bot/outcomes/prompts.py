"""The prompts the report's group, fairness and over-time sections use, with the
placeholders each may contain; their English text is in ``prompts.toml`` beside this file.
"""

from __future__ import annotations

from pathlib import Path

from bot.prompts import Words

WORDS = Words(
    "outcomes",
    {
        "report.section.groups": frozenset(),
        "report.section.fairness": frozenset(),
        "report.section.over_time": frozenset(),
        "report.dimension.role": frozenset(),
        "report.dimension.region": frozenset(),
        "report.dimension.intake": frozenset(),
        "report.dimension.team": frozenset(),
        "report.dimension.seniority": frozenset(),
        "report.group.all": frozenset(),
        "report.table.outcomes_by": frozenset({"dimension"}),
        "report.table.fairness_by": frozenset({"dimension"}),
        "report.table.rates_by_month": frozenset(),
        "report.table.rates_by_cycle": frozenset(),
        "report.figure.mentees_per_mentor_fewest": frozenset(),
        "report.figure.mentees_per_mentor_median": frozenset(),
        "report.figure.mentees_per_mentor_most": frozenset(),
        "report.figure.waits_longer": frozenset({"dimension", "group"}),
        "report.figure.waits_longer_value": frozenset({"days", "overall"}),
        "report.note.dropping_from": frozenset({"survey", "answers"}),
        "report.note.fairness": frozenset({"slower", "days", "at_least"}),
    },
    Path(__file__).with_name("prompts.toml"),
)
