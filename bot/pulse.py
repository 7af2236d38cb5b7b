"""The pulse: a few periodic jobs on APScheduler. The database is the truth.

Jobs: plan upcoming nudges into the outbox, dispatch due outbox rows, flag stalled pairs,
queue the weekly admin digest, remind people of (and close) conversations they left, queue
program-survey invitations, and close programs whose end date has passed. Every job reads
what to do from the database, so a missed run loses nothing: the next one catches up, and
``tick()`` runs them all at start-up. APScheduler runs them with ``misfire_grace_time=None``
(a late run still runs), ``coalesce`` (several missed runs become one) and one instance at a
time; nothing schedule-related lives only in the scheduler's memory, so there is nothing to
persist in a job store.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlmodel import col, func, select

from bot.app import MentorBot
from bot.checkins.digest import send_digests
from bot.checkins.planner import PlanStats, plan_nudges
from bot.checkins.stalled import StallStats, flag_stalled
from bot.checkins.wrapup import wrap_up
from bot.conversations.upkeep import UpkeepStats, remind_and_expire
from bot.outbox import Dispatcher, DispatchStats
from bot.surveys import queue_invitations
from storage.engine import transaction
from storage.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)


@dataclass
class TickReport:
    plan: PlanStats
    stalled: StallStats
    digests: int
    upkeep: UpkeepStats
    surveys: int
    wrapped: int
    dispatch: DispatchStats


class Pulse:
    """The periodic work of a running bot, callable directly (tests) or on a scheduler."""

    def __init__(self, bot: MentorBot, dispatcher: Dispatcher) -> None:
        self.bot = bot
        self.dispatcher = dispatcher
        self.scheduler: AsyncIOScheduler | None = None

    # -- the jobs ---------------------------------------------------------------------------
    def plan(self) -> PlanStats:
        with transaction(self.bot.engine) as session:
            return plan_nudges(
                session,
                now=self.bot.clock.now(),
                settings=self.bot.settings,
                prompts=self.bot.prompts,
            )

    def stalled(self) -> StallStats:
        with transaction(self.bot.engine) as session:
            return flag_stalled(
                session,
                now=self.bot.clock.now(),
                settings=self.bot.settings,
                prompts=self.bot.prompts,
            )

    def digests(self) -> int:
        with transaction(self.bot.engine) as session:
            return send_digests(
                session,
                now=self.bot.clock.now(),
                settings=self.bot.settings,
                prompts=self.bot.prompts,
            )

    def upkeep(self) -> UpkeepStats:
        """Remind people of conversations they left; close the ones left too long."""
        with transaction(self.bot.engine) as session:
            return remind_and_expire(
                session,
                now=self.bot.clock.now(),
                settings=self.bot.settings,
                prompts=self.bot.prompts,
                conversations=self.bot.conversations,
            )

    def surveys(self) -> int:
        """Queue program-survey invitations that fall due."""
        with transaction(self.bot.engine) as session:
            return queue_invitations(
                session,
                now=self.bot.clock.now(),
                settings=self.bot.settings,
                prompts=self.bot.prompts,
            )

    def wrap_up(self) -> int:
        """Close programs whose end date has passed: pairs end, everyone gets a summary."""
        with transaction(self.bot.engine) as session:
            return wrap_up(
                session,
                now=self.bot.clock.now(),
                settings=self.bot.settings,
                prompts=self.bot.prompts,
            )

    def next_due(self, after: datetime) -> datetime | None:
        """When the next queued message falls due after ``after`` (for simulated time)."""
        with transaction(self.bot.engine) as session:
            return session.exec(
                select(func.min(OutboxMessage.not_before)).where(
                    OutboxMessage.status == OutboxStatus.PENDING,
                    col(OutboxMessage.not_before) > after,
                )
            ).one()

    async def dispatch(self) -> DispatchStats:
        return await self.dispatcher.dispatch_all()

    async def tick(self) -> TickReport:
        """Run every job once, in order (start-up catch-up, and simulations)."""
        plan = await asyncio.to_thread(self.plan)
        stalled = await asyncio.to_thread(self.stalled)
        digests = await asyncio.to_thread(self.digests)
        upkeep = await asyncio.to_thread(self.upkeep)
        surveys = await asyncio.to_thread(self.surveys)
        wrapped = await asyncio.to_thread(self.wrap_up)
        dispatch = await self.dispatch()
        return TickReport(plan, stalled, digests, upkeep, surveys, wrapped, dispatch)

    # -- scheduling -------------------------------------------------------------------------
    async def _guarded(self, name: str, job) -> None:  # type: ignore[no-untyped-def]
        try:
            result = job()
            if asyncio.iscoroutine(result):
                await result
        except asyncio.CancelledError:
            # Stopping while a job runs: its transaction rolls back and the next start redoes
            # it (the database is the truth), so this is not an error worth a traceback.
            log.debug("pulse job %s stopped by shutdown", name)
        except Exception:
            log.exception("pulse job %s failed; it runs again next time", name)

    def start(self) -> AsyncIOScheduler:
        """Start the periodic jobs on the running event loop (after a catch-up ``tick``)."""
        c = self.bot.settings.checkins
        scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
        now = datetime.now(UTC)
        jobs = {
            "plan": (
                lambda: asyncio.to_thread(self.plan),
                IntervalTrigger(minutes=c.plan_every_minutes),
            ),
            "dispatch": (self.dispatch, IntervalTrigger(seconds=c.dispatch_every_seconds)),
            "stalled": (
                lambda: asyncio.to_thread(self.stalled),
                IntervalTrigger(minutes=c.stalled_every_minutes),
            ),
            "digest": (lambda: asyncio.to_thread(self.digests), IntervalTrigger(minutes=15)),
            "conversations": (
                lambda: asyncio.to_thread(self.upkeep),
                IntervalTrigger(minutes=self.bot.settings.conversations.every_minutes),
            ),
            "surveys": (
                lambda: asyncio.to_thread(self.surveys),
                IntervalTrigger(minutes=self.bot.settings.conversations.every_minutes),
            ),
            "wrapup": (lambda: asyncio.to_thread(self.wrap_up), IntervalTrigger(minutes=15)),
        }
        for name, (job, trigger) in jobs.items():
            scheduler.add_job(
                self._guarded,
                trigger,
                args=(name, job),
                id=name,
                next_run_time=now,
                replace_existing=True,
            )
        scheduler.start()
        self.scheduler = scheduler
        return scheduler

    def shutdown(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
