"""Session feedback and the pairing-fit question, and what admins may see of them.

Feedback is confidential: it is never shown to the partner, and admins see only totals over
groups of at least ``[surveys] min_group_size`` (3 or more) different people. The free-text
answers stay with the person who wrote them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session

from bot.conversations.scripts import Script, ScriptContract
from bot.replies import Button, Buttons, Context, Fields, Message, Part, Reply, Section
from bot.spans import Text
from storage import checkins as checkins_db
from storage import feedback as feedback_db
from storage import pairs as pairs_db
from storage.models import Conversation, Feedback, Member, Pair

if TYPE_CHECKING:
    from bot.context import Ctx

FEEDBACK_CONTRACT = ScriptContract(
    required={
        "rating": ("scale",),
        "helped": ("text",),
        "change": ("text",),
        "fit": ("choice",),
    },
    placeholders=frozenset({"partner"}),
    conditions=frozenset({"first_session"}),
)
FIT_RATING = {"great": 5, "ok": 3, "poor": 1}
STORED = {"rating", "helped", "change", "fit"}


def feedback_context(ctx: Ctx, member: Member, pair: Pair) -> dict[str, object]:
    """Which pair the feedback is about, and whether this follows their first session."""
    assert member.id is not None and pair.id is not None
    partners = pairs_db.partners_in(
        session=ctx.session, pair_id=pair.id, except_member_id=member.id
    )
    met = checkins_db.count_met(session=ctx.session, pair_id=pair.id, member_id=member.id)
    fit_given = feedback_db.has_fit_answer(
        session=ctx.session, pair_id=pair.id, member_id=member.id
    )
    flags = ["first_session"] if met <= 1 and not fit_given else []
    return {
        "key": f"feedback:{pair.id}",
        "pair_id": pair.id,
        "flags": flags,
        "values": {"partner": ", ".join(p.display_name for p in partners)},
    }


def finish_feedback(ctx: Ctx, conv: Conversation, script: Script) -> Reply:
    """Store the session feedback (and the fit answer); a poor fit offers a rematch request."""
    member = ctx.require_member()
    assert member.id is not None
    a = conv.answers
    pair_id = conv.context.get("pair_id")
    details = {k: v for k, v in a.items() if k not in STORED}
    ctx.session.add(
        Feedback(
            pair_id=pair_id,
            member_id=member.id,
            kind="session",
            rating=a.get("rating"),
            helped=str(a.get("helped") or ""),
            change=str(a.get("change") or ""),
            details=details,
            created_at=ctx.now,
        )
    )
    parts: list[Part] = [Section(ctx.t("feedback.thanks"))]
    fit = a.get("fit")
    if fit:
        ctx.session.add(
            Feedback(
                pair_id=pair_id,
                member_id=member.id,
                kind="fit",
                rating=FIT_RATING.get(str(fit)),
                helped=str(fit),
                created_at=ctx.now,
            )
        )
        if fit == "poor":
            parts.append(Section(ctx.t("feedback.poor_fit")))
            parts.append(
                Buttons(
                    (
                        Button(
                            ctx.prompts.text("button.request_rematch"),
                            f"rematch pair:{pair_id} "
                            + ctx.prompts.text("feedback.rematch_reason"),
                            "danger",
                        ),
                    )
                )
            )
    parts.append(Context(ctx.t("feedback.private_note")))
    return Message(tuple(parts))


def my_feedback(ctx: Ctx, member: Member) -> Reply:
    """The feedback this person gave, with whom and the fit answer: theirs to see only."""
    assert member.id is not None
    rows = feedback_db.feedback_of(
        session=ctx.session, member_id=member.id, kinds=("session", "fit")
    )
    sessions = [r for r in rows if r.kind == "session"]
    if not sessions:
        return ctx.say("feedback.mine_none")
    fits = {(r.pair_id, r.created_at): r.helped for r in rows if r.kind == "fit"}
    tz = ctx.zone()
    partner_names: dict[int | None, str] = {}
    parts: list[Part] = [Section(ctx.t("feedback.mine_header"))]
    for row in sessions[-10:]:
        if row.pair_id not in partner_names:
            people = (
                pairs_db.partners_in(
                    session=ctx.session, pair_id=row.pair_id, except_member_id=member.id or 0
                )
                if row.pair_id is not None
                else []
            )
            partner_names[row.pair_id] = ", ".join(p.display_name for p in people) or "-"
        line = ctx.t(
            "feedback.mine_line",
            day=row.created_at.astimezone(tz).date().isoformat(),
            partner=partner_names[row.pair_id],
            rating=row.rating if row.rating is not None else "-",
            helped=row.helped or "-",
            change=row.change or "-",
        )
        fit = fits.get((row.pair_id, row.created_at))
        if fit in FIT_RATING:
            line = (
                line
                + Text.trusted("\n")
                + ctx.t("feedback.mine_fit", fit=ctx.t(f"feedback.fit.{fit}"))
            )
        parts.append(Section(line))
    parts.append(Context(ctx.t("feedback.private_note")))
    return Message(tuple(parts))


# -- what admins may see -----------------------------------------------------------------------
@dataclass
class ScaleSummary:
    """How many answered a 1-5 scale, the mean and the count of each value."""

    respondents: int
    mean: float
    counts: dict[int, int]


def summarize(values: list[int]) -> ScaleSummary:
    """Counts and mean of a 1-5 scale's answers."""
    counts = Counter(values)
    mean = sum(values) / len(values) if values else 0.0
    return ScaleSummary(len(values), mean, {n: counts.get(n, 0) for n in range(1, 6)})


