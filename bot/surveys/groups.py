"""Change in the same people, by group: the headline scales' paired change (n, mean change,
95% interval, share improved) for each group of each split of the report (role, region,
intake, team, ...), so a funder sees for whom belonging rose.

Privacy: each group's n, and who improved or not, are counts of people on the page's ledger,
adding up to the whole program's change (``change_key``); a group's mean and interval are
hidden whenever its n is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.outcomes.facts import collect, dimensions
from bot.report_parts import ReportScope, Table, Words
from bot.suppression import HIDDEN, Cells
from bot.surveys.change import Change, change_key, paired_change
from bot.surveys.instrument import Instrument

Answers = Mapping[int, Mapping[str, Any]]
HEADERS = ["scale", "n", "mean change", "95% low", "95% high", "improved %"]


def change_by_group(
    scope: ReportScope, instrument: Instrument, by: Mapping[str, Answers]
) -> list[Table]:
    """One table per split: each headline scale's paired change in each group."""
    members = {f.member_id: f.groups for f in collect(scope)}
    scales = [instrument.scale(instrument.belonging), instrument.scale(instrument.staying)]
    tables = []
    for dimension in dimensions(scope):
        groups = sorted({g[dimension] for g in members.values()})
        rows: list[list[Any]] = []
        for scale in dict.fromkeys(scales):
            keys = []
            for group in groups:
                mine = {m for m, g in members.items() if g[dimension] == group}
                mid = {m: a for m, a in by["mid"].items() if m in mine}
                end = {m: a for m, a in by["end"].items() if m in mine}
                change = paired_change(scale, mid, end)
                keys.append(_cells(scope.cells, change, dimension, group))
                if change.n:
                    rows.append([group, *_row(change, scope.cells, keys[-1])])
            for name, at in (("n", 0), ("up", 1), ("not", 2)):
                scope.cells.sum(change_key(name, scale.id), [k[at] for k in keys])
        tables.append(_table(scope.words, dimension, rows, instrument))
    return tables


def _cells(
    cells: Cells, change: Change, dimension: str, group: str
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """A group's n, improved and not improved on the ledger (n = improved + not)."""
    key = ("surveys", "change_by", dimension, group, change.scale)
    n = cells.people((*key, "n"), change.n)
    up = cells.people((*key, "up"), change.improved)
    down = cells.people((*key, "not"), change.n - change.improved)
    cells.sum(n, [up, down])
    return n, up, down


def _row(change: Change, cells: Cells, keys: tuple[Any, ...]) -> list[Any]:
    n, up, _down = keys
    if n in cells.hidden:
        return [change.scale, *[HIDDEN] * 5]
    share = round(100 * change.improved / change.n) if up not in cells.hidden else HIDDEN
    values = [None if v is None else round(v, 2) for v in (change.mean, change.low, change.high)]
    return [change.scale, change.n, *["" if v is None else v for v in values], share]


def _table(words: Words, dimension: str, rows: list[list[Any]], instrument: Instrument) -> Table:
    name = words(f"dimension.{dimension}")
    table = Table(
        f"surveys_change_by_{dimension}",
        words("table.surveys_change_by", dimension=name),
        [dimension, *HEADERS],
        rows,
    )
    table.words = instrument.names
    return table
