"""``meet``: book a pair's meeting and send everyone in the pair the same invite."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from bot.context import Ctx
from bot.errors import NeedsConfirmation, UserError
from bot.i18n.cldr import near_day_word, weekday_name
from bot.matching.profiles import Candidate
from bot.matching.rounds import candidate_of
from bot.matching.slots import suggest_slots
from bot.meetings.checks import Concern, concerns
from bot.meetings.invites import invite_file
from bot.meetings.offer import PairInfo, event_slot, stamp
from bot.pair_choice import PairChoice, ask_which, my_pairs, take_pair
from bot.replies import Button, Buttons, Message, Reply, Section
from bot.spans import Text
from bot.time.format import calendar_day, local_when
from bot.time.holidays import DaysOff
from bot.time.parse import BadDate, parse_clock, read_day
from bot.time.wall import localize
from bot.time.zones import get_zone, zone_label
from storage import meetings as meetings_db
from storage import repo

MAX_AHEAD_DAYS = 180


class Replaced(NamedTuple):
    """What a booking's invite cancels: the time it moved from, or the introduction's other
    suggestions; all at the booking's ``sequence`` (above every earlier version of them).
    """

    sequence: int
    times: list[datetime]
    moved: bool


_STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})Z$")


def meet(ctx: Ctx, args: list[str]) -> Reply:
    """``meet <n | day time> [partner]``: book the pair's meeting (a slot of the intro by its
    number, an instant a button carries, or a day and time typed in the person's zone) and
    send everyone in the pair the same invite in their own zone.
    """
    member = ctx.require_member()
    choices = my_pairs(ctx, member)
    if not choices:
        raise UserError("meeting.no_partner")
    if not args or args[0].lower() in ("help", "?"):
        raise UserError("meeting.usage")
    chosen, rest = take_pair(ctx, choices, list(args))
    if chosen is None:
        return ask_which(ctx, choices, "meet", rest)
    confirmed = bool(rest) and rest[-1].lower() == "confirm"
    rest = rest[:-1] if confirmed else rest
    if not rest:
        raise UserError("meeting.usage")
    people = _people(ctx, chosen)
    start = _read_start(ctx, chosen, people, rest)
    _check_start(ctx, start)
    if not confirmed:
        _ask_first(ctx, chosen, people, start)
    return _book(ctx, chosen, people, start)


def _book(ctx: Ctx, chosen: PairChoice, people: list[Candidate], start: datetime) -> Reply:
    """Book ``start`` for the pair and send everyone the invite (unless nothing changed)."""
    booked = meetings_db.book(
        session=ctx.session,
        pair_id=chosen.pair_id,
        starts_at=start,
        minutes=ctx.settings.matching.session_minutes,
        member_id=ctx.require_member().id,
        now=ctx.now,
    )
    when = Text.trusted(local_when(start, ctx.zone(), ctx.prompts.locale))
    zone = zone_label(ctx.zone_key())
    if booked.previous_start == start:
        return ctx.say("meeting.unchanged", when=when, zone=zone)
    replaced = (
        [booked.previous_start]
        if booked.previous_start is not None
        else [t for t in _intro_slots(ctx, chosen, people) if t != start]
    )
    _send_invites(
        ctx,
        chosen,
        people,
        start,
        Replaced(booked.meeting.sequence, replaced, moved=booked.previous_start is not None),
    )
    return Message(
        (Section(ctx.t("meeting.booked", when=when, zone=zone, partner=chosen.names())),)
    )


def _ask_first(ctx: Ctx, chosen: PairChoice, people: list[Candidate], start: datetime) -> None:
    """NeedsConfirmation when ``start`` is a day off of either person or an odd hour for the
    partner, saying why, with "Book it anyway" (the same command, confirmed) and "Pick
    another time"; nothing when the meeting is already at ``start``.
    """
    booked = meetings_db.meeting_of(session=ctx.session, pair_id=chosen.pair_id)
    if booked is not None and booked.starts_at == start:
        return
    days_off = DaysOff(ctx.settings.program.closed_dates)
    minutes = ctx.settings.matching.session_minutes
    found = concerns(people, start, minutes, days_off, ctx.prompts.locale)
    if not found:
        return
    locale = ctx.prompts.locale
    when = Text.trusted(local_when(start, ctx.zone(), locale))
    lines = [_reason(ctx, c, start) for c in found]
    yes = Button(
        ctx.prompts.text("button.meeting_book_anyway"),
        f"meet pair:{chosen.pair_id} {stamp(start)} confirm",
        "primary",
    )
    other = Button(ctx.prompts.text("button.meeting_other_time"), "meet help")
    head = ctx.t("meeting.ask_first", when=when, zone=zone_label(ctx.zone_key()))
    raise NeedsConfirmation(
        Message((Section(head), *(Section(line) for line in lines), Buttons((yes, other))))
    )


def _reason(ctx: Ctx, concern: Concern, start: datetime) -> Text:
    """One concern in the booking person's words."""
    who = concern.who
    tz = get_zone(who.timezone)
    day = Text.trusted(calendar_day(start.astimezone(tz).date(), ctx.prompts.locale))
    mine = who.person_id == ctx.person.id
    if concern.kind == "holiday":
        key = "meeting.holiday_yours" if mine else "meeting.holiday_theirs"
        return ctx.t(key, day=day, holiday=concern.holiday or "", partner=who.name)
    if concern.kind == "closed":
        return ctx.t("meeting.closed_day", day=day)
    key = "meeting.odd_hour" if who.has_availability else "meeting.odd_hour_default"
    return ctx.t(
        key,
        when=Text.trusted(local_when(start, tz, ctx.prompts.locale)),
        zone=zone_label(who.timezone),
        partner=who.name,
    )


