"""Conversation scripts: the steps of a guided conversation, loaded from ``prompts/scripts/``.

A script is a TOML file named after the flow it drives (``goal.toml``, ``feedback.toml`` ...).
Its wording, order of steps, hints, choices, optional steps and coaching questions are data, so
a coordinator can change them without touching code. What the code relies on is checked at
start-up against the flow's :class:`ScriptContract`: the step ids it reads (with their kinds),
the placeholders it fills and the conditions it sets. A broken file stops start-up with a
message naming the file and the problem, like the prompt files do.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bot.errors import ConfigError

KINDS = ("text", "choice", "multi", "date", "scale", "yesno", "number")
COACHING = {
    "specific": "text",  # "get better at X" gets a "what would be different?" question
    "measurable": "text",  # a measure with no number or observable result
    "date_window": "date",  # a date too far out (a past date is always re-asked)
}
_FORMATTER = string.Formatter()
_STEP_KEYS = {
    "id",
    "kind",
    "ask",
    "label",
    "hint",
    "optional",
    "max_length",
    "choices",
    "min",
    "max",
    "low",
    "high",
    "points",
    "coach",
    "when",
}


@dataclass(frozen=True)
class Step:
    """One question. ``choices`` are (value, label); ``when`` names a condition the flow sets."""

    id: str
    kind: str
    ask: str
    label: str
    hint: str = ""
    optional: bool = False
    max_length: int = 500
    choices: tuple[tuple[str, str], ...] = ()
    min: int = 0
    max: int = 100
    low: str = ""
    high: str = ""
    points: tuple[str, ...] = ()  # a scale's words for 1 to 5, shown as its legend
    coach: tuple[str, ...] = ()
    when: str = ""


@dataclass(frozen=True)
class Script:
    """A conversation script: title, intro, steps, coaching questions."""

    name: str
    title: str
    intro: str
    steps: tuple[Step, ...]
    form: bool = False  # may open as one form (modal) when started from a command or button
    coaching: Mapping[str, str] = field(default_factory=dict)
    tables: Mapping[str, Any] = field(default_factory=dict)  # the flow's own tables, checked

    def step(self, step_id: str) -> Step:
        """The step called ``step_id``."""
        return next(s for s in self.steps if s.id == step_id)


@dataclass(frozen=True)
class ScriptContract:
    """What a flow's code needs from its script."""

    required: Mapping[str, tuple[str, ...]]  # step id -> kinds the code can read
    placeholders: frozenset[str] = frozenset()
    conditions: frozenset[str] = frozenset()
    # Top-level tables the flow reads itself (a survey's [scoring]): name -> a reader given the
    # file's name, the table and the script's steps, that returns what it read or raises
    # ConfigError; the script carries the results in ``tables``.
    tables: Mapping[str, Callable[[str, Any, tuple[Step, ...]], Any]] = field(default_factory=dict)


def _check_template(where: str, template: str, allowed: frozenset[str]) -> None:
    try:
        parsed = list(_FORMATTER.parse(template))
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc} (write {{{{ and }}}} for literal braces)") from exc
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ConfigError(f"{where}: placeholder {{{name}}} must be a plain name like {{name}}")
        if name not in allowed:
            shown = ", ".join("{" + a + "}" for a in sorted(allowed)) or "none"
            raise ConfigError(f"{where}: unknown placeholder {{{name}}}; allowed: {shown}")


