"""What happens when a DM fails for good: the fallback, the mark, and people who left.

:class:`Reach` is the outbox dispatcher's :class:`bot.outbox.Reachability`: it runs in the
transaction that records a send's outcome, so the fallback messages, the mark and the ended
pairs are stored with the outcome or not at all.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.delivery import LEFT_WORKSPACE, Target
from bot.outbox import Outgoing, enqueue_many
from bot.pairs.lifecycle import EndReason, leave_pairs
from bot.prompts import Prompts, language_args
from bot.registry import Registry
from bot.replies import Fields, Message, Part, Section
from bot.spans import Text
from storage import pairs as pairs_db
from storage import repo
from storage import unreachable as unreachable_db
from storage.models import MemberStatus, OutboxMessage, OutboxStatus, Pair, Person, Program

log = logging.getLogger(__name__)

HOWTO_RENDERER = "unreachable.howto"
PARTNER_LEFT_RENDERER = "unreachable.partner_left"
HOWTO = "unreachable.howto"  # the prompts' section of "how to open DMs", one key per platform


def render_howto(prompts: Prompts, args: dict[str, Any]) -> Message:
    """Outbox renderer: how to open DMs on the person's platform (``unreachable.howto.<its
    name>`` in the prompts; a platform without its own words gets the general ones).
    """
    key = f"{HOWTO}.{args.get('platform')}"
    known = set(prompts.keys())
    return Message((Section(prompts.render(key if key in known else f"{HOWTO}.other")),))


def render_partner_left(prompts: Prompts, args: dict[str, Any]) -> Message:
    """Outbox renderer: the partner of someone who left the workspace hears it as a leave."""
    return Message((Section(prompts.render("leave.partner_notice", name=args["name"])),))


class Unreachable:
    """The outbox's :class:`bot.outbox.Reachability`: marks, falls back, ends pairs."""

    def __init__(self, registry: Registry, prompts: Prompts) -> None:
        self._registry = registry
        self._prompts = prompts

    def unreachable(
        self, session: Session, row: OutboxMessage, reason: str, *, now: datetime
    ) -> None:
        """Mark the person of ``row``; people who left stop being DMed and their pairs end,
        anyone else gets the message in the program's channel.
        """
        person = repo.find_person(
            session=session, platform=row.platform, platform_user_id=row.target_ids[0]
        )
        if person is None:
            return
        if person.unreachable_reason != reason or person.unreachable_since is None:
            person.unreachable_since, person.unreachable_reason = now, reason
            session.add(person)
        log.info("person %s unreachable by DM: %s", person.id, reason)
        if reason == LEFT_WORKSPACE:
            self._left(session, person, now)
        else:
            fall_back(session, row, person, now=now)

    def reached(self, session: Session, rows: list[OutboxMessage], *, now: datetime) -> None:
        """A DM reached these people: their marks (if any) are lifted."""
        by_platform: dict[str, list[str]] = {}
        for row in rows:
            by_platform.setdefault(row.platform, []).extend(row.target_ids)
        for platform, user_ids in by_platform.items():
            unreachable_db.clear_marks(session=session, platform=platform, user_ids=user_ids)

    def _end(self, session: Session, pairs: list[Pair], member_id: int, now: datetime) -> set[int]:
        """End ``member_id``'s ``pairs`` as they left the workspace (a circle carries on
        without them, the others told); the ids of the pairs that ended.
        """
        ended = leave_pairs(
            session,
            self._registry,
            self._prompts,
            pairs,
            [member_id],
            reason=EndReason.LEFT,
            now=now,
            detail=LEFT_WORKSPACE,
            by_member_id=member_id,
        )
        return set(ended)

    def _left(self, session: Session, person: Person, now: datetime) -> None:
        """Someone left the workspace: they leave every program there (their pairs end and
        partners are told, as when someone leaves), and their queued DMs are withdrawn.
        """
        assert person.id is not None
        for member, program in repo.memberships(session=session, person_id=person.id):
            if member.status == MemberStatus.LEFT or member.id is None:
                continue
            pairs = pairs_db.active_pairs_of(session=session, member_id=member.id)
            ended = self._end(session, pairs, member.id, now)
            notices = []
            for pair in pairs:
                assert pair.id is not None
                if pair.id not in ended:  # a circle that carries on without them
                    continue
                for partner in pairs_db.partners_in(
                    session=session, pair_id=pair.id, except_member_id=member.id
                ):
                    notices.append(
                        Outgoing(
                            f"left:{pair.id}:{member.id}:{partner.id}",  # as ``leave`` tells
                            Target(
                                partner.platform,
                                program.workspace_id,
                                "user",
                                (partner.platform_user_id,),
                            ),
                            now,
                            render=(
                                PARTNER_LEFT_RENDERER,
                                {"name": person.display_name, **language_args(partner)},
                            ),
                        )
                    )
            enqueue_many(session, notices, now=now, program_id=member.program_id)
            member.status, member.left_at, member.paused_until = MemberStatus.LEFT, now, None
            session.add(member)
        for queued in unreachable_db.pending_dms(
            session=session, platform=person.platform, user_id=person.platform_user_id
        ):
            queued.status, queued.last_error = OutboxStatus.CANCELLED, LEFT_WORKSPACE
            session.add(queued)


