"""When each person hears an announcement, and the outbox rows that carry it.

A local time ("Monday 09:00") is that wall time in each recipient's own zone, so Tokyo hears
it first and Honolulu last; quiet hours move it to when they end (the admin chose the day, so
weekends are not skipped). "Now" is now, except for people in their quiet hours. Nobody's
message is due before the moment it is queued. Rows are written once, at Send, with dedupe
keys: the outbox (database truth) delivers them, so a restart loses nothing and a second Send
queues nothing twice.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, time

from sqlmodel import Session

from bot.announcements.compose import Draft
from bot.config import Settings
from bot.delivery import Target
from bot.outbox import Outgoing, enqueue_many
from bot.prompts import Prompts
from bot.replies import Context, Message, Section
from bot.spans import Text
from bot.time.nudges import LocalRules, nudge_wall
from bot.time.wall import localize
from bot.time.zones import get_zone
from storage import announcements as announcements_db
from storage.models import Announcement, Program


@dataclass(frozen=True)
class Delivery:
    """Who gets the announcement and when (UTC), with the zone it was planned in."""

    user_id: str
    zone: str
    at: datetime
    locale: str | None = None  # the language they chose, and their platform's (the framing)
    platform_locale: str | None = None


def draft_of(row: Announcement) -> Draft:
    """A stored announcement as the draft it was made from."""
    return Draft(
        text=row.text,
        audience=row.audience,
        include_paused=row.include_paused,
        pair_ids=tuple(row.pair_ids),
        mode=row.mode,
        local_day=row.local_day,
        local_time=row.local_time,
        allow_ping=row.allow_ping,
    )


def _wall(day: date, clock: str) -> datetime:
    hour, minute = (int(x) for x in clock.split(":"))
    return datetime.combine(day, time(hour, minute))


def instant_for(draft: Draft, rules: LocalRules, *, now: datetime) -> datetime:
    """When one person with ``rules`` hears it: their local wall time, out of quiet hours."""
    tz = get_zone(rules.timezone)
    if draft.local_day is None or draft.local_time is None:
        wall = now.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)
    else:
        wall = _wall(draft.local_day, draft.local_time)
    wall = nudge_wall(wall, replace(rules, weekend=frozenset()))  # quiet hours only
    return max(localize(wall, tz), now)


def channel_instant(draft: Draft, author_zone: str, *, now: datetime) -> datetime:
    """When the channel post goes: the wall time in the admin's own zone (or now)."""
    if draft.local_day is None or draft.local_time is None:
        return now
    return max(localize(_wall(draft.local_day, draft.local_time), get_zone(author_zone)), now)


def deliveries(
    session: Session, program: Program, draft: Draft, *, now: datetime, settings: Settings
) -> list[Delivery]:
    """Every DM the announcement would send, earliest first (none when it is channel-only)."""
    if draft.mode == "channel":
        return []
    assert program.id is not None
    people = announcements_db.recipients(
        session=session,
        program_id=program.id,
        audience=draft.audience,
        include_paused=draft.include_paused,
        pair_ids=list(draft.pair_ids),
    )
    default = settings.program.default_timezone
    cache: dict[LocalRules, datetime] = {}
    out = []
    for person in people:
        rules = LocalRules.for_person(person, default_timezone=default)
        if rules not in cache:
            cache[rules] = instant_for(draft, rules, now=now)
        out.append(
            Delivery(
                person.user_id, rules.timezone, cache[rules], person.locale, person.platform_locale
            )
        )
    return sorted(out, key=lambda d: (d.at, d.user_id))


def by_zone(items: list[Delivery]) -> list[tuple[str, int, datetime]]:
    """(zone, people, when) per zone, earliest first."""
    counts = Counter(d.zone for d in items)
    first: dict[str, datetime] = {}
    for d in items:
        first.setdefault(d.zone, d.at)
    return sorted(((z, counts[z], first[z]) for z in counts), key=lambda r: (r[2], r[0]))


def announcement_message(
    prompts: Prompts, program: Program, draft: Draft, *, author: str, channel: bool
) -> Message:
    """What people read: a header, the admin's own text (formatting kept), who sent it.

    Only the channel post may ping, and only when the admin allowed it.
    """
    return Message(
        (
            Section(prompts.render("announce.header", program=program.name)),
            Section(Text.trusted(draft.text)),
            Context(prompts.render("announce.footer", author=author)),
        ),
        private=False,
        ping=channel and draft.allow_ping and draft.pings(),
    )


def queue(
    session: Session,
    program: Program,
    row: Announcement,
    *,
    now: datetime,
    settings: Settings,
    prompts: Prompts,
    author: str,
) -> tuple[list[Delivery], datetime | None]:
    """Write the announcement's outbox rows; (the DMs, when the channel post goes)."""
    assert row.id is not None and program.id is not None
    draft = draft_of(row)
    prefix = announcements_db.key_prefix(row.id)
    items: list[Outgoing] = []
    dms = deliveries(session, program, draft, now=now, settings=settings)
    framed: dict[str, Message] = {}  # the admin's text, framed in each reader's language
    for d in dms:
        theirs = prompts.for_person(d)
        if theirs.locale not in framed:
            framed[theirs.locale] = announcement_message(
                theirs, program, draft, author=author, channel=False
            )
        items.append(
            Outgoing(
                f"{prefix}{d.user_id}",
                Target(program.platform, program.workspace_id, "user", (d.user_id,)),
                d.at,
                message=framed[theirs.locale],
            )
        )
    post_at = None
    channel = program.announcement_channel
    if draft.mode in ("channel", "both") and channel:
        post_at = channel_instant(draft, row.author_zone, now=now)
        items.append(
            Outgoing(
                f"{prefix}channel",
                Target(program.platform, program.workspace_id, "channel", (channel,)),
                post_at,
                message=announcement_message(
                    prompts.for_everyone(), program, draft, author=author, channel=True
                ),
            )
        )
    enqueue_many(session, items, now=now, program_id=program.id)
    return dms, post_at