def _choices(where: str, raw: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{where}: choices must be a list of [value, label] pairs")
    out: list[tuple[str, str]] = []
    for item in raw:
        if (
            not isinstance(item, list)
            or len(item) != 2
            or not all(isinstance(x, str) and x.strip() for x in item)
        ):
            raise ConfigError(f"{where}: each choice must be [value, label], both non-empty text")
        value = item[0].strip().lower()
        if not value.replace("_", "").replace("-", "").isalnum():
            raise ConfigError(f"{where}: choice value {item[0]!r} must be a single word")
        out.append((value, item[1]))
    if len({v for v, _ in out}) != len(out):
        raise ConfigError(f"{where}: choice values must be different")
    return tuple(out)


def _coaching(where: str, coach: Any, kind: str) -> list[str]:
    """The coaching checks a step asks for, each known and fitting the step's kind."""
    if not isinstance(coach, list) or not all(isinstance(c, str) for c in coach):
        raise ConfigError(f"{where}: coach must be a list of names")
    for name in coach:
        if name not in COACHING:
            raise ConfigError(f"{where}: unknown coaching {name!r}; use {', '.join(COACHING)}")
        if COACHING[name] != kind:
            raise ConfigError(f"{where}: coaching {name!r} applies to {COACHING[name]} steps")
    return coach


def _numbers(where: str, raw: dict[str, Any]) -> dict[str, int]:
    """``min``, ``max`` and ``max_length``, checked."""
    numbers: dict[str, int] = {}
    for key, default in (("min", 0), ("max", 100), ("max_length", 500)):
        value = raw.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConfigError(f"{where}: {key} must be a whole number")
        numbers[key] = value
    if numbers["min"] >= numbers["max"]:
        raise ConfigError(f"{where}: min must be below max")
    if not 10 <= numbers["max_length"] <= 3000:
        raise ConfigError(f"{where}: max_length must be between 10 and 3000")
    return numbers


def _points(where: str, raw: dict[str, Any], kind: str) -> tuple[str, ...]:
    """A scale's five words (for 1 to 5), if it gives them."""
    points = raw.get("points", [])
    if points and kind != "scale":
        raise ConfigError(f"{where}: only scale steps have points")
    if points and (
        not isinstance(points, list)
        or len(points) != 5
        or not all(isinstance(p, str) and p.strip() for p in points)
    ):
        raise ConfigError(f"{where}: points must be five words, for 1 to 5")
    return tuple(p.strip() for p in points)


def _step(path: Path, index: int, raw: Any, contract: ScriptContract) -> Step:
    where = f"{path.name} step {index + 1}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: must be a table ([[steps]])")
    unknown = sorted(set(raw) - _STEP_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
    step_id = raw.get("id")
    if not isinstance(step_id, str) or not step_id.isidentifier():
        raise ConfigError(f"{where}: needs an id made of letters, digits and _")
    where = f"{path.name} step {step_id!r}"
    kind = raw.get("kind", "text")
    if kind not in KINDS:
        raise ConfigError(f"{where}: kind must be one of {', '.join(KINDS)}")
    ask = raw.get("ask")
    if not isinstance(ask, str) or not ask.strip():
        raise ConfigError(f"{where}: needs the question text in ask")
    for key in ("ask", "hint", "label", "low", "high"):
        value = raw.get(key, "")
        if not isinstance(value, str):
            raise ConfigError(f"{where}: {key} must be text")
        _check_template(f"{where} {key}", value, contract.placeholders)
    choices: tuple[tuple[str, str], ...] = ()
    if kind in ("choice", "multi"):
        choices = _choices(where, raw.get("choices"))
    elif "choices" in raw:
        raise ConfigError(f"{where}: only choice and multi steps have choices")
    coach = _coaching(where, raw.get("coach", []), kind)
    when = raw.get("when", "")
    if when and when not in contract.conditions:
        allowed = ", ".join(sorted(contract.conditions)) or "none"
        raise ConfigError(f"{where}: unknown condition {when!r}; this script knows: {allowed}")
    numbers = _numbers(where, raw)
    optional = raw.get("optional", False)
    if not isinstance(optional, bool):
        raise ConfigError(f"{where}: optional must be true or false")
    label = raw.get("label") or step_id.replace("_", " ").capitalize()
    return Step(
        id=step_id,
        kind=kind,
        ask=ask,
        label=label,
        hint=raw.get("hint", ""),
        optional=optional,
        max_length=numbers["max_length"],
        choices=choices,
        min=numbers["min"],
        max=numbers["max"],
        low=raw.get("low", ""),
        high=raw.get("high", ""),
        points=_points(where, raw, kind),
        coach=tuple(coach),
        when=when,
    )


def parse_script(path: Path, contract: ScriptContract) -> Script:
    """Read and check one script file against its flow's contract."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - {"title", "intro", "form", "steps", "coaching", *contract.tables})
    if unknown:
        raise ConfigError(f"{path.name}: unknown key(s) {', '.join(unknown)}")
    title, intro = data.get("title"), data.get("intro", "")
    if not isinstance(title, str) or not title.strip() or not isinstance(intro, str):
        raise ConfigError(f"{path.name}: needs a title (and intro, if any, as text)")
    _check_template(f"{path.name} title", title, contract.placeholders)
    _check_template(f"{path.name} intro", intro, contract.placeholders)
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise ConfigError(f"{path.name}: needs at least one [[steps]] table")
    steps = tuple(_step(path, i, raw, contract) for i, raw in enumerate(raw_steps))
    if all(s.when for s in steps):
        raise ConfigError(f"{path.name}: at least one step must be asked always (no `when`)")
    ids = [s.id for s in steps]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"{path.name}: step ids must be different")
    for step_id, kinds in contract.required.items():
        if step_id not in ids:
            raise ConfigError(f"{path.name}: the code needs a step with id {step_id!r}")
        kind = steps[ids.index(step_id)].kind
        if kind not in kinds:
            raise ConfigError(
                f"{path.name} step {step_id!r}: kind must be {' or '.join(kinds)}, not {kind}"
            )
    coaching = data.get("coaching", {})
    if not isinstance(coaching, dict) or not all(isinstance(v, str) for v in coaching.values()):
        raise ConfigError(f"{path.name}: [coaching] must map names to question text")
    needed = {name for s in steps for name in s.coach}
    if "date_window" in needed:
        needed = (needed - {"date_window"}) | {"date_far"}
    missing = sorted(needed - set(coaching))
    if missing:
        raise ConfigError(f"{path.name}: [coaching] needs text for {', '.join(missing)}")
    for name, text in coaching.items():
        _check_template(f"{path.name} coaching {name}", text, contract.placeholders | {"answer"})
    form = data.get("form", False)
    if not isinstance(form, bool):
        raise ConfigError(f"{path.name}: form must be true or false")
    tables = {
        name: read(path.name, data.get(name), steps) for name, read in contract.tables.items()
    }
    return Script(
        name=path.stem,
        title=title,
        intro=intro,
        steps=steps,
        form=form,
        coaching=dict(coaching),
        tables=tables,
    )


def bundled_scripts_dir() -> Path:
    """The scripts shipped in prompts/scripts."""
    from bot.prompts import bundled_dir

    return bundled_dir() / "scripts"


def load_scripts(
    contracts: Mapping[str, ScriptContract], dirs: Iterable[Path] = ()
) -> dict[str, Script]:
    """The bundled scripts, each replaced by a same-named file from ``dirs/scripts`` if any."""
    files = {p.stem: p for p in bundled_scripts_dir().glob("*.toml")}
    for directory in dirs:
        extra = Path(directory) / "scripts"
        if extra.is_dir():
            for path in extra.glob("*.toml"):
                if path.stem not in contracts:
                    known = ", ".join(sorted(contracts))
                    raise ConfigError(f"{path}: no conversation named {path.stem!r} ({known})")
                files[path.stem] = path
    missing = sorted(set(contracts) - set(files))
    if missing:
        raise ConfigError(f"conversation scripts missing: {', '.join(missing)}")
    return {name: parse_script(files[name], contracts[name]) for name in sorted(contracts)}


def load_translations(
    contracts: Mapping[str, ScriptContract],
    english: Mapping[str, Script],
    dirs: Iterable[Path] = (),
) -> tuple[dict[str, dict[str, Script]], dict[str, list[str]]]:
    """Each locale's translated scripts (``<root>/locales/<tag>/scripts/<name>.toml``, bundled
    and in ``dirs``; later roots win), and the problems of those left out. A translation keeps
    the English script's structure (step ids in order, kinds, choice values, numbers,
    conditions); its scoring tables are always the English ones.
    """
    from bot.i18n.locales import locale_folders
    from bot.prompts import bundled_dir

    scripts: dict[str, dict[str, Script]] = {}
    problems: dict[str, list[str]] = {}
    for tag, folders in locale_folders([bundled_dir(), *dirs]).items():
        files = {
            p.stem: p
            for f in folders
            if (f / "scripts").is_dir()
            for p in (f / "scripts").glob("*.toml")
        }
        for name, path in sorted(files.items()):
            try:
                if name not in contracts:
                    raise ConfigError(f"{path.name}: no conversation named {name!r}")
                translated = parse_script(path, contracts[name])
                _same_structure(path.name, translated, english[name])
            except ConfigError as exc:
                problems.setdefault(tag, []).append(f"{tag}: {exc}")
                continue
            scripts.setdefault(tag, {})[name] = replace(translated, tables=english[name].tables)
    return scripts, problems


def _shape(step: Step) -> tuple[Any, ...]:
    """What a translation must keep of a step: all but its words."""
    values = tuple(v for v, _ in step.choices)
    return (
        step.id,
        step.kind,
        values,
        step.optional,
        step.min,
        step.max,
        step.max_length,
        step.coach,
        step.when,
        len(step.points),
    )


def _same_structure(where: str, translated: Script, english: Script) -> None:
    ours, theirs = [_shape(s) for s in english.steps], [_shape(s) for s in translated.steps]
    if ours != theirs:
        diff = next(
            (
                f"step {i + 1}: {t[0]!r} ({t[1]}) where English has {o[0]!r} ({o[1]})"
                for i, (o, t) in enumerate(zip(ours, theirs, strict=False))
                if o != t
            ),
            f"{len(theirs)} steps where English has {len(ours)}",
        )
        raise ConfigError(
            f"{where}: steps must keep the English ids, kinds, choice values and numbers; {diff}"
        )
    if translated.form != english.form or set(translated.coaching) != set(english.coaching):
        raise ConfigError(f"{where}: form and [coaching] names must be as in English")
