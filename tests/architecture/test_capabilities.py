"""Capabilities are found, not listed: every folder of ``bot`` with a ``register(registry)`` is
served in help order, a new folder needs no edit anywhere else, and features hear of each
other's changes through the registry's hooks, not by calling into each other."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import bot as bot_package
from bot.app import build_bot, build_registry, capabilities
from bot.events import Command
from bot.registry import PersonalData, Registry, ScheduleChange
from bot.replies import File, Message
from tests.conftest import actor, run

BOT = Path(bot_package.__file__).parent


def test_every_folder_with_register_is_a_capability():
    """The discovered capabilities are exactly the folders whose ``__init__`` defines
    ``register``; each says where it comes in help, and no two share a place."""
    folders = {
        f"bot.{init.parent.name}"
        for init in BOT.glob("*/__init__.py")
        if re.search(r"^def register\(registry", init.read_text(encoding="utf-8"), re.M)
    }
    found = capabilities()
    assert {m.__name__ for m in found} == folders
    positions = [m.HELP_POSITION for m in found]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)


def test_every_capability_is_served(bot):
    """Each capability's commands, forms, flows, jobs and table reach the running bot: the
    router resolves every command it registers (admin ones under ``admin``)."""
    for capability in capabilities():
        alone = Registry()
        capability.register(alone)
        for spec in alone.commands.specs():
            assert bot.router.resolve(spec.name) is not None, (capability.__name__, spec.name)
        for spec in alone.admin.specs():
            assert bot.registry.admin.resolve(spec.name) is not None, spec.name
        assert set(alone.forms) <= set(bot.registry.forms)
        assert set(alone.flows) <= set(bot.registry.flows)
        assert {j.name for j in alone.jobs} <= {j.name for j in bot.registry.jobs}
        assert set(alone.tables) <= set(bot.registry.tables)
    assert "help" in run(bot, "help").lower()


PROBE = '''
"""A capability written for the test: one folder, nothing edited elsewhere."""

from bot.replies import Message, Section
from bot.spans import Text

HELP_POSITION = 5


def register(registry):
    """Add ``probe``."""

    def probe(ctx, args):
        """Answer the probe."""
        return Message((Section(Text.trusted("probe answered")),))

    registry.commands.command("probe")(probe)
'''


def test_a_new_capability_is_one_folder(settings, clock, engine, tmp_path, monkeypatch):
    """A package dropped beside the others (here on a second path of ``bot``) is registered
    and answers its command, with no list edited anywhere."""
    folder = tmp_path / "extra" / "probecap"
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text(PROBE, encoding="utf-8")
    monkeypatch.setattr(bot_package, "__path__", [*bot_package.__path__, str(folder.parent)])
    monkeypatch.delitem(sys.modules, "bot.probecap", raising=False)
    assert capabilities()[0].__name__ == "bot.probecap"
    probe_bot = build_bot(settings, clock=clock, engine=engine)
    reply = probe_bot.handle(Command(actor("alice"), "probe"))
    assert isinstance(reply, Message) and "probe answered" in reply.plain()
    sys.modules.pop("bot.probecap", None)


def _pair(bot) -> None:
    run(bot, "join mentor", who="mia")
    run(bot, "profile set skills python", who="mia")
    run(bot, "join mentee", who="zeb")
    run(bot, "profile set wants python", who="zeb")
    run(bot, "admin match", who="admin")
    assert "Published" in run(bot, "admin publish", who="admin")


def test_hooks_hear_pairs_end_pauses_and_schedule_changes(bot):
    """Listeners registered on the bot's registry hear a timezone change (that person's
    memberships), a program schedule edit (the whole program), a pause and the pairs a
    forget ends."""
    heard: list[tuple[str, object]] = []
    bot.registry.on_pair_ended(lambda e: heard.append(("ended", (e.reason, list(e.pair_ids)))))
    bot.registry.on_member_paused(lambda _s, _now, member: heard.append(("paused", member)))

    def changed(change: ScheduleChange) -> None:
        heard.append(("schedule", change.member_ids))

    bot.registry.on_schedule_changed(changed)
    _pair(bot)
    heard.clear()
    run(bot, "timezone Asia/Tokyo", who="zeb")
    run(bot, "admin program set hour 15", who="admin")
    run(bot, "pause 2 weeks", who="zeb")
    run(bot, "forget confirm", who="zeb")
    kinds = [kind for kind, _ in heard]
    assert kinds == ["schedule", "schedule", "paused", "ended"], heard
    assert heard[0][1] and heard[1][1] is None  # one person's memberships, then everyone
    assert heard[2][1] == heard[0][1][0]  # type: ignore[index]
    reason, ids = heard[3][1]  # type: ignore[misc]
    assert reason == "forgotten" and len(ids) == 1


def test_export_and_forget_ask_each_capability(bot):
    """A person's export holds each registered capability's section after the core's, in
    help order; forget has each capability blank its own rows."""
    blanked: list[list[int]] = []
    bot.registry.personal_data(
        PersonalData(
            "probe",
            lambda _s, ids: [{"members": ids}],
            lambda _s, _ids: [],
            lambda _s, ids: blanked.append(ids),
        )
    )
    run(bot, "join mentee", who="zeb")
    reply = bot.handle(Command(actor("zeb"), "export"))
    assert isinstance(reply, Message)
    data = json.loads(next(p for p in reply.parts if isinstance(p, File)).content)
    sections = [
        "checkins",
        "meetings",
        "goals",
        "feedback",
        "closure",
        "surveys",
        "requests",
        "mentor_choices",
        "rounds_sat_out",
        "probe",
    ]
    assert list(data) == ["exported_at", "person", "memberships", "pairs", *sections]
    member_ids = data["probe"][0]["members"]
    assert len(member_ids) == 1
    run(bot, "forget confirm", who="zeb")
    assert blanked == [member_ids]


def test_the_export_tables_come_from_the_capabilities():
    """``mentorbot export`` writes participants and pairs, then each capability's table."""
    assert list(build_registry().tables) == ["checkins", "goals", "feedback", "closure", "surveys"]


def test_no_feature_reaches_into_checkins_for_lifecycle():
    """Pairs ending, pauses and schedule edits go through hooks: only check-ins plan nudges."""
    for path in BOT.rglob("*.py"):
        if path.parent.name == "checkins":
            continue
        source = path.read_text(encoding="utf-8")
        assert "withdraw_future_nudges" not in source, path
        assert "import replan" not in source, path
