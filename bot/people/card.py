"""``admin person``: one person's card, built from what admins may already see.

Profile, pairs and meetings (each pair's partners, dates, end reason and the admins' own note),
the last check-in outcomes, goals (a private goal's title stays with its owner) and each active
pair's health (:func:`bot.pairs.health.pair_health`, the same rule as the digest's). Feedback,
check-in notes and goal updates' words never show: they are private to the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.checkins.digest import meetings_by_pair
from bot.config import Settings
from bot.pairs.health import PairHealth, pair_health
from bot.people.lookup import Someone
from bot.profile.fields import describe_availability
from bot.prompts import Prompts
from bot.registry import FORGOTTEN
from bot.replies import Context, Fields, Message, Part, Section
from bot.spans import Text
from bot.time.format import local_when, short_day
from bot.time.holidays import region_from_zone
from bot.time.zones import get_zone, zone_label
from bot.unreachable.marks import note
from storage import checkins as checkins_db
from storage import goals as goals_db
from storage import pairs as pairs_db
from storage.models import (
    CheckInOutcome,
    EndReason,
    Member,
    MemberStatus,
    Pair,
    PairStatus,
    Person,
    Program,
    Role,
)

MAX_PAIRS = 10
MAX_CHECKINS = 3
DETAILS = ("role_change", "moved", "removed")  # an admin's end, told apart on the card


@dataclass(frozen=True)
class Sheet:
    """What the card reads: one transaction, the program, the time, settings and wording."""

    session: Session
    program: Program
    now: datetime
    settings: Settings
    prompts: Prompts

    def t(self, key: str, **values: object) -> Text:
        """Render a prompt."""
        return self.prompts.render(key, **values)


def person_card(sheet: Sheet, who: Someone, *, terminal: bool = False) -> Message:
    """The whole card of ``who``; ``terminal``: its closing hints name the terminal's commands."""
    member = who.member
    assert member.id is not None
    pairs = [
        p
        for p in pairs_db.pairs_of_members(session=sheet.session, member_ids=[member.id])
        if p.started_at is not None and p.status in (PairStatus.ACTIVE, PairStatus.ENDED)
    ]
    ids = [p.id for p in pairs if p.id is not None]
    partners = {
        pair_id: ", ".join(p.display_name or FORGOTTEN for p in people) or FORGOTTEN
        for pair_id, people in pairs_db.partners_by_pair(
            session=sheet.session, pair_ids=ids, member_ids=[member.id]
        ).items()
    }
    health = pair_health(sheet.session, ids, sheet.now, sheet.settings)
    header = sheet.t(
        "people.card.header",
        name=who.name,
        user_id=who.person.platform_user_id,
        program=sheet.program.name,
    )
    parts: list[Part] = [Section(header), _profile(sheet, who, pairs)]
    parts += _pairs(sheet, pairs, partners, health)
    parts += _checkins(sheet, who, partners)
    parts += _goals(sheet, who)
    parts += _engagement(sheet, pairs, partners, health)
    end = "_terminal" if terminal else ""
    parts += [
        Context(sheet.t(f"people.card.privacy{end}")),
        Context(sheet.t(f"people.card.hint{end}")),
    ]
    return Message(tuple(parts))


def _text(sheet: Sheet, value: str) -> Text:
    return Text.user(value) if value else sheet.t("people.card.none")


def _country(sheet: Sheet, country: str | None, zone_key: str) -> Text:
    """Whose public holidays they keep: theirs as set, else their zone's (said so), else none."""
    if country:
        return Text.user(country)
    derived = region_from_zone(zone_key)
    return sheet.t("country.from_zone", country=derived) if derived else sheet.t("people.card.none")


