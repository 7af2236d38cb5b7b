"""``closure rate|keep|again pair:<id>``: what the buttons of a closing message run.

``rate`` opens the closing conversation (one form where the platform has forms): a last
rating and a private reason and, for a mentee whose mentor is still in the program, a
thank-you the mentor gets by DM and, only if the mentee agrees, the coordinators' digest.
``keep`` records that they'd like to keep in touch (when both do, each hears it); ``again``
puts them back in the next round.
"""

from __future__ import annotations

from bot.checkins.wrapup import has_ended
from bot.closure.message import offer_of, rate_command
from bot.closure.rounds import next_round_expected
from bot.closure.together import partners_of
from bot.context import Ctx
from bot.conversations.scripts import Script, ScriptContract
from bot.errors import UserError
from bot.pair_choice import PAIR_TOKEN
from bot.replies import Context, Message, Part, Reply, Section
from storage import closure as closure_db
from storage import pairs as pairs_db
from storage import repo
from storage.models import Conversation, Member, Pair, PairClosure, PairStatus, Role

CLOSURE_CONTRACT = ScriptContract(
    required={
        "rating": ("scale",),
        "reason": ("text",),
        "thanks": ("text",),
        "share": ("yesno",),
    },
    placeholders=frozenset({"partner"}),
    conditions=frozenset({"thank_mentor"}),
)
THANK_MENTOR = "thank_mentor"


def closure(ctx: Ctx, args: list[str]) -> Reply:
    """Close a pairing that ended: rate it, keep in touch, or be matched again."""
    member = ctx.require_member()
    action = args[0].lower() if args else ""
    if action not in ("rate", "keep", "again"):
        raise UserError("closure.usage")
    pair, row = _closure_of(ctx, member, args[1:])
    if action == "rate":
        return _rate(ctx, member, pair)
    if action == "keep":
        return _keep(ctx, member, pair, row)
    return _again(ctx, member, row)


def _closure_of(ctx: Ctx, member: Member, words: list[str]) -> tuple[Pair, PairClosure]:
    """The ended pair a ``pair:<id>`` names, with the person's closure of it."""
    token = next((w for w in words if w.lower().startswith(PAIR_TOKEN)), None)
    if token is None:
        raise UserError("closure.usage")
    number = token[len(PAIR_TOKEN) :]
    pair = ctx.session.get(Pair, int(number)) if number.isdigit() else None
    assert member.id is not None
    row = (
        closure_db.closure_of(session=ctx.session, pair_id=pair.id, member_id=member.id)
        if pair is not None and pair.id is not None
        else None
    )
    if pair is None or row is None:
        mine = pair is not None and any(
            p.id == pair.id
            for p in pairs_db.active_pairs_of(session=ctx.session, member_id=member.id)
        )
        raise UserError("closure.not_ended" if mine else "closure.not_yours")
    return pair, row


def _rate(ctx: Ctx, member: Member, pair: Pair) -> Reply:
    assert pair.id is not None
    offer = offer_of(ctx.session, ctx.prompts, pair, member)
    return ctx.conversations().start(
        ctx,
        "closure",
        context={
            "key": f"closure:{pair.id}",
            "pair_id": pair.id,
            "flags": [THANK_MENTOR] if offer.thank_mentor else [],
            "values": {"partner": offer.partner},
        },
        command=rate_command(pair.id),
    )


def _keep(ctx: Ctx, member: Member, pair: Pair, row: PairClosure) -> Reply:
    """Record "keep in touch"; when a partner said so too, tell them both."""
    assert pair.id is not None
    offer = offer_of(ctx.session, ctx.prompts, pair, member)
    if not offer.keep:
        raise UserError("closure.no_partner_now")
    already = row.keep_in_touch
    row.keep_in_touch = True
    ctx.session.add(row)
    others = [
        c
        for c in closure_db.of_pair(session=ctx.session, pair_id=pair.id)
        if c.member_id != member.id and c.keep_in_touch
    ]
    if not others:
        return ctx.say("closure.keep_noted", partner=offer.partner)
    names = []
    for other in others:
        person = repo.person_of_member(session=ctx.session, member_id=other.member_id)
        if person is None or not person.display_name:
            continue
        names.append(person.display_name)
        if not already:
            ctx.dm(
                person,
                ctx.say_to(
                    person,
                    "closure.keep_mutual_dm",
                    partner=ctx.person.display_name,
                    program=ctx.program().name,
                ),
                dedupe_key=f"closure:mutual:{pair.id}:{other.member_id}",
            )
    return ctx.say("closure.keep_mutual", partner=", ".join(names) or offer.partner)


def _again(ctx: Ctx, member: Member, row: PairClosure) -> Reply:
    """First in line next round (once per closure), unless that can't mean anything now."""
    program = ctx.program()
    assert member.id is not None
    if has_ended(program, ctx.now):
        return ctx.say("closure.again_ended", program=program.name)
    if not next_round_expected(ctx.session, program, ctx.now, ctx.settings):
        return ctx.say("closure.again_no_round", program=program.name)
    if pairs_db.active_pairs_of(session=ctx.session, member_id=member.id):
        return ctx.say("closure.again_has_partner")
    if not row.rematch and member.match_priority == 0:  # already waiting: once is enough
        row.rematch = True
        member.match_priority += 1
        ctx.session.add(row)
        ctx.session.add(member)
    return ctx.say("closure.again_noted")


def finish_closure(ctx: Ctx, conv: Conversation, script: Script) -> Reply:
    """Store the rating and reason; pass a mentee's thank-you on to the mentor (once)."""
    member = ctx.require_member()
    assert member.id is not None
    pair_id = int(conv.context.get("pair_id") or 0)
    row = closure_db.closure_of(session=ctx.session, pair_id=pair_id, member_id=member.id)
    pair = ctx.session.get(Pair, pair_id)
    if row is None or pair is None or pair.status != PairStatus.ENDED:
        raise UserError("closure.not_yours")
    answers = conv.answers
    row.rating = answers.get("rating")
    row.reason = str(answers.get("reason") or "")
    row.answered_at = ctx.now
    parts: list[Part] = [Section(ctx.t("closure.saved"))]
    thanks = " ".join(str(answers.get("thanks") or "").split())
    if thanks and THANK_MENTOR in conv.context.get("flags", []):
        partner = str(conv.context.get("values", {}).get("partner", ""))
        if not row.thanks:
            _thank_mentors(ctx, member, pair_id, thanks)
        row.thanks, row.share_thanks = thanks, bool(answers.get("share"))
        parts.append(Section(ctx.t("closure.thanks_sent", partner=partner)))
        if row.share_thanks:
            parts.append(Context(ctx.t("closure.thanks_shared")))
    ctx.session.add(row)
    return Message(tuple(parts))


def _thank_mentors(ctx: Ctx, member: Member, pair_id: int, thanks: str) -> None:
    """DM the pair's mentors (still in the program) the mentee's words, as their words."""
    assert member.id is not None
    for partner in partners_of(ctx.session, pair_id, member.id):
        if partner.role != Role.MENTOR or not partner.name:
            continue
        person = repo.person_of_member(session=ctx.session, member_id=partner.member_id)
        if person is None:
            continue
        theirs = ctx.prompts_for(person)
        message = Message(
            (
                Section(
                    theirs.render(
                        "closure.thanks_for_mentor",
                        name=ctx.person.display_name,
                        program=ctx.program().name,
                    )
                ),
                Section(theirs.render("closure.thanks_note", thanks=thanks)),
            )
        )
        ctx.dm(person, message, dedupe_key=f"closure:thanks:{pair_id}:{member.id}")