def fall_back(session: Session, row: OutboxMessage, person: Person, *, now: datetime) -> int:
    """Queue ``row``'s message again, in the program's channel for that person only, after
    the one-time note on how to open DMs; returns how many rows were queued (0 when the
    program has no channel: the mark alone tells the admins).
    """
    program = _program_of(session, row, person)
    channel = program and (program.announcement_channel or program.mentors_channel)
    if program is None or not channel:
        log.warning("person %s can't be DMed and the program has no channel", person.id)
        return 0
    user = person.platform_user_id
    workspace = program.workspace_id or row.workspace_id
    payload = row.payload
    again: dict[str, Any] = (
        {"render": (payload["render"], payload["args"])}
        if "render" in payload
        else {"message": Message.from_json(payload)}
    )
    items = [
        Outgoing(
            f"reach:howto:{person.platform}:{user}",  # once per person, ever
            Target(person.platform, workspace, "mention", (channel, user)),
            now,
            render=(HOWTO_RENDERER, {"platform": person.platform, **language_args(person)}),
        ),
        Outgoing(
            f"{row.dedupe_key}:private"[:200],
            Target(person.platform, workspace, "private", (channel, user)),
            now,
            expires_at=row.expires_at,
            **again,
        ),
    ]
    return enqueue_many(session, items, now=now, program_id=program.id)


def _program_of(session: Session, row: OutboxMessage, person: Person) -> Program | None:
    """The program the message was about, or else the person's first one still going."""
    if row.program_id is not None:
        return session.get(Program, row.program_id)
    assert person.id is not None
    programs = [
        p
        for m, p in repo.memberships(session=session, person_id=person.id)
        if m.status != MemberStatus.LEFT
    ]
    return programs[0] if programs else None


def note(prompts: Prompts, person: Person) -> Text | None:
    """For admins: "can't get DMs (since 2026-11-22)", or None when DMs reach them."""
    if person.unreachable_since is None:
        return None
    reason = person.unreachable_reason
    key = "left_workspace" if reason == LEFT_WORKSPACE else "dms_closed"
    day = Text.trusted(person.unreachable_since.date().isoformat())
    return prompts.render(f"unreachable.mark.{key}", day=day)


def digest_parts(session: Session, program: Program, prompts: Prompts) -> list[Part]:
    """The digest's list of the program's people a DM cannot reach (nothing when none)."""
    assert program.id is not None
    rows = unreachable_db.unreachable_members(session=session, program_id=program.id)
    items = [
        (person.display_name or person.platform_user_id, marked)
        for member, person in rows
        if member.status != MemberStatus.LEFT or person.unreachable_reason == LEFT_WORKSPACE
        if (marked := note(prompts, person)) is not None
    ]
    if not items:
        return []
    return [Section(prompts.render("unreachable.mark.heading")), Fields(tuple(items))]