def _people(ctx: Ctx, chosen: PairChoice) -> list[Candidate]:
    """Everyone in the pair as candidates (the person booking first), for zones and slots."""
    member = ctx.require_member()
    default = ctx.settings.program.default_timezone
    people = [candidate_of(member, ctx.person, default)]
    for person in chosen.partners:
        assert person.id is not None
        other = repo.find_member(
            session=ctx.session, program_id=member.program_id, person_id=person.id
        )
        if other is not None:
            people.append(candidate_of(other, person, default))
    return people


def _read_start(
    ctx: Ctx, chosen: PairChoice, people: list[Candidate], words: list[str]
) -> datetime:
    """The instant ``words`` name: ``2`` (the intro's second time), a button's
    ``2026-12-08T09:00Z``, or a day and a time of day in the person's zone.
    """
    text = " ".join(words).strip()
    stamp = _STAMP.match(text)
    if stamp:
        day, hour, minute = stamp.groups()
        return datetime.fromisoformat(f"{day}T{hour}:{minute}:00+00:00")
    if text.isdigit():
        return _intro_slot(ctx, chosen, people, int(text))
    clock, day_words = _split_clock(words)
    locale = ctx.prompts.locale
    today = ctx.now.astimezone(ctx.zone()).date()
    if clock is None:
        raise _no_time(text, today, locale)
    try:
        day = read_day(" ".join(day_words), today=today, locale=locale).day if day_words else today
    except BadDate:
        raise UserError(
            "meeting.bad_date", text=Text.user(" ".join(day_words)), **_examples(today, locale)
        ) from None
    hour, minute = (int(x) for x in clock.split(":"))
    if hour == 24:
        return localize(datetime.combine(day + timedelta(days=1), time()), ctx.zone())
    return localize(datetime.combine(day, time(hour, minute)), ctx.zone())


def _no_time(text: str, today: date, locale: str) -> UserError:
    """What to say to a day without a time: that the day is past, or that a time is needed."""
    try:
        day = read_day(text, today=today, locale=locale).day
    except BadDate:
        day = None
    if day is not None and day < today:
        return UserError(
            "meeting.past_day",
            day=Text.trusted(calendar_day(day, locale)),
            tomorrow=near_day_word(1, locale),
        )
    return UserError("meeting.bad_time", text=Text.user(text))


