"""How circles are worded on the console: the intro's reasons speak to the group, the
preview names a waiting person's whole circle, ``admin program`` shows the circle sizes."""

from __future__ import annotations

from sqlmodel import select

from bot.replies import Message
from storage.engine import transaction
from storage.models import Member, Person
from tests.conftest import run
from tests.matching.test_rounds import admin, join, outbox


def group(bot) -> None:
    """max mentors Python; amy, ben and cal want it; all of them speak English."""
    run(bot, "admin program set kind circles", who="admin")
    for name in ("amy", "ben", "cal"):
        join(bot, name, "mentee", "wants python", "languages English")
    join(bot, "max", "mentor", "skills Python", "languages English")


def test_the_intro_says_why_this_circle_for_the_whole_group(bot):
    """The reasons name the group: everyone's language, and whom the mentor can help with
    what; never "you both speak"."""
    group(bot)
    admin(bot, "match")
    admin(bot, "publish")
    [intro] = outbox(bot, "intro:")
    body = Message.from_json(intro.payload).plain()
    why = next(line for line in body.splitlines() if "Why this circle" in line)
    assert "all of you speak English" in why
    assert "max can help amy, ben, and cal with Python" in why
    assert "you both speak" not in body and "can help with" not in body


def test_peer_circle_reasons_say_who_can_share_what_with_whom(bot):
    """In a peer circle each peer who can share a skill is named with those who want it."""
    run(bot, "admin program set kind circles", who="admin")
    join(bot, "ann", "peer", "skills Python", "languages English")
    join(bot, "bo", "peer", "wants python", "languages English")
    join(bot, "cy", "peer", "wants python", "languages English")
    admin(bot, "match")
    admin(bot, "publish")
    body = Message.from_json(outbox(bot, "intro:")[0].payload).plain()
    assert "ann can share Python with bo and cy" in body
    assert "all of you speak English" in body


def test_the_preview_names_the_circle_a_waiting_person_joins(bot):
    """amy waited from an earlier round: the preview names everyone in her circle."""
    group(bot)
    with transaction(bot.engine) as s:
        amy = s.exec(select(Member).join(Person).where(Person.platform_user_id == "amy")).one()
        amy.match_priority = 1
        s.add(amy)
    preview = admin(bot, "match")
    assert "placed first, in the circle with max, ben, and cal" in preview


def test_admin_program_shows_the_circle_sizes(bot):
    """A circles program shows its circle sizes, the defaults until the admin sets them."""
    assert "circle" not in run(bot, "admin program", who="admin").lower()
    run(bot, "admin program set kind circles", who="admin")
    shown = run(bot, "admin program", who="admin")
    assert "4-8 people with a mentor, 3-6 for peers (the defaults)" in shown
    run(bot, "admin program set circle 3-5", who="admin")
    assert "3-5 people per circle, a mentor included" in run(bot, "admin program", who="admin")
