"""Round commands: ``skip`` (sit the next round out), and ``admin rounds`` / ``admin round``
(the rounds' record, and the Publish button of a round's preview).
"""

from __future__ import annotations

from bot.context import Ctx
from bot.errors import UserError
from bot.matching.publish import check_preview
from bot.matching.rounds import load_proposal
from bot.registry import registry_of
from bot.replies import Button, Buttons, Context, Fields, Message, Part, Reply, Section
from bot.rounds.cycle import next_round_due, preview_parts, propose_round, publish_round
from bot.rounds.setting import rounds_label
from bot.spans import Text
from bot.time.format import local_when
from storage import pairs as pairs_db
from storage import rounds as rounds_db
from storage.models import MatchRun, Round, RoundStatus

SHOWN = 30  # names listed per group in ``admin round``


def skip(ctx: Ctx, args: list[str]) -> Reply:
    """``skip``: sit out the next round; ``skip undo``: take part after all. A plain "skip"
    DM answering a check-in still answers it.
    """
    if ctx.via == "dm" and not args:
        answered = registry_of(ctx).read_free_text(ctx, ["skip"])
        if answered is not None:
            return answered
    words = [w.lower() for w in args]
    rnd = _round_of_button(ctx, words.pop(0)) if words and words[0].startswith("#") else None
    member = ctx.require_member()
    program = ctx.program()
    assert program.id is not None and member.id is not None
    if rnd is None:
        rnd = _next_round(ctx)
    if words not in ([], ["undo"]):
        raise UserError("rounds.skip_usage")
    when = Text.trusted(local_when(rnd.due_at, ctx.zone(), ctx.prompts.locale))
    assert rnd.id is not None
    if words == ["undo"]:
        if not rounds_db.unskip(session=ctx.session, round_id=rnd.id, member_id=member.id):
            return ctx.say("rounds.not_skipping", when=when, program=program.name)
        return ctx.say("rounds.unskipped", when=when, program=program.name)
    rounds_db.skip(session=ctx.session, round_id=rnd.id, member_id=member.id, now=ctx.now)
    return ctx.say("rounds.skipping", when=when, program=program.name)


def _round_of_button(ctx: Ctx, token: str) -> Round:
    """The round a "sit this one out" button names, made this event's program's."""
    rnd = ctx.session.get(Round, int(token[1:])) if token[1:].isdigit() else None
    if rnd is None:
        raise UserError("rounds.skip_usage")
    ctx.use_program(rnd.program_id)
    if rnd.status not in rounds_db.OPEN:
        raise UserError("rounds.skip_too_late")
    return rnd


def _next_round(ctx: Ctx) -> Round:
    """The program's next round not matched yet (its row made if the pulse has not yet)."""
    program = ctx.program()
    assert program.id is not None
    found = rounds_db.open_round(session=ctx.session, program_id=program.id)
    if found is not None:
        return found
    due = next_round_due(ctx.session, program, ctx.settings, ctx.now)
    if due is None or due <= ctx.now:
        raise UserError("rounds.no_round", program=program.name)
    return rounds_db.ensure(session=ctx.session, program_id=program.id, due_at=due, now=ctx.now)


def admin_rounds(ctx: Ctx, args: list[str]) -> Reply:
    """The program's schedule and its latest rounds, with how each went."""
    program = ctx.program()
    assert program.id is not None
    rows = rounds_db.recent(session=ctx.session, program_id=program.id, limit=10)
    parts: list[Part] = [
        Section(ctx.t("rounds.list_header", program=program.name, schedule=rounds_label(ctx)))
    ]
    if not rows:
        parts.append(Context(ctx.t("rounds.list_empty")))
        return Message(tuple(parts))
    items = []
    for rnd in rows:
        s = rnd.summary
        unreachable = len(s.get("unreachable", [])) or len(
            s.get("notice", {}).get("unreachable", [])
        )
        line = ctx.t(
            "rounds.list_line",
            status=ctx.t(f"rounds.status.{rnd.status}"),
            pairs=int(s.get("pairs", 0)),
            skipped=len(s.get("skipped", [])),
            left_out=int(s.get("left_out", 0)),
            unreachable=unreachable,
        )
        label = f"#{rnd.id} {local_when(rnd.due_at, ctx.zone(), ctx.prompts.locale)}"
        items.append((label, line))
    parts.append(Fields(tuple(items)))
    parts.append(Context(ctx.t("rounds.list_hint")))
    return Message(tuple(parts))


def admin_round(ctx: Ctx, args: list[str]) -> Reply:
    """``admin round <id>``: who was matched, sat out, left out (and why) and unreachable;
    ``admin round <id> publish``: the Publish button of its preview.
    """
    if not args or not args[0].lstrip("#").isdigit() or len(args) > 2:
        raise UserError("rounds.round_usage")
    rnd = ctx.session.get(Round, int(args[0].lstrip("#")))
    if rnd is None:
        raise UserError("rounds.unknown_round", round=args[0])
    ctx.use_program(rnd.program_id)
    if len(args) == 2:
        if args[1].lower() != "publish":
            raise UserError("rounds.round_usage")
        return _publish(ctx, rnd)
    return _record(ctx, rnd)


