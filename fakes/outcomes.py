"""A generated program with known outcomes, written straight to the database: for the report's
tests (its numbers must equal this truth) and its benchmark."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.engine import Engine

from storage.engine import transaction
from storage.models import (
    CheckIn,
    Feedback,
    Goal,
    GoalUpdate,
    Member,
    MentorRequest,
    Pair,
    PairMember,
    Person,
    Program,
    SurveyResponse,
)

OUTCOMES = ("met", "met", "not_yet", "pending", "rescheduled")  # a check-in's, drawn evenly
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney")


@dataclass
class Truth:
    """What was generated, counted as the report should count it."""

    program_id: int
    start: datetime
    roles: Counter[str] = field(default_factory=Counter)
    zones: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    pairs: int = 0
    planned: dict[date, int] = field(default_factory=dict)  # pairs with a check-in per cycle
    held: dict[date, int] = field(default_factory=dict)  # of them, pairs where someone met
    goals: int = 0
    smart: int = 0
    completed: int = 0
    ratings: list[int] = field(default_factory=list)
    survey: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    requests: int = 0
    claimed: int = 0
    waits: dict[str, list[float]] = field(default_factory=dict)  # region: mentees' days to start


def generate(
    engine: Engine,
    *,
    people: int = 500,
    weeks: int = 12,
    seed: int = 1,
    workspace: str | None = None,
    platform: str = "console",
    waits: Mapping[str, float] | None = None,
    slug: str = "gen",
    outcomes: tuple[str, ...] = OUTCOMES,
) -> Truth:
    """``people`` members (a quarter mentors) paired 1:1 at the start, then ``weeks`` weekly
    check-in cycles with random outcomes, goals, ratings, mid and end surveys, requests.
    ``waits`` plants slower matching: a time-zone region's members (``"Asia"``) joined that
    many times as long before the start as they would have (so they wait that much longer).
    ``slug`` names the program (several in one workspace need different ones); each
    check-in's outcome is drawn from ``outcomes`` (more "met" there: more meetings held).
    """
    rng = random.Random(seed)
    start = datetime(2026, 9, 7, 9, tzinfo=UTC)  # a Monday
    with transaction(engine) as s:
        program = Program(
            slug=slug,
            name="Generated <program>",
            platform=platform,
            workspace_id=workspace or f"gen-{seed}-{people}",
            cadence="weekly",
            starts_on=start.date(),
            created_at=start,
        )
        s.add(program)
        s.flush()
        assert program.id is not None
        truth = Truth(program_id=program.id, start=start)
        members = _members(s, program, people, start, rng, truth, waits or {})
        mentors = [m for m in members if m.role == "mentor"]
        mentees = [m for m in members if m.role == "mentee"]
        pairs = []
        for mentee, mentor in zip(mentees, mentors, strict=False):
            pair = Pair(
                program_id=program.id,
                status="active",
                score=round(rng.uniform(40, 90), 1),
                created_at=start,
                started_at=start,
            )
            s.add(pair)
            s.flush()
            assert pair.id is not None
            s.add(PairMember(pair_id=pair.id, member_id=mentee.id, role="mentee"))
            s.add(PairMember(pair_id=pair.id, member_id=mentor.id, role="mentor"))
            pairs.append((pair.id, mentee.id, mentor.id))
        truth.pairs = len(pairs)
        _checkins(s, pairs, start, weeks, rng, truth, outcomes)
        _answers(s, program.id, mentees, start, weeks, rng, truth)
    return truth


def _members(s, program, people: int, start: datetime, rng, truth: Truth, waits) -> list[Member]:  # type: ignore[no-untyped-def]
    program_id = program.id
    out = []
    for k in range(people):
        role = "mentor" if k % 4 == 0 else "mentee"
        # mentors (every fourth) spread over the zones, so each region has mentees waiting
        zone = ZONES[(k + k // 4) % len(ZONES)] if k < people - 2 else "Pacific/Chatham"
        status = rng.choice(("active",) * 8 + ("paused", "left"))
        person = Person(
            platform=program.platform,
            platform_user_id=f"g{program_id}-{k}",
            display_name=f"g{k}",
            timezone=zone,
            created_at=start,
            updated_at=start,
        )
        s.add(person)
        s.flush()
        region = zone.split("/")[0]
        days = rng.randint(1, 20) * waits.get(region, 1)
        if role == "mentee":  # waiting for a partner is a mentee's matter
            truth.waits.setdefault(region, []).append(days)
        member = Member(
            program_id=program_id,
            person_id=person.id,
            role=role,
            status=status,
            joined_at=start - timedelta(days=days),
        )
        s.add(member)
        s.flush()
        out.append(member)
        truth.roles[role] += 1
        truth.zones[zone] += 1
        truth.statuses[status] += 1
    return out


def _checkins(s, pairs, start: datetime, weeks: int, rng, truth: Truth, outcomes) -> None:  # type: ignore[no-untyped-def]
    for week in range(weeks):
        cycle = (start + timedelta(weeks=week)).date()
        held = 0
        for pair_id, mentee, mentor in pairs:
            met = False
            for member in (mentee, mentor):
                outcome = rng.choice(outcomes)
                met |= outcome == "met"
                recorded = start + timedelta(weeks=week, hours=5) if outcome != "pending" else None
                s.add(
                    CheckIn(
                        pair_id=pair_id,
                        member_id=member,
                        cycle_on=cycle,
                        due_at=start + timedelta(weeks=week),
                        outcome=outcome,
                        recorded_at=recorded,
                    )
                )
            held += met
        truth.planned[cycle] = len(pairs)
        truth.held[cycle] = held


def _answers(s, program_id: int, mentees, start: datetime, weeks: int, rng, truth: Truth) -> None:  # type: ignore[no-untyped-def]
    end = start + timedelta(weeks=weeks)
    for member in mentees:
        smart = rng.random() < 0.6
        done = rng.random() < 0.3
        goal = Goal(
            member_id=member.id,
            title="private words",
            measure="m" if smart else "",
            due_on=end.date() if smart else None,
            why="w" if smart else "",
            first_milestone="f" if smart else "",
            status="done" if done else "active",
            created_at=start + timedelta(days=2),
            completed_at=start + timedelta(days=30) if done else None,
        )
        s.add(goal)
        s.flush()
        s.add(
            GoalUpdate(
                goal_id=goal.id,
                progress=100 if done else rng.choice((10, 40, 60)),
                note="private",
                created_at=start + timedelta(days=20),
            )
        )
        truth.goals += 1
        truth.smart += smart
        truth.completed += done
        rating = rng.randint(1, 5)
        s.add(
            Feedback(
                member_id=member.id,
                kind="session",
                rating=rating,
                helped="secret words",
                created_at=start + timedelta(days=10),
            )
        )
        truth.ratings.append(rating)
        for survey, day in (("mid", 40), ("end", 80)):
            if rng.random() < 0.7:
                answers = {"belonging": rng.randint(1, 5), "value": rng.randint(1, 5)}
                s.add(
                    SurveyResponse(
                        program_id=program_id,
                        member_id=member.id,
                        survey=survey,
                        answers=answers,
                        created_at=start + timedelta(days=day),
                    )
                )
                for scale, value in answers.items():
                    truth.survey.setdefault((survey, scale), []).append(value)
        if rng.random() < 0.2:
            claimed = rng.random() < 0.8
            s.add(
                MentorRequest(
                    program_id=program_id,
                    requester_member_id=member.id,
                    topic="t",
                    created_at=start + timedelta(days=15),
                    claimed_at=start + timedelta(days=15, hours=3) if claimed else None,
                )
            )
            truth.requests += 1
            truth.claimed += claimed
