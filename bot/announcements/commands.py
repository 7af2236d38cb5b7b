"""``admin announce`` (form or arguments, then a preview with Send / Edit / Cancel),
``admin announce send|edit|cancel <id>`` and ``admin announcements``.
"""

from __future__ import annotations

from datetime import datetime

from bot.announcements.compose import FORM_AUDIENCES, MAX_TEXT, MODES, Draft, from_args, from_form
from bot.announcements.schedule import Delivery, by_zone, deliveries, draft_of, queue
from bot.context import Ctx
from bot.errors import UserError
from bot.replies import (
    Button,
    Buttons,
    Context,
    Fields,
    Form,
    FormField,
    Message,
    Part,
    Reply,
    Section,
)
from bot.spans import Text
from bot.time.format import short_when, weekday_time
from bot.time.zones import get_zone, zone_label
from storage import announcements as announcements_db
from storage.models import Announcement, AnnouncementStatus, OutboxStatus

SHOWN_ZONES = 8


def _when_label(ctx: Ctx, instant: datetime) -> Text:
    return Text.trusted(short_when(instant, ctx.zone(), ctx.prompts.locale))


def announce(ctx: Ctx, args: list[str]) -> Reply:
    """``admin announce`` opens the form; with text (and options) it makes a preview."""
    if not args:
        return announce_form(ctx, None)
    action = args[0].lower()
    if action in ("send", "edit", "cancel") and len(args) == 2 and args[1].lstrip("#").isdigit():
        row = _own(ctx, int(args[1].lstrip("#")))
        return {"send": send, "edit": edit, "cancel": cancel}[action](ctx, row)
    program = ctx.program()
    draft = from_args(
        args,
        now=ctx.now,
        tz=ctx.zone(),
        default_time=f"{program.checkin_hour:02d}:00",
        day_first=ctx.settings.program.day_first,
    )
    return preview(ctx, _store(ctx, draft))


def announce_submitted(ctx: Ctx, values: dict[str, str]) -> Reply:
    """The announce form: a new draft (replacing the admin's earlier ones) and its preview."""
    program = ctx.program()
    draft = from_form(
        values,
        now=ctx.now,
        tz=ctx.zone(),
        default_time=f"{program.checkin_hour:02d}:00",
        say=lambda exc: ctx.prompts.text(exc.key, **exc.params),
        day_first=ctx.settings.program.day_first,
    )
    return preview(ctx, _store(ctx, draft))


def announce_form(ctx: Ctx, row: Announcement | None) -> Form:
    """The announce form, empty or filled with a draft to edit."""
    draft = draft_of(row) if row is not None else Draft(text="")
    audience = (
        "everyone_paused"
        if draft.include_paused and draft.audience == "everyone"
        else draft.audience
    )
    when = "now"
    if draft.local_day is not None:
        when = f"{draft.local_day.isoformat()} {draft.local_time}"
    t = ctx.prompts.text
    return Form(
        form_id="announce",
        title=t("announce.form_title"),
        fields=(
            FormField(
                "text",
                t("announce.label.text"),
                "multiline",
                initial=draft.text,
                required=True,
                max_length=MAX_TEXT,
            ),
            FormField(
                "audience",
                t("announce.label.audience"),
                "choice",
                choices=tuple((a, t(f"announce.audience.{a}")) for a in FORM_AUDIENCES),
                initial=audience if audience in FORM_AUDIENCES else "everyone",
                hint=", ".join(FORM_AUDIENCES),
            ),
            FormField(
                "mode",
                t("announce.label.mode"),
                "choice",
                choices=tuple((m, t(f"announce.mode.{m}")) for m in MODES),
                initial=draft.mode,
                hint=", ".join(MODES),
            ),
            FormField(
                "when",
                t("announce.label.when"),
                initial=when,
                hint=t("announce.hint.when"),
                max_length=60,
            ),
            FormField(
                "ping",
                t("announce.label.ping"),
                "choice",
                choices=(("no", t("button.no")), ("yes", t("button.yes"))),
                initial="yes" if draft.allow_ping else "no",
                hint="no, yes",
            ),
        ),
        submit_label=t("button.preview"),
        cancel_label=t("button.cancel"),
        intro=ctx.t("announce.form_intro"),
    )


def _own(ctx: Ctx, announcement_id: int) -> Announcement:
    program = ctx.program()
    assert program.id is not None
    row = announcements_db.get(
        session=ctx.session, program_id=program.id, announcement_id=announcement_id
    )
    if row is None:
        raise UserError("announce.unknown", id=Text.trusted(str(announcement_id)))
    return row


