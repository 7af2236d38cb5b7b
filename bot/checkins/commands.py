"""``checkin``: answer "did you meet?" or log a meeting any time; ``admin digest``."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from bot.checkins.answer_words import take_outcome
from bot.checkins.digest import weekly_digest
from bot.checkins.planner import OUTCOME_BUTTONS
from bot.checkins.record import record
from bot.context import Ctx
from bot.errors import UserError
from bot.matching.profiles import Candidate
from bot.matching.rounds import candidate_of
from bot.matching.slots import suggest_slots
from bot.meetings.offer import PairInfo, slot_offer
from bot.pair_choice import PAIR_TOKEN, PairChoice, ask_which, my_pairs, take_pair
from bot.replies import Button, Buttons, Context, Message, Part, Reply, Section
from bot.spans import Text
from bot.time.format import local_when
from bot.time.holidays import DaysOff
from bot.time.zones import zone_label
from storage import checkins as checkins_db
from storage import repo
from storage.models import CheckInOutcome, Member, Pair

MAX_NOTE = 500
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def checkin(ctx: Ctx, args: list[str]) -> Reply:
    """``checkin [met|not-yet|rescheduled|skip] [partner] [date] [note]``.

    Nothing is guessed: an answer that is not one of the outcomes is refused with the
    choices; with several partners and no name, it asks which; a date before the pair
    started, or in the future, is refused.
    """
    member = ctx.require_member()
    assert member.id is not None
    choices = my_pairs(ctx, member)
    if not choices:
        raise UserError("checkin.no_partner")
    words = list(args)
    if words and words[0].lower() in ("help", "?"):
        raise UserError("checkin.usage")
    outcome, rest = take_outcome(words, ctx.prompts)
    if outcome is None:
        if words:
            chosen, after_name = take_pair(ctx, choices, words)
            if chosen is None or after_name == words:
                return _unknown_answer(ctx, words[0], chosen)
            rest = after_name  # "/mentor checkin bob"
        outcome = CheckInOutcome.MET  # a bare "/mentor checkin" after a meeting
    chosen, rest = take_pair(ctx, choices, rest)
    cycle, note = _cycle_and_note(rest)
    if chosen is None:
        chosen = _pair_of_cycle(ctx, member, choices, cycle)
    if chosen is None:
        return ask_which(ctx, choices, f"checkin {outcome.value}", rest)
    local_today = ctx.now.astimezone(ctx.zone()).date()
    if cycle is not None:
        _check_cycle(ctx, member, chosen.pair, cycle, local_today)
    record(
        ctx.session,
        pair=chosen.pair,
        member_id=member.id,
        outcome=outcome,
        cycle=cycle,
        note=note,
        now=ctx.now,
        local_today=local_today,
    )
    parts: list[Part] = [Section(ctx.t(f"checkin.thanks_{outcome.value}", partner=chosen.names()))]
    if outcome == CheckInOutcome.NOT_YET:
        parts.extend(_slot_suggestions(ctx, member, chosen))
    if outcome == CheckInOutcome.MET:
        parts.extend(_followups(ctx, member, chosen.pair_id))
    return Message(tuple(parts))


def _cycle_and_note(rest: list[str]) -> tuple[date | None, str]:
    """An optional ``YYYY-MM-DD`` cycle, then the note (bounded)."""
    words = list(rest)
    cycle: date | None = None
    if words and _ISO.match(words[0]):
        try:
            cycle = date.fromisoformat(words.pop(0))
        except ValueError:
            raise UserError("checkin.bad_cycle") from None
    note = " ".join(words).strip()
    if len(note) > MAX_NOTE:
        raise UserError("error.too_long", limit=MAX_NOTE)
    return cycle, note


def _unknown_answer(ctx: Ctx, word: str, chosen: PairChoice | None) -> Message:
    """Refuse an answer that is not an outcome, offering the choices as buttons."""
    suffix = f" {PAIR_TOKEN}{chosen.pair_id}" if chosen is not None else ""
    buttons = tuple(
        Button(ctx.prompts.text(label), f"checkin {outcome}{suffix}", style)  # type: ignore[arg-type]
        for outcome, label, style in OUTCOME_BUTTONS
    )
    return Message(
        (
            Section(ctx.t("checkin.unknown_answer", answer=word[:40])),
            Buttons(buttons),
            Context(ctx.t("checkin.usage")),
        )
    )


def _pair_of_cycle(
    ctx: Ctx, member: Member, choices: list[PairChoice], cycle: date | None
) -> PairChoice | None:
    """An old nudge button carries only its cycle: the one pair with a check-in that day."""
    if cycle is None:
        return None
    assert member.id is not None
    ids = checkins_db.pairs_with_cycle(
        session=ctx.session,
        member_id=member.id,
        day=cycle,
        pair_ids=[c.pair_id for c in choices],
    )
    found = [c for c in choices if c.pair_id in ids]
    return found[0] if len(found) == 1 else None


def _check_cycle(ctx: Ctx, member: Member, pair: Pair, cycle: date, local_today: date) -> None:
    """A meeting can't be before the pair existed, nor in the future (planned cycles aside)."""
    started = pair.started_at or pair.created_at
    zone = ctx.zone()
    if started is not None and cycle < started.astimezone(zone).date():
        raise UserError(
            "checkin.before_pair",
            day=Text.trusted(cycle.isoformat()),
            started=Text.trusted(started.astimezone(zone).date().isoformat()),
        )
    if cycle > local_today:
        assert pair.id is not None and member.id is not None
        planned = checkins_db.of_cycle(
            session=ctx.session, pair_id=pair.id, member_id=member.id, day=cycle
        )
        if planned is None or cycle > local_today + timedelta(days=1):
            raise UserError("checkin.future", day=Text.trusted(cycle.isoformat()))


