"""A pair whose second person has been silent for weeks while the first answers."""

from __future__ import annotations

from datetime import timedelta

from fakes.programs import make_pair, make_program
from storage.engine import transaction
from storage.models import CheckIn, Pair
from storage.pairs import members_of_pairs


def ghosting_pair(bot, *, a: str, b: str, platform: str = "console", workspace: str = "console"):
    """(program id, pair id): ``a`` answered "not yet" to five weekly nudges, ``b`` none."""
    program = make_program(bot, platform=platform, workspace=workspace)
    started = bot.clock.now() - timedelta(weeks=6)
    pair_id = make_pair(bot, program, a, b, platform=platform, started=started)
    with transaction(bot.engine) as s:
        first, second = members_of_pairs(session=s, pair_ids=[pair_id])[pair_id]
        for week in range(5):
            due = started + timedelta(weeks=week + 1)
            s.add(
                CheckIn(
                    pair_id=pair_id,
                    member_id=first,
                    cycle_on=due.date(),
                    due_at=due,
                    outcome="not_yet",
                    recorded_at=due + timedelta(hours=1),
                )
            )
            s.add(CheckIn(pair_id=pair_id, member_id=second, cycle_on=due.date(), due_at=due))
        assert s.get(Pair, pair_id) is not None
    return program, pair_id
