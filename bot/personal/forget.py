"""Forgetting a person: everything personal is deleted or irreversibly blanked.

What goes: their profile (name, platform id, zone, languages, availability, team, skills,
goals), every free-text answer (check-in notes, goals and their updates, feedback words, survey
free text, requests for help), their conversations, pins and blocks naming them, every outbox
row addressed to them (sent or not), and their name, platform id, mentions of them (``<@U123>``)
and the longer things they wrote wherever they were copied or written by others: messages to
others, match previews, conversation state, an admin's announcement text, a partner's check-in
note or feedback words, others' goals and requests (the columns are listed in
``storage.personal``). Those are replaced by "(forgotten)"; the rest of others' words stays.
Nicknames or a first name alone are not found: only the name the platform shows.

What stays, with nothing that says who: the fact that a member of some role took part, their
pairs' dates and check-in outcomes, ratings and scale answers, so totals already reported keep
their counts. Their active pairs end and each partner is told, without the name. After the
commit, SQLite's write-ahead log is emptied into the database file, where freed space is
zeroed (``secure_delete``), so the words are not left in the files either.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.delivery import Target
from bot.outbox import enqueue
from bot.pairs import lifecycle
from bot.pairs.lifecycle import EndReason
from bot.prompts import Prompts
from bot.registry import FORGOTTEN, Registry
from bot.replies import Message, Section
from bot.spans import Text
from storage import conversations as conversations_db
from storage import pairs as pairs_db
from storage import personal, repo
from storage.models import MemberStatus, OutboxMessage, OutboxStatus, PairStatus, Person, Program


@dataclass
class Forgotten:
    """What a forget did, for the confirmation and the admin's terminal."""

    memberships: int = 0
    pairs_ended: int = 0
    partners_told: int = 0
    messages_withdrawn: int = 0
    rows_blanked: int = 0


def _scrub(value: Any, needles: list[re.Pattern[str]]) -> Any:
    """``value`` (JSON) with every needle replaced, however deep."""
    if isinstance(value, str):
        for needle in needles:
            value = needle.sub(FORGOTTEN, value)
        return value
    if isinstance(value, list):
        return [_scrub(v, needles) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, needles) for k, v in value.items()}
    return value


def forget_person(
    session: Session, person: Person, *, now: datetime, prompts: Prompts, registry: Registry
) -> Forgotten:
    """Forget ``person`` in every program (see the module's description); each capability
    blanks its own part (``registry.personal``), and hears of the pairs that end.
    """
    assert person.id is not None
    done = Forgotten()
    names = [w for w in {person.display_name, person.platform_user_id} if len(w) >= 2]
    members = repo.memberships(session=session, person_id=person.id)
    member_ids = [m.id for m, _ in members if m.id is not None]
    texts = _free_texts(session, registry, [member.goals for member, _ in members], member_ids)
    done.memberships = len(members)
    programs = {p.id: p for _, p in members}
    _end_pairs(session, registry, programs, member_ids, now=now, prompts=prompts, done=done)
    for contributor in registry.personal:  # free text goes; what counts stays for the totals
        contributor.blank(session, member_ids)
    for row in personal.outbox_to(
        session=session, platform=person.platform, user_id=person.platform_user_id
    ):
        done.messages_withdrawn += row.status == OutboxStatus.PENDING
        session.delete(row)
    personal.delete_rows(
        session=session, rows=conversations_db.of_person(session=session, person_id=person.id)
    )
    personal.delete_rows(
        session=session, rows=pairs_db.rules_naming(session=session, member_ids=member_ids)
    )
    _leave_admins(session, person)
    session.flush()
    done.rows_blanked = _scrub_copies(session, person.platform_user_id, names + texts)
    for member, _program in members:
        member.skills_offered, member.skills_wanted, member.goals = [], [], ""
        member.seniority, member.paused_until = None, None
        if member.status != MemberStatus.LEFT:
            member.status, member.left_at = MemberStatus.LEFT, now
        session.add(member)
    person.platform_user_id = f"{personal.FORGOTTEN_ID_PREFIX}{uuid.uuid4().hex[:16]}"
    person.display_name = ""
    person.timezone = person.timezone_source = person.team = None
    person.quiet_start = person.quiet_end = None
    person.locale = person.platform_locale = person.country = None
    person.unreachable_since, person.unreachable_reason = None, None
    person.languages, person.availability = [], []
    person.updated_at = now
    session.add(person)
    personal.checkpoint_after_commit(session=session)
    return done


