"""The outbox: every message the bot sends on its own initiative is a row before it is a send.

``enqueue`` is idempotent on the dedupe key, so planning the same message twice (a retry, a
restart, a second publish) stores it once. ``Dispatcher`` claims due rows with a lease (so a
crash mid-send frees them again), sends through the platform's :class:`Sender` and records the
result: sent with the platform message id, retried later on rate limits and transient errors,
parked on permanent failures where admins can see them.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.delivery import DeliveryResult, Sender, Target
from bot.leases import Leases
from bot.metrics import Metrics, NoMetrics
from bot.replies import Message
from bot.time.clock import Clock
from storage import outbox as outbox_db
from storage.bulk import insert_ignoring_conflicts
from storage.engine import transaction
from storage.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    """One message to store: a finished ``message``, or a ``render`` (renderer name and its
    arguments) that a renderer registered by the owning capability turns into one when sent.
    """

    dedupe_key: str
    target: Target
    not_before: datetime
    message: Message | None = None
    render: tuple[str, dict[str, Any]] | None = None
    expires_at: datetime | None = None


def outbox_row(item: Outgoing, *, now: datetime, program_id: int | None) -> dict[str, Any]:
    """The one place an outbox row's shape is written."""
    if item.message is not None:
        payload = item.message.to_json()
    else:
        assert item.render is not None, "an outgoing message needs a message or a renderer"
        payload = {"render": item.render[0], "args": item.render[1]}
    return {
        "dedupe_key": item.dedupe_key,
        "program_id": program_id,
        "platform": item.target.platform,
        "workspace_id": item.target.workspace_id,
        "target_kind": item.target.kind,
        "target_ids": list(item.target.ids),
        "payload": payload,
        "not_before": item.not_before,
        "expires_at": item.expires_at,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "created_at": now,
    }


def enqueue(
    session: Session,
    *,
    dedupe_key: str,
    target: Target,
    message: Message,
    not_before: datetime,
    now: datetime,
    program_id: int | None = None,
) -> OutboxMessage | None:
    """Store a message to send at or after ``not_before``; None if the key was already used."""
    if outbox_db.by_key(session=session, dedupe_key=dedupe_key) is not None:
        return None
    item = Outgoing(dedupe_key, target, not_before, message=message)
    row = OutboxMessage(**outbox_row(item, now=now, program_id=program_id))
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None  # another writer stored the same key first
    return row


def enqueue_many(
    session: Session, items: list[Outgoing], *, now: datetime, program_id: int | None = None
) -> int:
    """Store many messages in one bulk insert; keys already used are skipped silently."""
    rows = [outbox_row(item, now=now, program_id=program_id) for item in items]
    return insert_ignoring_conflicts(session, OutboxMessage, rows, conflict=["dedupe_key"])


class Reachability(Protocol):
    """Told, in the transaction that records a DM's outcome, whether it reached its person."""

    def unreachable(
        self, session: Session, row: OutboxMessage, reason: str, *, now: datetime
    ) -> None:
        """A DM in ``row`` failed for good because of ``reason`` (``bot.delivery``)."""
        ...

    def reached(self, session: Session, rows: list[OutboxMessage], *, now: datetime) -> None:
        """The DMs in ``rows`` were delivered."""
        ...


@dataclass(frozen=True)
class Claimed:
    """An outbox row claimed for sending."""

    id: int
    target: Target
    message: Message
    attempts: int


@dataclass
class DispatchStats:
    """What a dispatch run did."""

    sent: int = 0
    retried: int = 0
    parked: int = 0
    expired: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Pacing:
    """A platform's sending limits: overall messages per second, and spacing per conversation."""

    per_second: float | None = None
    per_target_seconds: float = 0.0
    burst_seconds: float = 1.0  # unused rate may be spent in a burst of this many seconds


