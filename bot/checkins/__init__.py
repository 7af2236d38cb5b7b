"""Check-ins: planning nudges in everyone's local time, answers, stalled pairs, the digest,
and the program's end.
"""

from __future__ import annotations

from datetime import timedelta

from bot.checkins.prompts import WORDS
from bot.registry import JobContext, Registry, registry_of_job

HELP_POSITION = 40  # where its commands come in help (bot.app.capabilities)


def register(registry: Registry) -> None:
    """Add ``checkin`` and ``admin digest``, the reader of plain answers to a nudge, the nudge
    renderer, the feeder that queues planned nudges shortly before they are due, and the
    pulse jobs that plan nudges, flag stalled pairs, queue the weekly digest and wrap up
    programs that ended.
    """
    from bot.checkins.commands import admin_digest, checkin
    from bot.checkins.contributions import register_contributions
    from bot.checkins.digest import queue_digests
    from bot.checkins.plain_answers import nothing_to_answer, read_plain_answer
    from bot.checkins.planner import (
        NUDGE_RENDERER,
        next_nudge_to_queue,
        plan_nudges,
        queue_due_nudges,
        render_nudge,
    )
    from bot.checkins.stalled import flag_stalled

    registry.commands.command("checkin", aliases=("met", "log"))(checkin)
    registry.admin.command("digest")(admin_digest)
    registry.free_text_reader(read_plain_answer)
    registry.free_text_reader(nothing_to_answer, late=True)
    registry.renderer(NUDGE_RENDERER, render_nudge)
    registry.job(
        "plan",
        lambda settings: timedelta(minutes=settings.checkins.plan_every_minutes),
        lambda job: plan_nudges(
            job.session, now=job.now, settings=job.settings, prompts=job.prompts
        ),
    )
    registry.feeder(
        "nudges",
        lambda job: queue_due_nudges(job.session, now=job.now, settings=job.settings),
        lambda session, after: next_nudge_to_queue(session, after=after),
    )
    registry.job(
        "stalled",
        lambda settings: timedelta(minutes=settings.checkins.stalled_every_minutes),
        lambda job: flag_stalled(
            job.session,
            now=job.now,
            settings=job.settings,
            prompts=job.prompts,
            group_dm=job.group_dm,
        ),
    )
    registry.job(
        "digest",
        lambda settings: timedelta(minutes=15),
        lambda job: queue_digests(
            job.session, now=job.now, settings=job.settings, prompts=job.prompts
        ),
    )
    registry.job("wrapup", lambda settings: timedelta(minutes=15), _wrap_up)
    register_contributions(registry)
    registry.words(WORDS)


def _wrap_up(job: JobContext) -> int:
    from bot.checkins.wrapup import wrap_up

    return wrap_up(
        job.session,
        now=job.now,
        settings=job.settings,
        prompts=job.prompts,
        registry=registry_of_job(job),
    )
