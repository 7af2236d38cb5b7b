"""A small Spanish and Brazilian Portuguese locale, written into a test's prompts_dir."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from bot.config import Settings
from bot.pulse import Pulse
from bot.time.clock import FakeClock

ES = """\
[match]
intro_one = "¡Te presento a *{partner}*, tu {role} en *{program}*!"

[role]
mentor = "mentor"
mentee = "mentorada"

[checkin]
nudge = "¡Hola {name}! ¿Os habéis visto {partner} y tú desde la última vez?"
nudge_first = "¡Hola {name}! Tu primer seguimiento: ¿os habéis visto {partner} y tú?"

[button]
checkin_met = "Nos vimos"

[command.checkin]
summary = "Cuéntame si te viste con tu pareja."
usage = "checkin [met|not-yet] [fecha]"
"""

PT_BR = """\
[match]
intro_one = "Conheça *{partner}*, sua {role} em *{program}*!"

[role]
mentor = "mentor"
mentee = "mentorada"

[checkin]
nudge = "Oi {name}! Você e {partner} se encontraram desde a última vez?"
nudge_first = "Oi {name}! Seu primeiro acompanhamento: você e {partner} se encontraram?"

[button]
checkin_met = "Nos encontramos"
"""

# What each language's intro and first nudge begin with (in the fake platforms' payloads).
INTRO = {"es": "¡Te presento a", "pt-BR": "Conheça"}
NUDGE = {"es": "Tu primer seguimiento", "pt-BR": "Seu primeiro acompanhamento"}
MONTH = {"es": "de noviembre de 2026", "pt-BR": "de novembro de 2026"}  # Babel's dates


def write_locales(root: Path) -> Path:
    """``root/locales/es`` and ``root/locales/pt-BR`` (a coordinator's dropped-in folders)."""
    for tag, text in (("es", ES), ("pt-BR", PT_BR)):
        folder = root / "locales" / tag
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "core.toml").write_text(text, encoding="utf-8")
    return root


def with_locales(settings: Settings, root: Path) -> Settings:
    """``settings`` with ``root`` (holding the two locales) as the prompts_dir."""
    write_locales(root)
    return replace(settings, bot=replace(settings.bot, prompts_dir=str(root)))


async def advance(pulse: Pulse, clock: FakeClock, days: int) -> None:
    """Move the fake clock ``days`` ahead, running the pulse every few hours and whenever a
    queued message falls due (as the console's ``/time`` does).
    """
    end = clock.now() + timedelta(days=days)
    while clock.now() < end:
        now = clock.now()
        target = min(now + timedelta(hours=3), end)
        due = await asyncio.to_thread(pulse.next_due, now)
        if due is not None and due < target:
            target = max(due, now + timedelta(minutes=1))
        clock.advance(target - now)
        await pulse.tick()
