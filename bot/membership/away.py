"""A mentor away until a date: their mentees hear when and until when, in their own zone, and
hear again when the mentor is back (at the date, or sooner when the mentor resumes).

The "back" notice is queued in the outbox for the day the break ends, so the database holds
the schedule: an early ``resume`` sends it now instead, a new ``pause`` replaces it, and a
pair that ends in between withdraws it.
"""

from __future__ import annotations

from datetime import datetime

from bot.context import Ctx
from bot.delivery import Target
from bot.outbox import enqueue
from bot.registry import PairEnded
from bot.spans import Text
from bot.time.format import local_day
from bot.time.nudges import LocalRules, next_sensible
from bot.time.zones import get_zone
from storage import outbox as outbox_db
from storage import pairs as pairs_db
from storage.models import Member, Pair, Person, Role


def is_away_mentor(member: Member) -> bool:
    """Whether a break of ``member`` pauses their pairs (a mentor's does; see the planner)."""
    return member.role == Role.MENTOR


def _back_prefix(member_id: int) -> str:
    return f"back:{member_id}:"


def _partners(ctx: Ctx, member: Member) -> list[tuple[Pair, Person]]:
    assert member.id is not None
    out = []
    for pair in pairs_db.active_pairs_of(session=ctx.session, member_id=member.id):
        assert pair.id is not None
        for partner in pairs_db.partners_in(
            session=ctx.session, pair_id=pair.id, except_member_id=member.id
        ):
            out.append((pair, partner))
    return out


def _their_day(ctx: Ctx, instant: datetime, locale: str) -> Text:
    """The day the break ends as the mentor chose it (in the mentor's zone, as the mentor was
    told it): a mentee behind the mentor's zone would otherwise read the day before.
    """
    zone = get_zone(ctx.person.timezone or ctx.settings.program.default_timezone)
    return Text.trusted(local_day(instant, zone, locale))


def rules_of(ctx: Ctx, person: Person) -> LocalRules:
    """When ``person`` may be messaged (zone, quiet hours, weekend)."""
    return LocalRules.for_person(person, default_timezone=ctx.settings.program.default_timezone)


def _queue_back(ctx: Ctx, member: Member, until: datetime, *, at: datetime) -> None:
    """The "your mentor is back" notice to each mentee, sent at ``at``."""
    for pair, partner in _partners(ctx, member):
        target = Target(
            partner.platform, ctx.actor.workspace_id, "user", (partner.platform_user_id,)
        )
        enqueue(
            ctx.session,
            dedupe_key=f"{_back_prefix(member.id or 0)}{until.isoformat()}:{pair.id}:{partner.id}",
            target=target,
            message=ctx.say_to(partner, "pause.mentor_back", name=ctx.person.display_name),
            # at the end of the break, or later if that falls in their night or quiet hours;
            # an early resume is news now, like the other notices a person's action sends
            not_before=at if at <= ctx.now else next_sensible(at, rules_of(ctx, partner)),
            now=ctx.now,
            program_id=ctx.program().id,
        )


def _withdraw_back(ctx: Ctx, member: Member) -> None:
    """Drop the back notices still waiting for ``member``'s break to end."""
    keys = outbox_db.keys_with_prefix(session=ctx.session, prefix=_back_prefix(member.id or 0))
    outbox_db.delete_pending(session=ctx.session, keys=sorted(keys))


def tell_away(ctx: Ctx, member: Member, until: datetime) -> None:
    """Tell a mentor's mentees they are away until ``until`` (a day in each mentee's zone),
    and queue the notice that they are back for that moment.
    """
    _withdraw_back(ctx, member)  # a new pause replaces the old one's return
    for pair, partner in _partners(ctx, member):
        ctx.dm(
            partner,
            ctx.say_to(
                partner,
                "pause.mentor_away",
                name=ctx.person.display_name,
                until=_their_day(ctx, until, ctx.prompts_for(partner).locale),
            ),
            dedupe_key=f"away:{member.id}:{until.isoformat()}:{pair.id}:{partner.id}",
        )
    _queue_back(ctx, member, until, at=until)


def tell_back(ctx: Ctx, member: Member, until: datetime) -> None:
    """A mentor resumed before ``until``: their mentees hear it now, not on that day."""
    _withdraw_back(ctx, member)
    _queue_back(ctx, member, until, at=ctx.now)


def withdraw_for_ended_pairs(ended: PairEnded) -> None:
    """A pair that ended during a break gets no "back" notice."""
    pairs = {str(pair_id) for pair_id in ended.pair_ids}
    keys = outbox_db.keys_with_prefix(session=ended.session, prefix="back:")
    gone = [key for key in keys if key.split(":")[-2] in pairs]
    outbox_db.delete_pending(session=ended.session, keys=sorted(gone))
