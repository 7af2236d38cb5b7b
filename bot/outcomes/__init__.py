"""Who the program worked for, whether its matching was fair, and how its rates moved over
time: the program report's sections that split outcomes by group and by month.
"""

from __future__ import annotations

from bot.outcomes.prompts import WORDS
from bot.registry import Registry, ReportSection

HELP_POSITION = 125  # after the capabilities whose outcomes it splits


def register(registry: Registry) -> None:
    """Add the report's group, fairness and over-time sections."""
    from bot.outcomes.fairness import fairness_section
    from bot.outcomes.groups import groups_section
    from bot.outcomes.over_time import over_time_section

    registry.report_section(ReportSection("groups", groups_section))
    registry.report_section(ReportSection("fairness", fairness_section))
    registry.report_section(ReportSection("over_time", over_time_section))
    registry.words(WORDS)
