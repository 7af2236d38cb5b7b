"""Keeping outbox leases while the rows are worked on.

A dispatcher's claim is a lease of ``lease`` length; a send slower than that (a slow platform,
a long pacing wait) would let another process claim the row and send it again. So while a
dispatch is under way its rows' leases are renewed every third of the lease, and a send
starts only while the lease is known to be ours. A row whose renewal finds it taken over
(this process stalled past its lease) is another process's now: it is not sent here, and
its outcome is not recorded here (``Dispatcher.record_many`` checks that too).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from datetime import timedelta

from sqlalchemy.engine import Engine

from bot.time.clock import Clock
from storage import outbox as outbox_db
from storage.engine import transaction, unavailable

log = logging.getLogger(__name__)


class Leases:
    """The rows one dispatcher holds (claimed, outcome not recorded) and their renewal.

    Dispatches may overlap (the start-up catch-up beside the pulse's), so every row keeps
    its own claim and its own last confirmation.
    """

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        *,
        owner: str,
        lease: timedelta,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._owner = owner
        self._lease = lease
        self._monotonic = monotonic
        self._held: dict[int, int] = {}  # row id -> attempts, which names our claim of it
        self._confirmed: dict[int, float] = {}  # row id -> when (our clock) it was ours
        self._lost: set[int] = set()

    def hold(self, claims: Iterable[tuple[int, int]], *, since: float) -> None:
        """Rows just claimed as (id, attempts); ``since`` is when the claim began."""
        for row_id, attempts in claims:
            self._held[row_id] = attempts
            self._confirmed[row_id] = since
            self._lost.discard(row_id)

    def done(self, claims: Iterable[tuple[int, int]]) -> None:
        """These claims' outcomes are recorded (or they were given up): no more renewing."""
        for row_id, attempts in claims:
            if self._held.get(row_id) != attempts:
                continue  # claimed again since, by another dispatch of ours: that one's
            del self._held[row_id]
            self._confirmed.pop(row_id, None)
            self._lost.discard(row_id)

    def _fresh(self, row_id: int) -> bool:
        """At least a third of the row's lease is left since it was last confirmed, by our
        clock (which keeps running while the process is stopped, unlike the event loop).
        """
        lease = self._lease.total_seconds()
        left = self._confirmed.get(row_id, float("-inf")) + lease - self._monotonic()
        return left > lease / 3

    async def still_ours(self, row_id: int, attempts: int) -> bool:
        """Whether a send of ``row_id`` (as claimed at ``attempts``) may start now: checked
        with the database first if its last renewal is getting old (the process stalled, or
        renewals are failing).
        """
        if row_id in self._lost or self._held.get(row_id) != attempts:
            return False
        if not self._fresh(row_id):
            try:
                await self.renew()
            except Exception as exc:
                if not unavailable(exc):
                    raise
                return False  # can't tell: not sent now; the row comes back when it lapses
        return row_id not in self._lost and self._fresh(row_id)

    async def renew(self) -> None:
        """Extend every held row's lease; rows no longer ours are marked lost."""
        claims = {k: v for k, v in self._held.items() if k not in self._lost}
        if not claims:
            return
        started = self._monotonic()
        ours = await asyncio.to_thread(self._renew, claims)
        for row_id in sorted(set(claims) - ours):
            if row_id in self._held:
                self._lost.add(row_id)
                log.warning(
                    "outbox row %s: lease lost (this process was stalled past its %ss lease); "
                    "another process settles it",
                    row_id,
                    self._lease.total_seconds(),
                )
        for row_id in ours & self._confirmed.keys():
            self._confirmed[row_id] = max(self._confirmed[row_id], started)

    def _renew(self, claims: dict[int, int]) -> set[int]:
        with transaction(self._engine) as session:
            return outbox_db.renew_leases(
                session=session,
                owner=self._owner,
                claims=claims,
                until=self._clock.now() + self._lease,
            )

    async def keep(self) -> None:
        """Renew every third of the lease until cancelled (a heartbeat while sending)."""
        period = self._lease.total_seconds() / 3
        while True:
            await asyncio.sleep(period)
            try:
                await self.renew()
            except Exception as exc:
                if not unavailable(exc):
                    log.exception("outbox lease renewal failed")
                else:
                    log.warning("outbox lease renewal: database unavailable; sends pause")
