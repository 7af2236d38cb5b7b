"""Conversation scripts are data: overrides reword them, and broken ones stop start-up clearly."""

from __future__ import annotations

from dataclasses import replace

import pytest

from adapters.surfaces import surfaces
from bot.app import build_bot, build_conversations, build_registry
from bot.conversations.scripts import bundled_scripts_dir
from bot.errors import ConfigError
from tests.conversations.helpers import Chat

GOAL = (bundled_scripts_dir() / "goal.toml").read_text(encoding="utf-8")


def _override(tmp_path, name: str, text: str):
    folder = tmp_path / "prompts" / "scripts"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    return tmp_path / "prompts"


def test_bundled_scripts_meet_their_contracts():
    scripts = build_conversations().scripts
    assert set(scripts) == set(build_registry().flows)
    assert [s.id for s in scripts["goal"].steps][:3] == ["what", "measure", "by_when"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('kind = "date"', 'kind = "calendar"'), "kind must be one of"),
        (('id = "measure"', 'id = "measured"'), "the code needs a step with id 'measure'"),
        (('id = "share"\nkind = "yesno"', 'id = "share"\nkind = "text"'), "kind must be yesno"),
        (("One sentence", "One {nmae}"), r"unknown placeholder \{nmae\}; allowed: none"),
        (('coach = ["specific"]', 'coach = ["vibes"]'), "unknown coaching 'vibes'"),
        (("measurable = ", "measurable_x = "), r"\[coaching\] needs text for measurable"),
        (("optional = true\nmax_length = 500", 'when = "full_moon"'), "unknown condition"),
        (("title = ", "titel = "), "unknown key"),
    ],
)
def test_broken_scripts_stop_start_up_with_the_reason(tmp_path, change, message):
    old, new = change
    assert old in GOAL
    folder = _override(tmp_path, "goal", GOAL.replace(old, new, 1))
    with pytest.raises(ConfigError, match=message):
        build_conversations([folder])


def test_unknown_script_files_are_reported(tmp_path):
    folder = _override(tmp_path, "onboarding", GOAL)
    with pytest.raises(ConfigError, match="no conversation named 'onboarding'"):
        build_conversations([folder])


async def test_a_coordinator_rewords_a_script_without_code(tmp_path, settings, clock, engine):
    folder = _override(
        tmp_path,
        "goal",
        GOAL.replace("What exactly do you want to achieve?", "¿Qué quieres lograr exactamente?"),
    )
    custom = replace(settings, bot=replace(settings.bot, prompts_dir=str(folder)))
    bot = build_bot(custom, clock=clock, engine=engine, surfaces=surfaces())
    chat = Chat(bot)
    await chat.say("/mentor join mentee")
    assert "¿Qué quieres lograr exactamente?" in await chat.say("/mentor goal")


async def test_a_coordinator_adds_a_multi_choice_step_and_its_answers_are_kept(
    tmp_path, settings, clock, engine
):
    extra = """
[[steps]]
id = "areas"
kind = "multi"
label = "Areas"
ask = "Which areas does this goal touch?"
choices = [["tech", "Technical"], ["people", "People"], ["career", "Career"]]
"""
    folder = _override(tmp_path, "goal", GOAL.replace("\n[coaching]\n", extra + "\n[coaching]\n"))
    custom = replace(settings, bot=replace(settings.bot, prompts_dir=str(folder)))
    bot = build_bot(custom, clock=clock, engine=engine, surfaces=surfaces())
    chat = Chat(bot)
    await chat.say("/mentor join mentee")
    await chat.say("/mentor goal")
    for answer in ("Lead 2 design reviews", "2 reviews done", "in 6 weeks", "skip", "skip"):
        await chat.say(answer)
    await chat.say("yes")
    areas = await chat.say("no")
    assert "question 8 of 8" in areas and "1. Technical\n" in areas.replace("     ", "")
    assert 'didn\'t recognise "hobbies"' in await chat.say("tech, hobbies")
    assert "Goal 1 is set" in await chat.say("1 and career")
    from sqlmodel import select

    from storage.engine import transaction
    from storage.models import Goal

    with transaction(bot.engine) as s:
        goal = s.exec(select(Goal)).one()
    assert goal.details == {"areas": ["tech", "career"]}


def test_a_script_needs_a_step_asked_every_time(tmp_path):
    from bot.conversations.scripts import ScriptContract, parse_script

    path = tmp_path / "only_conditional.toml"
    path.write_text('title = "T"\n[[steps]]\nid = "a"\nask = "?"\nwhen = "mid"\n')
    contract = ScriptContract(required={}, conditions=frozenset({"mid"}))
    with pytest.raises(ConfigError, match="at least one step must be asked always"):
        parse_script(path, contract)
    path.write_text('title = "T"\n[[steps]]\nid = "a"\nask = "?"\n')
    assert parse_script(path, contract).steps[0].id == "a"
