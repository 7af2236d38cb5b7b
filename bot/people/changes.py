"""What an admin may change about one person or pair, worked out before it is done.

Each ``plan_*`` checks the change and returns a :class:`Change` (nothing saved): the pairs that
end, the pair that starts and everyone who will be told, and what. The chat command shows it
and asks to confirm; the terminal asks or takes ``--yes``; then :func:`apply` does it. Pairs end
only through :func:`bot.pairs.lifecycle.end_pairs` (every hook hears of it) and start only
through :func:`bot.pairs.making.start_pair`, with the round's own introduction. People who lose
a partner are told kindly (never the admin's reason) and go back into the next round
(mentees and peers before newcomers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.config import Settings
from bot.delivery import Target
from bot.errors import UserError
from bot.matching.fit import Fit, pair_fit
from bot.matching.publish import COORDINATOR_REASON, introduce
from bot.matching.reasons import reason, reason_key
from bot.matching.rounds import candidate_of, recent_partners
from bot.outbox import enqueue
from bot.pairs import circle_leave
from bot.pairs.lifecycle import EndReason, end_pairs
from bot.pairs.making import start_pair
from bot.people.lookup import Someone
from bot.prompts import Prompts
from bot.registry import Registry
from bot.replies import Message, Section
from bot.spans import Text
from storage import pairs as pairs_db
from storage.models import Member, MemberStatus, Pair, Person, Program, ProgramKind, Role

MAX_NOTE_LENGTH = 500
ANYWAY = "anyway"  # the word that pairs recent partners all the same (``admin pair a b anyway``)


@dataclass(frozen=True)
class Desk:
    """What an admin's change needs: one transaction, the program, the time, the wording, the
    registry (whose hooks hear of pairs that end), whether the platform has group DMs and how
    the admin says ``anyway``.
    """

    session: Session
    registry: Registry
    program: Program
    settings: Settings
    prompts: Prompts
    now: datetime
    group_dm: bool
    anyway: str = ANYWAY  # how the override is given where the admin is (a word, an option)


@dataclass(frozen=True)
class Notice:
    """A direct message someone gets: the prompt ``key`` with ``values``; ``first_in_line``
    puts them back in the next round (waiting: before newcomers).
    """

    someone: Someone
    key: str
    values: dict[str, Any]
    first_in_line: bool = False


@dataclass
class Change:
    """One admin change, checked and not yet done."""

    action: str  # remove, role, pair, end, move, readmit
    ending: list[Pair] = field(default_factory=list)
    detail: str = ""  # the fixed key kept with the ended pairs' reason
    note: str = ""  # the admin's own words on why: kept for admins, never sent
    notices: list[Notice] = field(default_factory=list)
    leaving: Someone | None = None
    circles: list[Pair] = field(default_factory=list)  # circles that carry on without leaving
    readmitting: Someone | None = None
    new_role: tuple[Someone, str] | None = None
    start: list[Someone] = field(default_factory=list)  # the new pair, the waiting side first
    fit: Fit | None = None
    ask: tuple[str, dict[str, Any]] = ("", {})  # the confirmation's prompt and its values

    def done_text(self, prompts: Prompts, done: Done) -> Text:
        """What changed (``people.done.<action>``) and how many messages are on their way."""
        values = dict(self.ask[1])
        pair_id = done.pair_id or next((p.id for p in self.ending), None)
        values["pair"] = Text.trusted(str(pair_id or "-"))
        values["pairs"] = Text.trusted(str(done.pairs_ended))
        changed = prompts.render(f"people.done.{self.action}", **values)
        queued = prompts.render("people.done.queued", messages=Text.trusted(str(done.messages)))
        return changed + Text.trusted(" ") + queued

    def question(self, prompts: Prompts) -> Text:
        """What the admin is asked to confirm."""
        asked = prompts.render(self.ask[0], **self.ask[1])
        if self.ending and self.action in ("remove", "role"):
            count = Text.trusted(str(len(self.ending)))
            asked = asked + Text.trusted(" ") + prompts.render("people.confirm.ending", pairs=count)
        return asked

    def told_text(self, prompts: Prompts) -> Text:
        """Who will be told, one line each (or that nobody is)."""
        told = self.told()
        if not told:
            return prompts.render("people.nobody_told")
        lines = [prompts.render("people.told_header")]
        lines += [Text.trusted("• ") + prompts.render(key, name=s.name) for s, key in told]
        return Text.join(lines, "\n")

    def told(self) -> list[tuple[Someone, str]]:
        """Everyone who will hear of it and what (``people.told.*`` keys), in order."""
        out = [(n.someone, n.key.replace("people.notice.", "people.told.")) for n in self.notices]
        out += [(s, "people.told.intro") for s in self.start]
        return out


@dataclass(frozen=True)
class Done:
    """What :func:`apply` did."""

    pairs_ended: int
    pair_id: int | None
    messages: int


def people_of(session: Session, pair: Pair) -> list[Someone]:
    """Everyone in ``pair``, in the order they were linked."""
    assert pair.id is not None
    ids = pairs_db.members_of_pairs(session=session, pair_ids=[pair.id]).get(pair.id, [])
    out = []
    for member_id in ids:
        member = session.get(Member, member_id)
        person = session.get(Person, member.person_id) if member else None
        if member is not None and person is not None:
            out.append(Someone(member, person))
    return out


def names(people: list[Someone]) -> str:
    """The names as a list in words: "ann, bea and cal"."""
    shown = [s.name for s in people]
    return ", ".join(shown[:-1]) + (" and " if len(shown) > 1 else "") + shown[-1] if shown else ""


def _active(desk: Desk, someone: Someone) -> list[Pair]:
    return pairs_db.active_pairs_of(session=desk.session, member_id=someone.member_id)


def _partner_notices(
    desk: Desk, pairs: list[Pair], subject: Someone | None, key: str
) -> list[Notice]:
    """Everyone in ``pairs`` but ``subject`` is told kindly (``key``) and goes back into the
    next round.
    """
    out = []
    for pair in pairs:
        people = people_of(desk.session, pair)
        for other in people:
            if subject is not None and other.member_id == subject.member_id:
                continue
            rest = [p for p in people if p.member_id != other.member_id]
            values = {"partner": names(rest), "program": desk.program.name}
            out.append(Notice(other, key, values, first_in_line=True))
    return out


def plan_remove(desk: Desk, who: Someone) -> Change:
    """``who`` leaves the program: their pairs end, partners and they themselves are told."""
    if who.member.status == MemberStatus.LEFT:
        raise UserError("people.already_left", name=who.name)
    pairs = _active(desk, who)
    circles = [p for p in pairs if circle_leave.carries_on(desk.session, p, {who.member_id})]
    pairs = [p for p in pairs if p not in circles]
    notices = _partner_notices(desk, pairs, who, "people.notice.partner_removed")
    notices.append(Notice(who, "people.notice.removed", {"program": desk.program.name}))
    ask = _ask("remove", name=who.name, program=desk.program.name)
    return Change(
        "remove",
        ending=pairs,
        detail="removed",
        notices=notices,
        leaving=who,
        ask=ask,
        circles=circles,
    )


def plan_readmit(desk: Desk, who: Someone) -> Change:
    """Lift ``who``'s removal: they may rejoin with ``/mentor join`` (and are told so)."""
    if who.member.removed_at is None:
        raise UserError("people.not_removed", name=who.name)
    notices = [Notice(who, "people.notice.readmitted", {"program": desk.program.name})]
    ask = _ask("readmit", name=who.name, program=desk.program.name)
    return Change("readmit", notices=notices, readmitting=who, ask=ask)