def bar(summary: ScaleSummary) -> str:
    """How many people gave each rating: "1: 0 · 2: 1 · 3: 4 · 4: 6 · 5: 2"."""
    return " · ".join(f"{n}: {summary.counts[n]}" for n in range(1, 6))


def feedback_numbers(
    session: Session, program_id: int, *, since: datetime | None
) -> tuple[int, list[int], Counter[str]]:
    """(people who gave feedback, session ratings, fit answers) for a program."""
    rows = feedback_db.feedback_facts(session=session, program_id=program_id, since=since)
    people = {r.member_id for r in rows}
    ratings = [r.rating for r in rows if r.kind == "session" and r.rating is not None]
    fits: Counter[str] = Counter(r.helped for r in rows if r.kind == "fit")
    return len(people), ratings, fits


def admin_feedback(ctx: Ctx, args: list[str]) -> Reply:
    """Session ratings and pairing fit as totals, only for 3 or more people."""
    program = ctx.program()
    assert program.id is not None
    minimum = ctx.settings.surveys.min_group_size
    people, ratings, fits = feedback_numbers(ctx.session, program.id, since=None)
    if people < minimum:
        return ctx.say("feedback.admin_too_few", count=people, minimum=minimum)
    summary = summarize(ratings)
    rows: list[tuple[str, Text]] = [
        (ctx.prompts.text("feedback.admin_people"), Text.trusted(str(people))),
        (ctx.prompts.text("feedback.admin_sessions"), Text.trusted(str(summary.respondents))),
        (
            ctx.prompts.text("feedback.admin_mean"),
            Text.trusted(f"{summary.mean:.1f} / 5" if ratings else "-"),
        ),
        (ctx.prompts.text("feedback.admin_spread"), Text.trusted(bar(summary))),
    ]
    fit_people = sum(fits.values())
    if fit_people >= minimum:
        rows.append(
            (
                ctx.prompts.text("feedback.admin_fit"),
                ctx.t(
                    "feedback.admin_fit_counts",
                    great=fits.get("great", 0),
                    ok=fits.get("ok", 0),
                    poor=fits.get("poor", 0),
                ),
            )
        )
    return Message(
        (
            Section(ctx.t("feedback.admin_header", program=program.name)),
            Fields(tuple(rows)),
            Context(ctx.t("feedback.admin_privacy", minimum=minimum)),
        )
    )
