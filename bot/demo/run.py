"""A whole program driven through the bot (:func:`drive`): the plan of :mod:`bot.demo.plan`
week by week on the fake clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from datetime import timedelta

from bot.app import MentorBot
from bot.demo.plan import DrivenTruth, Driver, bucket


async def drive(
    bot: MentorBot,
    *,
    platform: str,
    people: int = 500,
    weeks: int = 12,
    seed: int = 1,
    effects: Mapping[str, float] | None = None,
    slow_region: str | None = None,
    on_week: Callable[[int, DrivenTruth], None] | None = None,
) -> DrivenTruth:
    """Run a ``weeks``-long weekly program of ``people`` (a quarter mentors) through ``bot``
    on ``platform`` (one whose people are known by name: the console).

    ``effects`` plants known truths: team name -> the true mean change in belonging from the
    mid-program to the end survey; people join the teams in turn (``profile set team``) and
    answer belonging so (``Driver.planted``). ``slow_region`` (a time-zone region, "Asia")
    plants a wait: its mentees speak only its language (``LANGUAGE``), which only its own
    mentors speak besides English, and they join after the first round (a week in); the
    real matching (a shared language is a hard rule) can pair those mentees only in the
    second round, a week later, so they wait twice as long. Without either the plan is
    today's, unchanged. ``on_week`` hears each week done (its 1-based number and the truth
    so far).
    """
    d = Driver(bot, platform, seed, effects, slow_region)
    start = d.now().date()
    d.say("admin", "admin program set cadence weekly")
    d.say("admin", f"admin program set ends {(start + timedelta(weeks=weeks)).isoformat()}")
    mentors, mentees = d.join(people)
    if slow_region is None:
        d.match()
        d.started = d.now()
        await d.advance(timedelta(hours=1))
    statuses = {who: "active" for who in (*mentors, *mentees)}
    for week in range(weeks + 1):
        for _day in range(7):
            sent = await d.advance(timedelta(days=1))
            d.answer_nudges(sent)
            d.answer_surveys(sent)
        if slow_region is not None and week < 2:
            d.match()
            d.started = d.started or d.now()
            for who in [w for w in mentors if week == 0 and d.late(w)]:
                d.enrol(who, "mentor", int(who[1:]))  # the slow region's mentors arrive
        await d.week_done(week, weeks, mentors, mentees, statuses)
        if on_week is not None:
            on_week(week + 1, d.truth)
    if slow_region is None:  # 1:1 in one round: the rest were left out
        d.truth.left_out = people - 2 * d.truth.pairs
    d.truth.statuses = Counter(statuses.values())
    d.truth.ended["program_ended"] = d.truth.pairs - d.truth.ended["left"]
    started = d.started or d.now()
    for when in d.first_met.values():
        d.truth.first_met_days.append((when - started).total_seconds() / 86400)
    for latest in d.latest.values():
        d.truth.progress[bucket(latest)] += 1
    return d.truth
