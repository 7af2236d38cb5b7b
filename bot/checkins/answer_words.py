"""The words that answer "did you meet?", in the person's language and in English.

Each locale lists its phrases under ``checkin.words.<outcome>`` (``yes|sí|nos vimos``); a
reply is matched whole, in any case, with accents optional (``si``, ``todavia no``, ``nao``),
so nothing is guessed.
"""

from __future__ import annotations

import unicodedata

from bot.prompts import Prompts
from storage.models import CheckInOutcome

# The prompt key naming each outcome's words ("skip" as the nudge's button names it).
WORD_KEYS: dict[CheckInOutcome, str] = {
    CheckInOutcome.MET: "checkin.words.met",
    CheckInOutcome.NOT_YET: "checkin.words.not_yet",
    CheckInOutcome.RESCHEDULED: "checkin.words.rescheduled",
    CheckInOutcome.SKIPPED: "checkin.words.skip",
}
_PUNCTUATION = ".,!?¡¿"


def fold(word: str) -> str:
    """``word`` as compared: lower case, no accents, typographic apostrophes made plain."""
    decomposed = unicodedata.normalize("NFKD", word.replace("’", "'").casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.strip(_PUNCTUATION)


def phrases(prompts: Prompts) -> dict[str, CheckInOutcome]:
    """Every phrase understood as an answer: the person's language's, then English's."""
    found: dict[str, CheckInOutcome] = {}
    for source in (prompts, prompts.for_locale("en")):
        for outcome, key in WORD_KEYS.items():
            for phrase in source.text(key).split("|"):
                folded = " ".join(fold(w) for w in phrase.split())
                if folded:
                    found.setdefault(folded, outcome)
    return found


def take_outcome(words: list[str], prompts: Prompts) -> tuple[CheckInOutcome | None, list[str]]:
    """The outcome named by the first words (the longest phrase that fits), and the rest."""
    known = phrases(prompts)
    longest = max((p.count(" ") + 1 for p in known), default=1)
    folded = [fold(w) for w in words]
    for length in range(min(longest, len(words)), 0, -1):
        found = known.get(" ".join(folded[:length]))
        if found is not None:
            return found, list(words[length:])
    return None, list(words)
