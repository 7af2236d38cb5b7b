"""What a coordinator's trial with three programs found: the picker offers only the person's
programs, person-level commands never ask which program, a plain "yes" finds its question in
any program, and the program settings read well."""

from __future__ import annotations

from sqlmodel import select

from bot.events import Command, DirectMessage
from bot.replies import Buttons, Message
from storage.engine import transaction
from storage.models import OutboxMessage, Person, Program
from tests.conftest import actor, run, text_of
from tests.conversations.helpers import Chat

PICKER = "Which program is this for?"
SEVERAL = "There are several programs here"


def _three(bot) -> None:
    """``default`` (mentoring), ``coffee`` (peer, weekly rounds) and ``circ`` (circles)."""
    run(bot, "admin program", who="admin")
    run(bot, "admin program new coffee peer Coffee chats", who="admin")
    run(bot, "admin program new circ circles Circles", who="admin")


def _buttons(reply) -> list[str]:
    assert isinstance(reply, Message), reply
    return [b.command for p in reply.parts if isinstance(p, Buttons) for b in p.buttons]


def test_the_picker_offers_only_the_persons_programs(bot):
    """A member of default and coffee is offered those two, and the hint names one of them."""
    _three(bot)
    run(bot, "join default mentee")
    run(bot, "join coffee")
    reply = bot.handle(Command(actor(), "checkin not-yet"))
    assert PICKER in text_of(reply)
    assert _buttons(reply) == ["checkin default not-yet", "checkin coffee not-yet"]
    assert "circ" not in text_of(reply)


def test_join_offers_the_programs_one_could_join_with_a_valid_example(bot):
    """`join` offers the programs the person is not in yet; `join mentor` only those taking
    mentors, and the hint's example is one that works."""
    _three(bot)
    run(bot, "join default mentee")
    reply = bot.handle(Command(actor(), "join"))
    assert _buttons(reply) == ["join coffee", "join circ"]
    assert "default" not in text_of(reply)
    reply = bot.handle(Command(actor("bob"), "join mentor"))
    assert _buttons(reply) == ["join default mentor", "join circ mentor"]
    assert "coffee" not in text_of(reply)
    assert "`/mentor join coffee peer`" in run(bot, "join coffee mentor", who="carol")


def test_person_level_commands_never_ask(bot):
    """Time zone, language and the person's profile fields apply everywhere: no picker, for
    a member of two programs and for someone in none; a per-program field with no
    membership says to join first."""
    _three(bot)
    run(bot, "join default mentee")
    run(bot, "join coffee")
    for who in ("alice", "zed"):
        for command in (
            "timezone Europe/Lisbon",
            "timezone",
            "language es",
            "language auto",
            "profile set languages en, pt",
            "profile set team Platform",
            "profile set quiet 22:00-07:00",
            "profile set availability weekdays 9-17",
            "profile set country PT",
            "profile clear team",
        ):
            reply = run(bot, command, who=who)
            assert PICKER not in reply and SEVERAL not in reply, (who, command, reply)
    with transaction(bot.engine) as s:
        zones = {p.platform_user_id: p.timezone for p in s.exec(select(Person)).all()}
    assert zones["alice"] == zones["zed"] == "Europe/Lisbon"
    skills = run(bot, "profile set skills python", who="zed")
    assert PICKER not in skills and "not in the program yet" in skills


def test_a_plain_yes_finds_the_question_in_any_program(bot):
    """No check-in waiting: the usual "nothing waiting" reply, never "several programs"."""
    _three(bot)
    run(bot, "join default mentee")
    run(bot, "join coffee")
    for words in ("yes", "not yet"):
        reply = text_of(bot.handle(DirectMessage(actor(), words)))
        assert SEVERAL not in reply and PICKER not in reply, reply


async def test_a_plain_yes_answers_the_nudge_of_the_program_it_came_from(bot):
    """alice is in default and coffee; coffee's nudge waits: her "yes" answers it there."""
    chat = Chat(bot)
    await chat.say("/mentor admin program", who="admin")
    await chat.say("/mentor admin program new coffee peer Coffee chats", who="admin")
    await chat.say("/mentor admin program coffee set cadence weekly", who="admin")
    await chat.say("/mentor join default mentee", who="alice")
    for who in ("alice", "bob"):
        await chat.say("/mentor join coffee", who=who)
    preview = await chat.say("/mentor admin match coffee", who="admin")
    assert "1 pair" in preview
    await chat.say("/mentor admin publish coffee", who="admin")
    await chat.say("/time +9d", who="admin")
    reply = await chat.say("yes", who="alice")
    assert SEVERAL not in reply and PICKER not in reply, reply
    assert 'I took "yes" as *We met*' in reply and "with bob" in reply


def _welcomes(bot) -> list[str]:
    """The welcome DMs queued, as text, oldest first."""
    with transaction(bot.engine) as s:
        rows = s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        return [
            "".join(span[0] for part in r.payload["parts"] for span in part.get("text", []))
            for r in rows
            if r.dedupe_key.startswith("welcome:")
        ]


def test_the_welcome_of_a_second_program_names_it_in_its_profile_steps(bot):
    """In one program the steps read as always; joining a second, they name the program."""
    _three(bot)
    run(bot, "join default mentee")
    run(bot, "join coffee")
    first, second = _welcomes(bot)
    assert "/mentor profile set wants" in first
    assert "/mentor profile coffee set wants" in second
    assert "/mentor profile set availability" in second


def test_program_settings_say_what_changed_and_show_circle_zone_and_rounds(bot):
    """A circles program shows its circle sizes; a change is confirmed with its new value;
    weekly rounds read "every week"; the rounds' zone is a setting, checked as people's are."""
    _three(bot)
    circle = run(bot, "admin program circ set circle 3-6", who="admin")
    assert "Updated: circle is now 3-6 people per circle, a mentor included." in circle
    assert "Updated the program's" not in circle
    assert "circle" not in run(bot, "admin program coffee", who="admin").split("rounds")[0]
    rounds = run(bot, "admin program coffee set rounds weekly at monday 09:00", who="admin")
    assert "Updated: rounds is now every week, monday at 09:00" in rounds, rounds
    assert "every 1 week" not in rounds
    assert "rounds every week" in run(bot, "admin program list", who="admin")
    zone = run(bot, "admin program coffee set zone Europe/Madrid", who="admin")
    assert "Updated: zone is now Europe/Madrid." in zone
    assert "monday at 09:00 (Europe/Madrid)" in zone
    with transaction(bot.engine) as s:
        zones = {p.slug: p.timezone for p in s.exec(select(Program)).all()}
    assert zones == {"default": None, "coffee": "Europe/Madrid", "circ": None}
    unknown = run(bot, "admin program coffee set zone Narnia", who="admin")
    assert "Narnia" in unknown and "Traceback" not in unknown and "Updated" not in unknown


def test_an_admin_command_takes_the_program_word_after_its_arguments(bot):
    """`admin round 1 default` reads `default` as the program, not as a bad argument."""
    _three(bot)
    run(bot, "admin program default set rounds weekly at monday 09:00", who="admin")
    assert "every week, monday" in run(bot, "admin rounds default", who="admin")
    reply = run(bot, "admin round 1 default", who="admin")
    assert "Use `/mentor admin round <id>`" not in reply and PICKER not in reply
    assert "There's no round" not in reply
    assert reply == run(bot, "admin round 1", who="admin")
