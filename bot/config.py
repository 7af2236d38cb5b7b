"""Settings: a TOML file for everything but secrets, environment variables for secrets.

The file comes from ``--config PATH``, else ``MENTORBOT_CONFIG``, else built-in defaults.
``DATABASE_URL`` overrides the database. Unknown keys are rejected so a typo never silently
does nothing.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from bot.errors import ConfigError

PLATFORMS = ("console", "slack", "discord")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CADENCES = ("weekly", "biweekly", "monthly")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True)
class BotSettings:
    """``[bot]``: platforms, data directory, database, logging, prompts and limits."""

    data_dir: str = "data"
    database_url: str = ""
    prompts_dir: str = ""
    platforms: tuple[str, ...] = ("console",)
    log_level: str = "INFO"
    log_format: str = "text"  # "text" or "json" (one JSON object per line)
    max_text_length: int = 1000
    instance: str = ""  # this process's name for outbox leases (default: the host name)
    keep_sent_text_days: int = 7  # then a delivered message's text is removed from the outbox
    keep_outbox_days: int = 400  # then finished outbox rows are deleted
    lease_seconds: int = 120  # how long a claimed outbox row is this process's to send
    shutdown_seconds: int = 10  # SIGTERM: how long in-flight sends may take to finish


@dataclass(frozen=True)
class ProgramSettings:
    """Defaults for the program created the first time someone joins in a workspace."""

    name: str = "Mentorship program"
    kind: str = "mentoring"
    cadence: str = "biweekly"
    checkin_weekday: str = "tuesday"
    checkin_hour: int = 10
    announcement_channel: str = ""
    default_timezone: str = "UTC"
    date_order: str = "day-first"  # how 10/11 is read: "day-first" or "month-first" (US)
    closed_days: tuple[str, ...] = ()  # "YYYY-MM-DD": no meeting slots, nudges move past them
    language: str = "en"  # for people who chose none and whose platform's language we lack

    @property
    def day_first(self) -> bool:
        """Whether numeric dates are read day first (10/11 is 10 November)."""
        return self.date_order != "month-first"

    @property
    def closed_dates(self) -> frozenset[date]:
        """The program's closed days as dates (checked at load: each is ``YYYY-MM-DD``)."""
        from bot.time.holidays import parse_closed_days

        return parse_closed_days(self.closed_days)


@dataclass(frozen=True)
class AdminSettings:
    """``[admins]``: who may run admin commands, per platform."""

    slack: tuple[str, ...] = ()
    discord: tuple[str, ...] = ()
    console: tuple[str, ...] = ("admin",)
    discord_roles: tuple[str, ...] = ()  # role ids, or names resolved to ids once per guild

    def for_platform(self, platform: str) -> tuple[str, ...]:
        """The admins' user ids (or, on the console, names) on ``platform``."""
        return tuple(getattr(self, platform, ()))

    def roles_for(self, platform: str) -> tuple[str, ...]:
        """Roles whose members are admins on ``platform`` (only Discord has them)."""
        return tuple(getattr(self, f"{platform}_roles", ()))


@dataclass(frozen=True)
class MatchingSettings:
    """How candidates are scored and which rules are hard constraints."""

    weight_skills: float = 3.0
    weight_goals: float = 1.0
    weight_language: float = 1.0
    weight_overlap: float = 2.0
    weight_team: float = 0.0
    weight_seniority: float = 0.5
    require_shared_language: bool = True
    require_different_team: bool = False
    recency_rounds: int = 3
    target_overlap_hours: float = 5.0
    priority_bonus: float = 10.0  # unused: the waiting are placed first (old files still load)
    session_minutes: int = 30
    peer_candidates: int = 25
    mentor_candidates: int = 20


@dataclass(frozen=True)
class CheckinSettings:
    """Nudges, stalled pairs, the admin digest and the scheduler's rhythm."""

    first_checkin_after_days: int = 5
    stale_after_hours: int = 12
    answer_grace_hours: int = 48
    cycles_without_meeting: int = 2
    ignored_in_a_row: int = 3
    digest_weekday: str = "monday"
    digest_hour: int = 9
    plan_every_minutes: int = 10
    dispatch_every_seconds: int = 10
    stalled_every_minutes: int = 60


@dataclass(frozen=True)
class EngagementSettings:
    """Re-engagement of silent people: a kind nudge, then the partner is offered a new match,
    then the pair closes itself (days of silence, counted from the first ignored nudge).
    """

    enabled: bool = True
    nudge_after_days: int = 7
    offer_after_days: int = 14
    close_after_days: int = 28
    every_minutes: int = 60


