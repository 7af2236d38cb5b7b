"""What choosing sends: the request card a mentor answers, and the kind word to a mentee
when a request ends. Every message goes through the outbox in the reader's language, once per
request and person.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.delivery import Target
from bot.matching.reasons import render_reasons
from bot.outbox import enqueue
from bot.prompts import Prompts
from bot.replies import Button, Buttons, Context, Fields, Message, Part, Section
from bot.spans import Text
from bot.time.format import local_when
from bot.time.zones import get_zone, zone_label
from storage.models import Member, MentorChoice, Person, Program


def tell(
    session: Session, program: Program, person: Person, message: Message, *, key: str, now: datetime
) -> None:
    """Queue ``message`` to ``person`` (a DM), once per ``key``."""
    enqueue(
        session,
        dedupe_key=key,
        target=Target(program.platform, program.workspace_id, "user", (person.platform_user_id,)),
        message=message,
        not_before=now,
        now=now,
        program_id=program.id,
    )


def when_for(prompts: Prompts, person: Person, instant: datetime, default_zone: str) -> Text:
    """``instant`` in ``person``'s zone and language."""
    zone = get_zone(person.timezone or default_zone)
    return Text.trusted(local_when(instant, zone, prompts.locale))


def card(
    prompts: Prompts,
    program: Program,
    choice: MentorChoice,
    mentee: tuple[Member, Person],
    reasons: list[dict[str, Any]],
    *,
    answer_by: Text,
    zone: str,
) -> Message:
    """The request as the mentor reads it: who asks, their profile (``zone``: the mentee's),
    why they fit, by when, and Accept / Decline.
    """
    member, person = mentee
    none = prompts.render("profile.not_set")
    profile = Fields(
        (
            (prompts.text("match.label.wants"), Text.user(", ".join(member.skills_wanted)) or none),
            (prompts.text("match.label.goals"), Text.user(member.goals) or none),
            (prompts.text("match.label.timezone"), Text.user(zone_label(zone))),
        )
    )
    why = "; ".join(render_reasons(prompts, reasons))
    parts: list[Part] = [
        Section(prompts.render("choose.card", mentee=person.display_name, program=program.name)),
        profile,
        Section(prompts.render("choose.card_why", reasons=why)),
        Buttons(
            (
                Button(
                    prompts.text("button.choose_accept"), f"choose accept {choice.id}", "primary"
                ),
                Button(prompts.text("button.choose_decline"), f"choose decline {choice.id}"),
            )
        ),
        Context(prompts.render("choose.card_hint", when=answer_by)),
    ]
    return Message(tuple(parts))


def to_mentee(prompts: Prompts, key: str, mentor: str) -> Message:
    """A request of theirs ended without a pair (``key``): said kindly, with a way to choose
    again.
    """
    return Message(
        (
            Section(prompts.render(key, mentor=mentor)),
            Buttons((Button(prompts.text("button.choose_again"), "choose"),)),
        )
    )
