"""Capacity planning (issue 28): the preview says how many mentees cannot be placed and why,
and its button asks the mentors at capacity to take one more mentee.
"""

from __future__ import annotations

from sqlmodel import select

from bot.events import Action
from bot.replies import Buttons, Message
from storage.engine import transaction
from storage.models import MatchRun, Member, Person
from tests.conftest import actor, text_of
from tests.matching.test_rounds import join, outbox

ENGLISH = "languages English"


def cohort(bot) -> None:
    """Four mentors with room for one each (hal speaks only Japanese), one mentor on a break
    and one nobody can reach; five English-speaking mentees (kim in Auckland, whose hours meet
    no mentor's) and two who speak only Portuguese.
    """
    for name in ("cat", "dan", "gus", "fay"):
        join(bot, name, "mentor", "skills python", ENGLISH)
    join(bot, "hal", "mentor", "skills python", "languages Japanese")
    for name in ("amy", "ben", "cy", "di"):
        join(bot, name, "mentee", "wants python", ENGLISH)
    join(bot, "kim", "mentee", "wants python", ENGLISH, "timezone Pacific/Auckland")
    for name in ("pia", "pao"):
        join(bot, name, "mentee", "wants python", "languages Portuguese")
    press(bot, "fay", "pause 4 weeks")
    with transaction(bot.engine) as s:
        gus = s.exec(select(Person).where(Person.platform_user_id == "gus")).one()
        gus.unreachable_since, gus.unreachable_reason = bot.clock.now(), "dms_closed"
        s.add(gus)


def press(bot, who: str, command: str) -> str:
    """``who`` presses a button carrying ``command`` (or types it)."""
    return text_of(bot.handle(Action(actor(who), command)))


def preview(bot) -> Message:
    reply = bot.handle(Action(actor("admin"), "admin match"))
    assert isinstance(reply, Message)
    return reply


def button(reply: Message, label: str) -> str:
    commands = [b.command for p in reply.parts if isinstance(p, Buttons) for b in p.buttons]
    found = [c for c in commands if c.startswith(label)]
    assert len(found) == 1, commands
    return found[0]


def capacity_of(bot, who: str) -> int:
    with transaction(bot.engine) as s:
        return s.exec(
            select(Member.capacity).join(Person).where(Person.platform_user_id == who)
        ).one()


def asked(bot) -> list[tuple[str, str]]:
    """(mentor, the DM's text) of every capacity question queued."""
    return [
        (r.target_ids[0], Message.from_json(r.payload).plain())
        for r in outbox(bot, "capacity-ask:")
    ]


def test_the_preview_names_the_numbers_and_the_reasons(bot):
    """7 mentees, 4 free places (cat, dan, gus, hal): 3 placed, 4 not: 2 for want of places
    (kim among them, whose hours no mentor's overlap) and 2 for want of Portuguese.
    """
    cohort(bot)
    text = preview(bot).plain()
    assert "*Capacity*: 7 mentees waiting, 4 free mentor places; 4 mentees can't be placed" in text
    assert "Not enough mentor places: 2 mentees" in text
    assert "No mentor speaks their language: Portuguese (2)" in text
    assert "Short of a place, and no mentor's hours overlap theirs: Pacific/Auckland (1)" in text
    assert (
        "What would help: 2 more mentor places; mentors whose hours overlap Pacific/Auckland "
        "(for 1 mentee); 2 mentees need a mentor who speaks Portuguese." in text
    )
    with transaction(bot.engine) as s:
        facts = s.exec(select(MatchRun)).one().summary["capacity"]
    assert facts == {
        "mentees": 7,
        "places": 4,
        "unplaced": 4,
        "short": 2,
        "languages": [["Portuguese", 2]],
        "zones": [["Pacific/Auckland", 1]],
        "other": {},
    }


def test_the_button_asks_exactly_the_mentors_at_capacity_once(bot):
    """cat and dan are full once the preview is published; gus is unreachable, fay on a
    break, hal has room (nobody speaks Japanese): only cat and dan are asked, once.
    """
    cohort(bot)
    command = button(preview(bot), "admin capacity ask ")
    assert "Asked 2 mentors at capacity" in press(bot, "admin", command)
    dms = asked(bot)
    assert sorted(who for who, _ in dms) == ["cat", "dan"]
    assert all("4 mentees are still waiting" in text for _, text in dms)
    assert all("your limit of 1 mentee. Could you take one more?" in text for _, text in dms)

    again = press(bot, "admin", command)
    assert "Asked 0 mentors" in again and "2 mentors at capacity were asked in the last 7" in again
    assert len(asked(bot)) == 2