def _examples(today: date, locale: str) -> dict[str, str]:
    """Days to suggest, in the person's language and still to come: a date a week ahead,
    the weekday after tomorrow, and the word for tomorrow.
    """
    return {
        "date": (today + timedelta(days=7)).isoformat(),
        "weekday": weekday_name((today + timedelta(days=2)).weekday(), locale),
        "tomorrow": near_day_word(1, locale),
    }


def _split_clock(words: list[str]) -> tuple[str | None, list[str]]:
    """The time of day at the end of ``words`` ("17:30", "5pm", "5 pm", "10h30", "17 h") and
    the words before.
    """
    if len(words) >= 2 and words[-1].lower() in ("am", "pm", "h", "uhr"):
        clock = parse_clock(words[-2] + words[-1])
        return clock, words[:-2]
    if words:
        return parse_clock(words[-1]), words[:-1]
    return None, []


def _intro_slots(ctx: Ctx, chosen: PairChoice, people: list[Candidate]) -> list[datetime]:
    """The times the pair's introduction suggested (computed as they were then)."""
    started = chosen.pair.started_at or ctx.now
    return suggest_slots(
        people,
        after=started,
        session_minutes=ctx.settings.matching.session_minutes,
        days_off=DaysOff(ctx.settings.program.closed_dates),
    )


def _intro_slot(ctx: Ctx, chosen: PairChoice, people: list[Candidate], n: int) -> datetime:
    """The ``n``-th time the pair's introduction suggested."""
    slots = _intro_slots(ctx, chosen, people)
    if not slots:
        raise UserError("meeting.no_slots")
    if not 1 <= n <= len(slots):
        raise UserError("meeting.no_such_slot", n=str(n), count=str(len(slots)))
    return slots[n - 1]


def _check_start(ctx: Ctx, start: datetime) -> None:
    if start <= ctx.now:
        raise UserError(
            "meeting.past",
            when=Text.trusted(local_when(start, ctx.zone(), ctx.prompts.locale)),
            zone=zone_label(ctx.zone_key()),
        )
    if start - ctx.now > timedelta(days=MAX_AHEAD_DAYS):
        raise UserError("meeting.too_far", days=str(MAX_AHEAD_DAYS))


def _send_invites(
    ctx: Ctx,
    chosen: PairChoice,
    people: list[Candidate],
    start: datetime,
    replaced: Replaced,
) -> None:
    """One DM to each person of the pair: the same events (same UIDs), times in their zone,
    each in a file named for them (a console saves both people's files side by side).
    """
    program = ctx.program()
    minutes = ctx.settings.matching.session_minutes
    pair = PairInfo.of(program, chosen.pair_id, people)
    key = "meeting.moved_dm" if replaced.moved else "meeting.booked_dm"
    persons = {p.id: p for p in (ctx.person, *chosen.partners)}
    instant = f"{start.astimezone(UTC):%Y%m%dT%H%M}"  # with the sequence: moving back resends
    for who in people:
        person = persons[who.person_id]
        theirs = ctx.prompts_for(person)  # each in their own language
        events = [
            event_slot(theirs, pair, at, minutes, status=status, sequence=replaced.sequence)
            for at, status in [(start, "CONFIRMED"), *((t, "CANCELLED") for t in replaced.times)]
        ]
        partner = ", ".join(p.name for p in people if p is not who)
        text = theirs.render(
            key,
            when=Text.trusted(local_when(start, get_zone(who.timezone), theirs.locale)),
            zone=zone_label(who.timezone),
            partner=partner,
        )
        invite = invite_file(
            _file_name(chosen.pair_id, who), events, zone_key=who.timezone, now=ctx.now
        )
        ctx.dm(
            person,
            Message((Section(text), invite)),
            dedupe_key=f"meet:{chosen.pair_id}:{instant}:{replaced.sequence}:{who.person_id}",
        )


def _file_name(pair_id: int, who: Candidate) -> str:
    """``meeting-pair-3-lucia-7.ics``: the pair's invite as one person's file."""
    plain = unicodedata.normalize("NFKD", who.name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:30]
    return f"meeting-pair-{pair_id}-{slug + '-' if slug else ''}{who.person_id}.ics"