def _profile(sheet: Sheet, who: Someone, pairs: list[Pair]) -> Fields:
    """Role, skills, languages, zone with the time there now, availability, capacity, status."""
    member, person = who.member, who.person
    label = sheet.prompts.text
    zone_key = person.timezone or sheet.settings.program.default_timezone
    zone = sheet.t(
        "people.card.zone",
        zone=zone_label(zone_key),
        local_time=Text.trusted(local_when(sheet.now, get_zone(zone_key), sheet.prompts.locale)),
    )
    items: list[tuple[str, Text]] = [(label("match.label.role"), sheet.t(f"role.{member.role}"))]
    # Only the fields of their role: a mentor's old "wants" (or a mentee's skills) would mislead.
    if member.role != Role.MENTEE:
        items.append((label("match.label.skills"), _text(sheet, ", ".join(member.skills_offered))))
    if member.role != Role.MENTOR:
        items.append((label("match.label.wants"), _text(sheet, ", ".join(member.skills_wanted))))
    items += [
        (label("profile.label.languages"), _text(sheet, ", ".join(person.languages))),
        (label("match.label.timezone"), zone),
        (label("profile.label.country"), _country(sheet, person.country, zone_key)),
        (
            label("profile.label.availability"),
            _text(sheet, describe_availability(person.availability)),
        ),
    ]
    if member.role == Role.MENTOR:
        taken = sum(1 for p in pairs if p.status == PairStatus.ACTIVE)
        capacity = sheet.t(
            "people.card.capacity",
            taken=Text.trusted(str(taken)),
            capacity=Text.trusted(str(member.capacity)),
        )
        items.append((label("profile.label.capacity"), capacity))
    items.append((label("people.card.status_label"), _status(sheet, who)))
    unreachable = note(sheet.prompts, person)
    if unreachable is not None:
        items.append((label("unreachable.mark.label"), unreachable))
    return Fields(tuple(items))


def _status(sheet: Sheet, who: Someone) -> Text:
    member = who.member
    if member.status == MemberStatus.LEFT:
        if member.removed_at is not None:
            return sheet.t("people.card.removed", day=_day(sheet, member.removed_at))
        return sheet.t("people.card.left", day=_day(sheet, member.left_at))
    status = sheet.t("people.card.active")
    if member.status == MemberStatus.PAUSED:
        until = member.paused_until
        if until is None:
            status = sheet.t("people.card.paused_open")
        elif until > sheet.now:
            # the day they chose, in their own zone (as they were told it)
            zone = get_zone(who.person.timezone or sheet.settings.program.default_timezone)
            day = short_day(until.astimezone(zone).date(), sheet.prompts.locale)
            status = sheet.t("people.card.paused", until=Text.trusted(day))
    if member.match_priority > 0 and member.role != Role.MENTOR:  # mentors are not placed first
        status = status + Text.trusted(", ") + sheet.t("people.card.waiting")
    return status


def _day(sheet: Sheet, when: datetime | None) -> Text:
    return Text.trusted(short_day(when.date(), sheet.prompts.locale) if when else "-")


def _reason(sheet: Sheet, pair: Pair) -> Text:
    reason = pair.end_reason or "other"
    known = {r.value for r in EndReason}
    said = sheet.t(f"pairs.end_reason.{reason if reason in known else 'other'}")
    detail = pair.end_detail or ""
    if reason == EndReason.REMOVED and detail in DETAILS:
        said = (
            said + Text.trusted(" (") + sheet.t(f"people.card.detail.{detail}") + Text.trusted(")")
        )
    return said


def _pairs(
    sheet: Sheet, pairs: list[Pair], partners: dict[int, str], health: dict[int, PairHealth]
) -> list[Part]:
    """Each pair, newest first: partners, dates, meetings and how it is going or ended."""
    if not pairs:
        return [
            Section(sheet.t("people.card.pairs_header")),
            Section(sheet.t("people.card.no_pairs")),
        ]
    held = meetings_by_pair(sheet.session, [p.id for p in pairs if p.id is not None])
    lines = []
    for pair in sorted(pairs, key=lambda p: (p.started_at or sheet.now, p.id or 0), reverse=True)[
        :MAX_PAIRS
    ]:
        assert pair.id is not None
        count, last = held.get(pair.id, (0, None))
        values = {
            "pair": Text.trusted(str(pair.id)),
            "partner": partners.get(pair.id, FORGOTTEN),
            "started": _day(sheet, pair.started_at),
            "meetings": Text.trusted(str(count)),
            "last": Text.trusted(short_day(last, sheet.prompts.locale) if last else "-"),
        }
        if pair.status == PairStatus.ACTIVE:
            line = sheet.t(
                "people.card.pair_active", health=_health(sheet, health, pair.id), **values
            )
        else:
            line = sheet.t(
                "people.card.pair_ended",
                ended=_day(sheet, pair.ended_at),
                reason=_reason(sheet, pair),
                **values,
            )
            if pair.end_note:
                line = (
                    line
                    + Text.trusted("\n    ")
                    + sheet.t("people.card.admin_note", note=pair.end_note)
                )
        lines.append(line)
    return [Section(sheet.t("people.card.pairs_header")), Section(Text.join(lines, "\n"))]