def _followups(ctx: Ctx, member: Member, pair_id: int) -> list[Part]:
    """After a meeting: session feedback, and progress on goals (or setting a first one)."""
    from bot.goals.records import goals_of
    from storage.models import GoalStatus

    assert member.id is not None
    has_goals = any(g.status == GoalStatus.ACTIVE for g in goals_of(ctx.session, member.id))
    second = (
        Button(ctx.prompts.text("button.checkin_progress"), "progress")
        if has_goals
        else Button(ctx.prompts.text("button.checkin_goal"), "goal")
    )
    return [
        Context(ctx.t("checkin.followup")),
        Buttons(
            (
                Button(
                    ctx.prompts.text("button.checkin_feedback"),
                    f"feedback {PAIR_TOKEN}{pair_id}",
                    "primary",
                ),
                second,
            )
        ),
    ]


def _slot_suggestions(ctx: Ctx, member: Member, chosen: PairChoice) -> list[Part]:
    """Times that suit the pair in the next two weeks, with their invite (an .ics)."""
    people = [candidate_of(member, ctx.person, ctx.settings.program.default_timezone)]
    for person in chosen.partners:
        assert person.id is not None
        partner_member = repo.find_member(
            session=ctx.session, program_id=member.program_id, person_id=person.id
        )
        if partner_member is not None:
            people.append(
                candidate_of(partner_member, person, ctx.settings.program.default_timezone)
            )
    slots = suggest_slots(
        people,
        after=ctx.now,
        session_minutes=ctx.settings.matching.session_minutes,
        days_off=DaysOff(ctx.settings.program.closed_dates),
    )
    if not slots:
        return []
    tz = ctx.zone()
    lines = Text.join(
        [Text.trusted("• " + local_when(s, tz, ctx.prompts.locale)) for s in slots], "\n"
    )
    return [
        Section(ctx.t("checkin.suggest_slots", zone=zone_label(ctx.zone_key()))),
        Section(lines),
        Context(ctx.t("checkin.suggest_hint")),
        *_invite(ctx, chosen, people, slots),
    ]


def _invite(
    ctx: Ctx, chosen: PairChoice, people: list[Candidate], slots: list[datetime]
) -> list[Part]:
    """The suggested times as an .ics in the person's zone, with a Book button each."""
    program = ctx.program()
    pair = PairInfo.of(program, chosen.pair_id, people)
    minutes = ctx.settings.matching.session_minutes
    return slot_offer(
        ctx.prompts, pair, slots, minutes=minutes, zone_key=ctx.zone_key(), now=ctx.now
    )


def admin_digest(ctx: Ctx, args: list[str]) -> Reply:
    """The weekly digest, now."""
    return weekly_digest(ctx.session, ctx.program(), ctx.prompts, ctx.settings, now=ctx.now)
