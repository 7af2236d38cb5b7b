"""The admins' weekly digest: meetings planned vs held, pairs at risk (with buttons to act on
them), undeliverable messages, thank-yous mentees shared. After a program's last day no weekly
digest goes out: one final digest (pairs, meetings, thank-yous) follows a week later, and then
none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from sqlmodel import Session

from bot.checkins.wrapup import cohort_key, in_this_cohort
from bot.choosing.admin import digest_parts as choosing_parts
from bot.closure.recognition import recognition
from bot.config import WEEKDAYS, Settings
from bot.delivery import Target
from bot.outbox import enqueue
from bot.pairs.health import Health, describe, pair_health
from bot.prompts import Prompts
from bot.replies import Button, Buttons, Context, Fields, File, Message, Part, Section
from bot.spans import Text
from bot.time.wall import localize
from bot.time.zones import get_zone
from bot.unreachable.marks import digest_parts
from storage import checkins as checkins_db
from storage import outbox as outbox_db
from storage import pairs as pairs_db
from storage import repo
from storage import requests as requests_db
from storage import rounds as rounds_db
from storage.models import (
    CheckInOutcome,
    Program,
    ProgramKind,
)

SHOWN = 10
ACTIONS: tuple[tuple[str, Literal["primary", "danger", "default"]], ...] = (
    ("nudge", "primary"),
    ("end", "danger"),
    ("rematch", "default"),
)
WITH_BUTTONS = 8  # three buttons each: a Discord message holds at most 25
FINAL_AFTER = timedelta(days=7)  # the final digest waits this long after the last day
ROUND_WAIT = timedelta(hours=1)  # a digest waits at most this long for a round due with it


@dataclass
class ProgramNumbers:
    """One program's numbers for a period, as the digest shows them."""

    active_pairs: int
    planned: int
    met: int
    answered: int
    at_risk: list[tuple[int, str, Text]]  # (pair id, names, its health in words)
    parked: int
    parked_examples: list[str]
    pairs_met: int = 0
    requests: requests_db.RequestNumbers | None = None
    circles: bool = False  # counted per circle (and a circle's cycle once), not per person

    def key(self, key: str) -> str:
        """The digest's prompt key for these numbers (a circles program's own words)."""
        return f"{key}_circles" if self.circles else key


def numbers(
    session: Session,
    program: Program,
    prompts: Prompts,
    settings: Settings,
    *,
    since: datetime,
    now: datetime,
) -> ProgramNumbers:
    """Counts for one program over [since, now)."""
    assert program.id is not None
    active = pairs_db.count_active_pairs(session=session, program_id=program.id)
    rows = checkins_db.outcomes_between(
        session=session, program_id=program.id, since=since, until=now
    )
    if program.kind == ProgramKind.CIRCLES:
        rows = _per_circle(rows)
    counts: dict[str, int] = {}
    met_pairs: set[int] = set()
    for row in rows:
        counts[row.outcome] = counts.get(row.outcome, 0) + 1
        if row.outcome == CheckInOutcome.MET:
            met_pairs.add(row.pair_id)
    planned = len(rows)
    met = counts.get(CheckInOutcome.MET, 0)
    answered = planned - counts.get(CheckInOutcome.PENDING, 0)
    at_risk = pairs_at_risk(session, program.id, prompts, settings, now=now)
    parked_rows = outbox_db.parked(session=session, program_id=program.id)
    examples = [f"{', '.join(ids)}: {error}" for ids, error in parked_rows[:3]]
    asked = requests_db.numbers(session=session, program_id=program.id, since=since, until=now)
    return ProgramNumbers(
        active,
        planned,
        met,
        answered,
        at_risk,
        len(parked_rows),
        examples,
        len(met_pairs),
        asked,
        circles=program.kind == ProgramKind.CIRCLES,
    )