def _store(ctx: Ctx, draft: Draft) -> Announcement:
    """Check what cannot go out, then keep the draft (earlier drafts of this admin go)."""
    program = ctx.program()
    assert program.id is not None and ctx.person.id is not None
    if draft.pings() and not draft.allow_ping:
        raise UserError("announce.ping_not_allowed")
    if draft.mode != "dm" and not program.announcement_channel:
        raise UserError("announce.no_channel")
    for old in announcements_db.drafts_of(
        session=ctx.session, program_id=program.id, person_id=ctx.person.id
    ):
        old.status = AnnouncementStatus.DISCARDED
        ctx.session.add(old)
    row = Announcement(
        program_id=program.id,
        author_person_id=ctx.person.id,
        text=draft.text,
        mode=draft.mode,
        audience=draft.audience,
        include_paused=draft.include_paused,
        pair_ids=list(draft.pair_ids),
        allow_ping=draft.allow_ping,
        local_day=draft.local_day,
        local_time=draft.local_time,
        author_zone=ctx.zone_key(),
        status=AnnouncementStatus.DRAFT,
        created_at=ctx.now,
    )
    ctx.session.add(row)
    ctx.session.flush()
    return row


def preview(ctx: Ctx, row: Announcement) -> Message:
    """The text as people will see it, who gets it by zone, and when the first and last hear
    it, with Send / Edit / Cancel. Nothing is queued yet.
    """
    from bot.announcements.schedule import announcement_message, channel_instant

    assert row.id is not None
    program = ctx.program()
    draft = draft_of(row)
    dms = deliveries(ctx.session, program, draft, now=ctx.now, settings=ctx.settings)
    if not dms and draft.mode == "dm":
        raise UserError("announce.nobody")  # the event's transaction keeps no draft
    shown = announcement_message(  # as a DM: the preview pings nobody
        ctx.prompts, program, draft, author=ctx.person.display_name, channel=False
    )
    parts: list[Part] = [Section(ctx.t("announce.preview_header", id=Text.trusted(str(row.id))))]
    parts += list(shown.parts)
    facts: list[tuple[str, Text]] = [
        (
            ctx.prompts.text("announce.label.audience"),
            ctx.t(f"announce.audience.{_audience_key(draft)}"),
        ),
        (ctx.prompts.text("announce.label.recipients"), Text.trusted(str(len(dms)))),
    ]
    if dms:
        facts.append((ctx.prompts.text("announce.label.first"), _when_label(ctx, dms[0].at)))
        facts.append((ctx.prompts.text("announce.label.last"), _when_label(ctx, dms[-1].at)))
    if draft.mode != "dm":
        post = channel_instant(draft, row.author_zone, now=ctx.now)
        facts.append(
            (
                ctx.prompts.text("announce.label.channel"),
                Text.user(program.announcement_channel or "")
                + Text.trusted(" · ")
                + _when_label(ctx, post),
            )
        )
    parts.append(Fields(tuple(facts)))
    if dms:
        parts.append(Section(_zone_lines(ctx, dms)))
    parts.append(Context(ctx.t("announce.preview_hint")))
    parts.append(
        Buttons(
            (
                Button(ctx.prompts.text("button.send"), f"admin announce send {row.id}", "primary"),
                Button(ctx.prompts.text("button.edit"), f"admin announce edit {row.id}"),
                Button(
                    ctx.prompts.text("button.cancel"), f"admin announce cancel {row.id}", "danger"
                ),
            )
        )
    )
    return Message(tuple(parts))


def _zone_lines(ctx: Ctx, dms: list[Delivery]) -> Text:
    """One line per zone, earliest first: how many people, at what time theirs."""
    zones = by_zone(dms)
    lines = [
        ctx.t(
            "announce.zone_line",
            zone=Text.trusted(zone_label(z)),
            count=n,
            local=Text.trusted(weekday_time(at, get_zone(z), ctx.prompts.locale)),
        )
        for z, n, at in zones[:SHOWN_ZONES]
    ]
    if len(zones) > SHOWN_ZONES:
        lines.append(ctx.t("announce.more_zones", count=len(zones) - SHOWN_ZONES))
    return Text.join(lines, "\n")


def _audience_key(draft: Draft) -> str:
    if draft.audience == "everyone" and draft.include_paused:
        return "everyone_paused"
    return draft.audience