def _publish(ctx: Ctx, rnd: Round) -> Reply:
    """Publish the round's preview (once, however many admins press it); a preview that no
    longer fits the program is made again and shown instead.
    """
    program = ctx.program()
    if rnd.status == RoundStatus.PUBLISHED:
        raise UserError("rounds.already_published", round=str(rnd.id))
    run = ctx.session.get(MatchRun, rnd.match_run_id) if rnd.match_run_id else None
    if rnd.status != RoundStatus.PROPOSED or run is None or run.status != "preview":
        raise UserError("rounds.not_waiting", round=str(rnd.id))
    proposal = load_proposal(ctx.session, run, ctx.settings)
    problems = check_preview(ctx.session, program, proposal, now=ctx.now)
    if problems:
        again = propose_round(
            ctx.session, program, rnd, ctx.settings, ctx.prompts, now=ctx.now, seed=run.seed
        )
        lines = Text.join([ctx.t(f"match.stale.{p.code}", who=p.who) for p in problems[:10]], "\n")
        body = preview_parts(ctx.prompts, again)
        button = Button(ctx.prompts.text("button.round_publish"), f"admin round {rnd.id} publish")
        return Message(
            (Section(ctx.t("match.stale_header")), Section(lines), *body, Buttons((button,)))
        )
    result = publish_round(
        ctx.session,
        program,
        rnd,
        ctx.settings,
        ctx.prompts,
        now=ctx.now,
        registry=registry_of(ctx),
        group_dm=ctx.group_dm(),
    )
    if result is None:
        raise UserError("rounds.already_published", round=str(rnd.id))
    return ctx.say(
        "match.published",
        pairs=Text.trusted(str(result.pairs)),
        intros=Text.trusted(str(result.introductions)),
        unmatched=Text.trusted(str(result.unmatched_told)),
    )


def _record(ctx: Ctx, rnd: Round) -> Reply:
    """One round's record for the admins (the first names of each group, and its count)."""
    s = rnd.summary
    run = ctx.session.get(MatchRun, rnd.match_run_id) if rnd.match_run_id else None
    when = Text.trusted(local_when(rnd.due_at, ctx.zone(), ctx.prompts.locale))
    status = ctx.t(f"rounds.status.{rnd.status}")
    parts: list[Part] = [
        Section(ctx.t("rounds.record_header", round=str(rnd.id), when=when, status=status))
    ]
    left_out = [(int(m), str(r)) for m, r in (run.summary.get("unmatched", []) if run else [])]
    skipped = [int(m) for m in s.get("skipped", [])]
    unreachable = sorted(
        set(s.get("unreachable", [])) | set(s.get("notice", {}).get("unreachable", []))
    )
    wanted = {m for m, _ in left_out[:SHOWN]} | set(skipped[:SHOWN]) | set(unreachable[:SHOWN])
    people = {
        m.id: p.display_name or p.platform_user_id
        for m, p in pairs_db.members_with_people(session=ctx.session, program_id=rnd.program_id)
        if m.id in wanted
    }

    def reason(code: str) -> str:
        return ctx.t(f"match.unmatched_reason.{code}").plain()

    groups = [
        ("rounds.record_matched", *_matched(ctx, run)),
        ("rounds.record_skipped", [people.get(m, "?") for m in skipped[:SHOWN]], len(skipped)),
        (
            "rounds.record_left_out",
            [f"{people.get(m, '?')} ({reason(r)})" for m, r in left_out[:SHOWN]],
            len(left_out),
        ),
        (
            "rounds.record_unreachable",
            [people.get(m, "?") for m in unreachable[:SHOWN]],
            len(unreachable),
        ),
    ]
    for key, names, count in groups:
        shown = ", ".join(names) or "-"
        if count > len(names):
            shown += " " + ctx.t("rounds.record_more", count=count - len(names)).plain()
        parts.append(Section(ctx.t(key, count=count, names=Text.user(shown))))
    return Message(tuple(parts))


def _matched(ctx: Ctx, run: MatchRun | None) -> tuple[list[str], int]:
    """The first pairs a published run made, named ("ann & bob"), and how many it made."""
    if run is None or run.status != "published" or run.id is None:
        return [], 0
    pair_ids = [p.id for p in pairs_db.pairs_of_run(session=ctx.session, run_id=run.id) if p.id]
    names: dict[int, list[str]] = {}
    for row in pairs_db.names_in_pairs(session=ctx.session, pair_ids=pair_ids[:SHOWN]):
        names.setdefault(row.pair_id, []).append(row.display_name)
    return [" & ".join(v) for v in names.values()], len(pair_ids)