def _per_circle(rows: list[checkins_db.CycleOutcome]) -> list[checkins_db.CycleOutcome]:
    """A circle meets as a group: each circle's cycle once, "met" when anyone in it said so,
    else answered when anyone answered (rather than one count per person asked).
    """
    rank: dict[str, int] = {CheckInOutcome.MET: 0, CheckInOutcome.PENDING: 9}
    best: dict[tuple[int, Any], checkins_db.CycleOutcome] = {}
    for row in rows:
        key = (row.pair_id, row.cycle_on)
        kept = best.get(key)
        if kept is None or rank.get(row.outcome, 1) < rank.get(kept.outcome, 1):
            best[key] = row
    return list(best.values())


def pairs_at_risk(
    session: Session, program_id: int, prompts: Prompts, settings: Settings, *, now: datetime
) -> list[tuple[int, str, Text]]:
    """The program's quiet, stalled and ghosting pairs now (bot.pairs.health), worst first."""
    ids = pairs_db.active_pair_ids(session=session, program_id=program_id)
    risky = [h for h in pair_health(session, ids, now, settings).values() if h.state.at_risk]
    order = {Health.GHOSTING: 0, Health.QUIET: 1, Health.STALLED: 2}
    risky.sort(key=lambda h: (order.get(h.state, 3), h.pair_id))
    names = pairs_db.names_in_pairs(session=session, pair_ids=[h.pair_id for h in risky])
    by_member = {n.member_id: n.display_name or n.user_id for n in names}
    together = pair_names(session, [h.pair_id for h in risky])
    return [
        (h.pair_id, together.get(h.pair_id, ""), describe(prompts, h, by_member, now))
        for h in risky
    ]


def pair_names(session: Session, pair_ids: list[int]) -> dict[int, str]:
    """Pair id -> "ann & mia"."""
    out: dict[int, list[str]] = {}
    for row in pairs_db.names_in_pairs(session=session, pair_ids=pair_ids):
        out.setdefault(row.pair_id, []).append(row.display_name)
    return {k: " & ".join(v) for k, v in out.items()}


def meetings_by_pair(session: Session, pair_ids: list[int]) -> dict[int, tuple[int, date | None]]:
    """Pair -> (meetings held, last meeting day): distinct cycles anyone in it said "met"."""
    rows = pairs_db.met_cycles(session=session, pair_ids=pair_ids)
    out: dict[int, tuple[int, date | None]] = {}
    for pair_id, day in rows:
        count, last = out.get(pair_id, (0, None))
        out[pair_id] = (count + 1, max(filter(None, (last, day)), default=None))
    return out


def _headline(prompts: Prompts, n: ProgramNumbers, before: ProgramNumbers | None) -> Fields:
    """Pairs, meetings, answers and pairs that met, each with the change since ``before``;
    a week with no check-in due says so in words instead of counting zeros.
    """
    pairs_label = prompts.text(n.key("digest.label.pairs"))
    if not n.planned:
        return Fields(
            (
                (pairs_label, Text.trusted(str(n.active_pairs))),
                (prompts.text("digest.label.meetings"), prompts.render("digest.no_checkins")),
            )
        )
    pct = f"{round(100 * n.met / n.planned)}%"

    def change(now: int, then: int | None) -> Text:
        if then is None:
            return Text.trusted("")
        return Text.trusted(" " + prompts.text("digest.change", change=f"{now - then:+d}"))

    meetings = prompts.render(
        n.key("digest.meetings"),
        met=Text.trusted(str(n.met)),
        planned=Text.trusted(str(n.planned)),
        percent=Text.trusted(pct),
    )
    pairs_met = prompts.render(
        "digest.pairs_met",
        met=Text.trusted(str(n.pairs_met)),
        pairs=Text.trusted(str(n.active_pairs)),
    )
    answered = Text.trusted(f"{n.answered}/{n.planned}")
    return Fields(
        (
            (pairs_label, Text.trusted(str(n.active_pairs))),
            (
                prompts.text("digest.label.meetings"),
                meetings + change(n.met, before.met if before else None),
            ),
            (
                prompts.text(n.key("digest.label.answered")),
                answered + change(n.answered, before.answered if before else None),
            ),
            (
                prompts.text(n.key("digest.label.pairs_met")),
                pairs_met + change(n.pairs_met, before.pairs_met if before else None),
            ),
        )
    )


