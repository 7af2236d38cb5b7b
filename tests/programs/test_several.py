"""Several programs in one workspace through the console bot: the program word, the only
membership, the picker, ``admin program new|list|archive``, per-program admins, matching and
forget across programs; a workspace with one program never sees a picker."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from sqlmodel import select

from adapters.surfaces import SLACK
from bot.events import Action, Command, FormSubmitted
from bot.replies import Buttons, File, Form, Message
from storage.engine import transaction
from storage.models import Member, MemberStatus, OutboxMessage, Pair, Person, Program
from tests.conftest import actor, run, text_of

PICKER = "Which program is this for?"


def _two(bot) -> None:
    """A mentoring program ``default`` and a peer program ``coffee``."""
    run(bot, "admin program", who="admin")  # the first program, from the defaults
    reply = run(bot, "admin program new coffee peer Coffee chats", who="admin")
    assert "Created *Coffee chats* (`coffee`), a peer program" in reply


def _memberships(bot, name: str) -> dict[str, tuple[str, str]]:
    """The person's memberships: program slug -> (role, status)."""
    with transaction(bot.engine) as s:
        person = s.exec(select(Person).where(Person.platform_user_id == name)).one()
        rows = s.exec(
            select(Member, Program)
            .join(Program, Program.id == Member.program_id)
            .where(Member.person_id == person.id)
        ).all()
        return {p.slug: (m.role, m.status) for m, p in rows}


def _buttons(reply) -> list[tuple[str, str]]:
    assert isinstance(reply, Message), reply
    return [(b.label, b.command) for p in reply.parts if isinstance(p, Buttons) for b in p.buttons]


def _press(bot, command: str, who: str = "alice") -> str:
    return text_of(bot.handle(Action(actor(who), command)))


def test_a_command_without_a_program_asks_and_the_buttons_run_it_there(bot):
    """`join` with two programs asks which, with a button per program carrying the same
    command and the program's short name; pressing one joins that program."""
    _two(bot)
    reply = bot.handle(Command(actor(), "join"))
    assert PICKER in text_of(reply)
    assert _buttons(reply) == [
        ("Mentorship program (default)", "join default"),
        ("Coffee chats (coffee)", "join coffee"),
    ]
    assert "You joined *Coffee chats* as a peer" in _press(bot, "join coffee")
    # Being in one program says nothing about joining another: join still asks.
    assert PICKER in run(bot, "join mentee")
    picked = _buttons(bot.handle(Command(actor(), "join mentee")))
    assert picked[0] == ("Mentorship program (default)", "join default mentee")
    assert "You joined *Mentorship program* as a mentee" in _press(bot, picked[0][1])
    assert _memberships(bot, "alice") == {
        "coffee": ("peer", MemberStatus.ACTIVE),
        "default": ("mentee", MemberStatus.ACTIVE),
    }


def test_the_program_word_is_taken_for_user_and_admin_commands(bot):
    """The first word after a command naming a program (its short name in any case, or its
    name) chooses it and is not seen by the command."""
    _two(bot)
    assert "You joined *Coffee chats* as a peer" in run(bot, "join COFFEE")
    assert "You joined *Mentorship program* as a mentor" in run(
        bot, "join default mentor", who="bob"
    )
    status = run(bot, "status coffee")
    assert "*Coffee chats*: your status" in status and "Mentorship" not in status
    members = run(bot, "admin members coffee", who="admin")
    assert "*Coffee chats*: 1 member" in members and "bob" not in members
    assert "*Mentorship program*: 1 member" in run(bot, "admin members default", who="admin")
    settings = run(bot, "admin program coffee", who="admin")
    assert "Coffee chats" in settings and "peer" in settings
    assert "Updated: cadence is now weekly" in run(
        bot, "admin program coffee set cadence weekly", who="admin"
    )
    with transaction(bot.engine) as s:
        cadences = {p.slug: p.cadence for p in s.exec(select(Program)).all()}
    assert cadences == {"default": "biweekly", "coffee": "weekly"}


