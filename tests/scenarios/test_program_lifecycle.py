"""A whole program of 40 people over four months on the console's clock, as a coordinator
would run it: a roster imported, three matching rounds, weekly check-ins answered by button and
by typed replies, one person ghosting, a quiet pair, a stalled pair, a mentor's break, an admin
removal, move and end, rematch requests, forgets, closures and the program's end.

The script keeps a ledger of what it did (who was paired with whom, every nudge and every
answer, every ending and its reason) and the final digest, ``admin pairs``, the report and
every wrap-up message must equal it, figure by figure and name by name.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.app import MentorBot
from bot.report.figures import Report, build
from bot.roster.importer import ImportReport, check_rows, read_csv, write_rows
from storage.engine import transaction
from storage.models import Member, Pair, PairMember, PairStatus, Person, Program
from tests.conversations.helpers import Chat
from tests.scenarios.helpers import button_number

PROGRAM = "Mentorship program"
ENDS = date(2027, 3, 21)  # a Sunday, four months after the first day (Sun 22 Nov 2026)
FIRST_CYCLE = date(2026, 12, 1)  # the first Tuesday at least five days after round 1

# (id, name in the roster or None for someone who joins in chat, zone, capacity, skills)
MENTORS = (
    ("ravi", "Ravi Kumar", "Asia/Kolkata", 3, "python, sql"),
    ("mei", "Mei Tanaka", "Asia/Tokyo", 3, "go, testing"),
    ("ana", "Ana Souza", "America/Sao_Paulo", 3, "design, leadership"),
    ("mia", None, "Europe/London", 3, "python, testing"),
    ("olu", None, "Africa/Lagos", 3, "sql, design"),
    ("tom", None, "America/New_York", 3, "go, leadership"),
    ("kai", None, "Pacific/Honolulu", 2, "python, go"),
    ("liv", None, "Australia/Sydney", 3, "testing, sql"),
    ("max", None, "America/Los_Angeles", 2, "design, python"),
)
NEW_MENTOR = ("nora", "Europe/Berlin", 3, "rust")  # joins before round 2
ZONES = (
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Pacific/Honolulu",
)
WANTS = ("python", "go", "sql", "testing", "design", "leadership")
IMPORTED_MENTEES = (
    ("aiko", "Aiko Sato"),
    ("bruno", "Bruno Lima"),
    ("chen", "Chen Wei"),
    ("dara", "Dara Okoro"),
    ("elif", "Elif Demir"),
    ("femi", "Femi Adeyemi"),
    ("gita", "Gita Rao"),
    ("hugo", "Hugo Martin"),
    ("ines", "Ines Costa"),
)
CHAT_MENTEES = tuple(
    [
        "amy",
        "ben",
        "cal",
        "dan",
        "eve",
        "fay",
        "gus",
        "hal",
        "ivy",
        "jon",
        "kim",
        "leo",
        "meg",
        "ned",
        "oli",
        "pam",
        "quin",
        "rex",
        "sue",
    ]
)
NEWCOMER = ("zed", "Europe/Berlin", "rust")  # joins with nora: fits her best, but waits
LATE = ("vic", "America/Chicago", "python")  # joins after the last round: never paired

# The parts people play (filled from the matching's result with mentees of distinct mentors
# where it matters); everyone else answers check-ins on a regular rhythm.
ROLES = (
    "ghost",  # never answers; the mentor switches when offered at 14 days
    "ghost_waits",  # never answers; the mentor keeps waiting; the pair closes at 28 days
    "quiet",  # neither answers; the pair closes at 28 days
    "stalled",  # both answer "not yet"; the admin rematches it from the digest's button
    "forgets",  # asks to be forgotten mid-program
    "moved",  # `admin move` to the mentor the forgotten mentee left
    "removed",  # `admin remove`
    "ended",  # `admin end` with a reason
    "rematch1",  # `rematch` with a reason, and thanks the mentor (shared)
    "rematch2",  # `rematch`
    "goal1",  # sets a goal and reaches it
    "goal2",  # sets a goal
    "goal3",  # sets a goal
)
PAUSING = "tom"  # a two-week break in December
FORGETTING_MENTOR = "kai"  # asks to be forgotten after the last round


def cycle_day(c: int) -> date:
    return FIRST_CYCLE + timedelta(weeks=c)


@dataclass
class Pairing:
    """One pair as the script knows it."""

    mentor: str
    mentee: str
    pair_id: int
    behaviour: str  # regular, ghost, ghost_waits, quiet, stalled
    index: int
    started: date
    reason: str | None = None  # why it ended (an EndReason value)
    nudged: list[date] = field(default_factory=list)  # cycles both were asked about it
    met: set[date] = field(default_factory=set)


@dataclass
class Ledger:
    """What the script did."""

    names: dict[str, str] = field(default_factory=dict)  # id -> display name
    pairs: list[Pairing] = field(default_factory=list)
    not_yet: int = 0  # answers "not yet" (each person's)
    gone: set[str] = field(default_factory=set)  # forgotten
    left: set[str] = field(default_factory=set)  # removed
    roles: dict[str, str] = field(default_factory=dict)  # role -> mentee id

    def active(self) -> list[Pairing]:
        return [p for p in self.pairs if p.reason is None]

    def pair_with(self, a: str, b: str) -> Pairing:
        (found,) = [p for p in self.active() if {p.mentor, p.mentee} == {a, b}]
        return found

    def end(self, pairing: Pairing, reason: str) -> None:
        assert pairing.reason is None, pairing
        pairing.reason = reason

    def of(self, who: str) -> list[Pairing]:
        return [p for p in self.pairs if who in (p.mentor, p.mentee)]


class Script:
    """The console chat, the ledger, and every step of the program."""

    def __init__(self, bot: MentorBot, tmp: Path) -> None:
        self.bot, self.chat, self.tmp = bot, Chat(bot), tmp
        self.ledger = Ledger()
        self.digests: list[tuple[date, str]] = []
        self.seen = ""  # everything printed
        self.left_out: list[str] = []
        self.forgotten_mentor = ""
        self.last_report: Report
        # (mentee, words, shared with the admins?, day)
        self.thanks: list[tuple[str, str, bool, date]] = []

    async def say(self, line: str, who: str | None = None) -> str:
        out = await self.chat.say(line, who=who)
        self.seen += out
        return out

    async def time(self, jump: str) -> str:
        out = await self.say(f"/time {jump}")
        for block in messages(out):
            if block.startswith("[DM to admin] *Mentorship program*: this week"):
                self.digests.append((self.bot.clock.now().date(), block))
        return out

    def name(self, who: str) -> str:
        return self.ledger.names[who]

    # --- the people ---------------------------------------------------------------------

    def import_roster(self) -> None:
        """Three mentors and nine mentees from a CSV, through the importer the CLI uses."""
        lines = ["platform_id,name,role,timezone,skills,wants,capacity"]
        for uid, name, zone, capacity, skills in MENTORS[:3]:
            lines.append(f'{uid},{name},mentor,{zone},"{skills}",,{capacity}')
        for k, (uid, name) in enumerate(IMPORTED_MENTEES):
            lines.append(f"{uid},{name},mentee,{ZONES[k % len(ZONES)]},,{WANTS[k % 6]},")
        path = self.tmp / "roster.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        cells, ignored, problems = read_csv(path)
        assert not ignored and not problems
        with transaction(self.bot.engine) as s:
            (program,) = s.exec(select(Program)).all()
            rows, errors = check_rows(cells, program, lambda e: str(e))
            assert not errors and len(rows) == 12
            report = ImportReport(rows=len(cells), skipped=0, errors=[])
            write_rows(
                s,
                program,
                rows,
                now=self.bot.clock.now(),
                prompts=self.bot.prompts,
                welcome=False,
                report=report,
            )
            assert report.created == 12
        for uid, name, *_ in MENTORS[:3]:
            self.ledger.names[uid] = name
        for uid, name in IMPORTED_MENTEES:
            self.ledger.names[uid] = name

    async def join_mentor(self, uid: str, zone: str, capacity: int, skills: str) -> None:
        for line in (
            "/mentor join mentor",
            f"/mentor timezone {zone}",
            f"/mentor profile set capacity {capacity}",
            f"/mentor profile set skills {skills}",
        ):
            await self.say(line, who=uid)
        self.ledger.names[uid] = uid

    async def join_mentee(self, uid: str, zone: str, wants: str) -> None:
        assert "You're in!" in await self.say("/mentor join mentee", who=uid)
        await self.say(f"/mentor timezone {zone}", who=uid)
        await self.say(f"/mentor profile set wants {wants}", who=uid)
        self.ledger.names[uid] = uid

    # --- matching -----------------------------------------------------------------------

    async def round(self, behaviours: dict[str, str] | None = None) -> tuple[str, str]:
        """Preview and publish a round; the new pairs go into the ledger."""
        preview = await self.say("/mentor admin match", who="admin")
        before = {p.pair_id for p in self.ledger.pairs}
        published = await self.say("/mentor admin publish", who="admin")
        assert "Published:" in published, published
        for mentor, mentee, pair_id in active_pairs(self.bot):
            if pair_id not in before:
                self.add_pair(mentor, mentee, pair_id, (behaviours or {}).get(mentee))
        return preview, published

    def add_pair(self, mentor: str, mentee: str, pair_id: int, behaviour: str | None) -> None:
        index = len(self.ledger.pairs)
        self.ledger.pairs.append(
            Pairing(
                mentor,
                mentee,
                pair_id,
                behaviour or "regular",
                index,
                self.bot.clock.now().date(),
            )
        )

    def mentor_of(self, mentee: str) -> str:
        (pairing,) = [p for p in self.ledger.active() if p.mentee == mentee]
        return pairing.mentor

    def check_ledger(self) -> None:
        """The bot's active pairs are the ledger's."""
        got = {(m, e, p) for m, e, p in active_pairs(self.bot)}
        assert got == {(p.mentor, p.mentee, p.pair_id) for p in self.ledger.active()}

    # --- check-ins ----------------------------------------------------------------------

    def nudged(self, out: str, c: int, closed: tuple[Pairing, ...] = ()) -> list[Pairing]:
        """The pairs whose two people were asked about cycle ``c`` in ``out``; every nudge is
        about a pair of the ledger, and both of its people got one (of a pair in ``closed``,
        which closed itself in ``out``, one may have been asked just before)."""
        ids = {v: k for k, v in self.ledger.names.items()}
        asked: dict[int, set[str]] = {}
        for block in messages(out):
            found = NUDGE.match(block)
            if found:
                assert found[2] == self.name(found[1]), block
                who, partner = found[1], ids[found[3]]
                (pairing,) = [
                    p
                    for p in self.ledger.active() + list(closed)
                    if {p.mentor, p.mentee} == {who, partner}
                ]
                asked.setdefault(pairing.pair_id, set()).add(who)
        for pairing in closed:
            if pairing.pair_id in asked:
                pairing.nudged.append(cycle_day(c))
        pairs = [p for p in self.ledger.active() if p.pair_id in asked]
        assert len(pairs) + len([p for p in closed if p.pair_id in asked]) == len(asked)
        for pairing in pairs:
            assert asked[pairing.pair_id] == {pairing.mentor, pairing.mentee}, pairing
            pairing.nudged.append(cycle_day(c))
        return pairs

    async def answer(self, out: str, pairing: Pairing, c: int) -> None:
        """Each person of the pair answers cycle ``c`` (or not) as the pair's behaviour says."""
        k = len(pairing.nudged) - 1
        for who, how, outcome in plan(pairing, k):
            partner = pairing.mentee if who == pairing.mentor else pairing.mentor
            if how == "button":
                nudge = f"[DM to {who}] Hi {self.name(who)}! Time for"
                (heading,) = [
                    b.splitlines()[0]
                    for b in messages(out)
                    if b.startswith(nudge) and f"did you and {self.name(partner)} meet" in b
                ]
                reply = await self.say(f"/click {button_number(out, heading, LABEL[outcome])}")
            elif how == "plain":
                reply = await self.say(PLAIN[outcome], who=who)
                assert f'I took "{PLAIN[outcome]}" as' in reply, reply
            else:
                reply = await self.say(f"/mentor checkin {TYPED[outcome]}", who=who)
            if outcome == "met":
                assert "logged your meeting" in reply, reply
                pairing.met.add(cycle_day(c))
            else:
                self.ledger.not_yet += 1

    async def week(
        self, c: int, *, skip: frozenset[str] = frozenset(), closing: tuple[str, ...] = ()
    ) -> str:
        """Sunday to Wednesday: cycle ``c``'s nudges (to every pair older than a week but the
        pairs of mentors in ``skip``), answered as planned. The pairs of the mentees in
        ``closing`` close themselves after 28 days of silence on the way."""
        before = {p.pair_id for p in self.ledger.active()}
        out = await self.time("+3d")
        closed = []
        for mentee in closing:
            pairing = self.ledger.pair_with(mentee, self.mentor_of(mentee))
            closed.append(pairing)
            for who, partner in ((mentee, pairing.mentor), (pairing.mentor, mentee)):
                head = f"Hi {self.name(who)}! Your pairing with {self.name(partner)} has"
                told = dms(out, who, head)
                assert len(told) == 1 and "so I've closed it" in told[0], out
            self.ledger.end(pairing, "inactive")
        pairs = self.nudged(out, c, tuple(closed))
        asked = {p.pair_id for p in pairs}
        for pairing in self.ledger.active():
            age = (cycle_day(c) - pairing.started).days
            if pairing.mentor in skip or age < 3:
                assert pairing.pair_id not in asked, (c, pairing)
            elif age >= 8 and pairing.pair_id in before:
                assert pairing.pair_id in asked, (c, pairing)
        for pairing in pairs:
            await self.answer(out, pairing, c)
        return out

    # --- the program's steps --------------------------------------------------------------

    async def start(self) -> None:
        """Sun 22 Nov: the program, 37 people (12 imported) and round 1: 25 places for 28
        mentees, so three are left out."""
        await self.join_mentor(*MENTORS[3][:1], *MENTORS[3][2:])
        for line in ("cadence weekly", f"ends {ENDS.isoformat()}"):
            await self.say(f"/mentor admin program set {line}", who="admin")
        self.import_roster()
        for uid, _, zone, capacity, skills in MENTORS[4:]:
            await self.join_mentor(uid, zone, capacity, skills)
        for k, uid in enumerate(CHAT_MENTEES):
            await self.join_mentee(uid, ZONES[(k + 3) % len(ZONES)], WANTS[(k + 1) % 6])
        _, published = await self.round()
        assert "25 pairs matched" in published and "3 people told why" in published, published
        self.left_out = sorted(
            uid
            for uid in [u for u, _ in IMPORTED_MENTEES] + list(CHAT_MENTEES)
            if not self.ledger.of(uid)
        )
        assert len(self.left_out) == 3 and len(self.ledger.pairs) == 25
        for uid in self.left_out:
            told = dms(self.seen, uid, f"Hi {self.name(uid)}!") + dms(self.seen, uid, "This round")
            assert any("Next round you go before anyone new" in t for t in told), uid
        out = await self.time("+7d")  # the first Tuesday is too soon after the introductions
        assert not NUDGE.search(out)

    async def round_two(self) -> None:
        """Sun 29 Nov: nora (3 places, rust) and zed (wants rust) join; the three left out
        go first and fill nora's places, so zed, new, waits."""
        await self.join_mentor(NEW_MENTOR[0], *NEW_MENTOR[1:])
        await self.join_mentee(*NEWCOMER)
        preview, published = await self.round()
        assert "*Waiting from earlier rounds* (3)" in preview, preview
        assert "3 pairs matched" in published and "1 person told why" in published, published
        assert sorted(self.mentees_of("nora")) == self.left_out
        assert not self.ledger.of("zed")
        self.check_ledger()

    def mentees_of(self, mentor: str) -> list[str]:
        return [p.mentee for p in self.ledger.active() if p.mentor == mentor]

    def cast(self) -> None:
        """Give the parts to mentees of different mentors (not tom's, kai's or nora's)."""
        skip = {PAUSING, FORGETTING_MENTOR, NEW_MENTOR[0]}
        pool = sorted(
            (p for p in self.ledger.active() if p.mentor not in skip), key=lambda p: p.mentee
        )
        used: set[str] = set()
        for role in ROLES:
            distinct = ROLES.index(role) < 6  # ghost ... moved: six different mentors
            found = next(
                p
                for p in pool
                if p.mentee not in self.ledger.roles.values()
                and not (distinct and p.mentor in used)
            )
            used.add(found.mentor)
            self.ledger.roles[role] = found.mentee
            if role in ("ghost", "ghost_waits", "quiet", "stalled"):
                found.behaviour = role

    def role(self, role: str) -> str:
        return self.ledger.roles[role]

    async def set_goals(self) -> None:
        for role in ("goal1", "goal2", "goal3"):
            who = self.role(role)
            await self.say("/mentor goal", who=who)
            for answer in ("Give a 10 minute talk at the team demo", "talk given", "in 6 weeks"):
                await self.say(answer, who=who)
            for answer in ("skip", "skip", "no", "no"):
                await self.say(answer, who=who)

    async def cycle(self, c: int) -> None:
        """One week around cycle ``c`` (a Tuesday): nudges and answers, then what the script
        does on Wednesday and on Sunday."""
        skip = frozenset({PAUSING}) if c in (2, 3) else frozenset()
        closing = (self.role("ghost_waits"), self.role("quiet")) if c == 4 else ()
        out = await self.week(c, skip=skip, closing=closing)
        await self.wednesday(c, out)
        out = await self.time("+4d")
        await self.sunday(c, out)

    async def wednesday(self, c: int, out: str) -> None:
        if c == 2:
            await self.silence_offers(out)
            await self.forget(self.role("forgets"))
        elif c == 3:
            self.check_mid_program(await self.say("/mentor admin pairs", who="admin"))
            await self.rematch_from_digest()
            ended = self.role("ended")
            mentor = self.mentor_of(ended)
            done = await self.say(
                f"/mentor admin end confirm {mentor} {ended} they never found a time", who="admin"
            )
            assert "2 messages queued" in done, done
            self.ledger.end(self.ledger.pair_with(mentor, ended), "removed")
        elif c == 4:
            for mentee in self.mentees_of(PAUSING):
                back = dms(out, mentee, f"{PAUSING}, your mentor, is back")
                assert len(back) == 1, (mentee, out)
            await self.rate(out, self.role("rematch1"), "Thank you for the push on SQL", "yes")
            await self.rematch(self.role("rematch2"), "we want different things")
        elif c == 6:
            done = await self.say("/mentor goal done 1", who=self.role("goal1"))
            assert "is done!" in done, done
        elif c == 9:
            await self.forget(FORGETTING_MENTOR)

    async def sunday(self, c: int, out: str) -> None:
        if c == 1:
            await self.say("/mentor pause 2 weeks", who=PAUSING)
        elif c == 2:
            for mentee in self.mentees_of(PAUSING):
                assert dms(self.seen, mentee, f"{PAUSING}, your mentor, is away until")
            await self.move(self.role("moved"), self.forgotten_mentor)
            removed = self.role("removed")
            pairing = self.ledger.pair_with(removed, self.mentor_of(removed))
            done = await self.say(f"/mentor admin remove confirm {removed}", who="admin")
            assert "messages queued" in done, done
            self.ledger.end(pairing, "removed")
            self.ledger.left.add(removed)
        elif c == 3:
            ended = self.role("ended")
            (pairing,) = [p for p in self.ledger.of(ended) if p.reason == "removed"]
            for who in (ended, pairing.mentor):
                head = f"[DM to {who}] Hi {self.name(who)}! Your pairing with"
                reply = await self.say(f"/click {button_number(out, head, 'Keep in touch')}")
            assert "would like to keep in touch too" in reply, reply
            await self.rematch(self.role("rematch1"), "our schedules never line up")
        elif c == 5:
            await self.round_three()
        elif c == 6:
            await self.join_mentee(*LATE)

    async def silence_offers(self, out: str) -> None:
        """Day 14 of the silences: the ghost's mentor switches, the other keeps waiting."""
        for role, label in (
            ("ghost", "Match me with someone else"),
            ("ghost_waits", "Keep waiting"),
        ):
            ghost = self.role(role)
            mentor = self.mentor_of(ghost)
            head = f"[DM to {mentor}] Hi {self.name(mentor)}! {self.name(ghost)} hasn't answered"
            reply = await self.say(f"/click {button_number(out, head, label)}")
            if role == "ghost":
                assert "your pairing with" in reply and "has ended" in reply, reply
                self.ledger.end(self.ledger.pair_with(ghost, mentor), "inactive")
            else:
                assert "stays as it is" in reply, reply

    async def forget(self, who: str) -> None:
        if who == self.role("forgets"):
            self.forgotten_mentor = self.mentor_of(who)
        pairs = [p for p in self.ledger.active() if who in (p.mentor, p.mentee)]
        assert pairs
        await self.say("/mentor forget confirm", who=who)
        for pairing in pairs:
            self.ledger.end(pairing, "forgotten")
        self.ledger.gone.add(who)

    async def rematch(self, who: str, reason: str) -> None:
        pairing = self.ledger.pair_with(who, self.mentor_of(who))
        await self.say(f"/mentor rematch confirm {reason}", who=who)
        self.ledger.end(pairing, "rematch")

    async def move(self, mentee: str, mentor: str) -> None:
        old = self.ledger.pair_with(mentee, self.mentor_of(mentee))
        assert old.mentor != mentor
        await self.say(f"/mentor admin move confirm {mentee} {mentor}", who="admin")
        self.ledger.end(old, "removed")
        known = {p.pair_id for p in self.ledger.pairs}
        (new,) = [p for p in active_pairs(self.bot) if p[2] not in known]
        assert new[:2] == (mentor, mentee)
        self.add_pair(mentor, mentee, new[2], None)
        self.check_ledger()

    async def rematch_from_digest(self) -> None:
        """The admin presses Rematch on the stalled pair in Monday's digest, and confirms."""
        stalled = self.ledger.pair_with(self.role("stalled"), self.mentor_of(self.role("stalled")))
        day, digest = self.digests[-1]
        assert day == date(2026, 12, 23), self.digests[-1]
        at_risk = {p.pair_id for p in self.ledger.active() if p.behaviour != "regular"}
        assert "*Pairs at risk* (3)" in digest, digest
        assert set(map(int, re.findall(r"^ +#(\d+) ", digest, re.M))) == at_risk, digest
        found = re.search(rf"\[(\d+)\] Rematch #{stalled.pair_id}\b", digest)
        assert found, digest
        ask = await self.say(f"/click {found[1]}")
        done = await self.chat.click("Yes, go ahead", ask)
        self.seen += done
        assert "both are in the next round" in done, done
        self.ledger.end(stalled, "rematch")

    async def rate(self, out: str, mentee: str, thanks: str, share: str) -> None:
        """``mentee`` rates their closed pairing 5 and thanks the mentor (``share``: yes/no)."""
        head = f"[DM to {mentee}] Hi {self.name(mentee)}!"
        number = button_number(out, head, "Rate and close")
        await self.say(f"/click {number}")
        for answer in ("5", "skip", thanks):
            await self.say(answer, who=mentee)
        done = await self.say(share, who=mentee)
        assert "Your thank-you is on its way" in done, done
        self.thanks.append((mentee, thanks, share == "yes", self.bot.clock.now().date()))

    async def round_three(self) -> None:
        """Sun 10 Jan: everyone without a partner is placed; the waiting go first."""
        unpaired = {
            p.mentee
            for p in self.ledger.pairs
            if p.mentee not in self.ledger.gone | self.ledger.left
        } - {p.mentee for p in self.ledger.active()}
        unpaired.add(NEWCOMER[0])
        preview, _ = await self.round()
        assert "*Waiting from earlier rounds*" in preview, preview
        assert {p.mentee for p in self.ledger.active()} >= unpaired, (unpaired, preview)
        self.check_ledger()

    # --- what the bot says about it -------------------------------------------------------

    def report(self) -> dict[str, str]:
        with transaction(self.bot.engine) as s:
            (program,) = s.exec(select(Program)).all()
            report = build(
                s, program, self.bot.settings, now=self.bot.clock.now(), prompts=self.bot.prompts
            )
        self.last_report = report
        return report.figures()

    def held(self) -> str:
        met = sum(len(p.met) for p in self.ledger.pairs)
        planned = sum(len(p.nudged) for p in self.ledger.pairs)
        return f"{100 * met / planned:.0f}% ({met} of {planned})"

    def check_mid_program(self, pairs: str) -> None:
        """Wed 23 Dec: `admin pairs` and the report name the ghosting, quiet and stalled
        pairs, and count the meetings the script reported."""
        health = {"ghost_waits": "ghosting", "quiet": "quiet", "stalled": "stalled"}
        for role, word in health.items():
            pairing = self.ledger.pair_with(self.role(role), self.mentor_of(self.role(role)))
            (line,) = [x for x in pairs.splitlines() if f"#{pairing.pair_id} " in x]
            assert f"meetings held: {len(pairing.met)}" in line and f"· {word}" in line, line
        for pairing in self.ledger.active():
            if pairing.behaviour == "regular":
                (line,) = [x for x in pairs.splitlines() if f"#{pairing.pair_id} " in x]
                assert f"meetings held: {len(pairing.met)}" in line, line
                assert "· healthy" in line, line
        got = self.report()
        assert got["meetings.ghosting"] == "1", got
        assert got["meetings.stalled"] == "3", got
        assert got["meetings.held"] == self.held(), got
        assert got["meetings.not_yet"] == str(self.ledger.not_yet), got

    async def the_end(self) -> None:
        """The last day passes: every pair closes, everyone gets one wrap-up, the report and
        `admin pairs` count what the script did, then the final digest."""
        out = await self.time("+2d")  # Tue 23 Mar 12:00 UTC: the wrap-ups are all out
        assert not NUDGE.search(out)
        assert not [d for d, _ in self.digests if d > ENDS]
        for pairing in self.ledger.active():
            self.ledger.end(pairing, "program_ended")
        self.check_wrapups(out)
        for role, share in (("goal1", "yes"), ("goal2", "yes"), ("goal3", "no")):
            mentee = self.role(role)
            words = f"Thank you {self.name(self.mentor_of_last(mentee))}, truly"
            await self.rate(out, mentee, words, share)
        pairs = await self.say("/mentor admin pairs", who="admin")
        total = len(self.ledger.pairs)
        assert f"The program ended on {ENDS.isoformat()}: {total} pairs took part" in pairs
        self.check_report()
        later = await self.time("+7d")  # the final digest, a week after the last day
        self.check_final_digest(later)

    def mentor_of_last(self, mentee: str) -> str:
        return self.ledger.of(mentee)[-1].mentor

    def check_report(self) -> None:
        got = self.report()
        reasons = Counter(p.reason for p in self.ledger.pairs)
        assert got["matching.pairs"] == str(len(self.ledger.pairs)), got
        assert got["matching.still_active"] == "0", got
        assert got["matching.ended"] == str(len(self.ledger.pairs)), got
        text = self.bot.prompts.text
        assert self.last_report.table("matching_ended").rows == [
            [text(f"pairs.end_reason.{r}"), n] for r, n in sorted(reasons.items())
        ]
        assert all(n >= 3 for n in reasons.values()), reasons  # no cell hidden for privacy
        assert got["meetings.held"] == self.held(), got
        assert got["meetings.not_yet"] == str(self.ledger.not_yet), got
        assert got["meetings.ghosting"] == "0" and got["meetings.stalled"] == "0", got
        # who is in the program at the end: removed and forgotten people have left, and
        # tom's break is over
        gone = len(self.ledger.left) + len(self.ledger.gone)
        assert got["participation.joined"] == "40", got
        assert got["participation.active"] == str(40 - gone), got
        assert got["participation.paused"] == "0", got
        assert got["participation.left"] == str(gone), got

    def check_final_digest(self, out: str) -> None:
        (final,) = [b for b in messages(out) if b.startswith("[DM to admin] *Mentorship")]
        assert f"ended on {ENDS.isoformat()}: the final numbers" in final, final
        pairs = self.ledger.pairs
        early = sum(1 for p in pairs if p.reason != "program_ended")
        met = sum(len(p.met) for p in pairs)
        assert re.search(rf"Pairs +{len(pairs)} pairs in all, {early} of them ended early", final)
        assert re.search(rf"Meetings held +{met}\n", final), final
        shared = [(m, w) for m, w, ok, day in self.thanks if ok and day > ENDS]
        assert f"*Thank-yous* ({len(shared)}, shared" in final, final
        for mentee, words in shared:
            mentor = self.name(self.mentor_of_last(mentee))
            assert f"{self.name(mentee)} to {mentor}: {words}" in final, final
        for mentee, words, _, day in self.thanks:
            if day <= ENDS or mentee == self.role("goal3"):
                assert words not in final, final

    def partner_name(self, pairing: Pairing, who: str) -> str:
        other = pairing.mentee if who == pairing.mentor else pairing.mentor
        return "a partner who left" if other in self.ledger.gone else self.name(other)

    def facts(self, pairing: Pairing) -> str:
        """What a pair did, as the closing words count it (only what isn't zero)."""
        parts = []
        if pairing.met:
            n = len(pairing.met)
            parts.append(f"{n} meeting{'s' if n > 1 else ''} held")
        roles = [r for r, m in self.ledger.roles.items() if m == pairing.mentee]
        if {"goal1", "goal2", "goal3"} & set(roles):
            parts.append("1 goal set")
        if "goal1" in roles:
            parts.append("1 goal reached")
        return ", ".join(parts)

    def check_wrapups(self, out: str) -> None:
        """Everyone still in the program gets one wrap-up: paired at the end (each closing
        pair with its facts), paired earlier (meetings and partners) or never paired."""
        staying = [u for u in self.ledger.names if u not in self.ledger.gone | self.ledger.left]
        assert len(staying) == 40 - len(self.ledger.gone) - len(self.ledger.left)
        ends = [b for b in messages(out) if "*Mentorship program* has come to an end" in b]
        assert len(ends) == len(staying), len(ends)
        kinds = Counter()
        for who in staying:
            (text,) = dms(out, who, f"Hi {self.name(who)}! *{PROGRAM}* has come to an end")
            kinds[self.check_wrapup(who, text)] += 1
            for gone in self.ledger.gone:
                assert not re.search(rf"\b{gone}\b", text), (gone, text)
            assert "(with" not in text and "with ." not in text and "0 of 0" not in text, text
        assert kinds == {"at the end": 34, "earlier": 2, "never": 1}, kinds

    def check_wrapup(self, who: str, text: str) -> str:
        mine = self.ledger.of(who)
        at_end = [p for p in mine if p.reason == "program_ended"]
        if at_end:
            assert "Your pairing has closed and check-ins have stopped." in text, text
            assert len(re.findall(r"\*With ", text)) == len(at_end), text
            for pairing in at_end:
                partner, done = self.partner_name(pairing, who), self.facts(pairing)
                line = f"*With {partner}*: {done}." if done else f"*With {partner}*\n"
                assert line in text, (line, text)
            return "at the end"
        if mine:
            partners = ", ".join(dict.fromkeys(self.partner_name(p, who) for p in mine))
            met = sum(len(p.met) for p in mine)
            line = (
                f"Your program in numbers: {met} meeting{'s' if met > 1 else ''} held, "
                f"with {partners}."
                if met
                else f"You were paired with {partners}."
            )
            assert line in text and "Check-ins have stopped" in text, (line, text)
            return "earlier"
        assert "we're sorry we couldn't find you a match this time" in text, text
        assert "Why:" not in text, text  # vic joined after the last round
        return "never"


