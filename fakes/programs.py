"""Programs and pairs written straight to the database, for tests and benchmarks that need
many of them quickly."""

from __future__ import annotations

from datetime import datetime

from storage.engine import transaction
from storage.models import Member, Pair, PairMember, Person, Program


def make_program(
    bot, *, cadence="weekly", weekday=1, hour=10, platform="console", workspace="console"
) -> int:
    with transaction(bot.engine) as s:
        program = Program(
            slug="default",
            name="Test program",
            platform=platform,
            workspace_id=workspace,
            cadence=cadence,
            checkin_weekday=weekday,
            checkin_hour=hour,
            starts_on=bot.clock.now().date(),
            created_at=bot.clock.now(),
        )
        s.add(program)
        s.flush()
        return program.id


def make_pair(
    bot,
    program_id: int,
    a: str,
    b: str,
    *,
    zone_a="UTC",
    zone_b="UTC",
    started: datetime | None = None,
    platform="console",
    **person_a,
) -> int:
    now = bot.clock.now()
    with transaction(bot.engine) as s:
        members = []
        for name, zone, extra in ((a, zone_a, person_a), (b, zone_b, {})):
            person = Person(
                platform=platform,
                platform_user_id=name,
                display_name=name,
                timezone=zone,
                created_at=now,
                updated_at=now,
                **extra,
            )
            s.add(person)
            s.flush()
            member = Member(
                program_id=program_id,
                person_id=person.id,
                role="mentee" if not members else "mentor",
                joined_at=now,
            )
            s.add(member)
            s.flush()
            members.append(member)
        pair = Pair(
            program_id=program_id, status="active", created_at=now, started_at=started or now
        )
        s.add(pair)
        s.flush()
        for m in members:
            s.add(PairMember(pair_id=pair.id, member_id=m.id, role=m.role))
        return pair.id


def queue_channel_messages(
    engine, count: int, *, key: str = "m{k}", text: str = "message {k}", due: datetime
) -> None:
    """Queue ``count`` Slack channel posts (channel C<k>), all due at ``due``, in one insert;
    ``key`` and ``text`` are formatted with ``k``."""
    from bot.delivery import Target
    from bot.outbox import Outgoing, enqueue_many
    from bot.replies import Message, Section
    from bot.spans import Text

    items = [
        Outgoing(
            dedupe_key=key.format(k=k),
            target=Target("slack", "T1", "channel", (f"C{k}",)),
            not_before=due,
            message=Message((Section(Text.trusted(text.format(k=k))),)),
        )
        for k in range(count)
    ]
    with transaction(engine) as s:
        enqueue_many(s, items, now=due)


def queue_text(engine, key: str, target, text: str, *, due: datetime) -> None:
    """Queue one plain message to ``target`` (a ``bot.delivery.Target``), due at ``due``."""
    from bot.outbox import enqueue
    from bot.replies import Message, Section
    from bot.spans import Text

    with transaction(engine) as s:
        enqueue(
            s,
            dedupe_key=key,
            target=target,
            message=Message((Section(Text.trusted(text)),)),
            not_before=due,
            now=due,
        )
