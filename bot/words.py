"""A chat command line split into words, like a shell: what the router and a conversation's
"start this instead" both read.
"""

from __future__ import annotations

import re
import shlex

from bot.errors import UserError

_APOSTROPHE = re.compile(r"(?<=\w)['’](?=\w)")
_KEEP = "\x00"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def split_args(text: str) -> list[str]:
    """Split like a shell (quotes group words); an apostrophe inside a word ("didn't") is
    just a letter; an unmatched quote is a friendly error. Control characters are dropped
    (nobody types them on purpose, and the apostrophe marker is one).
    """
    text = _CONTROL.sub("", text)
    try:
        return shlex.split(text)
    except ValueError:
        pass
    marks = _APOSTROPHE.findall(text)
    try:
        words = shlex.split(_APOSTROPHE.sub(_KEEP, text))
    except ValueError:
        raise UserError("error.bad_quotes") from None
    it = iter(marks)
    return [re.sub(_KEEP, lambda _m: next(it), w) for w in words]