def test_a_member_of_one_program_is_never_asked(bot):
    """Someone in only one of the programs gets that one for member commands; someone in
    both is asked for leave and sees each program in status."""
    _two(bot)
    run(bot, "join coffee")
    for command in ("status", "pause 2 weeks", "resume", "profile set skills python"):
        assert PICKER not in run(bot, command), command
    assert "*Coffee chats*: your status" in run(bot, "status")
    assert "Do you really want to leave *Coffee chats*" in run(bot, "leave")
    run(bot, "join default mentee")
    both = run(bot, "status")
    assert "You're in 2 programs" in both
    assert "*Mentorship program*: your status" in both and "*Coffee chats*: your status" in both
    reply = bot.handle(Command(actor(), "leave"))
    assert _buttons(reply) == [
        ("Mentorship program (default)", "leave default"),
        ("Coffee chats (coffee)", "leave coffee"),
    ]
    confirm = bot.handle(Action(actor(), "leave coffee"))
    # The confirmation's buttons carry the program, so pressing them acts there.
    assert _buttons(confirm) == [
        ("Yes, leave", "leave coffee confirm"),
        ("Stay", "leave coffee cancel"),
    ]
    assert "You've left *Coffee chats*" in _press(bot, "leave coffee confirm")
    assert _memberships(bot, "alice")["coffee"][1] == MemberStatus.LEFT
    assert _memberships(bot, "alice")["default"][1] == MemberStatus.ACTIVE


def test_help_names_the_programs_and_never_asks(bot):
    """help lists the programs' short names and how to choose one, without a picker."""
    _two(bot)
    reply = run(bot, "help")
    assert PICKER not in reply
    assert "`default` (Mentorship program), `coffee` (Coffee chats)" in reply
    assert "`/mentor status coffee`" in reply


def test_admin_commands_ask_which_program_and_matching_is_per_program(bot):
    """`admin match` asks; `admin match coffee` previews coffee's people only, and its
    publish button carries the program; pairs and their report stay in their program."""
    _two(bot)
    for who in ("alice", "bob"):
        run(bot, "join coffee", who=who)
    run(bot, "join default mentee", who="carol")
    run(bot, "join default mentor", who="dave")
    reply = bot.handle(Command(actor("admin"), "admin match"))
    assert PICKER in text_of(reply)
    assert [c for _l, c in _buttons(reply)] == ["admin match default", "admin match coffee"]
    preview = bot.handle(Command(actor("admin"), "admin match coffee"))
    assert "1 pair" in text_of(preview) and "carol" not in text_of(preview)
    publish = next(c for _l, c in _buttons(preview) if "publish" in c)
    assert publish.startswith("admin publish coffee ")
    assert "Published" in _press(bot, publish, who="admin")
    pairs = run(bot, "admin pairs coffee", who="admin")
    assert "alice" in pairs and "carol" not in pairs
    assert "There are no active pairs yet" in run(bot, "admin pairs default", who="admin")
    with transaction(bot.engine) as s:
        coffee = s.exec(select(Program).where(Program.slug == "coffee")).one()
        assert {p.program_id for p in s.exec(select(Pair)).all()} == {coffee.id}


def test_admin_program_new_checks_the_short_name(bot):
    """Short names: lowercase letters, digits and dashes, 2-30, no command word, not taken
    (archived programs keep theirs); the kind and the name are optional."""
    _two(bot)
    for bad in ("A", "x", "no spaces", "-dash", "a" * 31, "über"):
        assert "can't be a program's short name" in run(
            bot, f"admin program new '{bad}'", who="admin"
        ), bad
    for word in ("status", "join", "help", "set", "list"):
        assert "a word commands already use" in run(bot, f"admin program new {word}", who="admin")
    assert "already taken by *Coffee chats*" in run(bot, "admin program new coffee", who="admin")
    created = run(bot, "admin program new mentoring-2027", who="admin")
    assert "Created *mentoring-2027* (`mentoring-2027`), a mentoring program" in created
    assert "Give the new program a short name" in run(bot, "admin program new", who="admin")
    assert "Only program admins" in run(bot, "admin program new tea")


