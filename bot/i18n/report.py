"""``mentorbot prompts check``'s report on each language: what it lacks, what is wrong."""

from __future__ import annotations

from typing import Any

from bot.i18n.locales import BASE, own_name
from bot.prompts import Prompts

SHOWN = 20  # missing keys listed by name; the rest are counted


def locale_report(prompts: Prompts, conversations: Any) -> tuple[list[str], bool]:
    """One block per locale (``conversations`` is ``bot.conversations.runner.Conversations``),
    and whether every locale is complete: every English key and script translated, no
    placeholder English does not declare, every script shaped like the English one.
    """
    lines: list[str] = []
    complete = True
    total = len(prompts.keys())
    for tag in prompts.locales():
        if tag == BASE:
            continue
        missing = prompts.missing(tag)
        scripts = conversations.translations.get(tag, {})
        no_script = sorted(set(conversations.scripts) - set(scripts))
        problems = prompts.problems(tag) + conversations.problems.get(tag, [])
        name = f"{tag} ({own_name(tag)})"
        if not (missing or no_script or problems):
            lines.append(f"{name}: OK, {total} prompts and {len(scripts)} scripts translated")
            continue
        complete = False
        lines.append(f"{name}: NOT COMPLETE")
        if missing:
            listed = ", ".join(missing[:SHOWN])
            more = f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
            lines.append(f"  - {len(missing)} of {total} prompts missing: {listed}{more}")
        if no_script:
            lines.append(f"  - conversation scripts missing: {', '.join(no_script)}")
        lines += [f"  - {problem}" for problem in problems]
    return lines, complete