class Pacer:
    """Spaces sends so platforms never have to rate-limit us; honours Retry-After pauses."""

    def __init__(
        self,
        pacing: dict[str, Pacing],
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._pacing = pacing
        self._monotonic = monotonic
        self._sleep = sleep
        self._tat: dict[str, float] = {}  # GCRA "theoretical arrival time" per platform
        self._next_target: dict[tuple[str, tuple[str, ...]], float] = {}
        self._paused_until: dict[str, float] = {}
        self._share = 1  # processes sending at once: each spends 1/share of the rate
        self._lock = asyncio.Lock()

    def share(self, processes: int) -> None:
        """``processes`` are sending to the same platforms: pace at our share of the rate."""
        self._share = max(int(processes), 1)

    async def wait(self, target: Target) -> None:
        """Wait until a message to ``target`` may go (platform rate, spacing, Retry-After)."""
        pacing = self._pacing.get(target.platform)
        if pacing is None:
            return
        async with self._lock:  # reserve a slot; the sleep happens outside the lock
            now = self._monotonic()
            at = max(now, self._paused_until.get(target.platform, 0.0))
            at = max(at, self._next_target.get((target.platform, target.ids), 0.0))
            if pacing.per_second:
                # GCRA: steady ``per_second`` with credit for up to ``burst_seconds`` unused.
                interval = self._share / pacing.per_second
                tolerance = max(pacing.burst_seconds - interval, 0.0)
                tat = self._tat.get(target.platform, at)
                at = max(at, tat - tolerance)
                self._tat[target.platform] = max(tat, at) + interval
            self._next_target[(target.platform, target.ids)] = at + pacing.per_target_seconds
        if at > now:
            await self._sleep(at - now)

    def pause(self, platform: str, seconds: float) -> None:
        """The platform said "slow down": nothing more goes to it for ``seconds``."""
        until = self._monotonic() + max(seconds, 0.0)
        self._paused_until[platform] = max(self._paused_until.get(platform, 0.0), until)


# A process that claimed work within this long counts as sending (see ``_coordinate``).
LIVE_WINDOW = timedelta(seconds=60)


class Dispatcher:
    """Claims due outbox rows and sends them through the adapters."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        senders: dict[str, Sender],
        *,
        lease: timedelta = timedelta(minutes=2),
        max_attempts: int = 8,
        pacing: dict[str, Pacing] | None = None,
        concurrency: int = 8,
        pacer: Pacer | None = None,
        renderers: Mapping[str, Callable[[dict[str, Any]], Message]] | None = None,
        owner: str | None = None,
        metrics: Metrics | None = None,
        reach: Reachability | None = None,
    ) -> None:
        # Who holds a lease: stable across restarts (the host, or the configured instance),
        # so a restarted process takes its own rows back at once (see ``recover``).
        self.owner = owner or socket.gethostname()
        self._metrics: Metrics = metrics or NoMetrics()
        self._reach = reach
        self._engine = engine
        self._clock = clock
        self._senders = senders
        self._lease = lease
        self._leases = Leases(engine, clock, owner=self.owner, lease=lease)
        self._max_attempts = max_attempts
        self._pacer = pacer or Pacer(pacing or {})
        self._renderers = dict(renderers or {})
        self._concurrency = concurrency
        self._held: dict[str, datetime] = {}  # platform -> until when it asked us to wait
        self._stopping = False
        self._pacing_waits: set[asyncio.Future[None]] = set()
        self._in_flight: set[int] = set()  # rows whose send has started, outcome not stored
        self._new_holds: dict[str, datetime] = {}  # Retry-After heard, not yet shared
        self._outcomes: list[tuple[Claimed, DeliveryResult, DispatchStats, asyncio.Future[None]]]
        self._outcomes = []  # waiting for the next write (see ``_record_soon``)
        self._writer: asyncio.Future[None] | None = None
        self.processes = 1  # how many processes were sending at the last claim
        self.expired = 0

    def stop(self) -> None:
        """Shutting down: sends under way finish and are recorded; nothing new is claimed,
        and claimed rows not yet sent go back to the queue unsent, using no attempt.
        """
        self._stopping = True
        for waiting in list(self._pacing_waits):  # a paced send may be waiting for seconds
            waiting.cancel()

    def release_unsent(self) -> int:
        """After a stop that had to cut sends off: every row this process claimed but never
        began to send goes back to the queue; the ones cut off mid-send stay leased to it
        (its next start settles them).
        """
        with transaction(self._engine) as session:
            return outbox_db.release_unsent(
                session=session, owner=self.owner, keep=set(self._in_flight)
            )

    def recover(self) -> int:
        """At start: rows this process had claimed when it stopped are pending again at once
        (not after their lease runs out); returns how many.
        """
        with transaction(self._engine) as session:
            return outbox_db.release_owned(session=session, owner=self.owner)

    def leave(self) -> None:
        """Stop sending: the other processes take over our share of the rate."""
        with transaction(self._engine) as session:
            outbox_db.stopped_sending(session=session, owner=self.owner)

    def _coordinate(self, session: Session, now: datetime) -> list[str]:
        """What the other processes know: how many are sending (our share of each rate) and
        which platforms asked everyone to wait. Returns the platforms we may send to now.
        """
        self.processes = outbox_db.sending_processes(
            session=session, owner=self.owner, now=now, window=LIVE_WINDOW
        )
        self._pacer.share(self.processes)
        for platform, until in outbox_db.platform_holds(session=session, now=now).items():
            self._held[platform] = max(self._held.get(platform, until), until)
        return [p for p in self._senders if self._held.get(p, now) <= now]

    def claim(self, limit: int) -> list[Claimed]:
        """Lease up to ``limit`` due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL)."""
        now = self._clock.now()
        with transaction(self._engine) as session:
            platforms = self._coordinate(session, now)
            if not platforms:
                return []
            # Leases of a process that died run out: those rows are pending again.
            outbox_db.release_lapsed_leases(session=session, now=now)
            rows = outbox_db.due(
                session=session,
                now=now,
                platforms=platforms,
                limit=limit,
                skip_locked=self._engine.dialect.name == "postgresql",
            )
            claimed = [c for row in rows if (c := self._claim_row(session, row, now))]
            return claimed

    def _claim_row(self, session: Session, row: OutboxMessage, now: datetime) -> Claimed | None:
        """Lease one due row; one too stale to be useful is withdrawn, one that can't be
        rendered is parked, and neither is sent.
        """
        if row.expires_at is not None and row.expires_at < now:
            # Too stale to be useful (the bot was down): withdrawn, not sent late.
            row.status = OutboxStatus.CANCELLED
            row.last_error = "expired before it could be sent"
            session.add(row)
            self.expired += 1
            return None
        try:
            message = self._message(row.payload)
        except (KeyError, TypeError, ValueError) as exc:
            row.status = OutboxStatus.PARKED
            row.last_error = f"cannot build message: {exc!r}"[:500]
            session.add(row)
            return None
        # An earlier attempt whose outcome is unknown (killed mid-send) or was a timeout may
        # have been posted: the platform may look before posting again.
        resend_after = row.not_before if row.attempts > 0 else None
        row.status = OutboxStatus.CLAIMED
        row.lease_owner = self.owner
        row.lease_until = now + self._lease
        row.attempts += 1
        session.add(row)
        assert row.id is not None
        target = Target(
            row.platform,
            row.workspace_id,
            row.target_kind,  # type: ignore[arg-type]
            tuple(row.target_ids),
        )
        message = replace(message, delivery_id=f"mentorbot-{row.id}", resend_after=resend_after)
        return Claimed(id=row.id, target=target, message=message, attempts=row.attempts)

    def _message(self, payload: dict[str, Any]) -> Message:
        """A stored payload as a message: stored parts, or rendered now from a template."""
        if "render" in payload:
            return self._renderers[payload["render"]](payload["args"])
        return Message.from_json(payload)

    def record(self, item: Claimed, result: DeliveryResult) -> str:
        """Store the outcome of one send; returns the row's new status."""
        return self.record_many([(item, result)])[0]

    def record_many(self, outcomes: list[tuple[Claimed, DeliveryResult]]) -> list[str]:
        """Store the outcomes of several sends in one transaction; returns the new statuses."""
        now = self._clock.now()
        statuses: list[str] = []
        reached: list[OutboxMessage] = []
        with transaction(self._engine) as session:
            while self._new_holds:  # tell every process that the platform said "wait"
                platform, until = self._new_holds.popitem()
                outbox_db.hold_platform(session=session, platform=platform, until=until)
            for item, result in outcomes:
                row = session.get(OutboxMessage, item.id, with_for_update=True)
                if row is None or not self._still_ours(row, item):
                    # Gone, or another process took it over since our lease ran out: that
                    # process settles it (and looks for this send first, as a restart does).
                    statuses.append("gone")
                    continue
                row.lease_until, row.lease_owner = None, None
                if result.status == "sent":
                    row.status = OutboxStatus.SENT
                    row.sent_at = now
                    row.platform_message_id = result.message_id
                    row.last_error = None
                    if row.target_kind == "user":
                        reached.append(row)
                elif result.status == "rate_limited":
                    # Being rate limited is not a failure of the message: no attempt is used.
                    row.status = OutboxStatus.PENDING
                    row.attempts = max(row.attempts - 1, 0)
                    row.not_before = now + timedelta(seconds=max(result.retry_after or 1.0, 0.0))
                    row.last_error = (result.error or result.status)[:500]
                elif result.status == "permanent" or item.attempts >= self._max_attempts:
                    row.status = OutboxStatus.PARKED
                    row.last_error = (result.error or result.status)[:500]
                    if self._reach and result.unreachable and row.target_kind == "user":
                        self._reach.unreachable(session, row, result.unreachable, now=now)
                else:
                    row.status = OutboxStatus.PENDING
                    delay = timedelta(seconds=min(5 * 2 ** (item.attempts - 1), 3600))
                    row.not_before = now + delay
                    row.last_error = (result.error or result.status)[:500]
                session.add(row)
                statuses.append(row.status)
            if self._reach is not None and reached:
                self._reach.reached(session, reached, now=now)
        return statuses

    def _still_ours(self, row: OutboxMessage, item: Claimed) -> bool:
        """Whether ``row`` is still as ``item``'s claim left it: leased to us, or released
        when the lease ran out and claimed by nobody since (each claim counts an attempt).
        """
        if row.attempts != item.attempts:
            return False
        if row.status == OutboxStatus.CLAIMED:
            return row.lease_owner == self.owner
        return row.status == OutboxStatus.PENDING and row.lease_owner is None

    async def dispatch_due(self, limit: int = 100) -> DispatchStats:
        """Send the due messages (up to ``limit``) once each; safe to call from any tick.

        Messages to one conversation go in order; different conversations go concurrently,
        paced per platform. Each outcome is written right after its send.
        """
        stats = DispatchStats()
        if self._stopping:
            return stats
        expired_before = self.expired
        started = time.monotonic()
        items = await asyncio.to_thread(self.claim, limit)
        stats.expired = self.expired - expired_before
        if not items:
            return stats
        self._leases.hold(((item.id, item.attempts) for item in items), since=started)
        heartbeat = asyncio.ensure_future(self._leases.keep())  # slow sends keep their rows
        try:
            await self._send_all(items, stats)
        finally:
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)
            self._leases.done((item.id, item.attempts) for item in items)
        return stats

    async def _send_all(self, items: list[Claimed], stats: DispatchStats) -> None:
        """Send claimed rows: one conversation's in order, conversations concurrently."""
        groups: dict[tuple[str, tuple[str, ...]], list[Claimed]] = {}
        for item in items:
            groups.setdefault((item.target.platform, item.target.ids), []).append(item)
        gate = asyncio.Semaphore(self._concurrency)

        async def run(group: list[Claimed]) -> None:
            async with gate:
                for item in group:
                    # Each outcome is stored before the next send: a crash can repeat only
                    # the messages in flight, at most one per concurrent sender.
                    result = await self._deliver(item)
                    if result is not None:  # None: another process took it over
                        await self._record_soon(item, result, stats)
                    self._in_flight.discard(item.id)
                    self._leases.done([(item.id, item.attempts)])

        await asyncio.gather(*(run(g) for g in groups.values()))

    async def dispatch_all(self, batch: int = 500) -> DispatchStats:
        """Dispatch batches until nothing due is left."""
        total = DispatchStats()
        while True:
            stats = await self.dispatch_due(batch)
            total.sent += stats.sent
            total.retried += stats.retried
            total.parked += stats.parked
            total.expired += stats.expired
            total.errors += stats.errors
            if self._stopping or not (stats.sent or stats.retried or stats.parked or stats.expired):
                return total

    async def _deliver(self, item: Claimed) -> DeliveryResult | None:
        platform = item.target.platform
        if not self._stopping:
            await self._paced(item.target)
        if self._stopping:  # back to the queue as it was: not a failure, no attempt used
            return DeliveryResult("rate_limited", retry_after=0.001, error="not sent: stopping")
        # Checked last, right before sending (a 429 may have come while this one was paced).
        now = self._clock.now()
        held = self._held.get(platform)
        if held is not None and now < held:
            # The platform said "wait" (Retry-After): nothing more goes to it until then; the
            # row goes back with that time, using no attempt.
            wait = (held - now).total_seconds()
            return DeliveryResult("rate_limited", retry_after=wait, error="held: rate limited")
        if not await self._leases.still_ours(item.id, item.attempts):
            # Our lease ran out (this process stalled) and the row may be another's now: it
            # is not sent here, nor recorded.
            self._metrics.delivered(platform, "gone")
            return None
        sender = self._senders[platform]
        self._in_flight.add(item.id)
        try:
            result = await sender.send(item.target, item.message)
        except Exception as exc:  # an adapter bug must not lose the message
            log.exception("outbox send failed for row %s", item.id)
            result = DeliveryResult("transient", error=f"{type(exc).__name__}: {exc}")
        if result.status == "rate_limited":
            seconds = result.retry_after or 1.0
            self._pacer.pause(platform, seconds)
            until = self._clock.now() + timedelta(seconds=seconds)
            self._held[platform] = max(self._held.get(platform, until), until)
            self._new_holds[platform] = self._held[platform]
        return result

    async def _paced(self, target: Target) -> None:
        """The pacer's wait, cut short by ``stop``."""
        waiting = asyncio.ensure_future(self._pacer.wait(target))
        self._pacing_waits.add(waiting)
        try:
            await waiting
        except asyncio.CancelledError:
            if not self._stopping:
                raise
        finally:
            self._pacing_waits.discard(waiting)

    async def _record_soon(
        self, item: Claimed, result: DeliveryResult, stats: DispatchStats
    ) -> None:
        """Store one outcome and return once it is stored. Outcomes that arrive while a write
        is under way join the next one: one transaction for several concurrent senders (the
        database's writer is shared with commands), and still each sender's outcome is stored
        before its next send.
        """
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._outcomes.append((item, result, stats, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._write_outcomes())
        await done

    async def _write_outcomes(self) -> None:
        while self._outcomes:
            batch, self._outcomes = self._outcomes, []
            try:
                await self._write([(i, r) for i, r, _, _ in batch], [s for _, _, s, _ in batch])
            except asyncio.CancelledError:  # stopping: nobody waits for these any more
                for *_, done in batch + self._outcomes:
                    done.cancel()
                self._outcomes = []
                raise
            except Exception as exc:  # the database: each sender sees it, as before
                for *_, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for *_, done in batch:
                if not done.done():
                    done.set_result(None)

    async def _write(
        self, batch: list[tuple[Claimed, DeliveryResult]], counts: list[DispatchStats]
    ) -> None:
        statuses = await asyncio.to_thread(self.record_many, batch)
        for (item, result), status, stats in zip(batch, statuses, counts, strict=True):
            outcome = (
                status if status in (OutboxStatus.SENT, OutboxStatus.PARKED, "gone") else "retried"
            )
            self._metrics.delivered(item.target.platform, str(outcome))
            if status == OutboxStatus.SENT:
                stats.sent += 1
            elif status == OutboxStatus.PARKED:
                stats.parked += 1
                stats.errors.append(result.error or result.status)
            elif status != "gone":
                stats.retried += 1