@dataclass(frozen=True)
class ConversationSettings:
    """Guided conversations (goal setting, feedback, surveys): reminders and expiry."""

    remind_after_hours: int = 24
    expire_after_hours: int = 72
    every_minutes: int = 15


@dataclass(frozen=True)
class SurveySettings:
    """Program surveys at the middle and end of a program, and how results are shown."""

    enabled: bool = True
    program_weeks: int = 24
    min_group_size: int = 3
    open_days: int = 14


REPORTABLE_FIELDS = ("team", "seniority")  # profile fields the report may group people by


@dataclass(frozen=True)
class ReportSettings:
    """The program report: which profile fields it may split outcomes by (role, time-zone
    region and intake always; a field here only when the coordinator marks it reportable).
    """

    reportable_fields: tuple[str, ...] = ("team",)


@dataclass(frozen=True)
class RequestSettings:
    """Requests for help between meetings: when an unclaimed one goes to the admins."""

    escalate_after_hours: int = 24
    urgent_escalate_after_hours: int = 4
    every_minutes: int = 15


@dataclass(frozen=True)
class SlackSettings:
    """Slack connection settings (tokens come from the environment only)."""

    api_url: str = ""
    http_host: str = "0.0.0.0"
    http_port: int = 3000
    messages_per_second: float = 20.0  # all processes together


@dataclass(frozen=True)
class DiscordSettings:
    """Discord connection settings (the token comes from DISCORD_TOKEN only)."""

    api_url: str = ""
    gateway_url: str = ""
    guild_ids: tuple[str, ...] = ()
    messages_per_second: float = 25.0  # all processes together
    shards: int = 1  # gateway connections; 0: as many as Discord recommends
    shard_ids: tuple[str, ...] = ()  # this process's shards when several processes share them


@dataclass(frozen=True)
class Settings:
    """Every setting, loaded once from the file and the environment."""

    bot: BotSettings = field(default_factory=BotSettings)
    program: ProgramSettings = field(default_factory=ProgramSettings)
    admins: AdminSettings = field(default_factory=AdminSettings)
    matching: MatchingSettings = field(default_factory=MatchingSettings)
    checkins: CheckinSettings = field(default_factory=CheckinSettings)
    engagement: EngagementSettings = field(default_factory=EngagementSettings)
    conversations: ConversationSettings = field(default_factory=ConversationSettings)
    surveys: SurveySettings = field(default_factory=SurveySettings)
    requests: RequestSettings = field(default_factory=RequestSettings)
    report: ReportSettings = field(default_factory=ReportSettings)
    slack: SlackSettings = field(default_factory=SlackSettings)
    discord: DiscordSettings = field(default_factory=DiscordSettings)
    source: str = "built-in defaults"

    @property
    def database_url(self) -> str:
        """``DATABASE_URL``, else ``[bot] database_url``, else SQLite in ``data_dir``."""
        if self.bot.database_url:
            return self.bot.database_url
        path = Path(self.bot.data_dir).expanduser() / "mentorbot.db"
        return f"sqlite:///{path}"