def test_a_mentor_who_takes_one_more_is_counted_in_the_next_preview(bot):
    """ "Take one more" raises cat's capacity once (a second press changes nothing), "Not now"
    keeps dan's; the next preview has one more place and places one more mentee.
    """
    cohort(bot)
    press(bot, "admin", button(preview(bot), "admin capacity ask "))
    rows = outbox(bot, "capacity-ask:")
    by_mentor = {r.target_ids[0]: Message.from_json(r.payload) for r in rows}
    more, not_now = (
        button(by_mentor["cat"], "capacity more"),
        button(by_mentor["dan"], "capacity notnow"),
    )

    assert "isn't open any more" in press(bot, "amy", more)  # someone else's button
    assert "You can now mentor up to 2 mentees" in press(bot, "cat", more)
    assert "Already done: you can mentor up to 2 mentees" in press(bot, "cat", more)
    assert capacity_of(bot, "cat") == 2
    assert "your limit stays at 1 mentee" in press(bot, "dan", not_now)
    assert capacity_of(bot, "dan") == 1

    text = preview(bot).plain()
    assert "7 mentees waiting, 5 free mentor places; 3 mentees can't be placed" in text
    assert "Not enough mentor places: 1 mentee" in text


def test_someone_not_an_admin_cannot_ask(bot):
    """The button pressed (or typed) by a mentee is refused and asks nobody."""
    cohort(bot)
    command = button(preview(bot), "admin capacity ask ")
    assert "Only program admins can do that" in press(bot, "amy", command)
    assert asked(bot) == []


def test_a_round_where_everyone_fits_says_nothing_of_capacity(bot):
    """Enough places: no capacity section and nothing to ask."""
    join(bot, "cat", "mentor", "skills python", ENGLISH, "capacity 3")
    join(bot, "amy", "mentee", "wants python", ENGLISH)
    reply = preview(bot)
    assert "amy & cat" in reply.plain() and "*Capacity*" not in reply.plain()
    commands = [b.command for p in reply.parts if isinstance(p, Buttons) for b in p.buttons]
    assert not [c for c in commands if c.startswith("admin capacity")]


def test_the_terminal_preview_shows_the_capacity_section(bot, settings):
    """``mentorbot match`` prints the same numbers (without the chat's button)."""
    import io

    from rich.console import Console

    from bot.cli.match import run_match

    cohort(bot)
    out = io.StringIO()
    code = run_match(
        settings,
        program_id=None,
        seed=None,
        fresh="",
        publish_now=False,
        console=Console(file=out, width=200),
    )
    text = out.getvalue()
    assert code == 0
    assert "7 mentees waiting, 4 free mentor places; 4 mentees can't be placed" in text
    assert "What would help: 2 more mentor places" in text
    assert "Ask mentors to raise" not in text


SPANISH = """
[capacity]
ask = "*{program}*: {waiting} esperan mentor y tienes tu límite de {capacity}. ¿Puedes con uno más?"
more_done = "¡Gracias! Ahora puedes mentorizar hasta {capacity}."

[button]
capacity_more = "Uno más"
"""


def test_each_mentor_is_asked_in_their_own_language(settings, clock, engine, tmp_path):
    """cat chose Spanish (a coordinator's locale folder has these words): cat's question,
    button and thanks are in Spanish, dan's question and the admin's answer in English.
    """
    from dataclasses import replace

    from adapters.surfaces import surfaces
    from bot.app import build_bot

    folder = tmp_path / "words" / "locales" / "es"
    folder.mkdir(parents=True)
    (folder / "capacity.toml").write_text(SPANISH, encoding="utf-8")
    mine = replace(settings, bot=replace(settings.bot, prompts_dir=str(tmp_path / "words")))
    bot = build_bot(mine, clock=clock, engine=engine, surfaces=surfaces())
    cohort(bot)
    press(bot, "cat", "language es")
    assert "Asked 2 mentors" in press(bot, "admin", button(preview(bot), "admin capacity ask "))
    rows = {r.target_ids[0]: Message.from_json(r.payload) for r in outbox(bot, "capacity-ask:")}
    assert "¿Puedes con uno más?" in rows["cat"].plain()
    assert "Could you take one more?" in rows["dan"].plain()
    labels = [b.label for p in rows["cat"].parts if isinstance(p, Buttons) for b in p.buttons]
    assert labels[0] == "Uno más"
    assert "¡Gracias! Ahora puedes mentorizar hasta 2" in press(
        bot, "cat", button(rows["cat"], "capacity more")
    )


def test_a_mentor_full_with_an_ongoing_pair_is_asked(bot):
    """Round two: cat keeps her pair with amy (capacity 1), so the newcomer can't be placed;
    cat is full without any new pair and is the one asked.
    """
    join(bot, "cat", "mentor", "skills python", ENGLISH)
    join(bot, "amy", "mentee", "wants python", ENGLISH)
    preview(bot)
    press(bot, "admin", "admin publish")
    join(bot, "ben", "mentee", "wants python", ENGLISH)
    reply = preview(bot)
    assert "1 mentee waiting, 0 free mentor places; 1 mentee can't be placed" in reply.plain()
    assert "Asked 1 mentor at capacity" in press(bot, "admin", button(reply, "admin capacity ask "))
    assert [who for who, _ in asked(bot)] == ["cat"]
