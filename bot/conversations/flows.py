"""The conversations mentorbot knows, each a script in prompts/scripts plus the code behind it."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bot.conversations.engine import Conversations, Flow
from bot.conversations.scripts import load_scripts
from bot.feedback import FEEDBACK_CONTRACT, finish_feedback
from bot.goals import GOAL_CONTRACT, PROGRESS_CONTRACT, finish_goal, finish_progress
from bot.profile_steps import PROFILE_CONTRACT, finish_profile, save_profile_answer
from bot.surveys import SURVEY_CONTRACT, finish_survey

FLOWS = {
    "goal": Flow(GOAL_CONTRACT, finish_goal, "conv.name.goal", "/mentor goal"),
    "progress": Flow(PROGRESS_CONTRACT, finish_progress, "conv.name.progress", "/mentor progress"),
    "feedback": Flow(FEEDBACK_CONTRACT, finish_feedback, "conv.name.feedback", "/mentor feedback"),
    "survey": Flow(SURVEY_CONTRACT, finish_survey, "conv.name.survey", "/mentor survey"),
    "profile": Flow(
        PROFILE_CONTRACT,
        finish_profile,
        "conv.name.profile",
        "/mentor profile edit",
        on_answer=save_profile_answer,
    ),
}


def build_conversations(prompt_dirs: Iterable[Path] = ()) -> Conversations:
    """Load and check every script (bundled, or overridden in ``<prompts_dir>/scripts``)."""
    scripts = load_scripts({name: flow.contract for name, flow in FLOWS.items()}, prompt_dirs)
    return Conversations(scripts, FLOWS)
