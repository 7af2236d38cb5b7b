"""Every user-facing sentence, loaded from TOML files and checked at start-up.

Templates use ``{placeholder}`` fields. Each owner (the core, and every capability in its
``register``) declares its :class:`Words`: the keys it uses with the placeholders each may
contain, and the file of their bundled English text beside its code. Loading fails with a
clear message when a key is missing, unknown, declared twice, bundled by an owner that did not
declare it, or uses a placeholder the code will not supply. Values filled in are untrusted user
text unless they are already :class:`~bot.spans.Text`.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from bot.errors import ConfigError
from bot.spans import Span, Text

_FORMATTER = string.Formatter()


@dataclass(frozen=True)
class _Piece:
    literal: str
    field: str | None
    plural: tuple[str, str] | None = None  # {count:pair|pairs} -> "1 pair", "2 pairs"


def bundled_dir() -> Path:
    """The prompts/ directory shipped with mentorbot (the core's text, conversation scripts)."""
    return Path(str(resources.files("prompts")))


@dataclass(frozen=True)
class Words:
    """One owner's prompts: each key with the placeholders it may use, and the TOML file of
    their bundled English text (a capability's ``prompts.toml`` beside its code).
    """

    owner: str
    catalog: Mapping[str, frozenset[str]]
    text: Path


def _read(path: Path) -> dict[str, str]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    templates: dict[str, str] = {}
    _flatten(data, "", templates, path)
    return templates


def _bundled(words: Iterable[Words]) -> tuple[dict[str, str], dict[str, frozenset[str]]]:
    """Each owner's text and the assembled catalog; a key declared twice, or bundled by an
    owner that did not declare it, is an error.
    """
    templates: dict[str, str] = {}
    catalog: dict[str, frozenset[str]] = {}
    problems: list[str] = []
    declared_by: dict[str, str] = {}
    for part in words:
        for key, names in part.catalog.items():
            if key in declared_by:
                problems.append(
                    f"prompt {key!r} declared by both {declared_by[key]} and {part.owner}"
                )
            declared_by[key] = part.owner
            catalog[key] = names
        text = _read(part.text)
        strays = sorted(set(text) - set(part.catalog))
        if strays:
            problems.append(
                f"{part.text}: prompts not declared by {part.owner}: " + ", ".join(strays)
            )
        templates.update(text)
    if problems:
        raise ConfigError("prompt files are not valid:\n  - " + "\n  - ".join(problems))
    return templates, catalog


def _flatten(data: Mapping[str, Any], prefix: str, out: dict[str, str], source: Path) -> None:
    for key, value in data.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping):
            _flatten(value, full, out, source)
        elif isinstance(value, str):
            out[full] = value
        else:
            raise ConfigError(f"{source}: prompt {full!r} must be text, not {type(value).__name__}")


def _parse(key: str, template: str) -> tuple[_Piece, ...]:
    pieces: list[_Piece] = []
    try:
        parsed = list(_FORMATTER.parse(template))
    except ValueError as exc:
        raise ConfigError(
            f"prompt {key!r}: {exc} (write {{{{ and }}}} for literal braces)"
        ) from exc
    for literal, field, spec, conversion in parsed:
        plural: tuple[str, str] | None = None
        if field is not None and spec:
            forms = spec.split("|")
            if len(forms) != 2 or not all(f.strip() for f in forms):
                raise ConfigError(
                    f"prompt {key!r}: {{{field}:{spec}}} should be a number with its singular "
                    f"and plural words, like {{{field}:pair|pairs}}"
                )
            plural = (forms[0], forms[1])
        if field is not None and (not field.isidentifier() or conversion):
            raise ConfigError(
                f"prompt {key!r}: placeholder {{{field}}} must be a plain name like {{name}}"
            )
        pieces.append(_Piece(literal, field, plural))
    return tuple(pieces)


def _counted(value: Any, forms: tuple[str, str]) -> str:
    """``3`` with ("pair", "pairs") -> "3 pairs"; "1 pair" for one."""
    shown = value.plain() if isinstance(value, Text) else str(value)
    try:
        one = float(shown) == 1
    except ValueError:
        one = False
    return f"{shown} {forms[0] if one else forms[1]}"


class Prompts:
    """Validated templates; ``render`` turns one into :class:`Text`."""

    def __init__(self, templates: Mapping[str, str], catalog: Mapping[str, frozenset[str]]) -> None:
        problems: list[str] = []
        missing = sorted(set(catalog) - set(templates))
        if missing:
            problems.append("missing prompts: " + ", ".join(missing))
        unknown = sorted(set(templates) - set(catalog))
        if unknown:
            problems.append("unknown prompts (typo?): " + ", ".join(unknown))
        self._pieces: dict[str, tuple[_Piece, ...]] = {}
        for key, template in templates.items():
            if key not in catalog:
                continue
            try:
                pieces = _parse(key, template)
            except ConfigError as exc:
                problems.append(str(exc))
                continue
            used = {p.field for p in pieces if p.field}
            bad = sorted(used - catalog[key])
            if bad:
                allowed = ", ".join("{" + n + "}" for n in sorted(catalog[key])) or "none"
                problems.append(
                    f"prompt {key!r} uses unknown placeholder(s) "
                    + ", ".join("{" + b + "}" for b in bad)
                    + f"; allowed: {allowed}"
                )
            self._pieces[key] = pieces
        if problems:
            raise ConfigError("prompt files are not valid:\n  - " + "\n  - ".join(problems))
        self._catalog = catalog

    @classmethod
    def load(
        cls,
        dirs: Iterable[Path] = (),
        *,
        words: Iterable[Words] = (),
        catalog: Mapping[str, frozenset[str]] | None = None,
    ) -> Prompts:
        """Load each owner's bundled text (``words``), then each directory in ``dirs`` on top
        (later wins), checked against the owners' declarations plus ``catalog``. The whole
        bot's: :func:`bot.app.load_prompts`.
        """
        templates, declared = _bundled(words)
        if catalog is not None:
            declared.update(catalog)
        for directory in [Path(d) for d in dirs]:
            if not directory.is_dir():
                raise ConfigError(f"prompts directory {directory} does not exist")
            for path in sorted(directory.glob("*.toml")):
                templates.update(_read(path))
        return cls(templates, declared)

    def keys(self) -> list[str]:
        """Every prompt key."""
        return sorted(self._pieces)

    def placeholders(self, key: str) -> frozenset[str]:
        """The placeholders the prompt ``key`` may use."""
        return self._catalog[key]

    def render(self, key: str, /, **values: Any) -> Text:
        """Fill template ``key``; str values are untrusted, Text values keep their spans."""
        try:
            pieces = self._pieces[key]
        except KeyError:
            raise KeyError(f"no prompt named {key!r}") from None
        spans: list[Span] = []
        for piece in pieces:
            if piece.literal:
                spans.append(Span(piece.literal, True))
            if piece.field is None:
                continue
            if piece.field not in values:
                raise KeyError(f"prompt {key!r} needs a value for {{{piece.field}}}")
            value = values[piece.field]
            if piece.plural is not None:
                spans.append(Span(_counted(value, piece.plural), True))
            elif isinstance(value, Text):
                spans.extend(value.spans)
            else:
                spans.append(Span(str(value), False))
        return Text(tuple(s for s in spans if s.text))

    def text(self, key: str, /, **values: Any) -> str:
        """Plain rendering, for places that take only a string (button labels, form titles)."""
        return self.render(key, **values).plain()