def digest_message(
    prompts: Prompts,
    program: Program,
    n: ProgramNumbers,
    *,
    before: ProgramNumbers | None = None,
    chart: File | None = None,
) -> Message:
    """The digest as a message: pairs, meetings, answers (with the change since the week
    ``before``), the meetings chart, stalled pairs, parked messages.
    """
    parts: list[Part] = [
        Section(prompts.render("digest.header", program=program.name)),
        _headline(prompts, n, before),
    ]
    if chart is not None:
        parts.append(chart)
    parts += _at_risk(prompts, n.at_risk)
    if n.requests is not None and (n.requests.opened or n.requests.unclaimed_now):
        parts.append(Section(_requests_line(prompts, n.requests)))
    if n.parked:
        parts.append(
            Section(
                prompts.render(
                    "digest.parked",
                    count=Text.trusted(str(n.parked)),
                    examples="; ".join(n.parked_examples),
                )
            )
        )
    return Message(tuple(parts))


def _at_risk(prompts: Prompts, at_risk: list[tuple[int, str, Text]]) -> list[Part]:
    """The pairs at risk, each with its health, and buttons to nudge, end or rematch the first
    few (a Discord message holds 25 buttons).
    """
    if not at_risk:
        return [Context(prompts.render("digest.no_stalled"))]
    count = Text.trusted(str(len(at_risk)))
    shown = at_risk[:SHOWN]
    parts: list[Part] = [
        Section(prompts.render("digest.stalled_header", count=count)),
        Fields(tuple((f"#{pair_id} {names}", health) for pair_id, names, health in shown)),
    ]
    buttons = [
        Button(
            prompts.text(f"pairs.button.{label}") + f" #{pair_id}",
            f"admin pair-{label} {pair_id}",
            style,
        )
        for pair_id, _, _ in at_risk[:WITH_BUTTONS]
        for label, style in ACTIONS
    ]
    parts += [Buttons(tuple(buttons)), Context(prompts.render("digest.at_risk_hint"))]
    return parts


