"""Which language a person gets, and where the translations live.

One rule, :func:`resolve`: the language the person chose (``/mentor language``), else their
platform's (Slack profile, Discord client) when we have that language, else the program's
default (``[program] language``), else English. Tags are BCP 47 as the folders are named
(``es``, ``pt-BR``); platform tags are matched loosely (``pt_BR`` and ``pt`` find ``pt-BR``,
``es-419`` finds ``es``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from pathlib import Path

from babel import Locale, UnknownLocaleError

BASE = "en"  # English is the base text every locale falls back to, key by key


def parse(tag: str) -> Locale | None:
    """Babel's locale for a tag written ``pt-BR`` or ``pt_BR``; None when it is no language."""
    cleaned = tag.strip().replace("_", "-")
    if not cleaned:
        return None
    try:
        return Locale.parse(cleaned, sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def canonical(tag: str) -> str | None:
    """``pt_br`` -> ``pt-BR``; None for what is no language."""
    found = parse(tag)
    return str(found).replace("_", "-") if found is not None else None


def match(tag: str | None, available: Iterable[str]) -> str | None:
    """The available tag for ``tag``: the same one, else one of the same language (the bare
    language first: ``es-419`` -> ``es``, ``pt`` -> ``pt-BR``); None when there is none.
    """
    if not tag:
        return None
    wanted = parse(tag)
    if wanted is None:
        return None
    tags = sorted(available)
    parsed = {t: parse(t) for t in tags}
    for t, loc in parsed.items():
        if loc is not None and str(loc) == str(wanted):
            return t
    same = [t for t, loc in parsed.items() if loc is not None and loc.language == wanted.language]
    bare = [t for t in same if parsed[t].territory is None]  # type: ignore[union-attr]
    choices = bare or same
    return choices[0] if choices else None


def resolve(
    *, chosen: str | None, platform: str | None, available: Iterable[str], default: str
) -> str:
    """The language to speak: chosen, else the platform's if we have it, else the program's
    default if we have it, else English.
    """
    tags = set(available) | {BASE}
    for candidate in (chosen, platform, default):
        found = match(candidate, tags)
        if found is not None:
            return found
    return BASE


def own_name(tag: str) -> str:
    """A language's name in itself (``es`` -> "español", ``pt-BR`` -> "português (Brasil)")."""
    loc = parse(tag)
    return (loc.get_display_name(loc) or tag) if loc is not None else tag


def plain_name(text: str) -> str:
    """A language's name as typed loosely: lower case, without accents ("Português" ->
    "portugues").
    """
    folded = unicodedata.normalize("NFD", text.casefold().strip())
    return "".join(c for c in folded if not unicodedata.combining(c))


def names(tag: str, readers: Iterable[str]) -> set[str]:
    """What a person may call the language ``tag`` (as :func:`plain_name` writes it): its own
    name and its name in each of ``readers``' languages and English, each with and without
    its region ("português (brasil)", "portugues", "portugiesisch", "portuguese").
    """
    loc = parse(tag)
    if loc is None:
        return set()
    found: set[str] = set()
    for reader in {tag, BASE, *readers}:
        seen_by = parse(reader)
        if seen_by is None:
            continue
        for name in (loc.get_display_name(seen_by), loc.get_language_name(seen_by)):
            if name:
                found.add(plain_name(name))
    return found


def locale_folders(roots: Iterable[Path]) -> dict[str, list[Path]]:
    """Each ``<root>/locales/<tag>/`` folder by tag, in the order of ``roots`` (later ones are
    laid over earlier ones); folders whose name is no language are left out (see
    :func:`bad_folders`).
    """
    found: dict[str, list[Path]] = {}
    for root in roots:
        base = Path(root) / "locales"
        if not base.is_dir():
            continue
        for folder in sorted(p for p in base.iterdir() if p.is_dir()):
            tag = canonical(folder.name)
            if tag is not None and tag != BASE:
                found.setdefault(tag, []).append(folder)
    return found


def bad_folders(roots: Iterable[Path]) -> list[Path]:
    """Folders under ``<root>/locales/`` whose name is no language tag Babel knows."""
    bad: list[Path] = []
    for root in roots:
        base = Path(root) / "locales"
        if base.is_dir():
            bad += [p for p in sorted(base.iterdir()) if p.is_dir() and canonical(p.name) is None]
    return bad
