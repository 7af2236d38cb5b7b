"""Change in the same people: the instrument's [scoring] is what the report computes from, the
paired change and its interval recover a planted effect, and small groups stay hidden."""

from __future__ import annotations

import statistics
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.app import load_prompts
from bot.conversations.scripts import bundled_scripts_dir, parse_script
from bot.errors import ConfigError
from bot.report.figures import HIDDEN, build
from bot.surveys.change import paired_change
from bot.surveys.instrument import load_instrument
from bot.surveys.records import SURVEY_CONTRACT
from fakes.outcomes import generate
from storage.engine import transaction
from storage.models import Member, Person, Program, SurveyResponse

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
BUNDLED = (bundled_scripts_dir() / "survey.toml").read_text(encoding="utf-8")


def _report(engine, settings, program_id):  # type: ignore[no-untyped-def]
    with transaction(engine) as s:
        program = s.get(Program, program_id)
        return build(s, program, settings, now=NOW, prompts=load_prompts())


def _answer(engine, program_id: int, rows: list[tuple[str, dict[str, int]]]) -> None:
    """Replace the program's survey answers by ``rows`` (survey, answers), one member each
    in turn (the k-th mid row and the k-th end row are the same person)."""
    with transaction(engine) as s:
        for old in s.exec(select(SurveyResponse)).all():
            s.delete(old)
        members = s.exec(select(Member).where(Member.program_id == program_id)).all()
        seen = {"mid": 0, "end": 0}
        for survey, answers in rows:
            member = members[seen[survey]]
            seen[survey] += 1
            s.add(
                SurveyResponse(
                    program_id=program_id,
                    member_id=member.id,
                    survey=survey,
                    answers=answers,
                    created_at=datetime(2026, 10, 1 if survey == "mid" else 30, tzinfo=UTC),
                )
            )


# the program is built once and shared with tests/report/test_effects.py (conftest.py)
pytestmark = pytest.mark.xdist_group("effects_program")


@pytest.fixture(scope="module")
def planted(effects_program):
    """200 people in two teams driven through the bot: team Alpha's belonging truly rises by
    0.5 from mid-program to end, team Beta's truly does not change (and Asia's mentees wait
    a round, which the report's tests read)."""
    bot, truth = effects_program
    base = bot.settings
    with transaction(bot.engine) as s:
        (program,) = s.exec(select(Program)).all()
        report = build(
            s, program, base, now=bot.clock.now(), zone="Europe/Berlin", prompts=bot.prompts
        )
        answers: dict[str, dict[str, dict[int, dict]]] = {}
        rows = s.exec(
            select(SurveyResponse, Person.team)
            .join(Member, Member.id == SurveyResponse.member_id)  # type: ignore[arg-type]
            .join(Person, Person.id == Member.person_id)  # type: ignore[arg-type]
        ).all()
        for response, team in rows:
            answers.setdefault(team, {"mid": {}, "end": {}})[response.survey][
                response.member_id
            ] = response.answers
    bot.engine.dispose()
    return truth, report, answers, base


@pytest.mark.slow
def test_the_paired_change_recovers_each_team_s_planted_effect(planted):
    """Per team, the paired change is the planted answers' mean change and its 95% interval
    holds the true effect: Alpha's holds 0.5 and not 0, Beta's holds 0."""
    truth, _report, answers, settings = planted
    belonging = load_instrument(settings).scale("belonging")
    for team, effect in (("Alpha", 0.5), ("Beta", 0.0)):
        change = paired_change(belonging, answers[team]["mid"], answers[team]["end"])
        planted_steps = truth.belonging_change[team]
        assert change.n == len(planted_steps) >= 30
        assert change.mean == pytest.approx(statistics.fmean(planted_steps))
        assert change.improved == planted_steps.count(1)
        assert change.low is not None and change.high is not None
        assert change.low <= effect <= change.high, (team, change)
        if effect:
            assert change.low > 0, change


