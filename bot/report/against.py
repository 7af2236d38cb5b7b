"""Find and build the report a report is compared with: an earlier period of the same program
(``FROM:TO``, or ``previous``: the same length just before) or another program of the same
workspace over the same period (by its slug). Errors are :class:`~bot.errors.UserError`s
worded in the prompts (``report.compare_*``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from sqlmodel import Session

from bot.config import Settings
from bot.errors import UserError
from bot.prompts import Prompts
from bot.registry import Registry
from bot.report.compare import BEFORE, PREVIOUS, PROGRAM, Against, empty, previous
from bot.report.summary import SECTION
from storage import repo
from storage.models import Program


class Target(NamedTuple):
    """The program and period to compare with, and what that is."""

    program: Program
    start: date | None
    end: date | None
    kind: str  # compare.BEFORE or compare.PROGRAM
    label: str


def target(
    session: Session,
    program: Program,
    wanted: tuple[date, date] | str,
    start: date | None,
    end: date | None,
    prompts: Prompts,
) -> Target:
    """What ``wanted`` (``compare.parse_compare``'s) names, for ``program``'s [start, end]."""
    if wanted == PREVIOUS:
        if start is None or end is None:
            raise UserError("report.compare_previous")
        wanted = previous(start, end)
    if isinstance(wanted, tuple):
        first, last = wanted
        label = prompts.text("report.compare.period", start=first, end=last)
        return Target(program, first, last, BEFORE, label)
    found = [p for p in repo.programs(session=session) if p.slug.casefold() == wanted]
    mine = [
        p for p in found if (p.platform, p.workspace_id) == (program.platform, program.workspace_id)
    ]
    if not mine:
        key = "report.compare_elsewhere" if found else "report.compare_unknown"
        raise UserError(key, slug=wanted)
    if mine[0].id == program.id:
        raise UserError("report.compare_same", slug=wanted)
    return Target(mine[0], start, end, PROGRAM, mine[0].name)


def against(
    session: Session,
    program: Program,
    settings: Settings,
    wanted: tuple[date, date] | str,
    *,
    now: datetime,
    start: date | None,
    end: date | None,
    zone: str,
    prompts: Prompts,
    registry: Registry | None,
) -> Against:
    """The other report's summary, to build ``program``'s report against; a UserError when
    there is no such program, it is another workspace's, or the other report is empty.
    """
    from bot.report.figures import build

    other = target(session, program, wanted, start, end, prompts)
    report = build(
        session,
        other.program,
        settings,
        now=now,
        start=other.start,
        end=other.end,
        zone=zone,
        prompts=prompts,
        registry=registry,
    )
    figures = tuple(f for s in report.sections if s.key == SECTION for f in s.figures)
    if empty(figures):
        raise UserError("report.compare_empty", what=other.label)
    return Against(other.kind, other.label, figures, report)
