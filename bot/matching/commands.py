"""Matching commands: ``admin match|publish|pairs|block|unblock|pin|unpin`` and ``rematch``."""

from __future__ import annotations

import shlex

from bot.checkins.digest import meetings_by_pair
from bot.checkins.wrapup import has_ended
from bot.context import Ctx
from bot.delivery import Target
from bot.errors import UserError
from bot.matching.preview import preview_message
from bot.matching.publish import check_preview, publish
from bot.matching.rounds import active_pairs, latest_preview, load_proposal, propose
from bot.outbox import enqueue
from bot.pair_choice import (
    MAX_BUTTON_COMMAND,
    PAIR_TOKEN,
    PairChoice,
    ask_which,
    end_pairs,
    my_pairs,
    take_pair,
)
from bot.pairs.health import describe, pair_health
from bot.pairs.lifecycle import EndReason
from bot.registry import registry_of
from bot.replies import Button, Buttons, Context, Fields, Message, Part, Reply, Section
from bot.spans import Text
from bot.time.format import local_day, short_day
from bot.time.zones import get_zone
from bot.unreachable.marks import note
from storage import pairs as pairs_db
from storage import repo
from storage.models import MatchRule, Member, MemberStatus, Pair, Person, ProgramKind

MAX_REASON_LENGTH = 500


def _parse_match_args(args: list[str]) -> tuple[int | None, str]:
    seed: int | None = None
    fresh = ""
    words = [w.lower() for w in args]
    k = 0
    while k < len(words):
        word = words[k]
        if word in ("fresh", "new-round", "--fresh"):
            fresh = "stalled"
            if k + 1 < len(words) and words[k + 1] in ("all", "everyone"):
                fresh = "all"
                k += 1
        elif word.startswith("seed="):
            seed = _seed(word[5:])
        elif word in ("seed", "--seed") and k + 1 < len(words):
            seed = _seed(words[k + 1])
            k += 1
        else:
            raise UserError("match.usage")
        k += 1
    return seed, fresh


def _seed(text: str) -> int:
    if not text.isdigit() or len(text) > 9:
        raise UserError("match.usage")
    return int(text)


def admin_match(ctx: Ctx, args: list[str]) -> Reply:
    """A preview of the next matching; sends nothing."""
    seed, fresh = _parse_match_args(args)
    program = ctx.program()
    if has_ended(program, ctx.now):
        assert program.ends_on is not None
        raise UserError("match.program_ended", day=Text.trusted(program.ends_on.isoformat()))
    proposal = propose(
        ctx.session,
        ctx.program(),
        ctx.settings,
        ctx.prompts,
        now=ctx.now,
        seed=seed,
        fresh=fresh,
        created_by=ctx.person.id,
    )
    return preview_message(ctx.prompts, proposal)


def admin_publish(ctx: Ctx, args: list[str]) -> Reply:
    """Publish the latest preview (the button carries its id: an older preview is refused);
    a preview that no longer fits the program is re-checked: a new one is shown instead.
    """
    program = ctx.program()
    assert program.id is not None
    run = latest_preview(ctx.session, program.id)
    if args:
        wanted = args[0].lstrip("#")
        if not wanted.isdigit() or len(args) > 1:
            raise UserError("match.publish_usage")
        if run is None or run.id != int(wanted):
            if run is None:
                raise UserError("match.nothing_to_publish")
            raise UserError("match.preview_replaced", run=Text.trusted(wanted))
    if run is None:
        raise UserError("match.nothing_to_publish")
    proposal = load_proposal(ctx.session, run, ctx.settings)
    problems = check_preview(ctx.session, program, proposal, now=ctx.now)
    if problems:
        fresh = str(run.summary.get("fresh") or "")
        again = propose(
            ctx.session,
            program,
            ctx.settings,
            ctx.prompts,
            now=ctx.now,
            seed=run.seed,
            fresh=fresh,
            created_by=ctx.person.id,
        )
        lines = Text.join([ctx.t(f"match.stale.{p.code}", who=p.who) for p in problems[:10]], "\n")
        warning = (Section(ctx.t("match.stale_header")), Section(lines))
        return Message(warning + preview_message(ctx.prompts, again).parts)
    result = publish(
        ctx.session,
        program,
        proposal,
        ctx.settings,
        ctx.prompts,
        now=ctx.now,
        registry=registry_of(ctx),
        group_dm=ctx.group_dm(),
    )
    circles = program.kind == ProgramKind.CIRCLES
    reply = ctx.say(
        "match.published_circles" if circles else "match.published",
        pairs=Text.trusted(str(result.pairs)),
        intros=Text.trusted(str(result.introductions)),
        unmatched=Text.trusted(str(result.unmatched_told)),
    )
    if proposal.ending:
        ended = ctx.t("match.published_ended", count=Text.trusted(str(len(proposal.ending))))
        reply = Message((*reply.parts, Context(ended)))
    return reply


