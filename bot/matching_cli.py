"""``mentorbot match``: a matching run from the terminal, with progress and full tables."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlmodel import col, select

from bot.app import build_bot
from bot.config import Settings
from bot.errors import ConfigError
from bot.events import Surface
from bot.matching.publish import check_preview, publish
from bot.matching.rounds import propose
from storage.engine import transaction
from storage.models import Program

PHASES = 4  # load, score, solve, explain


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def run_match(
    settings: Settings,
    *,
    program_id: int | None,
    seed: int | None,
    fresh: str,
    publish_now: bool,
    console: Console | None = None,
    surfaces: Mapping[str, Surface] | None = None,
) -> int:
    """Propose (and optionally publish) a round; returns the process exit code."""
    out = console or Console()
    try:
        bot = build_bot(settings, surfaces=surfaces)
    except ConfigError as exc:
        out.print(f"Cannot start: {exc}", markup=False)
        return 2
    with transaction(bot.engine) as session:
        programs = list(session.exec(select(Program).order_by(col(Program.id))).all())
        if program_id is not None:
            programs = [p for p in programs if p.id == program_id]
        if not programs:
            out.print("No such program. People create one by joining (`/mentor join`).")
            return 1
        if len(programs) > 1:
            out.print("Several programs; choose one with --program:")
            for p in programs:
                out.print(f"  {p.id}  {p.name} ({p.platform} {p.workspace_id})", markup=False)
            return 1
        program = programs[0]
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=out,
            transient=True,
        ) as bar:
            task = bar.add_task("matching", total=PHASES)
            proposal = propose(
                session,
                program,
                settings,
                bot.prompts,
                now=bot.clock.now(),
                seed=seed,
                fresh=fresh,
                progress=lambda msg: bar.update(task, description=msg, advance=1),
            )
            bar.update(task, completed=PHASES)
        summary = proposal.run.summary
        dist = summary.get("score") or {}
        out.print(
            f"[bold]{program.name}[/bold]: {_count(len(proposal.pairs), 'pair', 'pairs')}, "
            f"{len(proposal.unmatched)} unmatched, seed {proposal.run.seed}"
        )
        if dist:
            out.print(
                f"scores: min {dist['min']:g}  median {dist['median']:g}  "
                f"mean {dist['mean']:g}  max {dist['max']:g}"
            )
        table = Table("pair", "score", "why", show_lines=False)
        for pair in proposal.pairs:
            assert pair.id is not None
            names = " & ".join(proposal.members[m].name for m in proposal.pair_members[pair.id])
            table.add_row(names, f"{pair.score:g}", "; ".join(pair.reasons))
        if proposal.pairs:
            out.print(table)
        if proposal.unmatched:
            left = Table("not matched", "why")
            for member_id, reason in proposal.unmatched:
                who = proposal.members.get(member_id)
                left.add_row(
                    who.name if who else str(member_id),
                    bot.prompts.text(f"match.unmatched_reason.{reason}"),
                )
            out.print(left)
        if proposal.ending:
            ending = Table("pair that would end", "why")
            for pair_id, reason in proposal.ending:
                ending.add_row(
                    proposal.names.get(pair_id, str(pair_id)),
                    bot.prompts.text(f"match.end_reason.{reason}"),
                )
            out.print(ending)
        for code, a, b in proposal.notes:
            out.print(bot.prompts.text(f"match.note.{code}", a=a, b=b), markup=False)
        if not publish_now:
            out.print(
                "Preview saved; nothing was sent. Publish with `/mentor admin publish` "
                "or `mentorbot match --publish`."
            )
            return 0
        problems = check_preview(session, program, proposal, now=bot.clock.now())
        if problems:  # cannot happen in one transaction, but never publish a stale preview
            out.print("The preview is out of date; run again.")
            return 1
        result = publish(
            session,
            program,
            proposal,
            settings,
            bot.prompts,
            now=bot.clock.now(),
            group_dm=bot.surface_of(program.platform).group_dm,
        )
        out.print(
            f"Published {_count(result.pairs, 'pair', 'pairs')}; "
            f"{_count(result.introductions, 'introduction', 'introductions')} and "
            f"{_count(result.unmatched_told, 'not this time message', 'not this time messages')}"
            " queued. They are sent by the running bot."
        )
    return 0
