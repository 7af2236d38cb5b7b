"""The survey instrument's scoring, read from the ``[scoring]`` table of
``prompts/scripts/survey.toml``: which questions make up each scale, the range they are
answered in, which are scored in reverse, and which answers of which question count as
"thinking of dropping out" and as "intend to stay". The report and ``admin survey`` compute
only from this, so a program can swap in a published instrument by editing the file.

A person's score on a scale is the mean of its questions (a reversed answer ``a`` counts as
``low + high - a``), over people who answered every question of the scale in that survey.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.errors import ConfigError

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.conversations.scripts import Step

SCORING = "scoring"  # the table's name in the script
_KEYS = {"scales", "belonging", "staying", "dropping_out", "intend_to_stay"}
_SCALE_KEYS = {"name", "questions", "range", "reverse"}


@dataclass(frozen=True)
class Scale:
    """One scale: its questions (step ids), their range, and the ones scored in reverse."""

    id: str
    name: str
    questions: tuple[str, ...]
    low: int
    high: int
    reverse: frozenset[str]

    def score(self, answers: Mapping[str, Any]) -> float | None:
        """The person's score: the mean of the scale's questions, or None unless they
        answered every one of them (within the range).
        """
        values: list[int] = []
        for question in self.questions:
            value = answers.get(question)
            if not isinstance(value, int) or isinstance(value, bool):
                return None
            if not self.low <= value <= self.high:
                return None
            values.append(self.low + self.high - value if question in self.reverse else value)
        return sum(values) / len(values)


@dataclass(frozen=True)
class AnswersOf:
    """Which answers of one question count (as "thinking of dropping out", say)."""

    question: str
    answers: frozenset[int]

    def says(self, answers: Mapping[str, Any]) -> bool | None:
        """Whether the person gave one of the answers; None when they didn't answer."""
        value = answers.get(self.question)
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        return value in self.answers

    def shown(self) -> str:
        """The answers in words for a label: "1-2", "4, 5 or 7"."""
        values = sorted(self.answers)
        if values == list(range(values[0], values[-1] + 1)) and len(values) > 1:
            return f"{values[0]}-{values[-1]}"
        return ", ".join(map(str, values))


@dataclass(frozen=True)
class Instrument:
    """The survey's scales, the two headline scales, and the drop-out and stay answers."""

    scales: tuple[Scale, ...]
    belonging: str  # the id of the scale the summary's belonging figure reads
    staying: str  # the id of the intention-to-stay scale
    dropping_out: AnswersOf
    intend_to_stay: AnswersOf

    def scale(self, scale_id: str) -> Scale:
        """The scale called ``scale_id``."""
        return next(s for s in self.scales if s.id == scale_id)

    @property
    def names(self) -> dict[str, str]:
        """Each scale's name by id."""
        return {s.id: s.name for s in self.scales}


def read_scoring(file: str, raw: Any, steps: tuple[Step, ...]) -> Instrument:
    """The ``[scoring]`` table of the survey script, checked against its steps; a mistake
    is a :class:`ConfigError` naming the file and the entry.
    """
    where = f"{file} [scoring]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: needs a [scoring] table (how the answers are scored)")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
    ranges = _ranges(steps)
    tables = raw.get("scales")
    if not isinstance(tables, dict) or not tables:
        raise ConfigError(f"{where}: needs [scoring.scales.<id>] tables, one per scale")
    scales = tuple(_scale(f"{file} [scoring.scales.{k}]", k, v, ranges) for k, v in tables.items())
    asked = [q for s in scales for q in s.questions]
    twice = sorted({q for q in asked if asked.count(q) > 1})
    if twice:
        raise ConfigError(f"{where}: a question belongs to one scale only: {', '.join(twice)}")
    ids = [s.id for s in scales]
    headline = {}
    for key in ("belonging", "staying"):
        value = raw.get(key)
        if value not in ids:
            raise ConfigError(f"{where}: {key} must name one of the scales: {', '.join(ids)}")
        headline[key] = str(value)
    rules = {
        k: _answers(f"{where} {k}", raw.get(k), ranges) for k in ("dropping_out", "intend_to_stay")
    }
    return Instrument(scales, headline["belonging"], headline["staying"], **rules)


def _ranges(steps: tuple[Step, ...]) -> dict[str, tuple[int, int]]:
    """The range each numeric question is answered in (a scale step's is 1-5)."""
    out: dict[str, tuple[int, int]] = {}
    for step in steps:
        if step.kind == "scale":
            out[step.id] = (1, 5)
        elif step.kind == "number":
            out[step.id] = (step.min, step.max)
    return out


def _scale(where: str, scale_id: str, raw: Any, ranges: dict[str, tuple[int, int]]) -> Scale:
    """One ``[scoring.scales.<id>]`` table, checked."""
    if not scale_id.isidentifier():
        raise ConfigError(f"{where}: a scale's id is made of letters, digits and _")
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: must be a table")
    unknown = sorted(set(raw) - _SCALE_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
    name, questions = raw.get("name"), raw.get("questions")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}: needs a name (how the report calls the scale)")
    if not _texts(questions) or not questions:
        raise ConfigError(f"{where}: questions must list the ids of its steps")
    span = raw.get("range")
    if not isinstance(span, list) or len(span) != 2 or not all(_whole(x) for x in span):
        raise ConfigError(f"{where}: range must be [lowest, highest], e.g. [1, 5]")
    if span[0] >= span[1]:
        raise ConfigError(f"{where}: range must go from low to high")
    for question in questions:
        if question not in ranges:
            raise ConfigError(f"{where}: {question!r} is not a scale or number step")
        if ranges[question] != tuple(span):
            low, high = ranges[question]
            raise ConfigError(
                f"{where}: {question!r} is answered {low}-{high}, not {span[0]}-{span[1]}"
            )
    reverse = raw.get("reverse", [])
    if not _texts(reverse) or not set(reverse) <= set(questions):
        raise ConfigError(f"{where}: reverse must list some of the scale's questions")
    return Scale(scale_id, name.strip(), tuple(questions), span[0], span[1], frozenset(reverse))


def _answers(where: str, raw: Any, ranges: dict[str, tuple[int, int]]) -> AnswersOf:
    """A ``{ question = "...", answers = [...] }`` entry, checked."""
    if not isinstance(raw, dict) or set(raw) != {"question", "answers"}:
        raise ConfigError(f'{where}: must be {{ question = "<step id>", answers = [1, 2] }}')
    question, answers = raw["question"], raw["answers"]
    if question not in ranges:
        raise ConfigError(f"{where}: {question!r} is not a scale or number step")
    low, high = ranges[question]
    if not isinstance(answers, list) or not answers or not all(_whole(a) for a in answers):
        raise ConfigError(f"{where}: answers must list whole numbers")
    if not all(low <= a <= high for a in answers):
        raise ConfigError(f"{where}: answers must be within {low}-{high}")
    return AnswersOf(question, frozenset(answers))


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def load_instrument(settings: Settings) -> Instrument:
    """The instrument of the survey script the bot runs: ``[bot] prompts_dir``'s
    ``scripts/survey.toml`` if there is one, else the bundled one.
    """
    from bot.conversations.scripts import bundled_scripts_dir, parse_script
    from bot.surveys.records import SURVEY_CONTRACT

    path = bundled_scripts_dir() / "survey.toml"
    if settings.bot.prompts_dir:
        mine = Path(settings.bot.prompts_dir).expanduser() / "scripts" / "survey.toml"
        path = mine if mine.is_file() else path
    instrument: Instrument = parse_script(path, SURVEY_CONTRACT).tables[SCORING]
    return instrument