def _requests_line(prompts: Prompts, r: requests_db.RequestNumbers) -> Text:
    """Requests for help this week: opened, claimed and how fast, still waiting."""
    wait = "-"
    if r.median_to_claim is not None:
        minutes = int(r.median_to_claim.total_seconds() // 60)
        wait = f"{minutes} min" if minutes < 120 else f"{minutes // 60} h"
    return prompts.render(
        "digest.requests",
        opened=r.opened,
        claimed=r.claimed,
        median=Text.trusted(wait),
        waiting=r.unclaimed_now,
    )


def weekly_digest(
    session: Session, program: Program, prompts: Prompts, settings: Settings, *, now: datetime
) -> Message:
    """The digest of the 7 days before ``now``, compared with the 7 days before those, with
    the chart of meetings held per cycle (matplotlib loads here, once a week).
    """
    from bot.checkins.report import meetings_chart
    from bot.report.charts import png

    week = timedelta(days=7)
    n = numbers(session, program, prompts, settings, since=now - week, now=now)
    before = numbers(session, program, prompts, settings, since=now - 2 * week, now=now - week)
    chart = meetings_chart(session, program, prompts)
    image = None
    if chart is not None:
        name = f"meetings-per-cycle-{now:%Y-%m-%d}.png"
        image = File(name, png(chart), "image/png", alt=chart.alt)
    message = digest_message(prompts, program, n, before=before, chart=image)
    thanks = recognition(session, prompts, program, since=now - week, until=now)
    unreachable = digest_parts(session, program, prompts)
    choosing = choosing_parts(session, program, prompts)
    return Message(message.parts + tuple(thanks) + tuple(choosing) + tuple(unreachable))


def final_digest(
    session: Session, program: Program, prompts: Prompts, *, since: datetime, now: datetime
) -> Message:
    """The one digest after a program's end: how many pairs there were (completed or ended
    early), the meetings they held, and the thank-yous shared since the last weekly digest.
    """
    from bot.closure.contributions import outcome

    assert program.id is not None and program.ends_on is not None
    pairs = [
        p
        for p in pairs_db.started_pairs(session=session, program_id=program.id)
        if in_this_cohort(program, p)
    ]
    held = meetings_by_pair(session, [p.id for p in pairs if p.id is not None])
    early = sum(1 for p in pairs if p.end_reason and outcome(p.end_reason) != "completed")
    fields = Fields(
        (
            (
                prompts.text("digest.label.pairs_total"),
                prompts.render(
                    "digest.final_pairs", pairs=len(pairs), early=Text.trusted(str(early))
                ),
            ),
            (
                prompts.text("digest.label.meetings_total"),
                Text.trusted(str(sum(count for count, _ in held.values()))),
            ),
        )
    )
    header = prompts.render(
        "digest.final_header", program=program.name, day=Text.trusted(program.ends_on.isoformat())
    )
    thanks = recognition(session, prompts, program, since=since, until=now)
    last = Context(prompts.render("digest.final_last"))
    return Message((Section(header), fields, *thanks, last))


def queue_digests(session: Session, *, now: datetime, settings: Settings, prompts: Prompts) -> int:
    """Queue this week's digest to each admin at the configured local weekday and hour."""
    weekday = WEEKDAYS.index(settings.checkins.digest_weekday.lower())
    queued = 0
    for program in repo.programs(session=session):
        if _round_under_way(session, program, now=now):
            continue  # the rounds job makes its pairs first; the next run counts them
        # The configured admins, and the program's own (its digest only).
        for admin_id in dict.fromkeys(
            [*settings.admins.for_platform(program.platform), *program.admins]
        ):
            person = repo.find_person(
                session=session, platform=program.platform, platform_user_id=admin_id
            )
            tz = get_zone(
                person.timezone if person and person.timezone else settings.program.default_timezone
            )
            theirs = prompts.for_person(person) if person else prompts.for_everyone()
            local = now.astimezone(tz).replace(tzinfo=None)
            monday = (local - timedelta(days=local.weekday())).date()
            wall = datetime.combine(monday, time(settings.checkins.digest_hour))
            due = localize(wall + timedelta(days=weekday), tz)
            if now < due or due < program.created_at:
                continue  # not due yet, or due before the program existed
            slot = monday + timedelta(days=weekday)
            if program.ends_on is not None and slot > program.ends_on:  # one final one, then none
                queued += _queue_final(session, program, theirs, admin_id, slot, due, now=now)
                continue
            week = monday.isocalendar()
            key = f"digest:{program.id}:{week[0]}-W{week[1]:02d}:{admin_id}"
            if outbox_db.by_key(session=session, dedupe_key=key) is not None:
                continue
            row = enqueue(
                session,
                dedupe_key=key,
                target=Target(program.platform, program.workspace_id, "user", (admin_id,)),
                message=weekly_digest(session, program, theirs, settings, now=now),
                not_before=now,
                now=now,
                program_id=program.id,
            )
            queued += row is not None
    return queued


def _round_under_way(session: Session, program: Program, *, now: datetime) -> bool:
    """Whether the program's round is due but not matched yet (for up to :data:`ROUND_WAIT`,
    so a stuck round never holds the digest back for long).
    """
    assert program.id is not None
    found = rounds_db.open_round(session=session, program_id=program.id)
    return found is not None and found.due_at <= now < found.due_at + ROUND_WAIT


def _queue_final(
    session: Session,
    program: Program,
    prompts: Prompts,
    admin_id: str,
    slot: date,
    due: datetime,
    *,
    now: datetime,
) -> int:
    """Queue the final digest at the first digest day a week or more after the program's
    end (so closures and thank-yous are in), once per admin; none after it.
    """
    assert program.ends_on is not None
    if slot < program.ends_on + FINAL_AFTER:
        return 0
    key = f"{cohort_key(program, 'digest-final')}{admin_id}"
    if outbox_db.by_key(session=session, dedupe_key=key) is not None:
        return 0
    back = timedelta(days=7)  # since the last weekly digest, on or before the last day
    while slot - back > program.ends_on:
        back += timedelta(days=7)
    row = enqueue(
        session,
        dedupe_key=key,
        target=Target(program.platform, program.workspace_id, "user", (admin_id,)),
        message=final_digest(session, program, prompts, since=due - back, now=now),
        not_before=now,
        now=now,
        program_id=program.id,
    )
    return int(row is not None)