def plan_role(desk: Desk, who: Someone, role: str) -> Change:
    """``who`` becomes a mentor or a mentee; the pairs of their old role end."""
    if desk.program.kind == ProgramKind.PEER:
        raise UserError("people.role_peer_program", program=desk.program.name)
    if role not in (Role.MENTOR, Role.MENTEE):
        raise UserError("people.role_usage")
    if who.member.status == MemberStatus.LEFT:
        raise UserError("people.rule.left", name=who.name)
    if who.member.role == role:
        raise UserError("people.role_same", name=who.name, role=desk.prompts.render(f"role.{role}"))
    pairs = _active(desk, who)
    notices = _partner_notices(desk, pairs, who, "people.notice.partner_role")
    values = {"program": desk.program.name, "role": desk.prompts.render(f"role.{role}")}
    key = "people.notice.role_mentor" if role == Role.MENTOR else "people.notice.role"
    notices.append(Notice(who, key, values))
    old = desk.prompts.render(f"role.{who.member.role}")
    ask = _ask("role", name=who.name, old=old, role=values["role"])
    change = Change("role", ending=pairs, detail="role_change", notices=notices, ask=ask)
    change.new_role = (who, role)
    return change


def plan_end(desk: Desk, a: Someone, b: Someone, note: str) -> Change:
    """End the active pair ``a`` and ``b`` are in; everyone in it is told kindly."""
    if len(note) > MAX_NOTE_LENGTH:
        raise UserError("error.too_long", limit=MAX_NOTE_LENGTH)
    if a.member_id == b.member_id:
        raise UserError("people.same_person")
    together = _together(desk, a, b)
    if together is None:
        raise UserError("people.not_paired", a=a.name, b=b.name)
    notices = _partner_notices(desk, [together], None, "people.notice.ended")
    ask = _ask("end", partners=names(people_of(desk.session, together)))
    return Change(
        "end", ending=[together], detail="admin_ended", note=note, notices=notices, ask=ask
    )


