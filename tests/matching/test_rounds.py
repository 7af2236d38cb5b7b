"""Matching rounds end to end through the commands: preview, publish, intros, rematch."""

from __future__ import annotations

from sqlmodel import select

from adapters.surfaces import DISCORD, surfaces
from bot.events import Actor, Command
from bot.replies import Message
from storage.engine import transaction
from storage.models import MatchRule, Member, OutboxMessage, Pair, PairMember, Person
from tests.conftest import run, text_of


def admin(bot, command: str) -> str:
    return run(bot, f"admin {command}", who="admin")


def join(bot, name: str, role: str, *settings: str) -> None:
    run(bot, f"join {role}", who=name)
    for setting in settings:
        run(bot, f"profile set {setting}", who=name)


def outbox(bot, prefix: str = "") -> list[OutboxMessage]:
    with transaction(bot.engine) as s:
        rows = s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return [r for r in rows if r.dedupe_key.startswith(prefix)]


def active_pairs(bot) -> list[set[str]]:
    with transaction(bot.engine) as s:
        pairs = s.exec(select(Pair).where(Pair.status == "active")).all()
        out = []
        for pair in pairs:
            names = s.exec(
                select(Person.platform_user_id)
                .join(Member, Member.person_id == Person.id)
                .join(PairMember, PairMember.member_id == Member.id)
                .where(PairMember.pair_id == pair.id)
            ).all()
            out.append(set(names))
        return out


def small_cohort(bot) -> None:
    join(bot, "amy", "mentee", "wants python", "languages English")
    join(bot, "ben", "mentee", "wants design", "languages English")
    join(bot, "cat", "mentor", "skills Python", "languages English")
    join(bot, "dan", "mentor", "skills design, figma", "languages English")


def test_preview_sends_nothing_and_publish_introduces_once(bot):
    """A preview changes nothing visible; publish introduces each pair once, even if repeated."""
    small_cohort(bot)
    before = len(outbox(bot))
    reply = admin(bot, "match")
    assert "2 pairs, 0 people unmatched" in reply
    assert "amy & cat" in reply and "cat can help with Python" in reply
    assert "ben & dan" in reply
    assert len(outbox(bot)) == before
    assert active_pairs(bot) == []

    assert "2 pairs matched, 2 introductions" in admin(bot, "publish")
    assert sorted(map(sorted, active_pairs(bot))) == [["amy", "cat"], ["ben", "dan"]]
    intros = outbox(bot, "intro:")
    assert len(intros) == 2
    assert {tuple(r.target_ids) for r in intros} == {("amy", "cat"), ("ben", "dan")}
    assert all(r.target_kind == "group" for r in intros)
    body = Message.from_json(intros[0].payload).plain()
    assert "meet each other" in body and "Why you two" in body
    assert "Times that suit you both" in body and "First meeting tips" in body

    assert "no preview to publish" in admin(bot, "publish")
    assert len(outbox(bot, "intro:")) == 2


def test_the_intro_names_who_has_not_set_availability_in_good_grammar(bot):
    """One person without availability, or two: the sentence reads right either way."""
    join(bot, "amy", "mentee", "wants python", "availability mon-fri 09:00-17:00")
    join(bot, "cat", "mentor", "skills Python")
    join(bot, "ben", "mentee", "wants design")
    join(bot, "dan", "mentor", "skills design")
    admin(bot, "match")
    admin(bot, "publish")
    bodies = {
        tuple(r.target_ids): Message.from_json(r.payload).plain() for r in outbox(bot, "intro:")
    }
    one, two = bodies[("amy", "cat")], bodies[("ben", "dan")]
    assert "No availability set yet for cat, so these times assume weekday office hours" in one
    assert "No availability set yet for ben and dan, so these times assume" in two
    assert "haven't set their availability" not in one + two


def test_publishing_the_same_run_twice_does_not_double_introduce(bot):
    """Dedupe keys: publishing a proposal again queues no second introduction."""
    from bot.matching.publish import publish
    from bot.matching.rounds import load_proposal
    from storage.models import MatchRun, Program

    small_cohort(bot)
    admin(bot, "match")
    for _ in range(2):
        with transaction(bot.engine) as s:
            program = s.exec(select(Program)).one()
            match_run = s.exec(select(MatchRun)).one()
            proposal = load_proposal(s, match_run, bot.settings)
            publish(
                s,
                program,
                proposal,
                bot.settings,
                bot.prompts,
                now=bot.clock.now(),
                registry=bot.registry,
                group_dm=bot.surface_of(program.platform).group_dm,
            )
    assert len(outbox(bot, "intro:")) == 2


