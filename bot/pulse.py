"""The pulse: a few periodic jobs on APScheduler. The database is the truth.

Jobs: plan upcoming check-ins, dispatch due outbox rows (after the feeders queued what falls
due shortly, such as planned nudges), flag stalled pairs,
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
import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.app import MentorBot
from bot.outbox import Dispatcher, DispatchStats
from bot.registry import JobContext
from storage import outbox as outbox_db
from storage.engine import transaction, unavailable

log = logging.getLogger(__name__)


@dataclass
class TickReport:
    """What one ``tick`` did: each job's result by name, and the dispatch."""

    jobs: dict[str, Any]
    dispatch: DispatchStats


class Pulse:
    """The periodic work of a running bot, callable directly (tests) or on a scheduler.

    The jobs are the ones the capabilities registered (``bot/registry.py``), plus dispatching
    the outbox, which belongs to the running adapters.
    """

    def __init__(self, bot: MentorBot, dispatcher: Dispatcher) -> None:
        self.bot = bot
        self.dispatcher = dispatcher
        self.scheduler: AsyncIOScheduler | None = None
        self.jobs = {job.name: job for job in bot.registry.jobs}
        self.running: set[asyncio.Task[Any]] = set()  # scheduled jobs under way
        self.stopping = False

    # -- the jobs ---------------------------------------------------------------------------
    def run(self, name: str) -> Any:
        """Run the registered job ``name`` once, in its own transaction."""
        job = self.jobs[name]
        started = time.perf_counter()
        try:
            return self._run(job)
        finally:
            self.bot.metrics.job_ran(name, time.perf_counter() - started)

    def _run(self, job: Any) -> Any:
        with transaction(self.bot.engine) as session:
            return job.run(
                JobContext(
                    session=session,
                    now=self.bot.clock.now(),
                    settings=self.bot.settings,
                    prompts=self.bot.prompts,
                    conversations=self.bot.conversations,
                    group_dm=lambda platform: self.bot.surface_of(platform).group_dm,
                    registry=self.bot.registry,
                )
            )

    def feed(self) -> None:
        """Run the feeders: queue what falls due shortly (each in its own transaction). A
        failing feeder is logged and does not stop the dispatch of what is queued already.
        """
        for feeder in self.bot.registry.feeders:
            started = time.perf_counter()
            try:
                self._run(feeder)
            except Exception as exc:
                if unavailable(exc):
                    log.warning("outbox feeder %s: database unavailable", feeder.name)
                else:
                    log.exception("outbox feeder %s failed; it runs again next time", feeder.name)
            finally:
                self.bot.metrics.job_ran(f"feed_{feeder.name}", time.perf_counter() - started)

    def next_due(self, after: datetime) -> datetime | None:
        """When the next message falls due after ``after``, queued or still to be fed into
        the outbox (for simulated time).
        """
        with transaction(self.bot.engine) as session:
            found = [outbox_db.next_due_after(session=session, after=after)]
            found += [feeder.next_due(session, after) for feeder in self.bot.registry.feeders]
        return min((d for d in found if d is not None), default=None)

    async def dispatch(self) -> DispatchStats:
        """Queue what falls due shortly, then send the outbox rows that are due."""
        started = time.perf_counter()
        try:
            await asyncio.to_thread(self.feed)
            return await self.dispatcher.dispatch_all()
        finally:
            self.bot.metrics.job_ran("dispatch", time.perf_counter() - started)

    async def tick(self) -> TickReport:
        """Run every job once, in order (start-up catch-up, and simulations)."""
        results = {}
        for name in self.jobs:
            if self.stopping:
                break
            results[name] = await asyncio.to_thread(self.run, name)
        dispatch = await self.dispatch()
        return TickReport(results, dispatch)

    # -- scheduling -------------------------------------------------------------------------
    async def _guarded(self, name: str, job) -> None:  # type: ignore[no-untyped-def]
        task = asyncio.current_task()
        if task is not None:
            self.running.add(task)
            task.add_done_callback(self.running.discard)
        try:
            result = job()
            if asyncio.iscoroutine(result):
                await result
        except asyncio.CancelledError:
            # Stopping while a job runs: its transaction rolls back and the next start redoes
            # it (the database is the truth), so this is not an error worth a traceback.
            log.debug("pulse job %s stopped by shutdown", name)
        except Exception as exc:
            if not unavailable(exc):
                log.exception("pulse job %s failed; it runs again next time", name)
                return
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
            log.warning(
                "pulse job %s: database unavailable (%s); it runs again next time", name, reason
            )

    def start(self) -> AsyncIOScheduler:
        """Start the periodic jobs on the running event loop (after a catch-up ``tick``)."""
        c = self.bot.settings.checkins
        scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
        now = datetime.now(UTC)
        jobs: dict[str, tuple[Any, IntervalTrigger]] = {
            "dispatch": (self.dispatch, IntervalTrigger(seconds=c.dispatch_every_seconds)),
        }
        for registered in self.jobs.values():
            interval = registered.every(self.bot.settings)
            jobs[registered.name] = (
                partial(asyncio.to_thread, self.run, registered.name),
                IntervalTrigger(seconds=interval.total_seconds()),
            )
        for name, (work, trigger) in jobs.items():
            scheduler.add_job(
                self._guarded,
                trigger,
                args=(name, work),
                id=name,
                next_run_time=now,
                replace_existing=True,
            )
        scheduler.start()
        self.scheduler = scheduler
        return scheduler

    def shutdown(self) -> None:
        """Stop the scheduler (jobs in progress finish or roll back)."""
        self.stopping = True
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def stop(self, extra: asyncio.Task[Any] | None, *, grace: float) -> None:
        """Graceful stop: no new runs, no new sends; jobs and sends under way get ``grace``
        seconds to finish (unsent claimed rows go back to the queue), then are cancelled:
        their transactions roll back and the next start redoes them.
        """
        # Pause, don't shut down yet: APScheduler's shutdown cancels the jobs under way.
        self.stopping = True
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.pause()
        self.dispatcher.stop()
        under_way = [t for t in (extra, *self.running) if t is not None and not t.done()]
        late: set[asyncio.Task[Any]] = set()
        if under_way:
            _done, late = await asyncio.wait(under_way, timeout=grace)
        for task in late:
            task.cancel()
        self.shutdown()
        await asyncio.gather(*late, return_exceptions=True)
        with contextlib.suppress(Exception):  # the database may be what is failing
            await asyncio.to_thread(self.dispatcher.leave)
        if late:
            released = await asyncio.to_thread(self.dispatcher.release_unsent)
            log.warning(
                "stopping: %d job(s) still running after %ss were cancelled; %d unsent "
                "messages put back in the queue",
                len(late),
                grace,
                released,
            )