@pytest.mark.slow
def test_the_report_shows_change_in_the_same_people_and_both_intentions(planted):
    """The report's paired table and headline figures are the people who answered both, with
    scipy's t interval; "thinking of dropping out" at the end counts the drop-out question's
    1-2 answers (not "keep in touch"), and "intend to stay" is in the chart."""
    from scipy import stats

    truth, report, _answers, _settings = planted
    steps = [d for team in ("Alpha", "Beta") for d in truth.belonging_change[team]]
    mean = statistics.fmean(steps)
    low, high = stats.t.interval(0.95, len(steps) - 1, mean, stats.sem(steps))
    change = {row[0]: row[1:] for row in report.table("surveys_change").rows}
    improved = round(100 * steps.count(1) / len(steps))
    assert change["belonging"] == [
        len(steps),
        round(mean, 2),
        round(low, 2),
        round(high, 2),
        improved,
    ]
    assert "continue_after" not in change  # asked at the end only: no change to show
    got = report.figures()
    assert got["surveys.headline_belonging_change"].startswith(
        f"{len(steps)} people answered both: mean change {mean:+.2f} "
        f"(95% interval {low:+.2f} to {high:+.2f})"
    )
    stay = change["continue"]
    assert f"mean change {stay[1]:+.2f} " in got["surveys.headline_staying_change"]
    for which in ("mid", "end"):
        stay = truth.survey[(which, "continue")]
        assert got[f"surveys.dropping_out_{which}"] == f"{sum(v <= 2 for v in stay)} of {len(stay)}"
        assert (
            got[f"surveys.intend_to_stay_{which}"] == f"{sum(v >= 4 for v in stay)} of {len(stay)}"
        )
    (chart,) = [c for s in report.sections for c in s.charts if c.name == "surveys"]
    assert "intend to stay" in chart.labels


def test_small_groups_hide_their_change_and_their_improved_share(bot, settings):
    """Two people who answered both: the change is hidden; five of whom one improved: the
    change shows, the share improved (1 of 5, and so 4 of 5) is hidden; so is the headline
    of a scale only two answered."""
    truth = generate(bot.engine, people=20, weeks=1)
    five = [("mid", {"belonging": 3, "social": 2}) for _ in range(5)]
    five += [("end", {"belonging": 4, "social": 2})] + [("end", {"belonging": 3, "social": 2})] * 4
    two = [("mid", {"continue": 2})] * 2 + [("end", {"continue": 5})] * 2  # the same two
    _answer(bot.engine, truth.program_id, five + two)
    report = _report(bot.engine, settings, truth.program_id)
    rows = {row[0]: row[1:] for row in report.table("surveys_change").rows}
    assert rows["belonging"][:2] == [5, 0.2] and rows["belonging"][4] == HIDDEN
    assert rows["social"] == [5, 0.0, 0.0, 0.0, 0]  # nobody improved: 0 hides no one
    assert rows["continue"] == [HIDDEN] * 5
    got = report.figures()
    assert got["surveys.headline_belonging_change"].startswith("5 people answered both: mean")
    assert got["surveys.headline_staying_change"] == HIDDEN