def _together(desk: Desk, a: Someone, b: Someone) -> Pair | None:
    theirs = {p.id for p in _active(desk, b)}
    return next((p for p in _active(desk, a) if p.id in theirs), None)


def plan_pair(desk: Desk, a: Someone, b: Someone, *, anyway: bool = False) -> Change:
    """Pair ``a`` and ``b`` now, if every hard rule allows it; both get the introduction.
    ``anyway``: recent partners too (the one rule an admin may knowingly set aside).
    """
    waiting, partner = _sides(desk, a, b)
    fit = check_new_pair(desk, waiting, partner, ending=[], anyway=anyway)
    ask = _ask("pair", a=waiting.name, b=partner.name)
    return Change("pair", start=[waiting, partner], fit=fit, ask=ask)


def plan_move(desk: Desk, mentee: Someone, mentor: Someone, *, anyway: bool = False) -> Change:
    """End ``mentee``'s pair and pair them with ``mentor``; the old partner is told kindly.
    ``anyway``: even if ``mentor`` was a recent partner.
    """
    waiting_role = Role.PEER if desk.program.kind == ProgramKind.PEER else Role.MENTEE
    if mentee.member.role != waiting_role:
        role = desk.prompts.render(f"role.{waiting_role}")
        raise UserError("people.move_not_waiting", name=mentee.name, role=role)
    old = _active(desk, mentee)
    if not old:
        raise UserError("people.move_not_paired", name=mentee.name, mentor=mentor.name)
    if _together(desk, mentee, mentor) is not None:
        raise UserError("people.rule.already_paired", a=mentee.name, b=mentor.name)
    fit = check_new_pair(desk, mentee, mentor, ending=old, anyway=anyway)
    notices = _partner_notices(desk, old, mentee, "people.notice.partner_moved")
    before = names(
        [
            p
            for pair in old
            for p in people_of(desk.session, pair)
            if p.member_id != mentee.member_id
        ]
    )
    values = {"partner": before, "new": mentor.name, "program": desk.program.name}
    notices.append(Notice(mentee, "people.notice.moved", values))
    ask = _ask("move", mentee=mentee.name, old=before, mentor=mentor.name)
    return Change(
        "move",
        ending=old,
        detail="moved",
        notices=notices,
        start=[mentee, mentor],
        fit=fit,
        ask=ask,
    )


def _ask(action: str, **values: Any) -> tuple[str, dict[str, Any]]:
    return f"people.confirm.{action}", values


def _sides(desk: Desk, a: Someone, b: Someone) -> tuple[Someone, Someone]:
    """(the waiting side, the partner): the mentee first; peers as given."""
    if a.member_id == b.member_id:
        raise UserError("people.same_person")
    if desk.program.kind != ProgramKind.PEER and a.member.role == Role.MENTOR:
        return b, a
    return a, b


