"""The outbox: idempotent enqueue, leased claims, and what each delivery outcome does."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.delivery import DeliveryResult, Target
from bot.outbox import Dispatcher, enqueue
from bot.replies import Context, Message, Section
from bot.spans import Text
from storage.engine import transaction
from storage.models import OutboxMessage

TARGET = Target("console", "console", "user", ("alice",))


class ScriptedSender:
    """A fake platform: answers each send with the next scripted result, records what it got."""

    platform = "console"

    def __init__(self, *results: DeliveryResult | Exception) -> None:
        self.results = list(results)
        self.sent: list[tuple[Target, Message]] = []

    async def send(self, target: Target, message: Message) -> DeliveryResult:
        self.sent.append((target, message))
        result = self.results.pop(0) if self.results else DeliveryResult.sent("m")
        if isinstance(result, Exception):
            raise result
        return result


def _message(text: str = "hello") -> Message:
    return Message((Section(Text.user(text)), Context(Text.trusted("ctx"))))


def _enqueue(bot, key: str = "k1", delay: timedelta = timedelta()) -> bool:
    now = bot.clock.now()
    with transaction(bot.engine) as s:
        return (
            enqueue(
                s,
                dedupe_key=key,
                target=TARGET,
                message=_message(),
                now=now,
                not_before=now + delay,
            )
            is not None
        )


def _row(bot, key: str = "k1") -> OutboxMessage:
    with transaction(bot.engine) as s:
        return s.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == key)).one()


async def test_enqueue_is_idempotent_on_dedupe_key(bot):
    """The same key twice stores one row."""
    assert _enqueue(bot)
    assert not _enqueue(bot)
    with transaction(bot.engine) as s:
        assert len(s.exec(select(OutboxMessage)).all()) == 1


async def test_sent_once_with_platform_message_id(bot):
    """A due row is sent once, marked sent with the platform's id, and not sent again."""
    _enqueue(bot)
    sender = ScriptedSender(DeliveryResult.sent("ts-1"))
    dispatcher = Dispatcher(bot.engine, bot.clock, {"console": sender})
    stats = await dispatcher.dispatch_due()
    assert stats.sent == 1
    row = _row(bot)
    assert row.status == "sent" and row.platform_message_id == "ts-1"
    assert row.sent_at == bot.clock.now()
    assert (await dispatcher.dispatch_due()).sent == 0
    assert len(sender.sent) == 1
    target, message = sender.sent[0]
    assert target == TARGET and message == _message()


async def test_not_sent_before_its_time(bot):
    """A row with a future not-before instant waits for it."""
    _enqueue(bot, delay=timedelta(hours=1))
    sender = ScriptedSender()
    dispatcher = Dispatcher(bot.engine, bot.clock, {"console": sender})
    assert (await dispatcher.dispatch_due()).sent == 0
    bot.clock.advance(timedelta(hours=1))
    assert (await dispatcher.dispatch_due()).sent == 1


async def test_rate_limit_honours_retry_after(bot):
    """A 429 puts the row back for exactly Retry-After seconds."""
    _enqueue(bot)
    sender = ScriptedSender(DeliveryResult("rate_limited", retry_after=30))
    dispatcher = Dispatcher(bot.engine, bot.clock, {"console": sender})
    stats = await dispatcher.dispatch_due()
    assert stats.retried == 1
    row = _row(bot)
    assert row.status == "pending" and row.not_before == bot.clock.now() + timedelta(seconds=30)
    bot.clock.advance(timedelta(seconds=29))
    assert (await dispatcher.dispatch_due()).sent == 0
    bot.clock.advance(timedelta(seconds=1))
    assert (await dispatcher.dispatch_due()).sent == 1


