"""SQLModel tables for the whole mentorship domain.

Every instant is an aware UTC datetime stored through :class:`storage.types.UTCDateTime`;
calendar days (goal deadlines, check-in cycles) are plain dates. Enumerations are stored as
short strings (see the ``*Status``/``Role`` classes) so migrations stay portable between
SQLite and PostgreSQL. Lists (skills, languages, availability windows) are JSON columns.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class Role(StrEnum):
    """What someone is in a program."""

    MENTOR = "mentor"
    MENTEE = "mentee"
    PEER = "peer"


class MemberStatus(StrEnum):
    """Whether someone takes part now, is on a break, or left."""

    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"


class ProgramKind(StrEnum):
    """Mentors with mentees, peers with peers, or circles (groups)."""

    MENTORING = "mentoring"
    PEER = "peer"
    CIRCLES = "circles"  # one mentor with several mentees, or peer circles


class RoundPublish(StrEnum):
    """What a recurring round does with its preview: publish it, or ask the admins first."""

    AUTO = "auto"
    PREVIEW = "preview"


class Cadence(StrEnum):
    """How often check-ins come."""

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class PairStatus(StrEnum):
    """A pair in a preview, matched now, or over."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    ENDED = "ended"


class EndReason(StrEnum):
    """Why a pair ended (``Pair.end_reason``; set only by ``bot.pairs.lifecycle``)."""

    FINISHED = "finished"  # the pair completed what it set out to do
    REMATCH = "rematch"  # a new round or a rematch request replaced it
    LEFT = "left"  # someone in it left the program
    FORGOTTEN = "forgotten"  # someone in it asked to be forgotten
    REMOVED = "removed"  # an admin ended it or removed someone from the program
    INACTIVE = "inactive"  # it went silent and closed itself
    PROGRAM_ENDED = "program_ended"  # the program's last day passed

    @property
    def completed(self) -> bool:
        """Whether a pair that ended this way completed (otherwise it ended early)."""
        return self in (EndReason.FINISHED, EndReason.PROGRAM_ENDED)


class OutboxStatus(StrEnum):
    """Where an outgoing message is in its life."""

    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    PARKED = "parked"
    CANCELLED = "cancelled"


