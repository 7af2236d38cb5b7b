"""The pair-health rule over check-in rows: healthy, quiet, stalled, ghosting, closed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.pairs.health import CheckInFact, Health, HealthRules, PairFacts, assess

START = datetime(2025, 1, 6, 10, tzinfo=UTC)
RULES = HealthRules(ignored_in_a_row=3, cycles_without_meeting=2, answer_grace=timedelta(hours=48))
A, B = 1, 2


def cycles(a: str, b: str) -> list[CheckInFact]:
    """Weekly cycles; per person one letter per cycle: m met, n not yet, r rescheduled,
    p pending (ignored), - no row.
    """
    outcome = {"m": "met", "n": "not_yet", "r": "rescheduled", "p": "pending"}
    rows = []
    for member, letters in ((A, a), (B, b)):
        for week, letter in enumerate(letters):
            if letter == "-":
                continue
            due = START + timedelta(weeks=week)
            answered = letter != "p"
            rows.append(
                CheckInFact(
                    member,
                    due.date(),
                    due,
                    outcome[letter],
                    due + timedelta(hours=1) if answered else None,
                )
            )
    return rows


def pair(status: str = "active") -> PairFacts:
    """A two-person pair."""
    return PairFacts(7, status, (A, B), START - timedelta(days=7), None)


@pytest.mark.parametrize(
    ("a", "b", "state", "silent"),
    [
        ("mmmm", "mmmm", Health.HEALTHY, ()),
        ("mppppppp", "mnnnnnnn", Health.GHOSTING, (A,)),  # seven ignored, partner answers
        ("mmpp", "mmnn", Health.GHOSTING, (A,)),  # two ignored, the first 2 weeks ago: silent
        ("mmmp", "mmmn", Health.GHOSTING, (A,)),  # one ignored a week ago: reminded, so silent
        ("nnp", "pnp", Health.QUIET, (A, B)),  # nobody answered this week: quiet, not stalled
        ("mppp", "mppp", Health.QUIET, (A, B)),  # nobody answers
        ("mnnn", "mnnn", Health.STALLED, ()),  # answers, no meeting for two cycles
        ("mnrn", "mnnn", Health.HEALTHY, ()),  # a rescheduled meeting is progress
        ("mpppm", "mnnnp", Health.HEALTHY, ()),  # a meeting reported resets the clock
        ("pppp", "nppp", Health.QUIET, (A, B)),  # B answered before A's silence: nobody since
    ],
)
def test_states(a: str, b: str, state: Health, silent: tuple[int, ...]) -> None:
    """Each pattern of answers gets the state the rule's words give it."""
    now = START + timedelta(weeks=len(a), hours=1)
    health = assess(pair(), cycles(a, b), now=now, rules=RULES)
    assert (health.state, health.silent_member_ids) == (state, silent)


def test_ghost_details() -> None:
    """The silent person's run, since when, and days since the last meeting are given."""
    now = START + timedelta(weeks=8, hours=1)
    health = assess(pair(), cycles("mppppppp", "mnnnnnnn"), now=now, rules=RULES)
    ghost, partner = health.person(A), health.person(B)
    assert ghost is not None and partner is not None
    assert ghost.ignored_in_a_row == 7
    assert ghost.silent_since == START + timedelta(weeks=1)
    assert partner.ignored_in_a_row == 0 and partner.silent_since is None
    assert health.last_meeting_on == date(2025, 1, 6)
    assert health.days_since_meeting == 56


def test_grace_and_closed() -> None:
    """A nudge within its grace is not ignored yet; an ended pair is closed."""
    now = START + timedelta(weeks=3, hours=1)  # the third nudge is an hour old
    health = assess(pair(), cycles("mppp", "mnnn"), now=now, rules=RULES)
    assert health.person(A).ignored_in_a_row == 2  # type: ignore[union-attr]
    assert assess(pair("ended"), [], now=now, rules=RULES).state == Health.CLOSED


def test_a_meeting_logged_in_a_cycle_still_open_ends_the_stall() -> None:
    """Two cycles without a meeting, then one logged in the cycle still within its grace."""
    now = START + timedelta(weeks=2, hours=2)
    rows = cycles("nnp", "nnp")
    rows[2] = rows[2]._replace(outcome="met", recorded_at=now)
    assert assess(pair(), rows, now=now, rules=RULES).state == Health.HEALTHY
    assert assess(pair(), cycles("nnp", "nnp"), now=now, rules=RULES).state == Health.STALLED


def test_silent_from_the_reminder_day_not_only_after_n_ignored() -> None:
    """One nudge ignored for under a week is not silence yet; a week later it is."""
    rows = cycles("mmmp", "mmmn")
    soon = assess(pair(), rows, now=START + timedelta(weeks=3, days=3), rules=RULES)
    assert (soon.state, soon.silent_member_ids) == (Health.HEALTHY, ())
    later = assess(pair(), rows, now=START + timedelta(weeks=4), rules=RULES)
    assert (later.state, later.silent_member_ids) == (Health.GHOSTING, (A,))
    assert later.person(A).silent_since == START + timedelta(weeks=3)  # type: ignore[union-attr]


def test_stalled_only_when_everyone_answers() -> None:
    """Daily cycles: B never answered (not silent yet) while A says "not yet": not stalled."""
    day = timedelta(days=1)
    rows = [
        CheckInFact(m, (START + i * day).date(), START + i * day, outcome, at)
        for i in range(2)
        for m, outcome, at in ((A, "not_yet", START + i * day), (B, "pending", None))
    ]
    now = START + day + timedelta(hours=49)
    assert assess(pair(), rows, now=now, rules=RULES).state == Health.HEALTHY
    answered = [r._replace(outcome="not_yet", recorded_at=r.due_at) for r in rows]
    assert assess(pair(), answered, now=now, rules=RULES).state == Health.STALLED
