"""A match preview as a chat message for admins."""

from __future__ import annotations

from bot.i18n.cldr import number
from bot.matching.capacity import capacity_section
from bot.matching.reasons import names_list, render_reasons
from bot.matching.rounds import Proposal
from bot.prompts import Prompts
from bot.replies import Button, Buttons, Context, Fields, Message, Part, Section
from bot.spans import Text

SHOWN_PAIRS = 10


def pair_label(proposal: Proposal, pair_id: int) -> str:
    """The names of a proposed pair, like "ann & mia"."""
    return " & ".join(proposal.members[m].name for m in proposal.pair_members[pair_id])


def preview_message(prompts: Prompts, proposal: Proposal) -> Message:
    """The preview for admins: pairs, scores, reasons, who is left out, pairs that would end."""
    run = proposal.run
    count = Text.trusted(str(len(proposal.pairs)))
    circles = {"circles": count} if run.summary.get("circles") else {"pairs": count}
    parts: list[Part] = [
        Section(
            prompts.render(
                f"match.preview_header{'_circles' if 'circles' in circles else ''}",
                unmatched=Text.trusted(str(len(proposal.unmatched))),
                seed=Text.trusted(str(run.seed)),
                **circles,
            )
        ),
    ]
    parts += _pair_parts(prompts, proposal)
    parts += _waiting_parts(prompts, proposal)
    parts += _unmatched_parts(prompts, proposal)
    parts += capacity_section(prompts, run)
    parts += _ending_parts(prompts, proposal)
    for code, a, b in proposal.notes:
        parts.append(Context(prompts.render(f"match.note.{code}", a=a, b=b)))
    parts.append(Context(prompts.render("match.preview_footer")))
    if proposal.pairs or proposal.unmatched or proposal.ending:
        fresh = str(run.summary.get("fresh") or "")
        again = {"": "", "stalled": " fresh", "all": " fresh all"}.get(fresh, "")
        publish = Button(prompts.text("button.publish"), f"admin publish {run.id}", "primary")
        rerun = Button(prompts.text("button.rerun"), f"admin match seed {run.seed + 1}{again}")
        parts.append(Buttons((publish, rerun)))
    return Message(tuple(parts))


def _pair_parts(prompts: Prompts, proposal: Proposal) -> list[Part]:
    """The score spread and the first pairs with their reasons."""
    parts: list[Part] = []
    dist = proposal.run.summary.get("score") or {}
    if dist:
        spread = {
            k: Text.trusted(number(dist[k], prompts.locale)) for k in ("min", "median", "max")
        }
        parts.append(Context(prompts.render("match.preview_scores", **spread)))
    if not proposal.pairs:
        return parts
    items = tuple(
        (
            f"{pair_label(proposal, p.id)} ({number(p.score, prompts.locale)})",  # type: ignore[arg-type]
            Text.user("; ".join(render_reasons(prompts, p.reasons))),
        )
        for p in proposal.pairs[:SHOWN_PAIRS]
    )
    parts.append(Fields(items))
    if len(proposal.pairs) > SHOWN_PAIRS:
        more = Text.trusted(str(len(proposal.pairs) - SHOWN_PAIRS))
        parts.append(Context(prompts.render("match.preview_more", count=more)))
    return parts


def _placed(prompts: Prompts, others: list[str]) -> Text:
    """Whom a waiting person was placed with: their partner, or everyone else in their
    circle ("in the circle with bo, cy and max").
    """
    if len(others) == 1:
        return prompts.render("match.preview_waiting_placed", partner=others[0])
    return prompts.render("match.preview_waiting_circle", people=names_list(prompts, others))


def _waiting_parts(prompts: Prompts, proposal: Proposal) -> list[Part]:
    """Who was waiting from an earlier round: placed first (with whom), or left out again
    (the reason is in the list of those not matched).
    """
    waiting = proposal.run.summary.get("waiting") or {}
    placed, left_out = waiting.get("placed", []), waiting.get("left_out", [])
    if not placed and not left_out:
        return []

    def name(member_id: int) -> str:
        found = proposal.members.get(member_id)
        return found.name if found else str(member_id)

    rows = [(name(ids[0]), _placed(prompts, [name(m) for m in ids[1:]])) for ids in placed]
    reasons = dict(proposal.unmatched)
    rows += [
        (
            name(ids[0]),
            prompts.render(
                "match.preview_waiting_left_out",
                reason=prompts.render(f"match.unmatched_reason.{reasons.get(ids[0], 'capacity')}"),
            ),
        )
        for ids in left_out
    ]
    count = Text.trusted(str(len(rows)))
    header = prompts.render("match.preview_waiting_header", count=count)
    return [Section(header), Fields(tuple(rows[: SHOWN_PAIRS * 2]))]


def _unmatched_parts(prompts: Prompts, proposal: Proposal) -> list[Part]:
    """Who is left out, and the true reason."""
    if not proposal.unmatched:
        return []
    rows = tuple(
        (
            proposal.members[m].name if m in proposal.members else str(m),
            prompts.render(f"match.unmatched_reason.{reason}"),
        )
        for m, reason in proposal.unmatched[: SHOWN_PAIRS * 2]
    )
    return [Section(prompts.render("match.preview_unmatched_header")), Fields(rows)]


def _ending_parts(prompts: Prompts, proposal: Proposal) -> list[Part]:
    """The pairs publishing would end, with why, and how many working pairs are kept."""
    parts: list[Part] = []
    if proposal.ending:
        count = Text.trusted(str(len(proposal.ending)))
        rows = tuple(
            (
                proposal.names.get(pair_id, str(pair_id)),
                prompts.render(f"match.end_reason.{reason}"),
            )
            for pair_id, reason in proposal.ending[: SHOWN_PAIRS * 2]
        )
        parts.append(Section(prompts.render("match.preview_ending_header", count=count)))
        parts.append(Fields(rows))
        parts.append(Context(prompts.render("match.preview_ending_told")))
    kept = proposal.run.summary.get("kept")
    if kept:
        parts.append(Context(prompts.render("match.preview_kept", count=Text.trusted(str(kept)))))
    return parts