def _free_texts(
    session: Session, registry: Registry, found: list[str], member_ids: list[int]
) -> list[str]:
    """Longer things the person wrote (``found`` so far, then each capability's: goal titles,
    notes, a request posted to the mentors' channel), to find where they were copied.
    """
    for contributor in registry.personal:
        found = found + contributor.words(session, member_ids)
    return [t for t in found if len(t) >= 8]


def _end_pairs(
    session: Session,
    registry: Registry,
    programs: dict[int | None, Program],
    member_ids: list[int],
    *,
    now: datetime,
    prompts: Prompts,
    done: Forgotten,
) -> list[int]:
    """End the person's active pairs; each partner hears that their partner left (no name).
    Returns the ended pairs' ids.
    """
    pairs = [p for p in pairs_db.pairs_of_members(session=session, member_ids=member_ids)]
    active = [p for p in pairs if p.status == PairStatus.ACTIVE and p.id is not None]
    ids = [p.id for p in active if p.id is not None]
    others = pairs_db.partners_by_pair(session=session, pair_ids=ids, member_ids=member_ids)
    ended = lifecycle.leave_pairs(
        session,
        registry,
        prompts,
        active,
        member_ids,
        reason=EndReason.FORGOTTEN,
        now=now,
        named=False,
    )
    for pair in [p for p in active if p.id in ended]:  # a circle carrying on: told already
        assert pair.id is not None
        done.pairs_ended += 1
        for partner in others.get(pair.id, []):
            message = Message(
                (
                    Section(
                        prompts.for_person(partner).render(
                            "forget.partner_left", pair=Text.trusted(str(pair.id))
                        )
                    ),
                )
            )
            row = enqueue(
                session,
                dedupe_key=f"left:{pair.id}:{partner.platform_user_id}",
                target=Target(
                    partner.platform,
                    programs[pair.program_id].workspace_id,
                    "user",
                    (partner.platform_user_id,),
                ),
                message=message,
                not_before=now,
                now=now,
                program_id=pair.program_id,
            )
            done.partners_told += row is not None
    for pair in pairs:
        pair.reasons = []
        session.add(pair)
    return ids


def _patterns(user_id: str, needles: list[str]) -> list[re.Pattern[str]]:
    """Mentions of the person (``<@U123>``, ``<@!123>``, ``<@U123|zeb>``) and every needle as
    a whole word in any case, longest first (a full text before a name inside it).
    """
    mention = re.compile(rf"<@!?{re.escape(user_id)}(?:\|[^>]*)?>")
    words = sorted({n for n in needles if n}, key=len, reverse=True)
    return [mention] + [re.compile(rf"(?<!\w){re.escape(n)}(?!\w)", re.I) for n in words]


def _leave_admins(session: Session, person: Person) -> None:
    """The person is no longer any program's own admin (by id; by name on the console)."""
    them = {person.platform_user_id, person.display_name} - {""}
    for program in personal.rows_mentioning(
        session=session, model=Program, column="admins", needles=sorted(them)
    ):
        if program.platform == person.platform:
            program.admins = [a for a in program.admins if a not in them]
            session.add(program)


def _scrub_copies(session: Session, user_id: str, needles: list[str]) -> int:
    """Replace the person's name, id and words wherever other rows copied or wrote them."""
    patterns = _patterns(user_id, needles)
    changed = 0
    for model, column in personal.SCRUBBED_JSON + personal.SCRUBBED_TEXT:
        for row in personal.rows_mentioning(
            session=session, model=model, column=column, needles=needles
        ):
            before = getattr(row, column)
            after = _scrub(before, patterns)
            if after != before:
                setattr(row, column, after)
                if isinstance(row, OutboxMessage) and row.status == OutboxStatus.PENDING:
                    row.status = OutboxStatus.CANCELLED  # about someone who asked to be forgotten
                    row.last_error = "withdrawn: mentions a forgotten person"
                session.add(row)
                changed += 1
    return changed