def test_a_swapped_in_instrument_is_what_the_report_scores(bot, settings, tmp_path):
    """A program's own survey.toml (a two-question belonging scale with one item reversed,
    answered 1-7, dropping out as answers 1-3) changes the report's numbers, no code."""
    scripts = tmp_path / "mine" / "scripts"
    scripts.mkdir(parents=True)
    (scripts / "survey.toml").write_text(
        BUNDLED.split("[[steps]]", 1)[0]
        + """
[[steps]]
id = "fit_in"
kind = "number"
ask = "I fit in here (1-7)"
min = 1
max = 7

[[steps]]
id = "outsider"
kind = "number"
ask = "I often feel like an outsider (1-7)"
min = 1
max = 7

[[steps]]
id = "leave"
kind = "number"
ask = "How often do you think of leaving? (1 never - 7 daily)"
min = 1
max = 7

[scoring]
belonging = "belongs"
staying = "stays"
dropping_out = { question = "leave", answers = [5, 6, 7] }
intend_to_stay = { question = "leave", answers = [1, 2] }

[scoring.scales.belongs]
name = "belonging (two items)"
questions = ["fit_in", "outsider"]
range = [1, 7]
reverse = ["outsider"]

[scoring.scales.stays]
name = "intention to stay"
questions = ["leave"]
range = [1, 7]
reverse = ["leave"]
""",
        encoding="utf-8",
    )
    mine = replace(settings, bot=replace(settings.bot, prompts_dir=str(tmp_path / "mine")))
    truth = generate(bot.engine, people=20, weeks=1)
    # eight people: two in each region (four regions of one each would hide everyone's n)
    mid = [("mid", {"fit_in": 6, "outsider": 3, "leave": 6})] * 8  # belongs (6 + 5) / 2
    end = [("end", {"fit_in": 7, "outsider": 1, "leave": 1})] * 8  # belongs 7
    _answer(bot.engine, truth.program_id, mid + end)
    report = _report(bot.engine, mine, truth.program_id)
    means = {row[0]: row[1:] for row in report.table("surveys").rows}
    assert means == {"belongs": [8, 5.5, 8, 7.0], "stays": [8, 2.0, 8, 7.0]}
    assert report.table("surveys").words["belongs"] == "belonging (two items)"
    change = {row[0]: row[1:] for row in report.table("surveys_change").rows}
    assert change["belongs"] == [8, 1.5, 1.5, 1.5, 100]
    got = report.figures()
    assert (
        got["surveys.dropping_out_mid"] == "8 of 8" and got["surveys.dropping_out_end"] == "0 of 8"
    )
    assert "mean change +5.00 " in got["surveys.headline_staying_change"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'belonging = "belonging"',
            'belonging = "nowhere"',
            "belonging must name one of the scales",
        ),
        (
            "answers = [1, 2] }",
            "answers = [0, 1] }",
            r"dropping_out: answers must be within 1-5",
        ),
        (
            'dropping_out = { question = "continue"',
            'dropping_out = { question = "open"',
            r"dropping_out: 'open' is not a scale or number step",
        ),
        (
            'questions = ["social"]\nrange = [1, 5]',
            'questions = ["social"]\nrange = [1, 7]',
            r"\[scoring.scales.social\]: 'social' is answered 1-5, not 1-7",
        ),
        (
            'questions = ["confidence"]',
            'questions = ["confidence"]\nreverse = ["value"]',
            r"\[scoring.scales.confidence\]: reverse must list some of the scale's questions",
        ),
        (
            'questions = ["value"]',
            'questions = ["value", "belonging"]',
            r"a question belongs to one scale only: belonging",
        ),
        ("\n[scoring]\n", "\n[scoring_]\n", r"unknown key\(s\) scoring_"),
    ],
)
def test_a_broken_scoring_stops_start_up_with_the_entry_named(tmp_path, old, new, message):
    """Each mistake in [scoring] is a ConfigError naming the file and the entry."""
    assert old in BUNDLED
    path = tmp_path / "survey.toml"
    path.write_text(BUNDLED.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        parse_script(path, SURVEY_CONTRACT)


def test_prompts_check_reports_a_broken_instrument(tmp_path):
    """`mentorbot prompts check` names the broken entry of a coordinator's survey.toml and
    exits 1, without a traceback."""
    from typer.testing import CliRunner

    from bot.cli.main import app

    scripts = tmp_path / "prompts" / "scripts"
    scripts.mkdir(parents=True)
    (scripts / "survey.toml").write_text(
        BUNDLED.replace('staying = "continue"', 'staying = "nope"'), encoding="utf-8"
    )
    config = tmp_path / "mentorbot.toml"
    config.write_text(f'[bot]\nprompts_dir = "{tmp_path / "prompts"}"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["--config", str(config), "prompts", "check"])
    assert result.exit_code == 1, result.output
    assert "survey.toml [scoring]: staying must name one of the scales" in result.output
    assert "Traceback" not in result.output


def test_the_interval_is_scipy_s_t_interval_and_a_flat_change_is_exact():
    """Student's t interval of the mean change; everyone moving alike gives a point."""
    from scipy import stats

    from bot.surveys.change import interval

    values = [1.0, 0.0, 2.0, 1.0, -1.0]
    low, high = stats.t.interval(0.95, 4, statistics.fmean(values), stats.sem(values))
    assert interval(values) == pytest.approx((low, high))
    assert interval([0.5, 0.5, 0.5]) == (0.5, 0.5) and interval([1.0]) is None
