"""Outbox rows: lookups by dedupe key, the due range scan, and what the digest reports."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, case, cast, delete, func, literal, tuple_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.bulk import CHUNK, insert_for
from storage.models import OutboxMessage, OutboxStatus, PlatformHold, SendingProcess


def by_key(*, session: Session, dedupe_key: str) -> OutboxMessage | None:
    """The row stored under a dedupe key, if any."""
    return session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)).first()


def keys_with_prefix(*, session: Session, prefix: str) -> set[str]:
    """Every dedupe key that starts with ``prefix``."""
    return set(
        session.exec(
            select(OutboxMessage.dedupe_key).where(col(OutboxMessage.dedupe_key).startswith(prefix))
        ).all()
    )


def delete_pending(*, session: Session, keys: list[str]) -> None:
    """Remove the unsent rows among these dedupe keys (any number of keys)."""
    for start in range(0, len(keys), CHUNK):
        session.execute(
            delete(OutboxMessage).where(
                col(OutboxMessage.dedupe_key).in_(keys[start : start + CHUNK]),
                col(OutboxMessage.status) == OutboxStatus.PENDING,
            )
        )


def cancel_pending_of_program(*, session: Session, program_id: int) -> int:
    """Remove every unsent message of a program (it was archived); how many there were."""
    result = session.execute(
        delete(OutboxMessage).where(
            col(OutboxMessage.program_id) == program_id,
            col(OutboxMessage.status) == OutboxStatus.PENDING,
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def pending_by_keys(*, session: Session, keys: list[str]) -> list[OutboxMessage]:
    """The unsent rows among these dedupe keys."""
    if not keys:
        return []
    return list(
        session.exec(
            select(OutboxMessage).where(
                col(OutboxMessage.dedupe_key).in_(keys),
                OutboxMessage.status == OutboxStatus.PENDING,
            )
        ).all()
    )


def parked(*, session: Session, program_id: int) -> list[tuple[list[str], str | None]]:
    """(targets, last error) of the program's parked rows, newest first; a DM that reached
    its person through the fallback (its ``<key>:private`` copy was sent) is not one.
    """
    fallback = aliased(OutboxMessage)
    delivered_privately = (
        select(fallback.id)
        .where(
            fallback.dedupe_key == func.substr(OutboxMessage.dedupe_key + ":private", 1, 200),
            fallback.status == OutboxStatus.SENT,
        )
        .exists()
    )
    rows = session.exec(
        select(OutboxMessage.target_ids, OutboxMessage.last_error)
        .where(OutboxMessage.program_id == program_id, OutboxMessage.status == OutboxStatus.PARKED)
        .where(~delivered_privately)
        .order_by(col(OutboxMessage.id).desc())
    ).all()
    return [(list(ids), error) for ids, error in rows]


def next_due_after(*, session: Session, after: datetime) -> datetime | None:
    """When the next pending row falls due after ``after``."""
    return session.exec(
        select(func.min(OutboxMessage.not_before)).where(
            OutboxMessage.status == OutboxStatus.PENDING,
            col(OutboxMessage.not_before) > after,
        )
    ).one()


def release_lapsed_leases(*, session: Session, now: datetime) -> None:
    """Rows claimed by a process whose lease ran out are pending again."""
    session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.status) == OutboxStatus.CLAIMED,
            col(OutboxMessage.lease_until) < now,
        )
        .values(status=OutboxStatus.PENDING, lease_until=None, lease_owner=None)
    )


def renew_leases(
    *, session: Session, owner: str, claims: dict[int, int], until: datetime
) -> set[int]:
    """Extend ``owner``'s leases to ``until`` for the claimed rows in ``claims`` (row id ->
    attempts at the claim); returns the ids renewed. A row missing from the answer is no
    longer this claim's: released after its lease ran out, or claimed again since.
    """
    if not claims:
        return set()
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    renewed = session.execute(
        update(table)
        .where(
            table.c.status == OutboxStatus.CLAIMED,
            table.c.lease_owner == owner,
            tuple_(table.c.id, table.c.attempts).in_(list(claims.items())),
        )
        .values(lease_until=until)
        .returning(table.c.id)
    )
    return {int(row_id) for (row_id,) in renewed}


def release_owned(*, session: Session, owner: str) -> int:
    """A restarted process takes back at once the rows it had claimed before it stopped."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.status) == OutboxStatus.CLAIMED,
            col(OutboxMessage.lease_owner) == owner,
        )
        .values(status=OutboxStatus.PENDING, lease_until=None, lease_owner=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def release_unsent(*, session: Session, owner: str, keep: set[int]) -> int:
    """Shutting down: rows ``owner`` claimed but never started sending go back to the queue
    as they were (the attempt they were charged is returned); those in ``keep`` (sends that
    may have reached the platform) stay claimed for the next start to settle.
    """
    result = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.status) == OutboxStatus.CLAIMED,
            col(OutboxMessage.lease_owner) == owner,
            col(OutboxMessage.id).not_in(keep or {-1}),
        )
        .values(
            status=OutboxStatus.PENDING,
            lease_until=None,
            lease_owner=None,
            attempts=case(
                (col(OutboxMessage.attempts) > 0, col(OutboxMessage.attempts) - 1), else_=0
            ),
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def due(
    *, session: Session, now: datetime, platforms: list[str], limit: int, skip_locked: bool
) -> list[OutboxMessage]:
    """Up to ``limit`` pending rows due by ``now``, oldest first: one range scan of the
    (status, not_before) index however large the backlog; ``skip_locked`` on PostgreSQL.
    """
    query = (
        select(OutboxMessage)
        .where(
            col(OutboxMessage.status) == OutboxStatus.PENDING,
            col(OutboxMessage.not_before) <= now,
            col(OutboxMessage.platform).in_(platforms),
        )
        .order_by(col(OutboxMessage.not_before), col(OutboxMessage.id))
        .limit(limit)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    return list(session.exec(query).all())


def backlog(*, session: Session, now: datetime) -> tuple[int, datetime | None]:
    """(rows due and not sent yet, when the oldest of them fell due)."""
    count, oldest = session.exec(
        select(func.count(), func.min(OutboxMessage.not_before)).where(
            col(OutboxMessage.status).in_((OutboxStatus.PENDING, OutboxStatus.CLAIMED)),
            col(OutboxMessage.not_before) <= now,
        )
    ).one()
    return int(count), oldest


def forget_delivered(*, session: Session, sent_before: datetime, drop_before: datetime) -> int:
    """Blank the text of messages delivered before ``sent_before`` (the dedupe key, target
    and status stay, so nothing is sent twice), and delete finished rows from before
    ``drop_before``. Returns how many rows changed.
    """
    blanked = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.status) == OutboxStatus.SENT,
            col(OutboxMessage.sent_at) < sent_before,
            cast(col(OutboxMessage.payload), String) != "{}",
        )
        .values(payload={})
        .execution_options(synchronize_session=False)
    )
    dropped = session.execute(
        delete(OutboxMessage)
        .where(
            col(OutboxMessage.status).in_((OutboxStatus.SENT, OutboxStatus.CANCELLED)),
            col(OutboxMessage.created_at) < drop_before,
        )
        .execution_options(synchronize_session=False)
    )
    return int(blanked.rowcount or 0) + int(dropped.rowcount or 0)  # type: ignore[attr-defined]


