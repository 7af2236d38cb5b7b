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
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, and_, col, or_, select

from bot.clock import Clock
from bot.delivery import DeliveryResult, Sender, Target
from bot.replies import Message
from storage.engine import transaction
from storage.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)


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
    existing = session.exec(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
    ).first()
    if existing is not None:
        return None
    row = OutboxMessage(
        dedupe_key=dedupe_key,
        program_id=program_id,
        platform=target.platform,
        workspace_id=target.workspace_id,
        target_kind=target.kind,
        target_ids=list(target.ids),
        payload=message.to_json(),
        not_before=not_before,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None  # another writer stored the same key first
    return row


@dataclass(frozen=True)
class Claimed:
    id: int
    target: Target
    message: Message
    attempts: int


@dataclass
class DispatchStats:
    sent: int = 0
    retried: int = 0
    parked: int = 0
    errors: list[str] = field(default_factory=list)


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
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._senders = senders
        self._lease = lease
        self._max_attempts = max_attempts

    def claim(self, limit: int) -> list[Claimed]:
        """Lease up to ``limit`` due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL)."""
        now = self._clock.now()
        platforms = list(self._senders)
        with transaction(self._engine) as session:
            query = (
                select(OutboxMessage)
                .where(
                    col(OutboxMessage.platform).in_(platforms),
                    OutboxMessage.not_before <= now,
                    or_(
                        OutboxMessage.status == OutboxStatus.PENDING,
                        and_(
                            col(OutboxMessage.status) == OutboxStatus.CLAIMED,
                            col(OutboxMessage.lease_until) < now,
                        ),
                    ),
                )
                .order_by(col(OutboxMessage.not_before), col(OutboxMessage.id))
                .limit(limit)
            )
            if self._engine.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = session.exec(query).all()
            claimed: list[Claimed] = []
            for row in rows:
                row.status = OutboxStatus.CLAIMED
                row.lease_until = now + self._lease
                row.attempts += 1
                session.add(row)
                assert row.id is not None
                claimed.append(
                    Claimed(
                        id=row.id,
                        target=Target(
                            row.platform,
                            row.workspace_id,
                            row.target_kind,  # type: ignore[arg-type]
                            tuple(row.target_ids),
                        ),
                        message=Message.from_json(row.payload),
                        attempts=row.attempts,
                    )
                )
            return claimed

    def record(self, item: Claimed, result: DeliveryResult) -> str:
        """Store the outcome of one send; returns the row's new status."""
        now = self._clock.now()
        with transaction(self._engine) as session:
            row = session.get(OutboxMessage, item.id)
            if row is None:
                return "gone"
            row.lease_until = None
            if result.status == "sent":
                row.status = OutboxStatus.SENT
                row.sent_at = now
                row.platform_message_id = result.message_id
                row.last_error = None
            elif result.status == "permanent" or item.attempts >= self._max_attempts:
                row.status = OutboxStatus.PARKED
                row.last_error = (result.error or result.status)[:500]
            else:
                row.status = OutboxStatus.PENDING
                if result.status == "rate_limited" and result.retry_after is not None:
                    delay = timedelta(seconds=max(result.retry_after, 0.0))
                else:
                    delay = timedelta(seconds=min(5 * 2 ** (item.attempts - 1), 3600))
                row.not_before = now + delay
                row.last_error = (result.error or result.status)[:500]
            session.add(row)
            return row.status

    async def dispatch_due(self, limit: int = 100) -> DispatchStats:
        """Send every due message (up to ``limit``) once; safe to call from any tick."""
        stats = DispatchStats()
        items = await asyncio.to_thread(self.claim, limit)
        for item in items:
            sender = self._senders[item.target.platform]
            try:
                result = await sender.send(item.target, item.message)
            except Exception as exc:  # an adapter bug must not lose the message
                log.exception("outbox send failed for row %s", item.id)
                result = DeliveryResult("transient", error=f"{type(exc).__name__}: {exc}")
            status = await asyncio.to_thread(self.record, item, result)
            if status == OutboxStatus.SENT:
                stats.sent += 1
            elif status == OutboxStatus.PARKED:
                stats.parked += 1
                stats.errors.append(result.error or result.status)
            else:
                stats.retried += 1
        return stats
