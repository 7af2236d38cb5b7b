"""``mentorbot match``: a matching run from the terminal, with progress and full tables."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from sqlmodel import Session

from bot.app import MentorBot
from bot.cli.start import open_program
from bot.config import Settings
from bot.events import Surface
from bot.matching.capacity import capacity_section
from bot.matching.publish import check_preview, publish
from bot.matching.reasons import render_reasons
from bot.matching.rounds import Proposal, propose
from bot.prompts import Prompts
from bot.replies import Message
from storage.models import Program


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def run_match(
    settings: Settings,
    *,
    program_id: int | str | None,
    seed: int | None,
    fresh: str,
    publish_now: bool,
    console: Console | None = None,
    surfaces: Mapping[str, Surface] | None = None,
) -> int:
    """Propose (and optionally publish) a round; returns the process exit code."""
    out = console or Console()
    with open_program(settings, program_id, out, surfaces) as opened:
        if isinstance(opened, int):
            return opened
        bot, session, program = opened.bot, opened.session, opened.program
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=out,
            transient=True,
        ) as bar:
            task = bar.add_task("matching", total=1.0)
            phase = partial(bar.update, task)
            proposal = propose(
                session,
                program,
                settings,
                bot.prompts,
                now=bot.clock.now(),
                seed=seed,
                fresh=fresh,
                progress=lambda msg, done: phase(description=msg, completed=done),
            )
        _print_proposal(out, program, proposal, bot.prompts)
        if not publish_now:
            out.print(
                "Preview saved; nothing was sent. Publish with `/mentor admin publish` "
                "or `mentorbot match --publish`."
            )
            return 0
        return _publish(session, bot, program, proposal, out)


def _publish(
    session: Session, bot: MentorBot, program: Program, proposal: Proposal, out: Console
) -> int:
    """Publish the preview just made (never a stale one) and say what was queued."""
    if check_preview(session, program, proposal, now=bot.clock.now()):
        out.print("The preview is out of date; run again.")
        return 1
    group_dm = bot.surface_of(program.platform).group_dm
    result = publish(
        session,
        program,
        proposal,
        bot.settings,
        bot.prompts,
        now=bot.clock.now(),
        registry=bot.registry,
        group_dm=group_dm,
    )
    out.print(
        f"Published {_count(result.pairs, 'pair', 'pairs')}; "
        f"{_count(result.introductions, 'introduction', 'introductions')} and "
        f"{_count(result.unmatched_told, 'not this time message', 'not this time messages')}"
        " queued. They are sent by the running bot."
    )
    return 0


def quality_line(quality: Mapping[str, object], *, pairs: int) -> str | None:
    """What a preview says of its quality (the run summary's ``quality``)."""
    if quality.get("optimal") and pairs:
        return (
            "optimal: no other pairing (around any pinned pairs) matches more people or fits better"
        )
    if quality.get("bound"):
        return (
            f"total fit {quality['total']:g}, at least {quality['ratio']:.1%} of the best any "
            f"pairing could reach (upper bound {quality['bound']:g})"
        )
    return None


def _print_proposal(out: Console, program: Program, proposal: Proposal, prompts: Prompts) -> None:
    """The preview as tables: pairs with reasons, who is left out, pairs that would end."""
    dist = proposal.run.summary.get("score") or {}
    out.print(
        f"[bold]{program.name}[/bold]: {_count(len(proposal.pairs), 'pair', 'pairs')}, "
        f"{len(proposal.unmatched)} unmatched, seed {proposal.run.seed}"
    )
    if dist:
        out.print(
            f"scores: min {dist['min']:g}  median {dist['median']:g}  "
            f"mean {dist['mean']:g}  max {dist['max']:g}"
        )
    line = quality_line(proposal.run.summary.get("quality") or {}, pairs=len(proposal.pairs))
    if line:
        out.print(line, markup=False)
    tables: list[tuple[tuple[str, ...], list[tuple[str, ...]]]] = [
        (
            ("pair", "score", "why"),
            [
                (
                    " & ".join(proposal.members[m].name for m in proposal.pair_members[p.id or 0]),
                    f"{p.score:g}",
                    "; ".join(render_reasons(prompts, p.reasons)),
                )
                for p in proposal.pairs
            ],
        ),
        (
            ("not matched", "why"),
            [
                (
                    proposal.members[m].name if m in proposal.members else str(m),
                    prompts.text(f"match.unmatched_reason.{reason}"),
                )
                for m, reason in proposal.unmatched
            ],
        ),
        (
            ("pair that would end", "why"),
            [
                (proposal.names.get(p, str(p)), prompts.text(f"match.end_reason.{reason}"))
                for p, reason in proposal.ending
            ],
        ),
    ]
    for header, rows in tables:
        if rows:
            table = Table(*header, show_lines=False)
            for row in rows:
                table.add_row(*row)
            out.print(table)
    for code, a, b in proposal.notes:
        out.print(prompts.text(f"match.note.{code}", a=a, b=b), markup=False)
    capacity = capacity_section(prompts, proposal.run, button=False)
    if capacity:
        out.print(Message(tuple(capacity)).plain(), markup=False)