def test_everyone_unmatched_is_told_why_and_gets_priority(bot):
    """More mentees than places: the one left out gets a DM with the reason and priority."""
    join(bot, "amy", "mentee", "wants python")
    join(bot, "ben", "mentee", "wants python")
    join(bot, "cat", "mentor", "skills python")
    reply = admin(bot, "match")
    assert "1 pair, 1 person unmatched" in reply
    assert "more mentees than mentor places" in reply
    admin(bot, "publish")
    told = outbox(bot, "unmatched:")
    assert len(told) == 1
    left_out = told[0].target_ids[0]
    assert "more mentees than mentor places" in Message.from_json(told[0].payload).plain()
    with transaction(bot.engine) as s:
        members = {
            p.platform_user_id: m
            for m, p in s.exec(
                select(Member, Person).join(Person, Person.id == Member.person_id)
            ).all()
        }
    assert members[left_out].match_priority == 1
    # Next round (a fresh one), the person left out is matched first.
    join(bot, "dan", "mentee", "wants python")
    reply = admin(bot, "match fresh all")
    assert f"{left_out} & cat" in reply


def test_paused_and_left_people_are_not_matched(bot):
    """Only active members take part."""
    small_cohort(bot)
    run(bot, "pause 2 weeks", who="amy")
    run(bot, "leave confirm", who="dan")
    reply = admin(bot, "match")
    assert "amy" not in reply and "dan" not in reply
    assert "ben & cat" in reply


def test_ongoing_pairs_keep_going_and_capacity_counts_them(bot):
    """A normal round matches only people waiting; a mentor's active mentees use capacity."""
    join(bot, "amy", "mentee")
    join(bot, "cat", "mentor", "capacity 2")
    admin(bot, "match")
    admin(bot, "publish")
    join(bot, "ben", "mentee")
    join(bot, "eve", "mentee")
    reply = admin(bot, "match")
    assert "1 pair, 1 person unmatched" in reply
    assert "amy" not in reply.split("Not matched")[0]


def test_fresh_round_re_pairs_everyone_and_avoids_repeats(bot):
    """`fresh all` ends current pairs on publish and does not repeat last round's partners."""
    small_cohort(bot)
    admin(bot, "match")
    admin(bot, "publish")
    first = sorted(map(sorted, active_pairs(bot)))
    reply = admin(bot, "match fresh all")
    assert "Pairs this round would end* (2)" in reply
    assert "amy & cat: a fresh round for everyone" in reply
    admin(bot, "publish")
    second = sorted(map(sorted, active_pairs(bot)))
    assert first == [["amy", "cat"], ["ben", "dan"]]
    assert second == [["amy", "dan"], ["ben", "cat"]]


def test_blocks_and_pins(bot):
    """Admins block and pin pairs by name or mention; both change the next preview."""
    small_cohort(bot)
    assert "will never be paired" in admin(bot, "block amy <@cat>")
    assert "amy & dan" in admin(bot, "match")
    assert "Removed the block" in admin(bot, "unblock amy cat")
    assert "will be paired" in admin(bot, "pin ben cat")
    reply = admin(bot, "match")
    assert "ben & cat" in reply and "amy & dan" in reply
    assert 'can\'t find "zed"' in admin(bot, "pin zed cat")
    assert "same person" in admin(bot, "block amy amy")
    assert "Name two people" in admin(bot, "block amy")
    assert "There's no block" in admin(bot, "unblock amy cat")


def test_same_seed_same_result(bot):
    """With identical candidates, the seed decides ties, reproducibly."""
    for name in ("amy", "ben", "cal"):
        join(bot, name, "mentee")
    for name in ("dan", "eve", "fay"):
        join(bot, name, "mentor")
    a = admin(bot, "match seed 7")
    b = admin(bot, "match seed 7")
    assert a == b
    outcomes = {admin(bot, f"match seed {s}").split("\n")[2] for s in range(8)}
    assert len(outcomes) > 1


def test_peer_program_makes_a_trio_when_odd(bot):
    """Five peers become one pair and one trio; nobody is left out."""
    run(bot, "admin program set kind peer", who="admin")
    for name in ("amy", "ben", "cal", "dan", "eve"):
        join(bot, name, "peer")
    reply = admin(bot, "match")
    assert "2 pairs, 0 people unmatched" in reply
    admin(bot, "publish")
    sizes = sorted(len(p) for p in active_pairs(bot))
    assert sizes == [2, 3]
    assert sorted(len(r.target_ids) for r in outbox(bot, "intro:")) == [2, 3]


def test_discord_gets_one_intro_dm_per_person(bot):
    """Where group DMs are not available, each person gets their own introduction."""

    def as_discord(name: str, command: str) -> str:
        who = Actor("discord", name, name, "guild1", surface=DISCORD)
        return text_of(bot.handle(Command(who, command)))

    from dataclasses import replace

    # Admins are configured per platform.
    bot.settings = replace(bot.settings, admins=replace(bot.settings.admins, discord=("boss",)))
    as_discord("amy", "join mentee")
    as_discord("cat", "join mentor")
    as_discord("cat", "profile set skills python")
    assert "1 pair," in as_discord("boss", "admin match")
    as_discord("boss", "admin publish")
    intros = outbox(bot, "intro:")
    assert sorted(r.target_ids[0] for r in intros) == ["amy", "cat"]
    assert all(r.target_kind == "user" and r.platform == "discord" for r in intros)
    amy = next(r for r in intros if r.target_ids == ["amy"])
    assert "Meet *cat*, your mentor" in Message.from_json(amy.payload).plain()