def apply(desk: Desk, change: Change) -> Done:
    """Do the change: pairs end (the lifecycle's hooks hear of it), roles change, people leave,
    the new pair starts with its introduction, and everyone listed is told.
    """
    ended = end_pairs(
        desk.session,
        desk.registry,
        change.ending,
        reason=EndReason.REMOVED,
        now=desk.now,
        detail=change.detail,
    )
    for pair in change.ending:
        if pair.id in ended and change.note:
            pair.end_note = change.note
            desk.session.add(pair)
    told, leaving = 0, change.leaving
    for circle in change.circles if leaving is not None else []:  # they carry on without
        assert leaving is not None
        gone = {leaving.member_id}
        told += circle_leave.take_out(
            desk.session, desk.registry, desk.prompts, circle, gone, now=desk.now
        )
    _change_member(desk, change)
    pair_id, messages = _start(desk, change)
    messages += told
    for notice in change.notices:
        messages += _tell(desk, change, notice, ended)
    return Done(pairs_ended=len(ended), pair_id=pair_id, messages=messages)


def _change_member(desk: Desk, change: Change) -> None:
    if change.leaving is not None:
        member = change.leaving.member
        member.status, member.left_at, member.paused_until = MemberStatus.LEFT, desk.now, None
        desk.session.add(member)
    if change.leaving is not None and change.detail == "removed":
        change.leaving.member.removed_at = desk.now
    if change.readmitting is not None:
        change.readmitting.member.removed_at = None
        desk.session.add(change.readmitting.member)
    if change.new_role is not None:
        who, role = change.new_role
        who.member.role = role
        if role != Role.MENTOR:
            who.member.capacity = 1
        desk.session.add(who.member)


def _start(desk: Desk, change: Change) -> tuple[int | None, int]:
    """Start the new pair, if any, and queue its introduction."""
    if not change.start:
        return None, 0
    members = [s.member for s in change.start]
    reasons = intro_reasons(desk, change.start[0], change.start[1])
    score = change.fit.score if change.fit else 0.0
    pair = start_pair(
        desk.session, desk.program, members, now=desk.now, reasons=reasons, score=score
    )
    zone = desk.settings.program.default_timezone
    people = [candidate_of(s.member, s.person, zone) for s in change.start]
    queued = introduce(
        desk.session,
        desk.program,
        pair,
        people,
        desk.settings,
        desk.prompts,
        now=desk.now,
        group_dm=desk.group_dm,
    )
    return pair.id, queued


def _tell(desk: Desk, change: Change, notice: Notice, ended: list[int]) -> int:
    """One kind DM (once per change and person), and a place in the next round."""
    if notice.first_in_line:
        notice.someone.member.match_priority += 1
        desk.session.add(notice.someone.member)
    program = desk.program
    assert program.id is not None
    person = notice.someone.person
    theirs = desk.prompts.for_person(person)
    message = Message((Section(theirs.render(notice.key, **notice.values)),))
    first, stamp = min(ended, default=0), int(desk.now.timestamp())
    row = enqueue(
        desk.session,
        dedupe_key=f"admin-{change.action}:{first}:{notice.someone.member_id}:{stamp}",
        target=Target(program.platform, program.workspace_id, "user", (person.platform_user_id,)),
        message=message,
        not_before=desk.now,
        now=desk.now,
        program_id=program.id,
    )
    return 1 if row is not None else 0


def _fit(desk: Desk, waiting: Someone, partner: Someone, reason_keys: str) -> Fit:
    """The pair's fit as a round would score it, its reasons worded with ``reason_keys``."""
    zone = desk.settings.program.default_timezone
    return pair_fit(
        candidate_of(waiting.member, waiting.person, zone),
        candidate_of(partner.member, partner.person, zone),
        peer=desk.program.kind == ProgramKind.PEER,
        settings=desk.settings.matching,
        now=desk.now,
        reason_keys=reason_keys,
    )


