"""Acting on a pair's health: ``admin pair-nudge|pair-end|pair-rematch <pair id>`` (the digest's
buttons) and ``partner wait|switch`` (a person's answer to "match me with someone else?").

Every admin action first says what will happen and who will be told, with a button to
confirm; nothing changes until it is confirmed.
"""

from __future__ import annotations

from bot.context import Ctx
from bot.errors import UserError
from bot.pair_choice import my_pairs, take_pair
from bot.pairs import lifecycle
from bot.pairs.engagement import PARTNER_SILENT, nudge_message
from bot.pairs.health import pair_health
from bot.registry import registry_of
from bot.replies import Button, Buttons, Message, Reply, Section
from bot.spans import Text
from storage import pairs as pairs_db
from storage.models import EndReason, Member, Pair, PairStatus, Person
from storage.repo import PersonTiming


def _pair_of(ctx: Ctx, args: list[str], action: str) -> tuple[Pair, bool]:
    """The active pair of this program named by ``args[0]``, and whether it was confirmed."""
    words = [w.lower().lstrip("#") for w in args]
    if not words or not words[0].isdigit() or len(words[0]) > 9:
        raise UserError(f"pairs.usage.{action}")
    pair = ctx.session.get(Pair, int(words[0]))
    ctx.adopt_program(pair.program_id if pair is not None else None)  # a digest's button
    if pair is None or pair.program_id != ctx.program().id:
        raise UserError("pairs.unknown_pair", pair=words[0])
    if pair.status != PairStatus.ACTIVE:
        raise UserError("pairs.not_active", pair=words[0])
    return pair, words[1:] == ["confirm"]


def _people(ctx: Ctx, pair_id: int) -> list[tuple[Member, Person]]:
    """Everyone in the pair, in the order they were linked."""
    ids = pairs_db.members_of_pairs(session=ctx.session, pair_ids=[pair_id])[pair_id]
    found = {
        m.id: (m, p)
        for m, p in pairs_db.members_with_people(session=ctx.session, member_ids=set(ids))
    }
    return [found[m] for m in ids if m in found]


def _names(people: list[tuple[Member, Person]]) -> Text:
    return Text.join([Text.user(p.display_name or p.platform_user_id) for _, p in people], ", ")


def _confirm(ctx: Ctx, action: str, pair_id: int, told: Text, names: Text) -> Message:
    """What would happen, who will be told, and the confirm/cancel buttons."""
    return Message(
        (
            Section(ctx.t(f"pairs.confirm.{action}", pair=pair_id, names=names, told=told)),
            Buttons(
                (
                    Button(
                        ctx.prompts.text("pairs.button.confirm"),
                        f"admin {action} {pair_id} confirm",
                        "danger" if action != "pair-nudge" else "primary",
                    ),
                    Button(ctx.prompts.text("pairs.button.cancel"), "admin pairs"),
                )
            ),
        )
    )


def admin_pair_nudge(ctx: Ctx, args: list[str]) -> Reply:
    """Send the pair's silent people (everyone, when nobody is silent) the reminder now."""
    pair, confirmed = _pair_of(ctx, args, "pair-nudge")
    assert pair.id is not None
    people = _people(ctx, pair.id)
    health = pair_health(ctx.session, [pair.id], ctx.now, ctx.settings)[pair.id]
    silent = set(health.silent_member_ids)
    chosen = [(m, p) for m, p in people if m.id in silent] or people
    if not confirmed:
        return _confirm(ctx, "pair-nudge", pair.id, _names(chosen), _names(people))
    timings = {m.id or 0: PersonTiming.of(p) for m, p in people}
    for member, person in chosen:
        assert member.id is not None
        message = nudge_message(ctx.prompts_for(person), member.id, timings)
        ctx.dm(person, message, dedupe_key=f"engage:{pair.id}:{member.id}:admin:{ctx.now.date()}")
    return ctx.say("pairs.done.pair-nudge", told=_names(chosen))


def _end(ctx: Ctx, args: list[str], action: str, reason: EndReason, detail: str) -> Reply:
    """End the pair (after a confirmation), tell both, and for a rematch put both first."""
    pair, confirmed = _pair_of(ctx, args, action)
    assert pair.id is not None
    people = _people(ctx, pair.id)
    if not confirmed:
        return _confirm(ctx, action, pair.id, _names(people), _names(people))
    lifecycle.end_pairs(
        ctx.session, registry_of(ctx), [pair], reason=reason, now=ctx.now, detail=detail
    )
    for member, person in people:
        if reason == EndReason.REMATCH:
            member.match_priority += 1
            ctx.session.add(member)
        others = _names([(m, p) for m, p in people if m.id != member.id])
        notice = ctx.say_to(
            person,
            f"pairs.notice.{action}",
            name=person.display_name or person.platform_user_id,
            partner=others,
            program=ctx.program().name,
        )
        ctx.dm(person, notice, dedupe_key=f"{action}:{pair.id}:{person.id}")
    return ctx.say(f"pairs.done.{action}", told=_names(people))


def admin_pair_end(ctx: Ctx, args: list[str]) -> Reply:
    """End a pair as removed by an admin (both told)."""
    return _end(ctx, args, "pair-end", EndReason.REMOVED, "admin_end")


def admin_pair_rematch(ctx: Ctx, args: list[str]) -> Reply:
    """End a pair for a rematch: both told and back in the next round."""
    return _end(ctx, args, "pair-rematch", EndReason.REMATCH, "admin_rematch")


def partner(ctx: Ctx, args: list[str]) -> Reply:
    """``partner wait|switch pair:<id>``: the answer to the offer of a new match."""
    member = ctx.require_member()
    choice = args[0].lower() if args else ""
    if choice not in ("wait", "switch"):
        raise UserError("pairs.usage.partner")
    chosen, _rest = take_pair(ctx, my_pairs(ctx, member), args[1:])
    if chosen is None:
        raise UserError("pairs.usage.partner")
    if choice == "wait":
        return ctx.say("pairs.engage.kept", partner=chosen.names())
    lifecycle.end_pairs(
        ctx.session,
        registry_of(ctx),
        [chosen.pair],
        reason=EndReason.INACTIVE,
        now=ctx.now,
        detail=PARTNER_SILENT,
        by_member_id=member.id,
    )
    member.match_priority += 1
    ctx.session.add(member)
    for other in chosen.partners:
        notice = ctx.say_to(
            other,
            "pairs.engage.partner_moved_on",
            name=other.display_name or other.platform_user_id,
            program=ctx.program().name,
        )
        ctx.dm(other, notice, dedupe_key=f"{PARTNER_SILENT}:{chosen.pair_id}:{other.id}")
    return ctx.say("pairs.engage.switched", partner=chosen.names())