def send(ctx: Ctx, row: Announcement) -> Reply:
    """Queue a previewed draft: every DM at its time, the channel post at the admin's."""
    if row.status != AnnouncementStatus.DRAFT:
        raise UserError(f"announce.already_{row.status}", id=Text.trusted(str(row.id)))
    program = ctx.program()
    if row.mode != "dm" and not program.announcement_channel:
        raise UserError("announce.no_channel")
    dms, post_at = queue(
        ctx.session,
        program,
        row,
        now=ctx.now,
        settings=ctx.settings,
        prompts=ctx.prompts,
        author=ctx.person.display_name,
    )
    row.status, row.queued_at = AnnouncementStatus.QUEUED, ctx.now
    ctx.session.add(row)
    parts: list[Part] = [
        Section(ctx.t("announce.queued", id=Text.trusted(str(row.id)), count=len(dms)))
    ]
    if dms:
        parts.append(
            Section(
                ctx.t(
                    "announce.queued_times",
                    first=_when_label(ctx, dms[0].at),
                    last=_when_label(ctx, dms[-1].at),
                )
            )
        )
    if post_at is not None:
        parts.append(Section(ctx.t("announce.queued_channel", at=_when_label(ctx, post_at))))
    parts.append(Context(ctx.t("announce.queued_hint", id=Text.trusted(str(row.id)))))
    return Message(tuple(parts))


def edit(ctx: Ctx, row: Announcement) -> Reply:
    """Open the form filled with a draft; submitting makes a new preview."""
    if row.status != AnnouncementStatus.DRAFT:
        raise UserError(f"announce.already_{row.status}", id=Text.trusted(str(row.id)))
    return announce_form(ctx, row)


def cancel(ctx: Ctx, row: Announcement) -> Reply:
    """A draft is dropped; a queued announcement's unsent messages are withdrawn."""
    assert row.id is not None
    if row.status in (AnnouncementStatus.CANCELLED, AnnouncementStatus.DISCARDED):
        raise UserError("announce.already_cancelled", id=Text.trusted(str(row.id)))
    if row.status == AnnouncementStatus.DRAFT:
        row.status = AnnouncementStatus.DISCARDED
        ctx.session.add(row)
        return ctx.say("announce.draft_dropped", id=Text.trusted(str(row.id)))
    withdrawn = 0
    for outbox in announcements_db.pending_rows(session=ctx.session, announcement_id=row.id):
        outbox.status = OutboxStatus.CANCELLED
        outbox.last_error = "announcement cancelled"
        ctx.session.add(outbox)
        withdrawn += 1
    row.status = AnnouncementStatus.CANCELLED
    ctx.session.add(row)
    sent = announcements_db.delivery(session=ctx.session, announcement_id=row.id).get(
        OutboxStatus.SENT, 0
    )
    return ctx.say(
        "announce.cancelled", id=Text.trusted(str(row.id)), withdrawn=withdrawn, sent=sent
    )


def announcements(ctx: Ctx, args: list[str]) -> Reply:
    """The program's recent announcements with sent / pending / failed counts."""
    program = ctx.program()
    assert program.id is not None
    rows = announcements_db.recent(session=ctx.session, program_id=program.id)
    if not rows:
        return ctx.say("announce.none")
    items: list[tuple[str, Text]] = []
    cancellable: list[Button] = []
    for row in rows:
        assert row.id is not None
        counts = announcements_db.delivery(session=ctx.session, announcement_id=row.id)
        pending = counts.get(OutboxStatus.PENDING, 0) + counts.get(OutboxStatus.CLAIMED, 0)
        excerpt = row.text.split("\n", 1)[0]
        excerpt = excerpt if len(excerpt) <= 60 else excerpt[:59] + "…"
        label = f"#{row.id} · {row.created_at.astimezone(ctx.zone()).strftime('%d %b %H:%M')}"
        items.append(
            (
                label,
                Text.user(excerpt)
                + Text.trusted("\n")
                + ctx.t(
                    "announce.list_line",
                    status=ctx.t(f"announce.status.{row.status}"),
                    audience=ctx.t(f"announce.audience.{_audience_key(draft_of(row))}"),
                    sent=counts.get(OutboxStatus.SENT, 0),
                    pending=pending,
                    failed=counts.get(OutboxStatus.PARKED, 0),
                    withdrawn=counts.get(OutboxStatus.CANCELLED, 0),
                ),
            )
        )
        if pending and row.status == AnnouncementStatus.QUEUED and len(cancellable) < 5:
            cancellable.append(
                Button(
                    ctx.prompts.text("button.cancel_numbered", number=row.id),
                    f"admin announce cancel {row.id}",
                    "danger",
                )
            )
    parts: list[Part] = [
        Section(ctx.t("announce.list_header", program=program.name)),
        Fields(tuple(items)),
    ]
    if cancellable:
        parts.append(Buttons(tuple(cancellable)))
    return Message(tuple(parts))