def intro_reasons(desk: Desk, waiting: Someone, partner: Someone) -> list[dict[str, Any]]:
    """The "why you two" of an admin-made pair (stored, worded for each reader): a coordinator
    paired them, then the real reasons (shared skills, hours, ...); never a round's "best fit
    available".
    """
    reasons = _fit(desk, waiting, partner, "match.reason").reasons
    real = [r for r in reasons if reason_key(r) != "match.reason.fallback"]
    return [reason(COORDINATOR_REASON), *real]


def check_new_pair(
    desk: Desk, waiting: Someone, partner: Someone, *, ending: list[Pair], anyway: bool = False
) -> Fit:
    """The hard rules a new pair must keep (``ending``: pairs that end first; ``anyway``: a
    recent partner is allowed), and its fit worded for the admin; raises a UserError listing
    every rule it breaks.
    """
    broken = _broken_rules(desk, waiting, partner, ending)
    if not anyway:
        broken += _recent_rule(desk, waiting, partner)
    fit = _fit(desk, waiting, partner, "people.reason")
    broken += [desk.prompts.render(f"people.rule.{rule}") for rule in fit.broken]
    if broken:
        lines = Text.join([Text.trusted("• ") + line for line in broken], "\n")
        raise UserError("people.pair_refused", a=waiting.name, b=partner.name, reasons=lines)
    return fit


def _recent_rule(desk: Desk, waiting: Someone, partner: Someone) -> list[Text]:
    """Partners within the matching's window (``[matching] recency_rounds``) are refused, as
    a round refuses them; an admin-made pair counts as the latest round.
    """
    window = desk.settings.matching.recency_rounds
    assert desk.program.id is not None
    ids = sorted((waiting.member_id, partner.member_id))
    age = recent_partners(desk.session, desk.program.id).get((ids[0], ids[1]))
    if window <= 0 or age is None or age >= window:
        return []
    rule = desk.prompts.render(
        "people.rule.recent",
        a=waiting.name,
        b=partner.name,
        rounds=Text.trusted(str(window)),
        anyway=Text.trusted(desk.anyway),
    )
    return [rule]


def _broken_rules(desk: Desk, waiting: Someone, partner: Someone, ending: list[Pair]) -> list[Text]:
    """Who left or is on a break, roles, who is full, a block, an existing pair."""
    render = desk.prompts.render
    out: list[Text] = []
    for someone in (waiting, partner):
        member = someone.member
        if member.status == MemberStatus.LEFT:
            out.append(render("people.rule.left", name=someone.name))
        elif member.status == MemberStatus.PAUSED and (
            member.paused_until is None or member.paused_until > desk.now
        ):
            out.append(render("people.rule.paused", name=someone.name))
    out += _role_rules(desk, waiting, partner)
    gone = {p.id for p in ending}
    for someone in (waiting, partner):
        busy = [p for p in _active(desk, someone) if p.id not in gone]
        places = someone.member.capacity if someone.member.role == Role.MENTOR else 1
        if len(busy) >= max(1, places):
            key = (
                "people.rule.capacity" if someone.member.role == Role.MENTOR else "people.rule.busy"
            )
            count = Text.trusted(str(len(busy)))
            out.append(render(key, name=someone.name, count=count))
    if _together(desk, waiting, partner) is not None:
        out.append(render("people.rule.already_paired", a=waiting.name, b=partner.name))
    assert desk.program.id is not None
    pair = {waiting.member_id, partner.member_id}
    rules = pairs_db.match_rules(session=desk.session, program_id=desk.program.id, kind="block")
    if any({r.member_a_id, r.member_b_id} == pair for r in rules):
        out.append(render("people.rule.blocked", a=waiting.name, b=partner.name))
    return out


def _role_rules(desk: Desk, waiting: Someone, partner: Someone) -> list[Text]:
    """A mentee with a mentor, or two peers in a peer program."""
    roles = (waiting.member.role, partner.member.role)
    wanted = (Role.PEER, Role.PEER)
    if desk.program.kind != ProgramKind.PEER:
        wanted = (Role.MENTEE, Role.MENTOR)
    if roles == wanted:
        return []
    render = desk.prompts.render
    return [
        render(
            "people.rule.roles",
            a=waiting.name,
            b=partner.name,
            role_a=render(f"role.{roles[0]}"),
            role_b=render(f"role.{roles[1]}"),
        )
    ]
