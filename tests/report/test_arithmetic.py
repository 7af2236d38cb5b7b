"""No hidden count follows from the page by arithmetic: every sum the page shows, in one table,
beside its totals or across tables and sections, is taken as a linear equation and solved for
what the shown numbers give away; no hidden cell is ever among it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from scipy.optimize import linprog
from sqlmodel import select

from bot.app import load_prompts
from bot.registry import ReportSection, registered
from bot.report.figures import Report, build
from bot.report_parts import ReportScope, Section, Table
from bot.suppression import HIDDEN, Cells, Sum, hidden_cells
from bot.surveys.instrument import Instrument, load_instrument
from fakes.outcomes import generate
from storage import report as db
from storage.engine import transaction
from storage.models import (
    Feedback,
    Member,
    OutboxMessage,
    Pair,
    Person,
    Program,
    SurveyResponse,
)

MINIMUM = 3
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
Relation = tuple[Hashable, Sequence[Hashable]]  # total, parts


def exposed(values: dict[Hashable, Any], relations: Sequence[Relation]) -> set[Hashable]:
    """The hidden cells (``HIDDEN`` in ``values``) that the shown ones give away through the
    relations: those whose column the equations' rank needs (exact subtraction, in any number
    of steps), or whose least and greatest value, counts being never negative, agree."""
    unknown = sorted({k for k, v in values.items() if v == HIDDEN}, key=str)
    column = {k: i for i, k in enumerate(unknown)}
    rows, rhs = [], []
    for total, parts in relations:
        row = np.zeros(len(unknown))
        constant = 0.0
        for key, sign in [(total, 1.0), *((p, -1.0) for p in parts)]:
            if key in column:
                row[column[key]] += sign
            else:
                constant -= sign * float(values[key])
        if row.any():
            rows.append(row)
            rhs.append(constant)
        else:
            assert constant == 0, (total, parts)  # the shown numbers do add up
    if not rows:
        return set()
    a, b = np.array(rows), np.array(rhs)
    rank = np.linalg.matrix_rank(a)
    out = {k for k, i in column.items() if np.linalg.matrix_rank(np.delete(a, i, 1)) < rank}
    for key, i in column.items():
        goal = np.zeros(len(unknown))
        goal[i] = 1
        low = linprog(goal, A_eq=a, b_eq=b, bounds=(0, None))
        high = linprog(-goal, A_eq=a, b_eq=b, bounds=(0, None))
        if low.status == 0 and high.status == 0 and abs(low.fun + high.fun) < 1e-6:
            out.add(key)
    return out


def _solve(counts: dict[str, int], sums: list[Sum], people: list[str]) -> set[Hashable]:
    got = hidden_cells(counts, people=people, sums=sums, minimum=MINIMUM)
    shown = {k: HIDDEN if k in got else v for k, v in counts.items()}
    return exposed(shown, [(s.total, s.parts) for s in sums])


def test_three_tables_that_each_hide_two_cells_still_give_all_three_away():
    """a, b, c each hidden in two of three tables (each table on its own safe: two hidden
    cells, together over the minimum): their three sums solve for all three, so more hides.
    The checker finds such subtractions: 300 joined minus the zones shown; a part hidden in
    one table of a total and shown in another."""
    assert exposed({"t": 300, "a": 150, "b": 148, "c": HIDDEN}, [("t", ["a", "b", "c"])]) == {"c"}
    values = {"t": 300, "a": HIDDEN, "b": HIDDEN, "c": 2, "x": 298, "y": HIDDEN}
    assert exposed(values, [("t", ["a", "b", "c"]), ("t", ["x", "y"])]) == {"y"}
    counts = {"t1": 55, "t2": 67, "t3": 56, "a": 2, "b": 3, "c": 4, "x": 50, "y": 60, "z": 50}
    sums = [Sum("t1", ("a", "b", "x")), Sum("t2", ("b", "c", "y")), Sum("t3", ("a", "c", "z"))]
    assert _solve(counts, sums, ["a", "b", "c", "x", "y", "z"]) == set()


# A page with sections beside the report's own, as other capabilities add them.


def _ledger(scope: ReportScope) -> Cells:
    """The page's ledger (before there was one, the section's own, as sections kept then)."""
    return getattr(scope, "cells", None) or Cells(scope.minimum)


def _zone_by_role(scope: ReportScope) -> Section:
    """The people who joined by zone and role, each zone's and each role's split (the keys
    of ``bot.suppression.joined``)."""
    cells = _ledger(scope)
    default = scope.settings.program.default_timezone
    members = db.members(session=scope.session, program_id=scope.program_id)
    count = Counter(
        (m.timezone or default, m.role) for m in members if scope.period.has(m.joined_at)
    )
    keys = {zr: cells.people(("probe", *zr), n) for zr, n in sorted(count.items())}
    for dimension, at in (("zone", 0), ("role", 1)):
        for group in {zr[at] for zr in count}:
            parts = [k for zr, k in keys.items() if zr[at] == group]
            total = sum(n for zr, n in count.items() if zr[at] == group)
            cells.sum(cells.count(("joined", dimension, group), total), parts)
    rows = [[f"{z} {r}", cells.show(k)] for (z, r), k in keys.items()]
    return Section("probe", "Zones by role", [], [Table("zone_role", "By zone", ["g", "n"], rows)])


def _paused_by_role(scope: ReportScope) -> Section:
    """The paused members by role, under the same paused total the statuses add up to (the
    key of ``bot.suppression.status``)."""
    cells = _ledger(scope)
    members = db.members(session=scope.session, program_id=scope.program_id)
    count = Counter(m.role for m in members if m.status == "paused")
    keys = [cells.people(("paused", r), n) for r, n in sorted(count.items())]
    paused = cells.count(("status", "paused"), sum(count.values()))
    cells.sum(paused, keys)
    rows = [[key[1], cells.show(key)] for key in keys]
    section = Section("paused", "Paused", [], [Table("paused_role", "Paused", ["g", "n"], rows)])
    section.figures = [scope.words.figure("paused", cells.show(paused))]
    return section


def _shape(engine, truth) -> None:
    """Two people left and eight paused (the others active); one pair ended because someone
    left and four because the program ended. The generated zone of 2 stays."""
    with transaction(engine) as s:
        members = s.exec(select(Member).where(Member.program_id == truth.program_id)).all()
        for k, member in enumerate(sorted(members, key=lambda m: m.id or 0)):
            member.status = "left" if k in (3, 4) else "paused" if 10 <= k < 18 else "active"
            s.add(member)
        pairs = s.exec(select(Pair).where(Pair.program_id == truth.program_id)).all()
        for pair, reason in zip(pairs, ["left"] + ["program_ended"] * 4, strict=False):
            pair.status, pair.end_reason = "ended", reason
            pair.ended_at = truth.start + timedelta(days=20)
            s.add(pair)


def _report(bot, settings, truth, minimum: int, *, probes: bool = True) -> Report:
    registry = registered()
    if probes:
        registry.report_section(ReportSection("probe", _zone_by_role))
        registry.report_section(ReportSection("paused", _paused_by_role))
    chosen = replace(settings, surveys=replace(settings.surveys, min_group_size=minimum))
    with transaction(bot.engine) as s:
        program = s.get(Program, truth.program_id)
        return build(s, program, chosen, now=NOW, prompts=load_prompts(), registry=registry)


SPLITS = ("outcomes_by_", "fairness_by_")  # the group tables: (table, group, column)
SPLIT_COUNTS = ("people", "raters", "answered", "rounds left out", "early endings")


def page_values(report: Report) -> dict[Hashable, Any]:
    """Every figure, every two-column table cell and every count of the group tables of the
    page, by where it is."""
    out: dict[Hashable, Any] = {}
    for section in report.sections:
        out |= {(section.key, f.key): f.value for f in section.figures}
        for f in section.figures:  # a rate's count; "k of n": two numbers
            if f.count is not None or f.value == HIDDEN:
                out[(section.key, f.key, "count")] = HIDDEN if f.value == HIDDEN else f.count
            k, of, n = f.value.partition(" of ")
            if of and n.isdigit():
                out |= {(section.key, f.key): k, (section.key, f.key, "n"): n}
        for table in section.tables:
            if len(table.headers) == 2:
                out |= {(table.name, str(label)): value for label, value in table.rows}
            if table.name == "surveys":  # the survey means: each scale's n at both points
                for row in table.rows:
                    for header, value in zip(table.headers, row, strict=True):
                        if header.endswith(" n"):
                            out[(table.name, str(row[0]), header)] = value
            if table.name == "surveys_change":  # each scale's people who answered both
                out |= {(table.name, str(row[0]), "n"): row[1] for row in table.rows}
            if table.name.startswith("surveys_change_by_"):  # and by group
                out |= {(table.name, str(row[0]), str(row[1]), "n"): row[2] for row in table.rows}
            if table.name.startswith(SPLITS):
                for row in table.rows:
                    for header, value in zip(table.headers, row, strict=True):
                        if header in SPLIT_COUNTS:
                            out[(table.name, str(row[0]), header)] = value
    return {k: v if v == HIDDEN or not str(v).isdigit() else int(v) for k, v in out.items()}


def page_relations(
    values: dict[Hashable, Any], instrument: Instrument | None = None
) -> list[Relation]:
    """What a reader can add up on the page, written from its tables (not from the report's
    own declarations), and from the survey ``instrument`` the page's labels name; those of
    tables the page lacks are left out."""

    def rows(table: str) -> list[Hashable]:
        return [k for k in values if isinstance(k, tuple) and k[0] == table]

    joined_ = ("participation", "joined")
    zones = {k[1] for k in rows("participation_by_zone")}
    roles = {k[1] for k in rows("participation_by_role")}
    out: list[Relation] = [
        (joined_, rows("participation_by_role")),
        (joined_, rows("participation_by_zone")),
        (joined_, [("participation", s) for s in ("active", "paused", "left")]),
        (("participation", "paused"), [("paused", "paused")]),  # one number, shown twice
        (("participation", "paused"), rows("paused_role")),
        (("matching", "ended"), rows("matching_ended")),
        (("matching", "pairs"), [("matching", "still_active"), ("matching", "ended")]),
        (("matching", "left_out"), rows("matching_unmatched")),
        (("goals", "goals"), rows("goals_progress")),
    ]
    for zone in zones:
        split = [k for k in rows("zone_role") if k[1].split(" ")[0] == zone]
        out.append((("participation_by_zone", zone), split))
    for role in roles:
        split = [k for k in rows("zone_role") if k[1].split(" ")[1] == role]
        out.append((("participation_by_role", role), split))
    out += _split_relations(values, rows)
    out += _survey_relations(instrument) if instrument else []
    out += _change_relations(values)
    return [(t, p) for t, p in out if p and all(k in values for k in (t, *p))]


def _split_relations(values: dict[Hashable, Any], rows: Any) -> list[Relation]:
    """The group tables' sums: each count's groups add up to all; the people who joined (the
    whole program's report) are participation's: all of them, a role's, a region's zones';
    fairness counts the same people as outcomes."""
    out: list[Relation] = []
    tables = {k[0] for k in values if isinstance(k, tuple) and str(k[0]).startswith(SPLITS)}
    for table in tables:
        groups = {k[1] for k in rows(table) if k[1] != "all"}
        for column in SPLIT_COUNTS:
            out.append(((table, "all", column), [(table, g, column) for g in groups]))
        out.append((("participation", "joined"), [(table, "all", "people")]))
        dimension = table.split("_by_", 1)[1]
        for group in groups:
            people = (f"outcomes_by_{dimension}", group, "people")
            out.append((people, [(f"fairness_by_{dimension}", group, "people")]))
            if dimension == "role":
                out.append((("participation_by_role", group), [people]))
            if dimension == "region":
                zones = [k for k in rows("participation_by_zone") if k[1].split("/")[0] == group]
                out.append((people, zones))
    return out


def _survey_relations(instrument: Instrument) -> list[Relation]:
    """The survey figures' sums: "thinking of dropping out" and "intend to stay" are asked of
    one n; when their answers are all the question has, they add up to it; a one-question
    scale's n in the means table is that n too."""
    out: list[Relation] = []
    drop, stay = instrument.dropping_out, instrument.intend_to_stay
    for survey in ("mid", "end"):
        n = ("surveys", f"dropping_out_{survey}", "n")
        out.append((n, [("surveys", f"intend_to_stay_{survey}", "n")]))
        scale = next(s for s in instrument.scales if s.questions == (drop.question,))
        answers = set(range(scale.low, scale.high + 1))
        if drop.question == stay.question and drop.answers | stay.answers == answers:
            out.append(
                (n, [("surveys", f"{k}_{survey}") for k in ("dropping_out", "intend_to_stay")])
            )
        out.append((n, [("surveys", scale.id, f"{survey} n")]))
    # The summary's invitations answered: every mid and every end answer (when each was
    # invited and answered every scale, as the test's are).
    scale = instrument.scales[0].id
    answered = [("surveys", scale, f"{survey} n") for survey in ("mid", "end")]
    out.append((("summary", "surveys", "count"), answered))
    return out


def _change_relations(values: dict[Hashable, Any]) -> list[Relation]:
    """Each split's groups add up to the people who answered both surveys, scale by scale."""
    out: list[Relation] = []
    tables = {k[0] for k in values if isinstance(k, tuple) and len(k) == 4}
    for table in (t for t in tables if str(t).startswith("surveys_change_by_")):
        cells = [k for k in values if isinstance(k, tuple) and k[0] == table]
        for scale in {k[2] for k in cells}:
            parts = [k for k in cells if k[2] == scale]
            out.append((("surveys_change", scale, "n"), parts))
    return out


def _zones(engine, truth) -> None:
    """Asia, the biggest region: 2 in Asia/Kolkata beside the rest of Asia and Australia's
    people in Asia/Tokyo (a small zone in a region of other zones); the generated 2 in
    Pacific/Chatham stay (a small zone that is its region)."""
    with transaction(engine) as s:
        members = s.exec(select(Member).where(Member.program_id == truth.program_id)).all()
        people = [s.get(Person, m.person_id) for m in sorted(members, key=lambda m: m.id or 0)]
        asia = [p for p in people if p is not None and p.timezone == "Asia/Kolkata"]
        sydney = [p for p in people if p is not None and p.timezone == "Australia/Sydney"]
        for person in asia[2:] + sydney:
            person.timezone = "Asia/Tokyo"
            s.add(person)


def test_the_group_tables_give_away_no_zone_or_role_hidden_elsewhere(bot, settings):
    """The whole registered page (participation, matching, goals, feedback, surveys and the
    group, fairness and over-time tables): a region's people are its zones' and a role's
    participation's, so Asia minus Asia/Tokyo would give the 2 in Asia/Kolkata, and everyone
    minus the regions shown the 2 in the Pacific; solving every sum of the page at once gives
    away no hidden cell."""
    truth = generate(bot.engine, people=40, weeks=2, seed=3, workspace="console")
    _zones(bot.engine, truth)
    shown = page_values(_report(bot, settings, truth, MINIMUM, probes=False))
    true = page_values(_report(bot, settings, truth, 1, probes=False))
    relations = page_relations(true)
    assert exposed(true, relations) == set()  # the relations hold of the true numbers
    assert (
        true[("outcomes_by_region", "Asia", "people")]
        == true[("participation_by_zone", "Asia/Kolkata")]
        + true[("participation_by_zone", "Asia/Tokyo")]
    )
    assert ("participation_by_zone", "Asia/Kolkata") in {k for k, v in shown.items() if v == HIDDEN}
    assert ("outcomes_by_region", "Pacific", "people") in {
        k for k, v in shown.items() if v == HIDDEN
    }
    assert all(shown[k] == true[k] for k in shown if shown[k] != HIDDEN)
    assert exposed(shown, relations) == set()


def test_no_hidden_count_follows_from_any_subtraction_on_the_page(bot, settings):
    """A generated program with a zone of 2, two who left, an end reason of 1, and two more
    sections that split the same people (zone by role, paused by role): solving every sum
    of the page at once gives away no hidden cell; the same page unhidden shows them all."""
    truth = generate(bot.engine, people=40, weeks=2, seed=3, workspace="console")
    _shape(bot.engine, truth)
    shown = page_values(_report(bot, settings, truth, MINIMUM))
    true = page_values(_report(bot, settings, truth, 1))
    relations = page_relations(true)
    assert exposed(true, relations) == set()  # the relations hold of the true numbers
    hidden = {k for k, v in shown.items() if v == HIDDEN}
    assert {("participation_by_zone", "Pacific/Chatham"), ("participation", "left")} <= hidden
    assert ("matching_ended", "someone left") in hidden
    assert all(shown[k] == true[k] for k in shown if k not in hidden)
    assert exposed(shown, relations) == set()


def test_a_month_of_one_rater_after_the_first_is_hidden(bot, settings):
    """Session ratings in two months, the second by one person: the second month's people are
    hidden (and its mean), however late in the table the month comes."""
    truth = generate(bot.engine, people=12, weeks=1, seed=4, workspace="console")
    with transaction(bot.engine) as s:
        members = s.exec(select(Member).where(Member.program_id == truth.program_id)).all()
        late = datetime(2026, 11, 20, tzinfo=UTC)
        s.add(Feedback(member_id=members[0].id, kind="session", rating=5, created_at=late))
    report = _report(bot, settings, truth, MINIMUM, probes=False)
    months = {row[0]: row[1:] for row in report.table("feedback_ratings").rows}
    assert months["2026-11"] == [HIDDEN, HIDDEN]
    assert all((isinstance(n, int) and n >= MINIMUM) or n == HIDDEN for n, _ in months.values())


def _answers(engine, truth, rows: list[tuple[str, int]]) -> None:
    """Replace the generated survey answers: the k-th row is the k-th member's (survey, their
    answer to "continue"), every other scale answered 3; each answered an invitation sent."""
    scales = ("belonging", "social", "academic", "confidence", "value")
    with transaction(engine) as s:
        for old in s.exec(select(SurveyResponse)).all():
            s.delete(old)
        members = s.exec(select(Member).where(Member.program_id == truth.program_id)).all()
        ordered = sorted(members, key=lambda m: m.id or 0)
        seen = {"mid": 0, "end": 0}
        for survey, answer in rows:
            member = ordered[seen[survey]]
            seen[survey] += 1
            answers = dict.fromkeys(scales, 3) | {"continue": answer}
            when = datetime(2026, 10, 1 if survey == "mid" else 30, tzinfo=UTC)
            s.add(
                SurveyResponse(
                    program_id=truth.program_id,
                    member_id=member.id,
                    survey=survey,
                    answers=answers,
                    created_at=when,
                )
            )
            key = f"survey:{truth.program_id}:{member.id}:{survey}"
            invited = {"status": "sent", "not_before": when, "created_at": when, "sent_at": when}
            s.add(OutboxMessage(dedupe_key=key, platform="console", target_kind="user", **invited))


def test_the_survey_figures_give_away_no_hidden_count(bot, settings, tmp_path):
    """20 answered the mid survey, 2 so far the end one: the means table's end n is hidden,
    and the summary's "survey invitations answered" (22) minus the mid n (20) would give it,
    so the summary's count hides too. An instrument whose "intend to stay" answers (3-5) are
    all that "dropping out" (1-2) leaves: at mid-point 2 of 20 think of dropping out, so the
    18 who intend to stay hide too. Solving the page's sums, the survey figures' and the
    summary's among them, gives away no hidden cell."""
    from bot.conversations.scripts import bundled_scripts_dir

    bundled = (bundled_scripts_dir() / "survey.toml").read_text(encoding="utf-8")
    old = 'intend_to_stay = { question = "continue", answers = [4, 5] }'
    assert old in bundled
    scripts = tmp_path / "mine" / "scripts"
    scripts.mkdir(parents=True)
    (scripts / "survey.toml").write_text(bundled.replace(old, old.replace("4, 5", "3, 4, 5")))
    mine = replace(settings, bot=replace(settings.bot, prompts_dir=str(tmp_path / "mine")))
    instrument = load_instrument(mine)
    truth = generate(bot.engine, people=40, weeks=2, seed=3, workspace="console")
    _answers(bot.engine, truth, [("mid", 1)] * 2 + [("mid", 5)] * 18 + [("end", 4)] * 2)
    shown = page_values(_report(bot, mine, truth, MINIMUM, probes=False))
    true = page_values(_report(bot, mine, truth, 1, probes=False))
    shown = dict.fromkeys(true, HIDDEN) | shown  # a "k of n" under the minimum is left out
    relations = page_relations(true, instrument)
    assert exposed(true, relations) == set()  # the relations hold of the true numbers
    assert exposed(shown, relations) == set()
    assert true[("surveys", "dropping_out_mid")] == 2
    assert true[("surveys", "intend_to_stay_mid")] == 18
    assert true[("summary", "surveys", "count")] == 22
    hidden = {k for k, v in shown.items() if v == HIDDEN}
    assert {("surveys", "dropping_out_mid"), ("surveys", "continue", "end n")} <= hidden
    assert ("summary", "surveys", "count") in hidden
    assert shown[("surveys", "continue", "mid n")] == 20
    assert all(shown[k] == true[k] for k in shown if shown[k] != HIDDEN)
