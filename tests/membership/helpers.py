"""Look-ups the membership and profile tests share: a person and their membership by user id."""

from __future__ import annotations

from sqlmodel import select

from bot.app import MentorBot
from storage.engine import transaction
from storage.models import Member, Person


def person_of(bot: MentorBot, name: str = "alice") -> Person:
    """The person whose platform user id is ``name``."""
    with transaction(bot.engine) as s:
        return s.exec(select(Person).where(Person.platform_user_id == name)).one()


def member_of(bot: MentorBot, name: str = "alice") -> Member:
    """The membership of the person whose platform user id is ``name``."""
    with transaction(bot.engine) as s:
        person = s.exec(select(Person).where(Person.platform_user_id == name)).one()
        return s.exec(select(Member).where(Member.person_id == person.id)).one()