def _section(cls: type, data: Mapping[str, Any], name: str, problems: list[str]) -> Any:
    """The section's settings from ``data``; each unknown key or value of the wrong type is
    added to ``problems`` (and its default kept, so the other checks can still run).
    """
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        problems.append(f"[{name}] has unknown setting(s): {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            continue
        default = known[key].default
        if isinstance(default, tuple):
            if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
                problems.append(f"[{name}] {key} must be a list of strings")
                continue
            value = tuple(str(v) for v in value)
        elif isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif isinstance(value, bool) != isinstance(default, bool) or not isinstance(
            value, type(default)
        ):
            problems.append(
                f"[{name}] {key} must be {type(default).__name__}, not {type(value).__name__}"
            )
            continue
        values[key] = value
    return cls(**values)


def _problems(settings: Settings) -> Iterator[str]:
    """Every value out of range or not among the allowed ones, section by section."""
    yield from _bot_problems(settings.bot)
    yield from _platform_problems(settings)
    yield from _program_problems(settings.program)
    yield from _matching_problems(settings.matching)
    yield from _checkin_problems(settings.checkins)
    yield from _other_problems(settings)


def _bot_problems(b: BotSettings) -> Iterator[str]:
    for platform in b.platforms:
        if platform not in PLATFORMS:
            yield f"[bot] platforms: unknown platform {platform!r}; use {PLATFORMS}"
    if b.log_level.upper() not in LOG_LEVELS:
        yield f"[bot] log_level {b.log_level!r} is not a level; use one of {', '.join(LOG_LEVELS)}"
    if b.log_format not in ("text", "json"):
        yield "[bot] log_format must be 'text' or 'json'"
    if min(b.keep_sent_text_days, b.keep_outbox_days) < 1:
        yield "[bot] keep_sent_text_days and keep_outbox_days must be 1 or more"
    if b.max_text_length < 50:
        yield "[bot] max_text_length must be at least 50"
    if b.lease_seconds < 10 or b.shutdown_seconds < 0:
        yield "[bot] lease_seconds must be 10 or more and shutdown_seconds 0 or more"


def _platform_problems(settings: Settings) -> Iterator[str]:
    for name in ("slack", "discord"):
        if getattr(settings, name).messages_per_second <= 0:
            yield f"[{name}] messages_per_second must be more than 0"
    d = settings.discord
    if d.shards < 0 or not all(str(i).isdigit() and int(i) < d.shards for i in d.shard_ids):
        yield (
            "[discord] shards must be 0 (Discord's recommendation) or more, and shard_ids "
            "(only with a number of shards) numbers below it"
        )
    if not all(g.isdigit() for g in d.guild_ids):
        yield "[discord] guild_ids must be numeric guild ids (as strings)"


def _program_problems(p: ProgramSettings) -> Iterator[str]:
    if p.kind not in ("mentoring", "peer"):
        yield "[program] kind must be 'mentoring' or 'peer'"
    if p.date_order not in ("day-first", "month-first"):
        yield "[program] date_order must be 'day-first' or 'month-first'"
    if not p.language.strip():
        yield '[program] language must be a language tag such as "en" or "pt-BR"'
    if p.cadence not in CADENCES:
        yield f"[program] cadence must be one of {', '.join(CADENCES)}"
    if p.checkin_weekday.lower() not in WEEKDAYS:
        yield "[program] checkin_weekday must be a weekday name such as 'tuesday'"
    if not 0 <= p.checkin_hour <= 23:
        yield "[program] checkin_hour must be between 0 and 23"
    from bot.time.zones import zone_exists

    if not zone_exists(p.default_timezone):
        yield f"[program] default_timezone {p.default_timezone!r} is not a known zone"
    try:
        p.closed_dates  # noqa: B018 - parsing is the check
    except ValueError as exc:
        yield f"[program] closed_days: {exc.args[0]!r} is not a date like '2026-12-24'"


def _matching_problems(m: MatchingSettings) -> Iterator[str]:
    weights = [getattr(m, f.name) for f in fields(m) if f.name.startswith("weight_")]
    if any(w < 0 for w in weights) or not any(weights):
        yield "[matching] weights must be >= 0 and not all zero"
    if not 0 <= m.recency_rounds <= 52:
        yield "[matching] recency_rounds must be between 0 and 52"
    if m.target_overlap_hours <= 0 or not 10 <= m.session_minutes <= 240:
        yield "[matching] target_overlap_hours > 0, session_minutes 10-240"
    if m.peer_candidates < 2 or m.mentor_candidates < 1 or m.priority_bonus < 0:
        yield ("[matching] peer_candidates >= 2, mentor_candidates >= 1 and priority_bonus >= 0")


def _checkin_problems(c: CheckinSettings) -> Iterator[str]:
    if c.digest_weekday.lower() not in WEEKDAYS or not 0 <= c.digest_hour <= 23:
        yield "[checkins] digest_weekday must be a weekday, digest_hour 0-23"
    if min(c.cycles_without_meeting, c.ignored_in_a_row, c.stale_after_hours) < 1:
        yield (
            "[checkins] cycles_without_meeting, ignored_in_a_row, "
            "stale_after_hours must be at least 1"
        )
    if min(c.plan_every_minutes, c.dispatch_every_seconds, c.stalled_every_minutes) < 1:
        yield "[checkins] the *_every_* intervals must be at least 1"
    if c.first_checkin_after_days < 0 or c.answer_grace_hours < 0:
        yield "[checkins] first_checkin_after_days and answer_grace_hours >= 0"


def _other_problems(settings: Settings) -> Iterator[str]:
    e = settings.engagement
    if not 1 <= e.nudge_after_days < e.offer_after_days < e.close_after_days:
        yield (
            "[engagement] needs 1 <= nudge_after_days < offer_after_days < close_after_days "
            f"(now {e.nudge_after_days}, {e.offer_after_days}, {e.close_after_days})"
        )
    if e.every_minutes < 1:
        yield "[engagement] every_minutes must be at least 1"
    if settings.bot.keep_outbox_days <= e.close_after_days:
        yield (  # the outbox keys are what remembers which reminders went out
            "[bot] keep_outbox_days must be longer than [engagement] close_after_days"
        )
    r = settings.requests
    if min(r.escalate_after_hours, r.urgent_escalate_after_hours, r.every_minutes) < 1:
        yield "[requests] hours and minutes must be 1 or more"
    v = settings.conversations
    if not 1 <= v.remind_after_hours < v.expire_after_hours or v.every_minutes < 1:
        yield (
            "[conversations] need 1 <= remind_after_hours < expire_after_hours, every_minutes >= 1"
        )
    s = settings.surveys
    if s.min_group_size < 3:
        yield ("[surveys] min_group_size must be at least 3 (smaller groups identify people)")
    if s.program_weeks < 2 or s.open_days < 1:
        yield "[surveys] program_weeks must be at least 2 and open_days at least 1"
    unknown = sorted(set(settings.report.reportable_fields) - set(REPORTABLE_FIELDS))
    if unknown:
        yield (
            f"[report] reportable_fields: unknown field(s) {', '.join(unknown)}"
            f" (choose from {', '.join(REPORTABLE_FIELDS)})"
        )


SECTIONS: dict[str, type] = {
    "bot": BotSettings,
    "program": ProgramSettings,
    "admins": AdminSettings,
    "matching": MatchingSettings,
    "checkins": CheckinSettings,
    "engagement": EngagementSettings,
    "conversations": ConversationSettings,
    "surveys": SurveySettings,
    "requests": RequestSettings,
    "report": ReportSettings,
    "slack": SlackSettings,
    "discord": DiscordSettings,
}


def _read(file: Path) -> dict[str, Any]:
    """The TOML document in ``file``, or a ConfigError saying why it can't be read."""
    if file.is_dir():
        raise ConfigError(f"config file {file} is a directory, not a file")
    if not file.is_file():
        raise ConfigError(f"config file {file} not found")
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {file} can't be read: {exc}") from None


def _sections(data: Mapping[str, Any], problems: list[str]) -> dict[str, Any]:
    """Each section's settings; unknown sections and bad keys are added to ``problems``."""
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        problems.append(f"unknown config section(s): {', '.join(unknown)}")
    parts = {}
    for name, cls in SECTIONS.items():
        section = data.get(name, {})
        if not isinstance(section, dict):
            problems.append(f"[{name}] must be a table of settings, not a single value")
            section = {}
        parts[name] = _section(cls, section, name, problems)
    return parts


def _with_environment(parts: dict[str, Any], env: Mapping[str, str]) -> None:
    """Environment variables override the file's URLs and database."""
    for key, name in (("DISCORD_API_URL", "api_url"), ("DISCORD_GATEWAY_URL", "gateway_url")):
        if env.get(key):
            parts["discord"] = replace(parts["discord"], **{name: env[key]})
    if env.get("SLACK_API_URL"):
        parts["slack"] = replace(parts["slack"], api_url=env["SLACK_API_URL"])
    if env.get("DATABASE_URL"):
        parts["bot"] = replace(parts["bot"], database_url=env["DATABASE_URL"])


def load_settings(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``path`` (or ``MENTORBOT_CONFIG``), then apply environment overrides.
    Every problem in the file is reported at once, in one ConfigError.
    """
    env = os.environ if env is None else env
    chosen = path or env.get("MENTORBOT_CONFIG") or None
    file = Path(chosen).expanduser() if chosen else None
    data = _read(file) if file else {}
    problems: list[str] = []
    parts = _sections(data, problems)
    _with_environment(parts, env)
    settings = Settings(**parts, source=str(file) if file else "built-in defaults")
    problems += _problems(settings)
    if len(problems) == 1:
        raise ConfigError(problems[0])
    if problems:
        listed = "".join(f"\n  {problem}" for problem in problems)
        raise ConfigError(f"{len(problems)} problems in {settings.source}:{listed}")
    return settings


def example() -> str:
    """The example config file shipped with the package: every setting with its default."""
    return resources.files("bot").joinpath("config.example.toml").read_text(encoding="utf-8")
