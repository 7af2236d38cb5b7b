"""The one place a pair ends: why, when, who ended it, and who hears of it.

A pair ends for one of :class:`EndReason`'s reasons (the record keeps an optional detail,
such as the matching round's reason, beside it). :func:`end_pairs` marks the pairs ended and
fires :meth:`bot.registry.Registry.fire_pair_ended` in the caller's transaction, so every
capability that cares (check-ins withdraw nudges, closure asks both people how it went)
reacts before the transaction commits. :func:`leave_pairs` is how a person leaves: a circle
carries on without them (:mod:`bot.pairs.circle_leave`), every other pair ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session

from bot.pairs import circle_leave
from bot.prompts import Prompts
from bot.registry import PairEnded, Registry
from storage.models import EndReason, Pair, PairStatus

__all__ = ["QUIET_REMATCH", "EndReason", "end_pairs", "leave_pairs"]

# The detail of a pair a peer program's recurring round ended to pair everyone afresh: a
# weekly coffee chat simply moves on, so nobody is told it ended and no closure is asked.
QUIET_REMATCH = "peer_round"


def end_pairs(
    session: Session,
    registry: Registry,
    pairs: Iterable[Pair],
    *,
    reason: EndReason,
    now: datetime,
    detail: str = "",
    by_member_id: int | None = None,
) -> list[int]:
    """End the still-active ``pairs`` now for ``reason`` and tell every hook; returns the ids
    of the pairs that ended (pairs already over are left as they were).

    ``detail``: a fixed key refining the reason (e.g. the round's ``stalled_no_meeting``),
    never a person's words. ``by_member_id``: whose action ended it (None: an admin or the
    bot itself).
    """
    ended: list[Pair] = []
    for pair in pairs:
        if pair.id is None or pair.status != PairStatus.ACTIVE:
            continue
        pair.status, pair.ended_at = PairStatus.ENDED, now
        pair.end_reason, pair.end_detail = reason.value, detail or None
        pair.ended_by_member_id = by_member_id
        session.add(pair)
        ended.append(pair)
    ids = [p.id for p in ended if p.id is not None]
    if ids:
        session.flush()
        registry.fire_pair_ended(
            PairEnded(session, now, ids, reason, detail=detail, by_member_id=by_member_id)
        )
    return ids


def leave_pairs(
    session: Session,
    registry: Registry,
    prompts: Prompts,
    pairs: Iterable[Pair],
    leaving: Iterable[int],
    *,
    reason: EndReason,
    now: datetime,
    detail: str = "",
    by_member_id: int | None = None,
    named: bool = True,
) -> list[int]:
    """The members ``leaving`` leave ``pairs``: a circle that still holds two people (its
    mentor among them) carries on without them and the others are told (by name unless not
    ``named``); every other pair ends as :func:`end_pairs` ends it. Returns the ended ids.
    """
    gone = set(leaving)
    ending: list[Pair] = []
    for pair in pairs:
        if pair.status != PairStatus.ACTIVE:
            continue
        if circle_leave.carries_on(session, pair, gone):
            circle_leave.take_out(session, registry, prompts, pair, gone, now=now, named=named)
        else:
            ending.append(pair)
    return end_pairs(
        session,
        registry,
        ending,
        reason=reason,
        now=now,
        detail=detail,
        by_member_id=by_member_id,
    )
