"""The plan of a program run through the bot on the fake clock, with known outcomes: people
join with commands, an admin matches and publishes, the pulse sends the nudges and survey
invitations at each person's local hour, and each person answers (or doesn't) by pressing the
buttons of the messages they got and by typing in the conversations, as a seeded plan says.
The plan is the truth the report's numbers must equal (the report's tests), and the program
``mentorbot demo`` fills a database with.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.app import MentorBot
from bot.demo.talk import DemoBroke, Talker, check, commands_of
from bot.replies import Message

ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney")
SMALL_ZONE = "Pacific/Chatham"  # two people: a group too small to show
OUTCOMES = ("met", "met", "met", "not_yet", "rescheduled", "skip", None)  # None: ignored
SURVEY_SCALES = {
    "mid": ("belonging", "social", "academic", "confidence", "continue", "value"),
    "end": ("belonging", "social", "academic", "confidence", "continue_after", "value"),
}
LATER_QUESTIONS = {"end": ("continue",)}  # asked since the plan was fixed: a second generator
ANSWERED = {  # how the bot's reply to each answer begins
    "met": "Great, logged your meeting",
    "not_yet": "No worries",
    "rescheduled": "Thanks! Glad you",
    "skip": "Skipping this one",
}
SECRET = "secret words"  # typed into feedback and surveys: must never reach a report
LANGUAGE = {"Asia": "hi"}  # a slow region's mentees speak only this; its mentors it and "en"
CAPACITY = 5  # mentees per mentor when a region is slow (everyone else matched in round one)


@dataclass
class DrivenTruth:
    """What the plan did, counted as the report should count it."""

    start: datetime
    roles: Counter[str] = field(default_factory=Counter)
    zones: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    pairs: int = 0
    left_out: int = 0
    ended: Counter[str] = field(default_factory=Counter)
    planned: dict[date, set[int]] = field(default_factory=dict)  # pairs nudged per cycle
    held: dict[date, set[int]] = field(default_factory=dict)  # of them, pairs that met
    not_yet: int = 0
    rescheduled: int = 0
    first_met_days: list[float] = field(default_factory=list)
    goals: int = 0
    smart: int = 0
    completed: int = 0
    complete_days: list[float] = field(default_factory=list)
    progress: Counter[str] = field(default_factory=Counter)  # bucket -> goals
    ratings: list[int] = field(default_factory=list)
    fits: Counter[str] = field(default_factory=Counter)
    survey: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    requests: int = 0
    claimed: int = 0
    team: dict[str, str] = field(default_factory=dict)  # who -> team (with planted effects)
    belonging_change: dict[str, list[int]] = field(default_factory=dict)  # team -> end - mid
    rounds: list[datetime] = field(default_factory=list)  # when each round was published


def bucket(progress: int | None) -> str:
    """A goal's latest progress as the report's bucket."""
    if not progress:
        return "none yet"
    if progress >= 100:
        return "100%"
    return ["1-24%", "25-49%", "50-74%", "75-99%"][min(progress // 25, 3)]


class Driver(Talker):
    """Runs the plan against ``bot`` on ``platform`` (whose clock must be a FakeClock)."""

    def __init__(
        self,
        bot: MentorBot,
        platform: str,
        seed: int,
        effects: Mapping[str, float] | None = None,
        slow_region: str | None = None,
    ) -> None:
        super().__init__(bot, platform)
        self.slow_region = slow_region  # its mentors join after the first round
        self.rng = random.Random(seed)
        self.later = random.Random(f"later-{seed}")  # later questions and planted effects
        self.effects = dict(effects or {})  # team -> true mean change of belonging, mid to end
        self.mid_belonging: dict[str, int] = {}
        self.truth = DrivenTruth(start=bot.clock.now())
        self.decided: set[tuple[int, str, date]] = set()
        self.started: datetime | None = None
        self.first_met: dict[int, datetime] = {}
        self.goal_set: dict[str, datetime] = {}  # who -> when their goal was set
        self.latest: dict[str, int | None] = {}  # who -> latest progress
        self.rated: set[str] = set()
        self.answered: set[tuple[str, str]] = set()  # (who, survey)
        self.gone: set[str] = set()  # left the program
        self.pair_of: dict[str, int] = {}  # who -> their pair (from the nudges they got)

    def join(self, people: int) -> tuple[list[str], list[str]]:
        """Everyone joins now (with a slow region: but that region's mentors, ``late``)."""
        mentors: list[str] = []
        mentees: list[str] = []
        for k in range(people):
            who = f"p{k:04d}"
            role = "mentor" if k % 4 == 0 else "mentee"
            self.zone[who] = self.zone_of(k, people)
            if self.late(who):
                mentors.append(who)
                continue
            self.enrol(who, role, k)
            (mentors if role == "mentor" else mentees).append(who)
        return mentors, mentees

    def zone_of(self, k: int, people: int) -> str:
        """Person ``k``'s zone: in turn; with a slow region mentors too in turn (else all in
        the first zone, as ever); the last two in a zone of their own (too small to show).
        """
        if k >= people - 2:
            return SMALL_ZONE
        turn = k // 4 if self.slow_region and k % 4 == 0 else k
        return ZONES[turn % len(ZONES)]

    def late(self, who: str) -> bool:
        """A mentor of the slow region (one who speaks its language: joins after round one)."""
        region = self.zone[who].split("/")[0]
        return region == self.slow_region and int(who[1:]) % 4 == 0

    def enrol(self, who: str, role: str, k: int) -> None:
        """``who`` joins as ``role`` (with a team and, with a slow region, languages)."""
        reply = self.say(who, f"join {role}")
        check("Welcome" in reply or "joined" in reply, reply)
        if self.effects:
            team = list(self.effects)[k % len(self.effects)]
            check(team in self.say(who, f"profile set team {team}"))
            self.truth.team[who] = team
        if self.slow_region:
            self.say(who, f"profile set languages {self.speaks(who, role)}")
            if role == "mentor":
                self.say(who, f"profile set capacity {CAPACITY}")
        self.truth.roles[role] += 1
        self.truth.zones[self.zone[who]] += 1

    def speaks(self, who: str, role: str) -> str:
        """English; in the slow region its language only (mentees) or both (its mentors)."""
        local = LANGUAGE[self.slow_region or ""]
        if self.zone[who].split("/")[0] != self.slow_region:
            return "en"
        return local if role == "mentee" else f"en, {local}"

    def match(self) -> int:
        """An admin runs a round and publishes it; the pairs it made."""
        self.say("admin", "admin match")
        published = self.say("admin", "admin publish")
        found = re.search(r"(\d+) pairs? matched", published)
        if found is None:
            raise DemoBroke(f"unexpected answer: {published:.200}")
        self.truth.rounds.append(self.now())
        self.truth.pairs += int(found.group(1))
        return int(found.group(1))

    def answer_nudges(self, sent: list[tuple[str, Message]]) -> None:
        """Answer each new check-in nudge in ``sent`` (or ignore it), as the plan says."""
        for who, message in sent:
            for command in commands_of(message):
                words = command.split()
                if words[:2] != ["checkin", "met"] or who in self.gone:
                    continue
                pair = int(words[2].removeprefix("pair:"))
                cycle = date.fromisoformat(words[3])
                self.truth.planned.setdefault(cycle, set()).add(pair)
                self.pair_of[who] = pair
                if (pair, who, cycle) in self.decided:
                    continue  # a reminder of a nudge already decided
                self.decided.add((pair, who, cycle))
                outcome = self.rng.choice(OUTCOMES)
                if outcome is None:
                    continue
                reply = self.press(who, f"checkin {outcome} {words[2]} {words[3]}")
                check(reply.startswith(ANSWERED[outcome]), reply)
                if outcome == "not_yet":
                    self.truth.not_yet += 1
                if outcome == "rescheduled":
                    self.truth.rescheduled += 1
                if outcome == "met":
                    self.truth.held.setdefault(cycle, set()).add(pair)
                    self.first_met.setdefault(pair, self.now())
                    if who not in self.rated and self.rng.random() < 0.5:
                        self.feedback(who)

    def feedback(self, who: str) -> None:
        """``who`` rates their sessions in the feedback form."""
        form = self.form(who, "feedback")
        if form is None:
            return
        rating = self.rng.randint(1, 5)
        values = {"rating": str(rating), "helped": SECRET, "change": ""}
        if any(f.name == "fit" for f in form.fields):  # asked after the first session only
            values["fit"] = self.rng.choice(("great", "ok", "poor"))
            self.truth.fits[values["fit"]] += 1
        check("Thank" in self.submit(who, form, values))
        self.rated.add(who)
        self.truth.ratings.append(rating)

    def set_goal(self, who: str) -> None:
        """``who`` sets a goal through the goal conversation (SMART or not)."""
        smart = self.rng.random() < 0.6
        self.say(who, "goal")
        for answer in (
            "Give a ten minute talk at the team demo",
            "the talk is given",
            "in 8 weeks",
            "to get visible" if smart else "skip",
            "outline the talk" if smart else "skip",
            self.rng.choice(("yes", "no")),
        ):
            last = self.type(who, answer)
        if "celebrate" in last.lower() or "?" in last:
            last = self.type(who, "skip")
        check("Goal 1" in last or "saved" in last.lower(), last)
        self.goal_set[who] = self.now()
        self.latest[who] = None
        self.truth.goals += 1
        self.truth.smart += smart

    def progress(self, who: str) -> None:
        """``who`` reports progress on their goal."""
        value = self.rng.choice((10, 30, 60, 80))
        self.say(who, "progress")
        self.type(who, str(value))
        self.type(who, "skip")
        self.latest[who] = value

    def complete(self, who: str) -> None:
        """``who`` marks their goal done."""
        reply = self.say(who, "goal done 1")
        check("is done" in reply, reply)
        self.truth.completed += 1
        self.truth.complete_days.append((self.now() - self.goal_set[who]).total_seconds() / 86400)
        self.latest[who] = 100

    def answer_surveys(self, sent: list[tuple[str, Message]]) -> None:
        """Fill in most of the survey invitations in ``sent`` (the rest stay unanswered)."""
        for who, message in sent:
            for command in commands_of(message):
                survey = command.removeprefix("survey ")
                if survey not in SURVEY_SCALES or (who, survey) in self.answered:
                    continue
                self.answered.add((who, survey))
                if self.rng.random() >= 0.7:
                    continue
                form = self.form(who, command)
                if form is None:
                    raise DemoBroke(f"no survey form for {command}")
                values = [self.rng.randint(1, 5) for _ in SURVEY_SCALES[survey]]
                answers = dict(zip(SURVEY_SCALES[survey], values, strict=True))
                answers |= {q: self.later.randint(1, 5) for q in LATER_QUESTIONS.get(survey, ())}
                if who in self.truth.team:
                    answers["belonging"] = self.planted(who, survey)
                text = {k: str(v) for k, v in answers.items()}
                check("Thank you" in self.submit(who, form, {**text, "open": SECRET}))
                for scale, value in answers.items():
                    self.truth.survey.setdefault((survey, scale), []).append(value)

    def planted(self, who: str, survey: str) -> int:
        """A belonging answer with the team's true change: 2-4 at mid-point; at the end the
        mid answer moved by -1, 0 or +1 with the team's effect as its mean.
        """
        if survey == "mid":
            self.mid_belonging[who] = self.later.randint(2, 4)
            return self.mid_belonging[who]
        team = self.truth.team[who]
        effect = self.effects[team]
        moved = max(0.7, abs(effect))  # how often the answer moves at all
        up, down = (moved + effect) / 2, (moved - effect) / 2
        draw = self.later.random()
        step = 1 if draw < up else -1 if draw < up + down else 0
        if who not in self.mid_belonging:
            return self.later.randint(2, 4)
        self.truth.belonging_change.setdefault(team, []).append(step)
        return self.mid_belonging[who] + step

    async def request_help(self, mentees: list[str], mentors: list[str]) -> None:
        """A tenth of the mentees ask for help; three hours later mentors claim most."""
        numbers = []
        for who in mentees:
            if self.rng.random() < 0.1:
                reply = self.say(who, "request help with my first design doc")
                numbers.append(int(reply.split("Request #", 1)[1].split()[0]))
        self.truth.requests += len(numbers)
        await self.advance(timedelta(hours=3))
        for number in numbers[: len(numbers) * 4 // 5]:
            reply = self.say(self.rng.choice(mentors), f"request claim {number}")
            check("It's yours" in reply, reply)
            self.truth.claimed += 1

    async def week_done(
        self,
        week: int,
        weeks: int,
        mentors: list[str],
        mentees: list[str],
        statuses: dict[str, str],
    ) -> None:
        """What the plan does at the end of week ``week`` (0-based), besides answering."""
        if week == 0:
            for who in mentees:
                if self.rng.random() < 0.5:
                    self.set_goal(who)
        if week == 2:
            await self.request_help(mentees, mentors)
        if week in (3, 7):
            for who in list(self.latest):
                if self.rng.random() < 0.5 and self.latest[who] != 100 and who not in self.gone:
                    self.progress(who)
        if week == 4:
            for who in mentees[::23]:
                check("really want to leave" in self.say(who, "leave"))
                self.press(who, "leave confirm")
                self.gone.add(who)
                statuses[who] = "left"
                if who in self.pair_of:
                    self.truth.ended["left"] += 1
        if week == 5:
            for who in list(self.latest):
                if self.rng.random() < 0.25 and who not in self.gone:
                    self.complete(who)
        if week == weeks - 2:
            for who in mentees[5::31]:
                if who not in self.gone:
                    self.say(who, "pause until 2027-06-01")
                    statuses[who] = "paused"