def test_matching_is_admin_only(bot):
    """Non-admins cannot preview or publish."""
    assert "Only program admins" in run(bot, "admin match")
    assert "Only program admins" in run(bot, "admin publish")


def test_rematch_ends_gently_and_tells_admins_privately(bot):
    """rematch ends the pair, tells the partner kindly (no reason), admins get the reason."""
    small_cohort(bot)
    admin(bot, "match")
    admin(bot, "publish")
    asked = run(bot, "rematch our schedules clash", who="amy")
    assert "This ends your pairing with cat" in asked and "[Yes, end this pairing]" in asked
    assert len(active_pairs(bot)) == 2  # nothing ends before the confirmation
    done = run(bot, "rematch confirm our schedules clash", who="amy")
    assert "go before anyone new" in done
    assert active_pairs(bot) == [{"ben", "dan"}]
    partner = outbox(bot, "rematch:")
    assert [r.target_ids for r in partner] == [["cat"]]
    partner_text = Message.from_json(partner[0].payload).plain()
    assert "come to an end" in partner_text and "schedules" not in partner_text
    admins = outbox(bot, "rematch-admin:")
    assert [r.target_ids for r in admins] == [["admin"]]
    assert "our schedules clash" in Message.from_json(admins[0].payload).plain()
    with transaction(bot.engine) as s:
        assert len(s.exec(select(MatchRule).where(MatchRule.kind == "block")).all()) == 1
    assert "don't have a partner" in run(bot, "rematch again", who="amy")
    assert "Tell the admins briefly why" in run(bot, "rematch", who="ben")


def test_match_cli_previews_and_publishes(bot, settings, tmp_path):
    """`mentorbot match` shows the pairs in a table and --publish queues the introductions."""
    import io

    from rich.console import Console

    from bot.cli.match import run_match

    small_cohort(bot)
    out = io.StringIO()
    code = run_match(
        settings,
        program_id=None,
        seed=3,
        fresh="",
        publish_now=False,
        console=Console(file=out, width=160),
    )
    assert code == 0
    text = out.getvalue()
    assert "2 pairs, 0 unmatched, seed 3" in text and "amy & cat" in text
    assert "optimal: no other pairing (around any pinned pairs) matches more people" in text
    assert outbox(bot, "intro:") == []
    run_match(
        settings,
        program_id=None,
        seed=3,
        fresh="",
        publish_now=True,
        console=Console(file=io.StringIO(), width=160),
        surfaces=surfaces(),
    )
    assert len(outbox(bot, "intro:")) == 2
    out = io.StringIO()
    assert (
        run_match(
            settings,
            program_id=99,
            seed=None,
            fresh="",
            publish_now=False,
            console=Console(file=out),
        )
        == 1
    )
    assert "No such program" in out.getvalue()


def test_a_side_with_nobody_waiting(bot):
    """No mentees (all on a break), or no mentors: a clear preview, not an error."""
    join(bot, "amy", "mentee")
    run(bot, "pause 2 weeks", who="amy")
    join(bot, "cat", "mentor")
    reply = admin(bot, "match")
    assert "0 pairs, 1 person unmatched" in reply
    assert "cat" in reply and "no mentees waiting" in reply
    run(bot, "resume", who="amy")
    run(bot, "leave confirm", who="cat")
    reply = admin(bot, "match")
    assert "amy" in reply and "no mentors available" in reply


def test_a_round_reports_its_progress_from_zero_to_done(bot):
    """What `mentorbot match` draws its bar and time estimate from: phases in order, each
    with a share of the work done that only grows."""
    from bot.matching.rounds import propose
    from storage.models import Program

    small_cohort(bot)
    steps: list[tuple[str, float]] = []
    with transaction(bot.engine) as s:
        program = s.exec(select(Program)).one()
        propose(
            s,
            program,
            bot.settings,
            bot.prompts,
            now=bot.clock.now(),
            progress=lambda msg, done: steps.append((msg, done)),
        )
    names = [msg.split(" ")[0] for msg, _ in steps]
    assert names[0] == "loading" and names[-1] == "explaining"
    assert "scoring" in names and "solving" in names and "checking" in names
    shares = [done for _, done in steps]
    assert shares == sorted(shares) and shares[0] == 0.0 and 0.9 <= shares[-1] < 1.0


def test_a_peer_nobody_can_take_as_a_third_hears_a_true_peer_reason(bot):
    """Three peers where only bob speaks both languages: one pair forms, and the one left
    out is told it was an odd round no pair could take them in, not a mentoring reason."""
    run(bot, "admin program set kind peer", who="admin")
    join(bot, "amy", "peer", "languages English")
    join(bot, "bob", "peer", "languages English, French")
    join(bot, "zoe", "peer", "languages French")
    reply = admin(bot, "match")
    assert "1 pair, 1 person unmatched" in reply
    assert "the odd one out, and no pair they fit could take a third" in reply
    admin(bot, "publish")
    [told] = outbox(bot, "unmatched:")
    said = Message.from_json(told.payload).plain()
    assert "odd number of people" in said and "mentor" not in said