def test_list_archive_and_an_archived_program_does_nothing(bot):
    """`admin program list` shows kind, members, pairs and archived; archive asks first,
    then withdraws the program's unsent messages and leaves the pickers."""
    _two(bot)
    run(bot, "join coffee")
    run(bot, "join default mentee", who="bob")
    listed = run(bot, "admin program list", who="admin")
    assert "Mentorship program (default): mentoring, 1 active member, 0 active pairs" in listed
    assert "Coffee chats (coffee): peer, 1 active member, 0 active pairs" in listed
    ask = bot.handle(Command(actor("admin"), "admin program archive coffee"))
    assert "Archive *Coffee chats*?" in text_of(ask)
    assert _buttons(ask)[0][1] == "admin program archive coffee confirm"
    with transaction(bot.engine) as s:
        coffee = s.exec(select(Program).where(Program.slug == "coffee")).one()
        assert coffee.archived_at is None  # asking changed nothing
        waiting = s.exec(select(OutboxMessage).where(OutboxMessage.program_id == coffee.id)).all()
        assert len(waiting) == 1  # alice's welcome
    done = _press(bot, "admin program archive coffee confirm", who="admin")
    assert "Archived *Coffee chats*. 1 message still waiting" in done
    with transaction(bot.engine) as s:
        coffee = s.exec(select(Program).where(Program.slug == "coffee")).one()
        assert coffee.archived_at is not None
        assert (
            s.exec(select(OutboxMessage).where(OutboxMessage.program_id == coffee.id)).all() == []
        )
    assert "archived on" in run(bot, "admin program list", who="admin")
    # One live program again: nobody is asked which.
    assert PICKER not in run(bot, "admin match", who="admin")
    assert "*Mentorship program*" in run(bot, "help")
    assert "There's no program called `nosuch`" in run(
        bot, "admin program archive nosuch", who="admin"
    )


def test_a_program_can_be_renamed_by_its_short_name(bot):
    """`admin program set slug` changes the word people type."""
    _two(bot)
    renamed = run(bot, "admin program coffee set slug chats", who="admin")
    assert "Updated: slug is now chats" in renamed
    assert "You joined *Coffee chats*" in run(bot, "join chats")
    assert "already taken" in run(bot, "admin program chats set slug default", who="admin")


def test_a_programs_own_admins_run_admin_commands_there_only(bot):
    """`admin program set admins` names a program's admins: they run admin commands in that
    program (chosen for them) and are refused in another; [admins] are admins everywhere."""
    _two(bot)
    run(bot, "join coffee", who="bob")
    run(bot, "join default mentee", who="dave")
    assert "Only program admins" in run(bot, "admin members", who="carol")
    assert "Updated: admins is now carol" in run(
        bot, "admin program coffee set admins @carol", who="admin"
    )
    members = run(bot, "admin members", who="carol")
    assert "*Coffee chats*: 1 member" in members and "bob" in members
    assert "not an admin of *Mentorship program*" in run(bot, "admin members default", who="carol")
    assert "Only program admins" in run(bot, "admin program new tea", who="carol")
    assert "/mentor admin" in run(bot, "help", who="carol")
    assert "carol" in run(bot, "admin program coffee", who="admin")
    # The configured admin still picks; carol's membership elsewhere changes nothing.
    assert PICKER in run(bot, "admin members", who="admin")
    run(bot, "forget confirm", who="carol")  # forgotten: no longer anyone's admin
    with transaction(bot.engine) as s:
        assert s.exec(select(Program).where(Program.slug == "coffee")).one().admins == []
    assert "Only program admins" in run(bot, "admin members", who="carol")


def test_a_form_opened_for_a_program_lands_in_it(bot):
    """On a surface with forms, `join coffee` opens the join form marked for coffee; its
    answers join coffee even though the submission names no program."""
    _two(bot)
    slack = replace(actor(), surface=SLACK)
    form = bot.handle(Command(slack, "join coffee"))
    assert isinstance(form, Form) and form.form_id == "join@coffee"
    reply = bot.handle(FormSubmitted(slack, form.form_id, {"timezone": "Europe/Lisbon"}))
    assert "You joined *Coffee chats* as a peer" in text_of(reply)
    assert _memberships(bot, "alice") == {"coffee": ("peer", MemberStatus.ACTIVE)}
    assert "recognise that form" in text_of(
        bot.handle(FormSubmitted(slack, "join@nosuch", {"timezone": "UTC"}))
    )


