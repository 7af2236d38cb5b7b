"""Plain answers to a nudge: "yes", "not yet", "sí", "todavía no" typed in the DM after
"did you meet?".

Read only when the DM is no command and the person has a nudge out that they haven't answered
(:meth:`bot.registry.Registry.free_text_reader`); the whole reply must be one of the phrases
``checkin`` understands, in the person's language or English
(:mod:`bot.checkins.answer_words`), so nothing is guessed. The answer goes to the latest open
nudge, is said back in words, and with open nudges for several partners the person is asked
which. Such a reply with nothing waiting for it is told so kindly (:func:`nothing_to_answer`),
not taken for an unknown command.
"""

from __future__ import annotations

from bot.checkins.answer_words import take_outcome
from bot.checkins.commands import checkin
from bot.checkins.planner import OUTCOME_BUTTONS
from bot.context import Ctx
from bot.pair_choice import PAIR_TOKEN, PairChoice, ask_which, my_pairs
from bot.replies import Message, Reply, Section
from bot.spans import Text
from storage import checkins as checkins_db
from storage import repo
from storage.models import CheckIn, CheckInOutcome, Member, MemberStatus

_LABELS = {outcome: label for outcome, label, _ in OUTCOME_BUTTONS}


def read_plain_answer(ctx: Ctx, words: list[str]) -> Reply | None:
    """Record a plain reply to the person's latest open nudge; None when it is not an answer
    or no nudge of theirs is open (the DM is then handled as usual).
    """
    outcome, rest = take_outcome(words, ctx.prompts)
    if outcome is None or rest:
        return None
    member = _member_waiting(ctx)
    if member is None or member.status == MemberStatus.LEFT:
        return None
    assert member.id is not None
    waiting = _open_by_pair(ctx, member.id)
    if not waiting:
        return None
    command = f"checkin {outcome.value}"
    if len(waiting) > 1:
        tails = {choice.pair_id: [_day(row)] for choice, row in waiting}
        return ask_which(ctx, [choice for choice, _ in waiting], command, [], tails=tails)
    choice, row = waiting[0]
    done = checkin(ctx, [outcome.value, f"{PAIR_TOKEN}{choice.pair_id}", _day(row)])
    said = Section(
        ctx.t(
            "checkin.plain_understood",
            reply=" ".join(words),
            answer=Text.trusted(ctx.prompts.text(_LABELS[_button_word(outcome)])),
            partner=choice.names(),
            day=Text.trusted(_day(row)),
        )
    )
    return Message((said, *done.parts)) if isinstance(done, Message) else done


def nothing_to_answer(ctx: Ctx, words: list[str]) -> Reply | None:
    """A plain check-in answer ("yes", "not yet") with no nudge waiting for it: say so, and
    how to log a meeting; None for anything else.
    """
    outcome, rest = take_outcome(words, ctx.prompts)
    if outcome is None or rest:
        return None
    return ctx.say("checkin.plain_nothing_waiting")


def _member_waiting(ctx: Ctx) -> Member | None:
    """The membership the answer is for: the event's program's when it is known (or the
    only one), else the membership, in any of the person's programs, with the latest nudge
    waiting (its program becomes the event's); None when nothing waits anywhere.
    """
    if ctx.chosen_program() is not None or len(ctx.live_programs()) < 2:
        return ctx.member()
    assert ctx.person.id is not None
    live = {p.id for p in ctx.live_programs()}
    best: tuple[CheckIn, Member] | None = None
    for member, program in repo.memberships(session=ctx.session, person_id=ctx.person.id):
        if program.id not in live or member.id is None or member.status == MemberStatus.LEFT:
            continue
        rows = checkins_db.open_nudges(session=ctx.session, member_id=member.id, now=ctx.now)
        if rows and (best is None or _later(rows[0], best[0])):
            best = (rows[0], member)
    if best is None:
        return None
    ctx.use_program(best[1].program_id)
    return best[1]


def _later(row: CheckIn, than: CheckIn) -> bool:
    """Whether the nudge ``row`` is due after ``than``."""
    assert row.due_at is not None and than.due_at is not None
    return (row.due_at, row.id or 0) > (than.due_at, than.id or 0)


def _open_by_pair(ctx: Ctx, member_id: int) -> list[tuple[PairChoice, CheckIn]]:
    """Per active pair with a nudge out and unanswered: the pair and its latest such nudge."""
    rows = checkins_db.open_nudges(session=ctx.session, member_id=member_id, now=ctx.now)
    if not rows:
        return []
    latest: dict[int, CheckIn] = {}
    for row in rows:  # latest first
        latest.setdefault(row.pair_id, row)
    member = ctx.require_member()
    return [(c, latest[c.pair_id]) for c in my_pairs(ctx, member) if c.pair_id in latest]


def _day(row: CheckIn) -> str:
    assert row.cycle_on is not None
    return row.cycle_on.isoformat()


def _button_word(outcome: CheckInOutcome) -> str:
    """The outcome as the nudge's buttons name it ("skip" for skipped)."""
    return "skip" if outcome == CheckInOutcome.SKIPPED else outcome.value