def _health(sheet: Sheet, health: dict[int, PairHealth], pair_id: int) -> Text:
    found = health.get(pair_id)
    return sheet.t(f"people.health.{found.state.value}") if found else sheet.t("people.card.none")


def _checkins(sheet: Sheet, who: Someone, partners: dict[int, str]) -> list[Part]:
    """The person's last answers (outcomes only: their notes stay private)."""
    answered = [
        c
        for c in checkins_db.of_members(session=sheet.session, member_ids=[who.member_id])
        if c.outcome != CheckInOutcome.PENDING
    ]
    answered.sort(key=lambda c: (c.cycle_on is not None, c.cycle_on, c.id or 0), reverse=True)
    header = Section(sheet.t("people.card.checkins_header"))
    if not answered:
        return [header, Section(sheet.t("people.card.no_checkins"))]
    lines = [
        sheet.t(
            "people.card.checkin_line",
            cycle=Text.trusted(short_day(c.cycle_on, sheet.prompts.locale) if c.cycle_on else "-"),
            partner=partners.get(c.pair_id, FORGOTTEN),
            outcome=sheet.t(f"people.outcome.{c.outcome}"),
        )
        for c in answered[:MAX_CHECKINS]
    ]
    return [header, Section(Text.join(lines, "\n"))]


def _goals(sheet: Sheet, who: Someone) -> list[Part]:
    """Each goal's title (unless private), status and latest progress."""
    goals = goals_db.goals_of(session=sheet.session, member_id=who.member_id)
    header = Section(sheet.t("people.card.goals_header"))
    if not goals:
        return [header, Section(sheet.t("people.card.no_goals"))]
    latest = goals_db.latest_progress(
        session=sheet.session, goal_ids=[g.id for g in goals if g.id is not None]
    )
    lines = []
    for goal in goals:
        update = latest.get(goal.id or 0)
        progress = (
            sheet.t("people.card.progress", percent=Text.trusted(str(update.progress)))
            if update is not None and update.progress is not None
            else sheet.t("people.card.no_progress")
        )
        title = sheet.t("people.card.private_goal") if goal.private else goal.title
        status = sheet.t(f"people.goal_status.{goal.status}")
        lines.append(
            sheet.t("people.card.goal_line", title=title, status=status, progress=progress)
        )
    return [header, Section(Text.join(lines, "\n"))]


def _engagement(
    sheet: Sheet, pairs: list[Pair], partners: dict[int, str], health: dict[int, PairHealth]
) -> list[Part]:
    """Each active pair's health, and who in it has gone silent since when."""
    header = Section(sheet.t("people.card.engagement_header"))
    active = [p for p in pairs if p.status == PairStatus.ACTIVE and p.id in health]
    if not active:
        return [header, Section(sheet.t("people.card.no_engagement"))]
    lines = []
    for pair in active:
        assert pair.id is not None
        found = health[pair.id]
        lines.append(
            sheet.t(
                "people.card.engagement_line",
                partner=partners.get(pair.id, FORGOTTEN),
                health=sheet.t(f"people.health.{found.state.value}"),
            )
        )
        for member_id in found.silent_member_ids:
            person = _person_of(sheet, member_id)
            silent = found.person(member_id)
            if silent is None or silent.silent_since is None:
                continue
            lines.append(
                Text.trusted("    ")
                + sheet.t(
                    "people.card.silent",
                    name=(person.display_name if person else "") or FORGOTTEN,
                    count=Text.trusted(str(silent.ignored_in_a_row)),
                    since=_day(sheet, silent.silent_since),
                )
            )
    return [header, Section(Text.join(lines, "\n"))]


def _person_of(sheet: Sheet, member_id: int) -> Person | None:
    member = sheet.session.get(Member, member_id)
    return sheet.session.get(Person, member.person_id) if member else None