def _utc_field(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


class Program(SQLModel, table=True):
    """One mentorship program in one workspace (Slack team, Discord guild or the console)."""

    __table_args__ = (UniqueConstraint("platform", "workspace_id", "slug"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64)
    name: str = Field(max_length=200)
    platform: str = Field(max_length=20)
    workspace_id: str = Field(max_length=64)
    kind: str = Field(default=ProgramKind.MENTORING, max_length=20)
    cadence: str = Field(default=Cadence.BIWEEKLY, max_length=20)
    checkin_weekday: int = Field(default=1, ge=0, le=6)  # Monday = 0
    checkin_hour: int = Field(default=10, ge=0, le=23)
    announcement_channel: str | None = Field(default=None, max_length=64)
    mentors_channel: str | None = Field(default=None, max_length=64)  # where requests go
    starts_on: date | None = None
    ends_on: date | None = None
    created_at: datetime = _utc_field()
    # Archived programs do nothing (no rounds, nudges or digests) and leave pickers; kept
    # for reports and personal exports.
    archived_at: datetime | None = _utc_field(nullable=True)
    # This program's own admins (platform user ids; names on the console), beside [admins]
    admins: list[str] = Field(default_factory=list, sa_type=JSON)
    timezone: str | None = Field(default=None, max_length=64)  # its rounds' clock
    prompts_dir: str | None = Field(default=None, max_length=500)  # its own rewording
    # Recurring rounds (``admin program set rounds every 2 weeks at monday 09:00``):
    # None = rounds by hand (``admin match``)
    rounds_every_weeks: int | None = Field(default=None, ge=1, le=52)
    rounds_weekday: int = Field(default=0, ge=0, le=6)  # Monday = 0
    rounds_time: str = Field(default="09:00", max_length=5)  # local "HH:MM" in ``timezone``
    rounds_publish: str = Field(default=RoundPublish.PREVIEW, max_length=20)
    rounds_from: date | None = None  # the first round's day; later ones every N weeks
    # Mentees who choose: they request one of their suggested mentors, who answers within
    # ``choose_days`` days; unanswered or declined requests fall back to the matching
    mentees_choose: bool = Field(default=False)
    choose_days: int = Field(default=3, ge=1, le=30)
    # Circles: group sizes (defaults by kind of circle when None)
    circle_min: int | None = Field(default=None, ge=2, le=20)
    circle_max: int | None = Field(default=None, ge=2, le=20)


class Person(SQLModel, table=True):
    """A chat user on one platform; facts that do not depend on the program live here."""

    __table_args__ = (UniqueConstraint("platform", "platform_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=20)
    platform_user_id: str = Field(max_length=64)
    display_name: str = Field(default="", max_length=200)
    # "import": a coordinator's roster named them, and the platform's name never replaces it;
    # "platform" (or None, as before this was kept): the platform's name, kept current.
    name_source: str | None = Field(default=None, max_length=20)
    timezone: str | None = Field(default=None, max_length=64)
    timezone_source: str | None = Field(default=None, max_length=20)  # "user" or "platform"
    languages: list[str] = Field(default_factory=list, sa_type=JSON)
    # The language the bot speaks to them: their choice (``/mentor language``), else the
    # platform's (Slack profile, Discord client), else the program's (bot/i18n/locales.py).
    locale: str | None = Field(default=None, max_length=20)
    platform_locale: str | None = Field(default=None, max_length=20)
    availability: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    quiet_start: str | None = Field(default=None, max_length=5)  # local "HH:MM"
    quiet_end: str | None = Field(default=None, max_length=5)
    team: str | None = Field(default=None, max_length=100)
    # whose public holidays they keep: "ES" or "ES-MD" (None: the country of their zone)
    country: str | None = Field(default=None, max_length=20)
    created_at: datetime = _utc_field()
    updated_at: datetime = _utc_field()
    # Set when a DM to them failed for good (``bot.unreachable``): since when, and why (a fixed key:
    # "dms_closed" or "left_workspace"); cleared when a DM reaches them or they write to the bot.
    unreachable_since: datetime | None = _utc_field(nullable=True)
    unreachable_reason: str | None = Field(default=None, max_length=20)


class Member(SQLModel, table=True):
    """A person's participation in a program: role, what they offer and want, and status."""

    __table_args__ = (UniqueConstraint("program_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str = Field(max_length=20)
    skills_offered: list[str] = Field(default_factory=list, sa_type=JSON)
    skills_wanted: list[str] = Field(default_factory=list, sa_type=JSON)
    goals: str = Field(default="", max_length=2000)
    capacity: int = Field(default=1, ge=0, le=20)
    seniority: int | None = Field(default=None, ge=0, le=50)
    status: str = Field(default=MemberStatus.ACTIVE, max_length=20)
    paused_until: datetime | None = _utc_field(nullable=True)
    match_priority: int = Field(default=0)
    joined_at: datetime = _utc_field()
    left_at: datetime | None = _utc_field(nullable=True)
    # set by ``admin remove`` (status stays ``left``): they can't rejoin until ``admin readmit``
    removed_at: datetime | None = _utc_field(nullable=True)
    # the roster import they came in with (``mentorbot import --batch``; default the file's
    # name and the day): the report's intake; None for people who joined by themselves
    intake_batch: str | None = Field(default=None, max_length=120)


class MatchRun(SQLModel, table=True):
    """One matching run of a program: a preview until an admin publishes it."""

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    seed: int = 0
    status: str = Field(default="preview", max_length=20)
    summary: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = _utc_field()
    published_at: datetime | None = _utc_field(nullable=True)


class RoundStatus(StrEnum):
    """Where a recurring round is: waiting, its people told, previewed, published, or not held."""

    SCHEDULED = "scheduled"
    NOTICED = "noticed"  # "new pairs tomorrow" queued
    PROPOSED = "proposed"  # matched as a preview, waiting for an admin's Publish
    PUBLISHED = "published"
    SUPERSEDED = "superseded"  # a preview nobody published before the next round
    CANCELLED = "cancelled"  # rounds were switched off before it came


class Round(SQLModel, table=True):
    """One recurring round of a program (``admin program set rounds ...``): the pulse moves it
    along once per step with a conditional UPDATE on ``status``, whatever the processes.
    """

    __table_args__ = (UniqueConstraint("program_id", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    due_at: datetime = _utc_field()
    status: str = Field(default=RoundStatus.SCHEDULED, max_length=20)
    match_run_id: int | None = Field(default=None, foreign_key="matchrun.id")
    created_at: datetime = _utc_field()
    noticed_at: datetime | None = _utc_field(nullable=True)
    proposed_at: datetime | None = _utc_field(nullable=True)
    published_at: datetime | None = _utc_field(nullable=True)
    reminded_at: datetime | None = _utc_field(nullable=True)
    # What happened to each person (member ids): skipped, unreachable, and the counts
    summary: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class RoundSkip(SQLModel, table=True):
    """Someone sitting out one round (``/mentor skip``)."""

    __table_args__ = (UniqueConstraint("round_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    created_at: datetime = _utc_field()


class Pair(SQLModel, table=True):
    """Two (or, in odd peer cohorts, three) members matched together."""

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    match_run_id: int | None = Field(default=None, foreign_key="matchrun.id", index=True)
    status: str = Field(default=PairStatus.PROPOSED, max_length=20)
    score: float = 0.0
    # the intro's reasons: {key, values} to word for each reader; plain text in old rows
    reasons: list[Any] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = _utc_field()
    started_at: datetime | None = _utc_field(nullable=True)
    ended_at: datetime | None = _utc_field(nullable=True)
    end_reason: str | None = Field(default=None, max_length=200)  # an EndReason
    end_detail: str | None = Field(default=None, max_length=60)  # a fixed key, never free text
    ended_by_member_id: int | None = None  # whose action ended it (None: an admin or the bot)
    end_note: str | None = Field(default=None, max_length=500)  # an admin's words: admins only
    stalled_since: datetime | None = _utc_field(nullable=True)
    stall_reason: str | None = Field(default=None, max_length=40)


class PairMember(SQLModel, table=True):
    """Membership of a member in a pair, with the role they play in it."""

    __table_args__ = (UniqueConstraint("pair_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    pair_id: int = Field(foreign_key="pair.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    role: str = Field(max_length=20)


class MatchRule(SQLModel, table=True):
    """An admin's hard rule between two members: ``block`` (never pair) or ``pin`` (always)."""

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    member_a_id: int = Field(foreign_key="member.id")
    member_b_id: int = Field(foreign_key="member.id")
    kind: str = Field(max_length=10)
    created_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = _utc_field()


class CheckInOutcome(StrEnum):
    """What someone answered to "did you meet?"."""

    PENDING = "pending"
    MET = "met"
    NOT_YET = "not_yet"
    RESCHEDULED = "rescheduled"
    SKIPPED = "skipped"


class CheckIn(SQLModel, table=True):
    """One person's check-in for one cycle of a pair: planned ahead, nudged, then answered.

    A row is created when the nudge is planned (``outcome`` pending, ``due_at`` the nudge
    instant) or when someone logs a meeting on their own; answering updates it. Its nudge goes
    into the outbox shortly before it is due (``queued_at``). Planned vs held meetings for
    reports are counts over these rows.
    """

    __table_args__ = (
        UniqueConstraint("pair_id", "member_id", "cycle_on", name="uq_checkin_pair_member_cycle"),
        Index("ix_checkin_due", "due_at"),
        Index("ix_checkin_queue", "queued_at", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pair_id: int = Field(foreign_key="pair.id")  # indexed by the unique key (pair first)
    member_id: int = Field(foreign_key="member.id", index=True)
    cycle_on: date | None = None
    due_at: datetime | None = _utc_field(nullable=True)
    outcome: str = Field(default=CheckInOutcome.PENDING, max_length=20)
    note: str = Field(default="", max_length=2000)
    recorded_at: datetime | None = _utc_field(nullable=True)
    queued_at: datetime | None = _utc_field(nullable=True)  # its nudge is in the outbox


class Meeting(SQLModel, table=True):
    """A meeting a pair booked (``meet``): when it starts and who booked it. Booking again
    moves it (one row per pair); the first check-in due after it starts asks about it.
    """

    id: int | None = Field(default=None, primary_key=True)
    pair_id: int = Field(foreign_key="pair.id", unique=True)
    starts_at: datetime = _utc_field()
    minutes: int = 30
    booked_by_member_id: int | None = None  # plain id, like Pair.ended_by_member_id
    booked_at: datetime = _utc_field()
    # Bookings so far: the SEQUENCE of the invite's events (RFC 5545), so that a move's
    # cancellation and each re-booking outrank the version they replace in calendars.
    sequence: int = Field(default=0, sa_column_kwargs={"server_default": "1"})


class GoalStatus(StrEnum):
    """Whether a goal is being worked on, reached or given up."""

    ACTIVE = "active"
    DONE = "done"
    DROPPED = "dropped"


class Goal(SQLModel, table=True):
    """A SMART goal of a member; ``private`` hides it from their partner."""

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    title: str = Field(max_length=500)
    measure: str = Field(default="", max_length=1000)
    due_on: date | None = None
    why: str = Field(default="", max_length=1000)
    first_milestone: str = Field(default="", max_length=1000)
    status: str = Field(default="active", max_length=20)
    private: bool = False
    celebrate: bool = False  # may be celebrated in the program channel when done
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)  # extra script answers
    created_at: datetime = _utc_field()
    completed_at: datetime | None = _utc_field(nullable=True)


class GoalUpdate(SQLModel, table=True):
    """A progress report on a goal."""

    id: int | None = Field(default=None, primary_key=True)
    goal_id: int = Field(foreign_key="goal.id", index=True)
    progress: int | None = Field(default=None, ge=0, le=100)
    blockers: str = Field(default="", max_length=2000)
    note: str = Field(default="", max_length=2000)
    created_at: datetime = _utc_field()


class Feedback(SQLModel, table=True):
    """Confidential session or pairing-fit feedback; never shown to the partner."""

    id: int | None = Field(default=None, primary_key=True)
    pair_id: int | None = Field(default=None, foreign_key="pair.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    kind: str = Field(max_length=20)  # session / fit
    rating: int | None = Field(default=None, ge=1, le=5)
    helped: str = Field(default="", max_length=2000)
    change: str = Field(default="", max_length=2000)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)  # extra script answers
    created_at: datetime = _utc_field()


class PairClosure(SQLModel, table=True):
    """How one person closed one pair: a last rating and reason (private), keep in touch or
    match again, and a mentee's thank-you for the mentor (shared in the digest only with
    ``share_thanks``). Written when the pair ends; queried through ``storage.closure``.
    """

    __table_args__ = (UniqueConstraint("pair_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    pair_id: int = Field(foreign_key="pair.id")  # indexed by the unique key (pair first)
    member_id: int = Field(foreign_key="member.id", index=True)
    rating: int | None = Field(default=None, ge=1, le=5)
    reason: str = Field(default="", max_length=1000)
    keep_in_touch: bool = False
    rematch: bool = False
    thanks: str = Field(default="", max_length=1000)
    share_thanks: bool = False
    created_at: datetime = _utc_field()
    asked_at: datetime | None = _utc_field(nullable=True)  # its closure DM is in the outbox
    answered_at: datetime | None = _utc_field(nullable=True)


class SurveyResponse(SQLModel, table=True):
    """One person's answers to a program survey (mid-point or end)."""

    __table_args__ = (UniqueConstraint("program_id", "member_id", "survey"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    survey: str = Field(max_length=40)
    answers: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = _utc_field()


class AnnouncementStatus(StrEnum):
    """Where an announcement is: shown to its admin, queued for sending, or withdrawn."""

    DRAFT = "draft"  # previewed, nothing queued yet
    QUEUED = "queued"  # its outbox rows are written; they go out at each person's time
    CANCELLED = "cancelled"  # withdrawn: unsent rows were cancelled
    DISCARDED = "discarded"  # a draft replaced by an edit or never sent


class Announcement(SQLModel, table=True):
    """An admin's announcement: to a channel and/or as DMs at each person's local time.

    The text is the admin's own (trusted: their formatting is kept). ``local_day`` and
    ``local_time`` are a wall time applied in each recipient's zone; both empty means now.
    """

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    author_person_id: int | None = Field(default=None, foreign_key="person.id")
    text: str = Field(max_length=4000)
    mode: str = Field(default="dm", max_length=20)  # dm / channel / both
    audience: str = Field(default="everyone", max_length=20)
    include_paused: bool = False
    pair_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    allow_ping: bool = False  # the admin ticked "allow @everyone/@here"
    local_day: date | None = None
    local_time: str | None = Field(default=None, max_length=5)  # "HH:MM"
    author_zone: str = Field(default="UTC", max_length=64)  # for the channel post's time
    status: str = Field(default=AnnouncementStatus.DRAFT, max_length=20)
    created_at: datetime = _utc_field()
    queued_at: datetime | None = _utc_field(nullable=True)


class RequestStatus(StrEnum):
    """A request for help between meetings: waiting, taken by a mentor, or done."""

    OPEN = "open"
    CLAIMED = "claimed"
    CLOSED = "closed"


class MentorRequest(SQLModel, table=True):
    """Someone asking for help between meetings; the first mentor to claim it takes it.

    Claiming is one conditional UPDATE (``status = 'open'``), so two mentors clicking in the
    same second cannot both win.
    """

    __table_args__ = (Index("ix_request_program_status", "program_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id")
    requester_member_id: int = Field(foreign_key="member.id", index=True)
    topic: str = Field(max_length=200)
    details: str = Field(default="", max_length=2000)
    urgency: str = Field(default="normal", max_length=10)  # low / normal / high
    status: str = Field(default=RequestStatus.OPEN, max_length=20)
    claimed_by_member_id: int | None = Field(default=None, foreign_key="member.id")
    claimed_at: datetime | None = _utc_field(nullable=True)
    escalated_at: datetime | None = _utc_field(nullable=True)
    closed_at: datetime | None = _utc_field(nullable=True)
    helped: int | None = None  # 1-5, the requester's "did this help"
    created_at: datetime = _utc_field()


class ChoiceStatus(StrEnum):
    """A mentee's request for a mentor they chose: waiting for the mentor's answer, or done."""

    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"  # no answer by ``answer_by``
    WITHDRAWN = "withdrawn"  # the mentee took it back, or it could no longer be answered


class MentorChoice(SQLModel, table=True):
    """A mentee asking a mentor they chose from their suggestions (programs where mentees
    choose): the mentor accepts or declines by ``answer_by``. At most one open request per
    mentee (a partial unique index), and answering is one conditional UPDATE.
    """

    __tablename__ = "mentor_choice"
    __table_args__ = (
        Index("ix_mentor_choice_program_status", "program_id", "status"),
        Index(
            "ux_mentor_choice_one_open",
            "mentee_member_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id")
    mentee_member_id: int = Field(foreign_key="member.id", index=True)
    mentor_member_id: int = Field(foreign_key="member.id", index=True)
    status: str = Field(default=ChoiceStatus.OPEN, max_length=20)
    created_at: datetime = _utc_field()
    answer_by: datetime = _utc_field()
    answered_at: datetime | None = _utc_field(nullable=True)


class OutboxMessage(SQLModel, table=True):
    """A message the bot sends on its own initiative; the row is written before any send."""

    __table_args__ = (Index("ix_outbox_due", "status", "not_before"),)

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=200, unique=True)
    program_id: int | None = Field(default=None, foreign_key="program.id")
    platform: str = Field(max_length=20)
    workspace_id: str = Field(default="", max_length=64)
    target_kind: str = Field(max_length=20)  # user / channel / group
    target_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    not_before: datetime = _utc_field()
    status: str = Field(default=OutboxStatus.PENDING, max_length=20)
    attempts: int = 0
    lease_until: datetime | None = _utc_field(nullable=True)
    lease_owner: str | None = Field(default=None, max_length=100)  # the process sending it
    expires_at: datetime | None = _utc_field(nullable=True)
    last_error: str | None = Field(default=None, max_length=500)
    platform_message_id: str | None = Field(default=None, max_length=100)
    created_at: datetime = _utc_field()
    sent_at: datetime | None = _utc_field(nullable=True)


class SeenRequest(SQLModel, table=True):
    """A platform request already handled (a Slack event id, a request signature): shared by
    every process and kept across restarts, so a retry or a replay is handled once.
    """

    key: str = Field(primary_key=True, max_length=200)
    seen_at: datetime = _utc_field(index=True)


class SendingProcess(SQLModel, table=True):
    """A process dispatching the outbox, and when it last claimed work: the platforms' rate
    budgets are split among the live ones, so three processes together send no faster than
    one would.
    """

    owner: str = Field(primary_key=True, max_length=200)
    seen_at: datetime = _utc_field()


class PlatformHold(SQLModel, table=True):
    """A platform said "wait" (HTTP 429 with Retry-After): no process sends to it until then."""

    platform: str = Field(primary_key=True, max_length=32)
    until: datetime = _utc_field()


class ConversationStatus(StrEnum):
    """Whether a conversation is going on or how it ended."""

    ACTIVE = "active"
    DONE = "done"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class Conversation(SQLModel, table=True):
    """The saved state of one guided conversation (goal setting, feedback, survey ...).

    ``step`` indexes the script's steps; ``answers`` maps step ids to values; ``context`` is
    the flow's own state (which pair or goal it is about, conditions, coaching drafts).
    """

    __table_args__ = (
        Index("ix_conversation_person_status", "person_id", "status"),
        # One active conversation per person, whatever races happen.
        Index(
            "uq_conversation_one_active",
            "person_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    program_id: int | None = Field(default=None, foreign_key="program.id")
    script: str = Field(max_length=64)
    step: int = 0
    answers: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    context: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    status: str = Field(default=ConversationStatus.ACTIVE, max_length=20)
    started_at: datetime = _utc_field()
    updated_at: datetime = _utc_field()
    expires_at: datetime | None = _utc_field(nullable=True)
    reminded_at: datetime | None = _utc_field(nullable=True)


class ConsoleClock(SQLModel, table=True):
    """How far the console's clock was moved forward (``/time +7d``): one row, so a console
    trial, its restarts and the terminal commands on the same database agree on "now".
    """

    __tablename__ = "console_clock"

    id: int | None = Field(default=None, primary_key=True)
    offset_seconds: float = 0.0
    moved_at: datetime = _utc_field()


class CapacityAsk(SQLModel, table=True):
    """A mentor at capacity asked, from a match preview, to take one more mentee
    (``bot.matching.capacity_ask``): one row per preview and mentor, so a second press asks
    nobody twice; ``raised`` is set once by "Take one more" (True) or "Not now" (False).
    """

    __tablename__ = "capacity_ask"
    __table_args__ = (UniqueConstraint("match_run_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    match_run_id: int = Field(foreign_key="matchrun.id")
    member_id: int = Field(foreign_key="member.id", index=True)
    asked_at: datetime = _utc_field()
    raised: bool | None = None
    answered_at: datetime | None = _utc_field(nullable=True)