async def test_transient_errors_back_off_then_park(bot):
    """Transient failures back off exponentially and park after max attempts."""
    _enqueue(bot)
    sender = ScriptedSender(*[DeliveryResult("transient", error="timeout")] * 3)
    dispatcher = Dispatcher(bot.engine, bot.clock, {"console": sender}, max_attempts=3)
    delays = []
    for _ in range(2):
        await dispatcher.dispatch_due()
        row = _row(bot)
        delays.append(row.not_before - bot.clock.now())
        bot.clock.set(row.not_before)
    assert delays == [timedelta(seconds=5), timedelta(seconds=10)]
    stats = await dispatcher.dispatch_due()
    assert stats.parked == 1
    row = _row(bot)
    assert row.status == "parked" and row.last_error == "timeout" and row.attempts == 3


async def test_permanent_failure_is_parked_at_once(bot):
    """A permanent error (user gone, DMs closed) parks the row with its reason."""
    _enqueue(bot)
    sender = ScriptedSender(DeliveryResult("permanent", error="cannot_dm_bot"))
    stats = await Dispatcher(bot.engine, bot.clock, {"console": sender}).dispatch_due()
    assert stats.parked == 1 and stats.errors == ["cannot_dm_bot"]
    assert _row(bot).status == "parked"


async def test_adapter_exception_is_retried_not_lost(bot):
    """An exception inside an adapter counts as transient; the message is sent later."""
    _enqueue(bot)
    sender = ScriptedSender(ConnectionError("reset"))
    dispatcher = Dispatcher(bot.engine, bot.clock, {"console": sender})
    assert (await dispatcher.dispatch_due()).retried == 1
    assert "ConnectionError" in _row(bot).last_error
    bot.clock.advance(timedelta(seconds=5))
    assert (await dispatcher.dispatch_due()).sent == 1


async def test_expired_lease_is_claimed_again(bot):
    """A row claimed by a process that died is picked up once its lease runs out."""
    _enqueue(bot)
    dispatcher = Dispatcher(
        bot.engine, bot.clock, {"console": ScriptedSender()}, lease=timedelta(minutes=2)
    )
    assert len(dispatcher.claim(10)) == 1  # claimed, then the process "crashes"
    assert dispatcher.claim(10) == []
    bot.clock.advance(timedelta(minutes=2, seconds=1))
    again = dispatcher.claim(10)
    assert len(again) == 1 and again[0].attempts == 2


async def test_other_platforms_rows_are_left_alone(bot):
    """A dispatcher only claims rows for the platforms it can send to."""
    _enqueue(bot)
    dispatcher = Dispatcher(bot.engine, bot.clock, {"slack": ScriptedSender()})
    assert dispatcher.claim(10) == []


def test_message_json_round_trip():
    """Messages survive storage unchanged, trust marks included."""
    from bot.replies import Button, Buttons, Fields

    message = Message(
        (
            Section(Text.trusted("*hi* ") + Text.user("<!channel>")),
            Fields((("Role", Text.trusted("mentee")),)),
            Buttons((Button("Yes", "leave confirm", "danger"),)),
            Context(Text.trusted("c")),
        ),
        private=False,
    )
    assert Message.from_json(message.to_json()) == message


async def test_a_long_rate_limit_storm_never_parks_a_message(bot):
    """Being rate limited is not a failure: twenty 429s in a row (more than max_attempts)
    use no attempt, each waits its Retry-After, and the message then goes out."""
    _enqueue(bot)
    storm = [DeliveryResult("rate_limited", retry_after=5, error="ratelimited")] * 20
    sender = ScriptedSender(*storm)
    dispatcher = Dispatcher(bot.engine, bot.clock, {"console": sender}, max_attempts=3)
    for _ in range(20):
        stats = await dispatcher.dispatch_due()
        assert stats.parked == 0
        row = _row(bot)
        assert row.status == "pending" and row.attempts == 0
        assert row.not_before - bot.clock.now() == timedelta(seconds=5)
        bot.clock.set(row.not_before)
    assert (await dispatcher.dispatch_due()).sent == 1
    assert _row(bot).status == "sent" and len(sender.sent) == 21