def _upsert(
    session: Session, model: Any, values: dict[str, Any], key: str, changes: dict[str, Any]
) -> None:
    maker = insert_for(session)
    statement = maker(model.__table__).values(**values)
    session.execute(statement.on_conflict_do_update(index_elements=[key], set_=changes))


def sending_processes(*, session: Session, owner: str, now: datetime, window: timedelta) -> int:
    """Mark ``owner`` as sending now; returns how many processes sent within ``window``."""
    table = SendingProcess.__table__  # type: ignore[attr-defined]
    _upsert(session, SendingProcess, {"owner": owner, "seen_at": now}, "owner", {"seen_at": now})
    live = session.execute(
        select(func.count()).select_from(table).where(table.c.seen_at >= now - window)
    ).scalar_one()
    return max(int(live), 1)


def stopped_sending(*, session: Session, owner: str) -> None:
    """``owner`` stopped: the others take its share of the budget at once."""
    session.execute(delete(SendingProcess).where(col(SendingProcess.owner) == owner))


def hold_platform(*, session: Session, platform: str, until: datetime) -> None:
    """Nothing goes to ``platform`` before ``until`` (the later of any two holds wins)."""
    table = PlatformHold.__table__  # type: ignore[attr-defined]
    bound = literal(until, type_=table.c.until.type)
    later = case((table.c.until > bound, table.c.until), else_=bound)
    _upsert(
        session, PlatformHold, {"platform": platform, "until": until}, "platform", {"until": later}
    )


def platform_holds(*, session: Session, now: datetime) -> dict[str, datetime]:
    """Platforms on hold after ``now``, and until when."""
    rows = session.execute(
        select(PlatformHold.platform, PlatformHold.until).where(col(PlatformHold.until) > now)
    ).all()
    return {platform: until for platform, until in rows}
