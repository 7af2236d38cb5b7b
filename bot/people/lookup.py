"""Who an admin means: a mention (``<@U123>``), a platform id, a display name or a first name.

The most exact kind of match wins: a platform id or mention, then a whole display name, then
a first name. Several people at the same level are ambiguous (the caller asks which); nobody
is unknown. Forgotten people are never found.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from storage import personal, repo
from storage.models import Member, Person


@dataclass(frozen=True)
class Someone:
    """A member of the program and the person behind it."""

    member: Member
    person: Person

    @property
    def name(self) -> str:
        """The display name (the platform id when there is none)."""
        return self.person.display_name or self.person.platform_user_id

    @property
    def member_id(self) -> int:
        """The membership's id."""
        assert self.member.id is not None
        return self.member.id


class NotFound(Exception):
    """Nobody in the program goes by ``reference``."""

    def __init__(self, reference: str) -> None:
        super().__init__(reference)
        self.reference = reference


class Ambiguous(Exception):
    """Several people go by ``reference``: ``matches`` says who."""

    def __init__(self, reference: str, matches: list[Someone]) -> None:
        super().__init__(reference)
        self.reference = reference
        self.matches = matches


def _clean(reference: str) -> str:
    ref = reference.strip()
    if ref.startswith("<@") and ref.endswith(">"):
        ref = ref[2:-1].split("|", 1)[0].lstrip("!&")
    return ref.lstrip("@").strip()


def find_all(session: Session, program_id: int, reference: str) -> list[Someone]:
    """Everyone in the program ``reference`` names at the most exact level that names anyone."""
    ref = _clean(reference)
    if not ref:
        return []
    people = [
        Someone(m, p)
        for m, p in repo.members_of(session=session, program_id=program_id)
        if not personal.is_forgotten_id(p.platform_user_id)
    ]
    wanted = ref.casefold()
    levels = (
        lambda s: s.person.platform_user_id == ref,
        lambda s: s.person.display_name.casefold() == wanted,
        lambda s: s.person.platform_user_id.casefold() == wanted,
        lambda s: (s.person.display_name.casefold().split() or [""])[0] == wanted,
    )
    for level in levels:
        found = [s for s in people if level(s)]
        if found:
            return found
    return []


def find_one(session: Session, program_id: int, reference: str) -> Someone:
    """The one person ``reference`` names; raises :class:`NotFound` or :class:`Ambiguous`."""
    found = find_all(session, program_id, reference)
    if not found:
        raise NotFound(reference)
    if len(found) > 1:
        raise Ambiguous(reference, found)
    return found[0]