@pytest.mark.slow
async def test_a_program_of_forty_people_over_four_months(bot, tmp_path):
    """40 people, four months: the digest, `admin pairs`, the report and every wrap-up equal
    the ledger of what the script did."""
    script = Script(bot, tmp_path)
    await script.start()
    await script.round_two()
    script.cast()
    await script.set_goals()
    for c in range(16):
        await script.cycle(c)
    await script.the_end()
    ledger = script.ledger
    assert len(ledger.names) == 40
    reasons = Counter(p.reason for p in ledger.pairs)
    assert reasons == {
        "program_ended": reasons["program_ended"],
        "removed": 3,  # admin remove, admin move, admin end
        "rematch": 3,  # two requests and the digest's Rematch button
        "inactive": 3,  # the switch at 14 days, two closed at 28
        "forgotten": 3,  # a mentee, and a mentor's two pairs
    }, reasons
    engaged = [b for b in messages(script.seen) if "We haven't heard from you" in b]
    silent = {ledger.roles[r] for r in ("ghost", "ghost_waits", "quiet")}
    silent.add(ledger.of(ledger.roles["quiet"])[0].mentor)  # both of the quiet pair
    assert sorted(re.findall(r"\[DM to (\w+)\]", "\n".join(engaged))) == sorted(silent)
    # the thank-you shared after a rematch is in the next weekly digest, and only there
    mentee, words, shared, _ = script.thanks[0]
    mentor = ledger.of(mentee)[0].mentor
    weekly = [d for _, d in script.digests if words in d]
    assert shared and len(weekly) == 1, weekly
    assert f"{script.name(mentee)} to {script.name(mentor)}: {words}" in weekly[0]
    # the forgotten mentee's mentor was told of the end without a name
    forgot = ledger.roles["forgets"]
    told = dms(script.seen, script.forgotten_mentor)
    (closing,) = [b for b in told if "Your pairing with a partner who left" in b]
    assert "ended early" in closing and not re.search(rf"\b{forgot}\b", closing), closing


