"""Every field of a profile and the time zone, through the core: ``profile set``, ``clear``,
the profile form, ``timezone``; happy paths and bad input."""

from __future__ import annotations

import pytest

from bot.events import Command, FormSubmitted
from bot.replies import Form, FormErrors, Message
from tests.conftest import actor, run
from tests.membership.helpers import member_of, person_of

# -- profile ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("skills", "python, SQL, python", "python, SQL"),
        ("wants", "system design; public speaking", "system design, public speaking"),
        ("goals", "Lead a project by June", "Lead a project by June"),
        ("languages", "English, Spanish", "English, Spanish"),
        ("availability", "mon-fri 9-17; sat 10am-12pm", "mon-fri 09:00-17:00; sat 10:00-12:00"),
        ("quiet", "22:00-7:00", "22:00-07:00"),
        ("team", "Platform", "Platform"),
        ("tz", "tokyo", "Asia/Tokyo"),
    ],
)
def test_profile_set(bot, field, value, shown):
    """Each field is parsed, normalised, stored and echoed."""
    run(bot, "join mentee")
    reply = run(bot, f"profile set {field} {value}")
    assert f": {shown}" in reply
    assert shown in run(bot, "profile")


def test_profile_capacity_for_mentors_only(bot):
    """Capacity is a mentor setting with a range."""
    run(bot, "join mentee")
    assert "Capacity is for mentors" in run(bot, "profile set capacity 2")
    run(bot, "profile set role mentor")
    assert "Saved your mentee capacity: 3" in run(bot, "profile set capacity 3")
    assert "whole number from 1 to 10" in run(bot, "profile set capacity 11")
    assert member_of(bot).capacity == 3


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("profile set colour blue", 'no profile field called "colour"'),
        ("profile set availability whenever", "couldn't read those times"),
        ("profile set availability mon 17-9", "must end after it starts"),
        ("profile set quiet late", "Quiet hours look like"),
        ("profile set role boss", "isn't a role here"),
        ("profile set skills", "What should your skills be?"),
        ("profile frobnicate", "profile set <field> <value>"),
        ("profile set skills " + ",".join(f"s{i}" for i in range(25)), "more than 20 items"),
        ("profile set skills " + "x" * 80, "up to 60 characters"),
    ],
)
def test_profile_bad_input(bot, command, expected):
    """Each bad value gets a specific message."""
    run(bot, "join mentee")
    run(bot, "profile set skills python")
    assert expected in run(bot, command)
    assert member_of(bot).skills_offered == ["python"]


def test_profile_clear(bot):
    """clear empties a field; the role cannot be cleared."""
    run(bot, "join mentee")
    run(bot, "profile set wants rust")
    assert "Cleared your skills you want" in run(bot, "profile clear wants")
    assert member_of(bot).skills_wanted == []
    assert "can't be empty" in run(bot, "profile clear role")


def test_member_fields_need_membership(bot):
    """Program fields need a membership; personal ones (time zone) do not."""
    assert "not in the program yet" in run(bot, "profile set skills python")
    assert "Asia/Tokyo" in run(bot, "profile set timezone Tokyo")


def test_profile_form_round_trip(bot):
    """profile edit returns a form; a valid submission saves every field."""
    run(bot, "join mentor")
    form = bot.handle(Command(actor(), "profile edit"))
    assert isinstance(form, Form)
    names = [f.name for f in form.fields]
    assert {"skills", "wants", "goals", "availability", "capacity"} <= set(names)
    reply = bot.handle(
        FormSubmitted(
            actor(), "profile", {"skills": "go, k8s", "capacity": "2", "goals": "Share what I know"}
        )
    )
    assert isinstance(reply, Message)
    member = member_of(bot)
    assert member.skills_offered == ["go", "k8s"] and member.capacity == 2
    assert member.goals == "Share what I know"


def test_profile_form_errors_save_nothing(bot):
    """One bad field: errors come back per field and no field is saved."""
    run(bot, "join mentor")
    reply = bot.handle(
        FormSubmitted(
            actor(), "profile", {"skills": "go", "capacity": "99", "availability": "sometimes"}
        )
    )
    assert isinstance(reply, FormErrors)
    assert set(reply.errors) == {"capacity", "availability"}
    assert member_of(bot).skills_offered == []


# -- timezone -----------------------------------------------------------------------------


def test_timezone_by_city_and_show(bot):
    """A city name sets the IANA zone; timezone alone shows it with the local time."""
    assert "time zone: America/New_York" in run(bot, "timezone New York")
    assert "it's Sun 22 Nov 2026, 07:00 there now" in run(bot, "timezone")


def test_timezone_offset_warns_about_dst(bot):
    """A UTC offset is accepted with a note that it won't follow daylight saving."""
    reply = run(bot, "timezone UTC+5:30")
    assert "UTC+5:30" in reply and "doesn't follow daylight saving" in reply


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("Atlantis", 'I don\'t know the time zone "Atlantis"'), ("Londn", "Did you mean London")],
)
def test_timezone_unknown(bot, typed, expected):
    """Unknown zones get a clear message (with a suggestion when close) and keep the old one."""
    run(bot, "timezone Paris")
    assert expected in run(bot, f"timezone {typed}")
    assert person_of(bot).timezone == "Europe/Paris"


def test_timezone_not_set(bot):
    """timezone with none set says how to set one."""
    assert "haven't set a time zone" in run(bot, "timezone")
