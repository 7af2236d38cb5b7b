"""Which of someone's pairs a command is about.

A mentor with several mentees has several active pairs, so every command about "my pair"
(check-in, feedback, rematch) names the pair: buttons carry ``pair:<id>``, and typed commands
may start with the partner's name. With several partners and no name, the command asks which,
with one button per partner.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass

from bot.context import Ctx
from bot.errors import UserError
from bot.pairs import lifecycle
from bot.pairs.lifecycle import EndReason
from bot.registry import registry_of
from bot.replies import Button, Buttons, Message, Section
from bot.spans import Text
from storage import pairs as pairs_db
from storage import repo
from storage.models import Member, Pair, Person

PAIR_TOKEN = "pair:"
MAX_BUTTON_COMMAND = 100  # Discord's custom_id limit; longer commands cannot be buttons


@dataclass(frozen=True)
class PairChoice:
    """One of someone's active pairs with the other people in it."""

    pair: Pair
    partners: tuple[Person, ...]

    @property
    def pair_id(self) -> int:
        """The pair's id."""
        assert self.pair.id is not None
        return self.pair.id

    def names(self) -> str:
        """The partners' names, comma-separated."""
        return ", ".join(p.display_name or p.platform_user_id for p in self.partners)


def my_pairs(ctx: Ctx, member: Member) -> list[PairChoice]:
    """The member's active pairs, oldest first, each with the other people in it."""
    assert member.id is not None
    out = []
    for pair in pairs_db.active_pairs_of(session=ctx.session, member_id=member.id):
        assert pair.id is not None
        partners = pairs_db.partners_in(
            session=ctx.session, pair_id=pair.id, except_member_id=member.id
        )
        out.append(PairChoice(pair, tuple(partners)))
    return out


def _clean(word: str) -> str:
    word = word.strip()
    if word.startswith("<@") and word.endswith(">"):
        word = word[2:-1].split("|", 1)[0].lstrip("!&")
    return word.lstrip("@").lower()


def take_pair(
    ctx: Ctx, choices: list[PairChoice], words: list[str]
) -> tuple[PairChoice | None, list[str]]:
    """Take a ``pair:<id>`` token or a leading partner name out of ``words``.

    Returns the pair they name (or the only pair there is) and the words left over. A
    ``pair:<id>`` that is not one of the person's active pairs is refused (an old or someone
    else's button).
    """
    rest = list(words)
    for k, word in enumerate(rest):
        if word.lower().startswith(PAIR_TOKEN):
            del rest[k]
            wanted = word[len(PAIR_TOKEN) :]
            for choice in choices:
                if str(choice.pair_id) == wanted:
                    return choice, rest
            raise UserError("pairs.not_yours")
    if rest:
        # Longest run of leading words that names exactly one partner (display names may
        # have spaces); a first name alone works when it is unique.
        for length in range(min(4, len(rest)), 0, -1):
            phrase = _clean(" ".join(rest[:length]))
            found = [
                c
                for c in choices
                for p in c.partners
                if phrase
                and (
                    p.display_name.lower() == phrase
                    or p.platform_user_id.lower() == phrase
                    or (length == 1 and p.display_name.lower().split(" ")[0] == phrase)
                )
            ]
            if len({c.pair_id for c in found}) == 1:
                return found[0], rest[length:]
    if len(choices) == 1:
        return choices[0], rest
    return None, rest


def ask_which(
    ctx: Ctx,
    choices: list[PairChoice],
    command: str,
    rest: list[str],
    *,
    tails: Mapping[int, list[str]] | None = None,
) -> Message:
    """Ask "which partner is this about?" with one button per pair, carrying ``command``
    (and ``rest``, or per pair id its own words from ``tails``).
    """
    buttons = []
    dropped = False
    for choice in choices:
        words = tails.get(choice.pair_id, rest) if tails is not None else rest
        tail = shlex.join(words) if words else ""
        line = f"{command} {PAIR_TOKEN}{choice.pair_id}"
        full = f"{line} {tail}".strip()
        if len(full) > MAX_BUTTON_COMMAND:
            full, dropped = line, True
        buttons.append(Button(choice.names(), full))
    names = Text.join([Text.user(c.names()) for c in choices], ", ")
    parts: list = [
        Section(ctx.t("pairs.which", partners=names, command=Text.trusted(command))),
        Buttons(tuple(buttons)),
    ]
    if dropped:
        parts.append(Section(ctx.t("pairs.note_not_carried", command=Text.trusted(command))))
    return Message(tuple(parts))


def end_pairs(
    ctx: Ctx,
    member: Member,
    pairs: list[Pair],
    reason: EndReason,
    notice: str,
    *,
    detail: str = "",
    key: str = "",
) -> list[Member]:
    """End ``pairs`` of ``member`` now, at their request (:func:`bot.pairs.lifecycle.end_pairs`:
    every hook hears of it): every partner told (once per ``key``) and back in the next
    round; a circle carries on without them instead (:func:`bot.pairs.lifecycle.leave_pairs`).
    Returns the partners' memberships in the pairs that ended.
    """
    ids = set(
        lifecycle.leave_pairs(
            ctx.session,
            registry_of(ctx),
            ctx.prompts,
            pairs,
            [member.id or 0],
            reason=reason,
            now=ctx.now,
            detail=detail,
            by_member_id=member.id,
        )
    )
    others: list[Member] = []
    for pair in pairs:
        if pair.id not in ids:
            continue
        for partner in pairs_db.partners_in(
            session=ctx.session, pair_id=pair.id, except_member_id=member.id or 0
        ):
            assert partner.id is not None
            other = repo.find_member(
                session=ctx.session, program_id=member.program_id, person_id=partner.id
            )
            if other is not None:
                other.match_priority += 1  # waiting: placed before newcomers next round
                ctx.session.add(other)
                others.append(other)
            ctx.dm(
                partner,
                ctx.say_to(
                    partner, notice, name=ctx.person.display_name, program=ctx.program().name
                ),
                dedupe_key=f"{key or 'ended:' + reason.value}:{pair.id}:{partner.id}",
            )
    return others
