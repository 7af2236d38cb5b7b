"""Text that remembers which parts users wrote.

Replies are built from prompt templates whose placeholders are filled with values such as a
person's name or their goals. Those values are *untrusted*: an adapter must escape them for its
platform (Slack mrkdwn entities, Discord mention suppression, terminal control characters)
while leaving the template's own formatting alone. ``Text`` keeps the two apart as spans.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text and whether the bot wrote it (trusted) or a person did."""

    text: str
    trusted: bool


@dataclass(frozen=True, slots=True)
class Text:
    """A sequence of trusted (template) and untrusted (user-supplied) spans."""

    spans: tuple[Span, ...] = ()

    @classmethod
    def trusted(cls, text: str) -> Text:
        """Text the bot wrote: shown as it is."""
        return cls((Span(text, True),)) if text else cls()

    @classmethod
    def user(cls, text: str) -> Text:
        """Text a person wrote: escaped by each adapter."""
        return cls((Span(text, False),)) if text else cls()

    @classmethod
    def join(cls, parts: Iterable[Text], sep: str = "") -> Text:
        """The parts joined with ``sep`` (trusted)."""
        spans: list[Span] = []
        for i, part in enumerate(parts):
            if i and sep:
                spans.append(Span(sep, True))
            spans.extend(part.spans)
        return cls(tuple(spans))

    def __add__(self, other: Text) -> Text:
        return Text(self.spans + other.spans)

    def __bool__(self) -> bool:
        return any(s.text for s in self.spans)

    def plain(self) -> str:
        """Everything as written, with no escaping (for logs and tests, never for chat)."""
        return "".join(s.text for s in self.spans)

    def render(self, escape: Callable[[str], str]) -> str:
        """Template text verbatim, user text through ``escape``."""
        return "".join(s.text if s.trusted else escape(s.text) for s in self.spans)

    def to_json(self) -> list[list[object]]:
        """The spans as JSON."""
        return [[s.text, s.trusted] for s in self.spans]

    @classmethod
    def from_json(cls, data: list[list[object]]) -> Text:
        """Text from its JSON form."""
        return cls(tuple(Span(str(t), bool(tr)) for t, tr in data))