LABEL = {"met": "We met", "not_yet": "Not yet"}
PLAIN = {"met": "yes", "not_yet": "not yet"}
TYPED = {"met": "met", "not_yet": "not-yet"}
NUDGE = re.compile(
    r"\[DM to (\w+)\] Hi (.+?)! Time for (?:a quick|your first) check-in: did you and (.+?) meet"
)


def plan(pairing: Pairing, k: int) -> list[tuple[str, str, str]]:
    """(who, how, outcome) for the ``k``-th check-in of a pair: "button", "plain" (``yes``,
    ``not yet`` typed in the DM) or "typed" (``/mentor checkin met``)."""
    mentor, mentee, i = pairing.mentor, pairing.mentee, pairing.index
    if pairing.behaviour in ("ghost", "ghost_waits"):
        return [(mentor, "button", "not_yet")]
    if pairing.behaviour == "quiet":
        return []
    if pairing.behaviour == "stalled":
        if k == 0:
            return [(mentor, "button", "met")]
        return [(mentor, "button", "not_yet"), (mentee, "plain", "not_yet")]
    # Regular: they meet two cycles in three; in the third both say "not yet". Everyone
    # answers or a meeting is reported each cycle, so nobody goes silent.
    if (k + i) % 3 == 2:
        return [(mentor, "button", "not_yet"), (mentee, ("plain", "typed")[i % 2], "not_yet")]
    if (k + i) % 2 == 0:
        return [(mentee, ("button", "plain", "typed")[(k + i) // 2 % 3], "met")]
    return [(mentor, "button", "met")]


def messages(out: str) -> list[str]:
    """The console output split into messages (a line and its indented continuation)."""
    blocks: list[str] = []
    for line in out.splitlines():
        if line.startswith(" ") and blocks:
            blocks[-1] += "\n" + line
        else:
            blocks.append(line)
    return blocks


def dms(out: str, who: str, start: str = "") -> list[str]:
    """The DMs to ``who`` starting with ``start``."""
    head = f"[DM to {who}] {start}"
    return [b for b in messages(out) if b.startswith(head)]


def active_pairs(bot: MentorBot) -> list[tuple[str, str, int]]:
    """(mentor, mentee, pair id) of every active pair, from the database."""
    with transaction(bot.engine) as s:
        rows = s.exec(
            select(PairMember.pair_id, Person.platform_user_id, Member.role)
            .join(Member, Member.id == PairMember.member_id)  # type: ignore[arg-type]
            .join(Person, Person.id == Member.person_id)  # type: ignore[arg-type]
            .join(Pair, Pair.id == PairMember.pair_id)  # type: ignore[arg-type]
            .where(Pair.status == PairStatus.ACTIVE)
        ).all()
    people: dict[int, dict[str, str]] = {}
    for pair_id, who, role in rows:
        people.setdefault(pair_id, {})[role] = who
    return sorted((p["mentor"], p["mentee"], pair_id) for pair_id, p in people.items())
