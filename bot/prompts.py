"""Every user-facing sentence, loaded from TOML files and checked at start-up.

Templates use ``{placeholder}`` fields. Each owner (the core, and every capability in its
``register``) declares its :class:`Words`: the keys it uses with the placeholders each may
contain, and the file of their bundled English text beside its code. Loading fails with a
clear message when a key is missing, unknown, declared twice, bundled by an owner that did not
declare it, or uses a placeholder the code will not supply. Values filled in are untrusted user
text unless they are already :class:`~bot.spans.Text`.
"""

from __future__ import annotations

import copy
import string
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from bot.errors import ConfigError
from bot.i18n import locales
from bot.i18n.cldr import counted
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


class Speaker(Protocol):
    """Whoever a message is for: the language they chose and the one their platform reports
    (a :class:`~storage.models.Person`, or a query's row naming both).
    """

    @property
    def locale(self) -> str | None:
        """The language they chose with ``/mentor language``."""
        ...

    @property
    def platform_locale(self) -> str | None:
        """The language of their Slack profile or Discord client."""
        ...


@dataclass(frozen=True)
class Language:
    """A person's two language settings, carried where the person is not (an outbox row's
    arguments, rendered when sent): see :func:`language_args`.
    """

    locale: str | None = None
    platform_locale: str | None = None


def language_args(person: Speaker) -> dict[str, str | None]:
    """What a queued renderer's arguments carry so the message is rendered, when sent, in the
    recipient's language (the dispatcher reads them back with :meth:`Prompts.for_args`).
    """
    return {"locale": person.locale, "platform_locale": person.platform_locale}


def _read_locale(folders: Iterable[Path]) -> dict[str, str]:
    """One locale's text: every ``*.toml`` of its folders (later folders win, key by key)."""
    templates: dict[str, str] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.toml")):
            templates.update(_read(path))
    return templates


def _check_locale(
    tag: str, templates: Mapping[str, str], catalog: Mapping[str, frozenset[str]]
) -> tuple[dict[str, tuple[_Piece, ...]], list[str]]:
    """A locale's parsed templates, and its problems: keys English does not have, templates
    that do not parse, placeholders the English key does not declare (those keys are left
    out, so English shows instead).
    """
    pieces: dict[str, tuple[_Piece, ...]] = {}
    problems: list[str] = []
    for key, template in sorted(templates.items()):
        if key not in catalog:
            problems.append(f"{tag}: unknown prompt {key!r} (not in the English text)")
            continue
        try:
            parsed = _parse(key, template)
        except ConfigError as exc:
            problems.append(f"{tag}: {exc}")
            continue
        bad = sorted({p.field for p in parsed if p.field} - catalog[key])
        if bad:
            problems.append(
                f"{tag}: prompt {key!r} uses placeholder(s) the English text does not declare: "
                + ", ".join("{" + b + "}" for b in bad)
            )
            continue
        pieces[key] = parsed
    return pieces, problems


