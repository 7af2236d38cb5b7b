"""The prompts surveys uses, with the placeholders each may contain; their English text is
in ``prompts.toml`` beside this file (registered by ``register``, checked at start-up).
"""

from __future__ import annotations

from pathlib import Path

from bot.prompts import Words

WORDS = Words(
    "surveys",
    {
        "command.survey.usage": frozenset(),
        "command.survey.summary": frozenset(),
        "command.admin.survey.usage": frozenset(),
        "command.admin.survey.summary": frozenset(),
        "button.survey_start": frozenset(),
        "conv.name.survey": frozenset(),
        "survey.usage": frozenset(),
        "survey.admin_usage": frozenset(),
        "survey.name_mid": frozenset(),
        "survey.name_end": frozenset(),
        "survey.invitation": frozenset({"name", "program", "survey"}),
        "survey.invitation_hint": frozenset(),
        "survey.not_open": frozenset({"day", "survey"}),
        "survey.none_open": frozenset({"end", "mid"}),
        "survey.already": frozenset({"survey"}),
        "survey.thanks": frozenset(),
        "survey.mine_none": frozenset(),
        "survey.mine_header": frozenset({"survey"}),
        "survey.admin_header": frozenset({"program", "survey"}),
        "survey.admin_respondents": frozenset(),
        "survey.admin_too_few": frozenset({"count", "minimum", "survey"}),
        "survey.admin_at_risk": frozenset({"answers"}),
        "survey.admin_privacy": frozenset({"minimum"}),
        # the report's surveys section (``report.py``), beside the report's own words
        "report.figure.intend_to_stay": frozenset({"survey", "answers"}),
        "report.figure.headline_belonging_change": frozenset({"scale"}),
        "report.figure.headline_staying_change": frozenset({"scale"}),
        "report.table.surveys_change": frozenset(),
        "report.table.surveys_change_by": frozenset({"dimension"}),
        "report.change": frozenset({"change", "low", "high", "n"}),
        "report.change_one": frozenset({"change", "n"}),
    },
    Path(__file__).with_name("prompts.toml"),
)