def _match(bot, slug: str) -> None:
    preview = bot.handle(Command(actor("admin"), f"admin match {slug}"))
    publish = next(c for _l, c in _buttons(preview) if "publish" in c)
    assert "Published" in _press(bot, publish, who="admin")


def test_export_and_forget_cover_every_program(bot):
    """A person's export lists each program they are in; forget ends their pairs and
    memberships in all of them."""
    _two(bot)
    run(bot, "join coffee")
    run(bot, "join coffee", who="bob")
    run(bot, "join default mentee")
    run(bot, "join default mentor", who="dave")
    _match(bot, "coffee")
    _match(bot, "default")
    reply = bot.handle(Command(actor(), "export"))
    assert PICKER not in text_of(reply)
    assert isinstance(reply, Message)
    data = json.loads(next(p for p in reply.parts if isinstance(p, File)).content)
    programs = sorted(m["program"] for m in data["memberships"])
    assert programs == ["Coffee chats", "Mentorship program"]
    with transaction(bot.engine) as s:
        alice = s.exec(select(Person).where(Person.platform_user_id == "alice")).one().id
        assert {p.status for p in s.exec(select(Pair)).all()} == {"active"}
    assert PICKER not in run(bot, "forget")
    run(bot, "forget confirm")
    with transaction(bot.engine) as s:
        members = s.exec(select(Member).where(Member.person_id == alice)).all()
        assert len(members) == 2 and {m.status for m in members} == {MemberStatus.LEFT}
        pairs = s.exec(select(Pair)).all()
        assert len(pairs) == 2 and {p.status for p in pairs} == {"ended"}


SINGLE = (
    "help",
    "status",
    "join",
    "join mentee",
    "status",
    "pause 2 weeks",
    "resume",
    "profile",
    "goals",
    "leave",
)
ADMIN = ("admin members", "admin program", "admin match", "admin pairs", "admin program list")


@pytest.mark.parametrize("who,commands", [("alice", SINGLE), ("admin", ADMIN)])
def test_a_workspace_with_one_program_never_sees_a_picker(bot, who, commands):
    """With one program nobody is asked which, and no command needs a program word."""
    for command in commands:
        reply = bot.handle(Command(actor(who), command))
        assert PICKER not in text_of(reply), command
        if isinstance(reply, Message):  # no button grows a program word either
            assert all(" default" not in c for _l, c in _buttons(reply)), command


def test_a_programs_own_admins_get_its_digest_only(bot):
    """The weekly digest of each program goes to the configured admins and to that
    program's own admins; another program's admin does not get it."""
    from datetime import timedelta

    from bot.checkins.digest import queue_digests

    _two(bot)
    run(bot, "admin program coffee set admins carol", who="admin")
    monday_ten = bot.clock.now() + timedelta(days=1, hours=-2)  # Monday 10:00 UTC
    with transaction(bot.engine) as s:
        queue_digests(s, now=monday_ten, settings=bot.settings, prompts=bot.prompts)
    with transaction(bot.engine) as s:
        slugs = {p.id: p.slug for p in s.exec(select(Program)).all()}
        sent = {
            (slugs[m.program_id], m.dedupe_key.rsplit(":", 1)[1])
            for m in s.exec(select(OutboxMessage)).all()
            if m.dedupe_key.startswith("digest:")
        }
    assert ("coffee", "carol") in sent and ("default", "carol") not in sent
    assert {("coffee", "admin"), ("default", "admin")} <= sent


def test_a_button_about_one_pair_acts_in_its_program(bot):
    """Someone in two programs pressing a button that names a pair (``pair:<id>``) is not
    asked which program: the pair's is taken; typing the command alone asks."""
    _two(bot)
    for who in ("alice", "bob"):
        run(bot, "join coffee", who=who)
    run(bot, "join default mentee")
    _match(bot, "coffee")
    with transaction(bot.engine) as s:
        pair_id = s.exec(select(Pair)).one().id
    assert PICKER in run(bot, "checkin met")
    answer = _press(bot, f"checkin met pair:{pair_id}")
    assert PICKER not in answer and "bob" in answer