class Prompts:
    """Validated templates; ``render`` turns one into :class:`Text`.

    English is the base; each locale is laid over it key by key (a key it lacks shows in
    English). One object is bound to one language: :meth:`for_person` and :meth:`for_locale`
    give the same prompts in another.
    """

    def __init__(
        self,
        templates: Mapping[str, str],
        catalog: Mapping[str, frozenset[str]],
        *,
        translations: Mapping[str, Mapping[str, str]] | None = None,
        default_locale: str = locales.BASE,
    ) -> None:
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
        self._sources = {key: templates[key] for key in self._pieces}
        self._overlays: dict[str, dict[str, tuple[_Piece, ...]]] = {}
        self._problems: dict[str, list[str]] = {}
        for tag, texts in (translations or {}).items():
            self._overlays[tag], self._problems[tag] = _check_locale(tag, texts, catalog)
        self._default = locales.resolve(
            chosen=default_locale, platform=None, available=self._overlays, default=locales.BASE
        )
        self._locale = locales.BASE
        self._overlay: Mapping[str, tuple[_Piece, ...]] = {}

    @classmethod
    def load(
        cls,
        dirs: Iterable[Path] = (),
        *,
        words: Iterable[Words] = (),
        catalog: Mapping[str, frozenset[str]] | None = None,
        default_locale: str = locales.BASE,
    ) -> Prompts:
        """Load each owner's bundled text (``words``), then each directory in ``dirs`` on top
        (later wins), checked against the owners' declarations plus ``catalog``; then each
        locale folder, bundled (``prompts/locales/<tag>/``) or in a directory of ``dirs``
        (``<dir>/locales/<tag>/``). The whole bot's: :func:`bot.app.load_prompts`.
        """
        templates, declared = _bundled(words)
        if catalog is not None:
            declared.update(catalog)
        roots = [Path(d) for d in dirs]
        for directory in roots:
            if not directory.is_dir():
                raise ConfigError(f"prompts directory {directory} does not exist")
            for path in sorted(directory.glob("*.toml")):
                templates.update(_read(path))
        folders = locales.locale_folders([bundled_dir(), *roots])
        translations = {tag: _read_locale(paths) for tag, paths in folders.items()}
        return cls(templates, declared, translations=translations, default_locale=default_locale)

    # -- languages ------------------------------------------------------------------------
    @property
    def locale(self) -> str:
        """The language these prompts speak (a tag such as ``en`` or ``pt-BR``)."""
        return self._locale

    @property
    def default_locale(self) -> str:
        """The program's language (``[program] language``, when we have it; else English)."""
        return self._default

    def locales(self) -> list[str]:
        """Every language available: English and each locale folder found."""
        return sorted({locales.BASE, *self._overlays})

    def for_locale(self, tag: str | None) -> Prompts:
        """These prompts in the language ``tag`` (matched loosely, like a platform's; the
        program's language when there is no such translation).
        """
        chosen = locales.resolve(
            chosen=tag, platform=None, available=self._overlays, default=self._default
        )
        if chosen == self._locale:
            return self
        bound = copy.copy(self)
        bound._locale = chosen
        bound._overlay = self._overlays.get(chosen, {})
        return bound

    def for_everyone(self) -> Prompts:
        """These prompts in the program's language: for a channel, read by everyone."""
        return self.for_locale(self._default)

    def for_person(self, person: Speaker) -> Prompts:
        """These prompts in ``person``'s language: the one they chose, else their platform's
        when we have it, else the program's. Render everything meant for a person with this.
        """
        chosen = locales.resolve(
            chosen=person.locale,
            platform=person.platform_locale,
            available=self._overlays,
            default=self._default,
        )
        return self.for_locale(chosen)

    def for_args(self, args: Mapping[str, Any]) -> Prompts:
        """These prompts in the language a queued message's arguments name
        (:func:`language_args`); the program's language when they name none.
        """
        return self.for_person(Language(args.get("locale"), args.get("platform_locale")))

    def translated(self, key: str) -> bool:
        """Whether ``key`` has its own text in this language (else it shows in English)."""
        return key in self._overlay

    def missing(self, tag: str) -> list[str]:
        """The keys the locale ``tag`` has no text for (they show in English)."""
        return sorted(set(self._pieces) - set(self._overlays.get(tag, {})))

    def problems(self, tag: str) -> list[str]:
        """What is wrong in the locale ``tag`` (unknown keys, foreign placeholders)."""
        return list(self._problems.get(tag, []))

    def keys(self) -> list[str]:
        """Every prompt key."""
        return sorted(self._pieces)

    def source(self, key: str) -> str:
        """The English template of ``key``, as written (to start a translation from)."""
        return self._sources[key]

    def placeholders(self, key: str) -> frozenset[str]:
        """The placeholders the prompt ``key`` may use."""
        return self._catalog[key]

    def render(self, key: str, /, **values: Any) -> Text:
        """Fill template ``key``; str values are untrusted, Text values keep their spans."""
        try:
            pieces = self._overlay.get(key) or self._pieces[key]
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
                shown = value.plain() if isinstance(value, Text) else str(value)
                spans.append(Span(counted(shown, piece.plural, self._locale), True))
            elif isinstance(value, Text):
                spans.extend(value.spans)
            else:
                spans.append(Span(str(value), False))
        return Text(tuple(s for s in spans if s.text))

    def text(self, key: str, /, **values: Any) -> str:
        """Plain rendering, for places that take only a string (button labels, form titles)."""
        return self.render(key, **values).plain()