def admin_pairs(ctx: Ctx, args: list[str]) -> Reply:
    """The active pairs with when they started, the meetings held and their health."""
    program = ctx.program()
    assert program.id is not None
    pairs = active_pairs(ctx.session, program.id)
    if not pairs and has_ended(program, ctx.now):
        assert program.ends_on is not None
        count = len(pairs_db.started_pairs(session=ctx.session, program_id=program.id))
        return ctx.say("match.pairs_ended", day=Text.trusted(str(program.ends_on)), count=count)
    if not pairs:
        return ctx.say("match.no_pairs")
    held = meetings_by_pair(ctx.session, list(pairs))
    health = pair_health(ctx.session, list(pairs), ctx.now, ctx.settings)
    names_by_member = {
        n.member_id: n.display_name or n.user_id
        for n in pairs_db.names_in_pairs(session=ctx.session, pair_ids=list(pairs))
    }
    items = []
    for pair_id, member_ids in sorted(pairs.items()):
        names = []
        for member_id in member_ids:
            member = ctx.session.get(Member, member_id)
            person = ctx.session.get(Person, member.person_id) if member else None
            name = person.display_name if person else "?"
            away = _away(ctx, member, person)
            marked = note(ctx.prompts, person) if person else None
            notes = ", ".join(n for n in (away, marked.plain() if marked else "") if n)
            names.append(f"{name} ({notes})" if notes else name)
        pair = ctx.session.get(Pair, pair_id)
        tag = ctx.prompts.locale
        started = short_day(pair.started_at.date(), tag) if pair and pair.started_at else "-"
        count, last = held.get(pair_id, (0, None))
        items.append(
            (
                f"#{pair_id} " + " & ".join(names),
                ctx.t(
                    "match.pair_line",
                    started=Text.trusted(started),
                    meetings=Text.trusted(str(count)),
                    last=Text.trusted(short_day(last, tag) if last else "-"),
                )
                + Text.trusted(" · ")
                + describe(ctx.prompts, health[pair_id], names_by_member, ctx.now),
            )
        )
    return Message(
        (
            Section(ctx.t("match.pairs_header", count=Text.trusted(str(len(items))))),
            Fields(tuple(items)),
        )
    )


def _away(ctx: Ctx, member: Member | None, person: Person | None) -> str:
    """The "away until <day>" note for someone on a break, or "": the day they chose, in
    their own zone (what they and their mentees were told), not the admin's.
    """
    until = member.paused_until if member is not None else None
    if member is None or member.status != MemberStatus.PAUSED or until is None or until <= ctx.now:
        return ""
    zone = get_zone((person.timezone if person else None) or ctx.settings.program.default_timezone)
    return ctx.t(
        "match.away_until", until=Text.trusted(local_day(until, zone, ctx.prompts.locale))
    ).plain()


def _member_ref(ctx: Ctx, reference: str) -> tuple[Member, Person]:
    program = ctx.program()
    assert program.id is not None
    found = repo.find_member_by_reference(
        session=ctx.session, program_id=program.id, reference=reference
    )
    if not found:
        raise UserError("match.unknown_member", who=reference)
    if len(found) > 1:
        raise UserError("match.ambiguous_member", who=reference)
    return found[0]


def _rules_of(ctx: Ctx, kind: str) -> list[MatchRule]:
    program_id = ctx.program().id
    assert program_id is not None
    return pairs_db.match_rules(session=ctx.session, program_id=program_id, kind=kind)


def rule_command(kind: str, remove: bool):  # type: ignore[no-untyped-def]
    """The handler for ``admin block|unblock|pin|unpin``."""

    def handler(ctx: Ctx, args: list[str]) -> Reply:
        if len(args) != 2:
            raise UserError(
                "match.rule_usage", command=Text.trusted(("un" if remove else "") + kind)
            )
        (a, pa), (b, pb) = _member_ref(ctx, args[0]), _member_ref(ctx, args[1])
        if a.id == b.id:
            raise UserError("match.rule_same_person")
        program = ctx.program()
        existing = _rules_of(ctx, kind)
        same = [r for r in existing if {r.member_a_id, r.member_b_id} == {a.id, b.id}]
        if remove:
            if not same:
                raise UserError(
                    "match.rule_missing",
                    kind=Text.trusted(kind),
                    a=pa.display_name,
                    b=pb.display_name,
                )
            for rule in same:
                ctx.session.delete(rule)
            return ctx.say(
                "match.rule_removed", kind=Text.trusted(kind), a=pa.display_name, b=pb.display_name
            )
        other = "pin" if kind == "block" else "block"
        if any({r.member_a_id, r.member_b_id} == {a.id, b.id} for r in _rules_of(ctx, other)):
            # A pin and a block between the same two people contradict each other.
            raise UserError(f"match.rule_conflict_{kind}", a=pa.display_name, b=pb.display_name)
        if not same:
            assert program.id is not None and a.id is not None and b.id is not None
            ctx.session.add(
                MatchRule(
                    program_id=program.id,
                    member_a_id=a.id,
                    member_b_id=b.id,
                    kind=kind,
                    created_by_person_id=ctx.person.id,
                    created_at=ctx.now,
                )
            )
        return ctx.say(f"match.rule_added_{kind}", a=pa.display_name, b=pb.display_name)

    return handler