async def test_delivered_text_leaves_the_database_but_the_key_stays(bot):
    """After keep_sent_text_days a delivered message keeps only its key, target and status
    (so it is never sent again); finished rows go after keep_outbox_days."""
    from bot.pulse import Pulse

    _enqueue(bot)
    dispatcher = Dispatcher(bot.engine, bot.clock, {"console": ScriptedSender()})
    assert (await dispatcher.dispatch_due()).sent == 1
    pulse = Pulse(bot, dispatcher)
    bot.clock.advance(timedelta(days=6))
    pulse.run("outbox_retention")
    assert _row(bot).payload != {}
    bot.clock.advance(timedelta(days=2))
    pulse.run("outbox_retention")
    row = _row(bot)
    assert row.payload == {} and row.status == "sent" and row.target_ids == ["alice"]
    assert not _enqueue(bot)  # the key still stops a second send
    bot.clock.advance(timedelta(days=400))
    pulse.run("outbox_retention")
    with transaction(bot.engine) as s:
        assert s.exec(select(OutboxMessage)).all() == []


async def test_a_retry_after_heard_by_one_process_holds_every_process(bot):
    """Process A is told "wait 30 s": process B (same database) sends nothing to that
    platform until then, uses no attempt, and sends once the time has passed."""
    for k in range(4):
        _enqueue(bot, f"k{k}")
    a_sender = ScriptedSender(DeliveryResult("rate_limited", retry_after=30.0))
    a = Dispatcher(bot.engine, bot.clock, {"console": a_sender}, owner="a", concurrency=1)
    b_sender = ScriptedSender()
    b = Dispatcher(bot.engine, bot.clock, {"console": b_sender}, owner="b")
    await a.dispatch_due(limit=1)
    assert len(a_sender.sent) == 1
    assert (await b.dispatch_due()).sent == 0
    assert b_sender.sent == []  # held by what A heard, though B never saw a 429
    assert max(_row(bot, f"k{k}").attempts for k in range(4)) == 0
    bot.clock.advance(timedelta(seconds=31))
    assert (await b.dispatch_all()).sent == 4
    assert len(b_sender.sent) == 4


def _fake_time_pacer():  # type: ignore[no-untyped-def]
    from bot.outbox import Pacer, Pacing

    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    pacer = Pacer(
        {"console": Pacing(per_second=10.0, burst_seconds=0.1)},
        monotonic=lambda: now[0],
        sleep=sleep,
    )
    return pacer, now


async def _seconds_for_ten(pacer, now) -> float:  # type: ignore[no-untyped-def]
    started = now[0]
    for k in range(10):
        await pacer.wait(Target("console", "console", "user", (f"u{k}",)))
    return round(now[0] - started, 3)


async def test_processes_split_the_platform_rate(bot):
    """Each process paces itself at its share of the platform's rate: with two sending,
    ten messages take each of them twice as long; when one leaves, the other has the whole
    rate again, and so does one whose partner stopped claiming a minute ago."""
    (pa, ta), (pb, _) = _fake_time_pacer(), _fake_time_pacer()
    a = Dispatcher(bot.engine, bot.clock, {"console": ScriptedSender()}, owner="a", pacer=pa)
    b = Dispatcher(bot.engine, bot.clock, {"console": ScriptedSender()}, owner="b", pacer=pb)
    await a.dispatch_due()
    alone = await _seconds_for_ten(pa, ta)
    await b.dispatch_due()
    await a.dispatch_due()
    assert a.processes == b.processes == 2
    shared = await _seconds_for_ten(pa, ta)
    assert alone == 0.9 and 1.8 <= shared <= 2.0  # 10/s alone, 5/s each when two send
    b.leave()
    await a.dispatch_due()
    assert a.processes == 1 and await _seconds_for_ten(pa, ta) <= alone + 0.2
    await b.dispatch_due()
    await a.dispatch_due()
    assert a.processes == 2
    bot.clock.advance(timedelta(seconds=61))
    await a.dispatch_due()
    assert a.processes == 1