def rematch(ctx: Ctx, args: list[str]) -> Reply:
    """Ask the admins privately for a new partner; the pairing ends gently after a confirm.

    ``rematch [partner] <reason>`` asks "are you sure?" first; ``rematch confirm ...`` (the
    button) ends that one pairing. With several partners and no name, it asks which.
    """
    member = ctx.require_member()
    words = list(args)
    confirmed = bool(words) and words[0].lower() == "confirm"
    if confirmed:
        words.pop(0)
    assert member.id is not None
    choices = my_pairs(ctx, member)
    if not choices:
        raise UserError("rematch.no_partner")
    chosen, rest = take_pair(ctx, choices, words)
    reason = " ".join(rest).strip()
    if not reason:
        raise UserError("rematch.usage")
    if len(reason) > MAX_REASON_LENGTH:
        raise UserError("error.too_long", limit=MAX_REASON_LENGTH)
    if chosen is None:
        return ask_which(ctx, choices, "rematch", rest)
    if not confirmed:
        command = f"rematch confirm {PAIR_TOKEN}{chosen.pair_id} {shlex.join(rest)}"
        parts: list[Part] = [Section(ctx.t("rematch.confirm", partner=chosen.names()))]
        if len(command) <= MAX_BUTTON_COMMAND:
            parts.append(
                Buttons(
                    (
                        Button(ctx.prompts.text("button.rematch_confirm"), command, "danger"),
                        Button(ctx.prompts.text("button.rematch_cancel"), "rematch keep"),
                    )
                )
            )
        else:
            parts.append(Context(ctx.t("rematch.confirm_typed", partner=chosen.names())))
        return Message(tuple(parts))
    _end_for_rematch(ctx, member, chosen, reason)
    return ctx.say("rematch.done")


def _end_for_rematch(ctx: Ctx, member: Member, chosen: PairChoice, reason: str) -> None:
    """End the pairing: the partner is told kindly (without the reason), the two are never
    paired again, both go first next round, and the admins get the reason privately.
    """
    program = ctx.program()
    assert program.id is not None and member.id is not None
    others = end_pairs(
        ctx,
        member,
        [chosen.pair],
        EndReason.REMATCH,
        "rematch.partner_notice",
        detail="rematch_request",
        key="rematch",
    )
    for other in others:
        assert other.id is not None
        ctx.session.add(
            MatchRule(
                program_id=program.id,
                member_a_id=member.id,
                member_b_id=other.id,
                kind="block",
                created_by_person_id=ctx.person.id,
                created_at=ctx.now,
            )
        )
    for admin_id in ctx.settings.admins.for_platform(program.platform):
        admin = repo.find_person(
            session=ctx.session, platform=program.platform, platform_user_id=admin_id
        )
        theirs = ctx.prompts_for(admin) if admin else ctx.prompts.for_everyone()
        notice = Message(
            (
                Section(
                    theirs.render(
                        "rematch.admin_notice",
                        name=ctx.person.display_name,
                        partner=chosen.names(),
                        reason=reason,
                    )
                ),
                Context(theirs.render("rematch.admin_hint")),
            )
        )
        enqueue(
            ctx.session,
            dedupe_key=f"rematch-admin:{chosen.pair_id}:{admin_id}",
            target=Target(program.platform, program.workspace_id, "user", (admin_id,)),
            message=notice,
            not_before=ctx.now,
            now=ctx.now,
            program_id=program.id,
        )
    member.match_priority += 1
    ctx.session.add(member)


def rematch_or_keep(ctx: Ctx, args: list[str]) -> Reply:
    """``rematch``, or ``rematch keep`` (the "keep it" button of the confirmation)."""
    if args and args[0].lower() == "keep":
        return ctx.say("rematch.kept")
    return rematch(ctx, args)
