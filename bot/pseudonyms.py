"""Pseudonyms for log lines: a person appears in the log as ``u-`` and ten hex digits, never
by name or platform id.

A pseudonym is a keyed hash (HMAC-SHA256) of the platform and the person's id there, so it is
the same in every line, process and restart, and it can be worked out without the database
(which may be down when a line is written). The key is made once per installation and kept in
``<data_dir>/pseudonym.key``. Without the key nobody can tell whose lines they are; after a
forget the database no longer holds the id a pseudonym came from.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

KEY_FILE = "pseudonym.key"


@dataclass(frozen=True)
class Pseudonyms:
    """Turns a platform and a user id into the pseudonym log lines use."""

    key: bytes = field(repr=False)

    def of(self, platform: str, user_id: str) -> str:
        """The person's pseudonym, e.g. ``u-3fa9c01b2e``."""
        digest = hmac.new(self.key, f"{platform}:{user_id}".encode(), hashlib.sha256)
        return "u-" + digest.hexdigest()[:10]

    @classmethod
    def for_install(cls, data_dir: str) -> Pseudonyms:
        """The installation's pseudonyms, from the key in ``data_dir`` (made on first use).
        A data directory that can't be written gets a key for this process only.
        """
        path = Path(data_dir).expanduser() / KEY_FILE
        try:
            return cls(_read_or_make_key(path))
        except (OSError, ValueError) as exc:
            log.warning(
                "can't keep the pseudonym key in %s (%s): pseudonyms in the log change at "
                "each start",
                path,
                type(exc).__name__,
            )
            return cls(secrets.token_bytes(32))


def _read_or_make_key(path: Path) -> bytes:
    """The key in ``path``; a new one if there is none. Two processes starting together agree:
    the file appears whole (a hard link to a finished file) or not at all.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w") as out:
                out.write(secrets.token_hex(32) + "\n")
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            draft.unlink(missing_ok=True)
    key = bytes.fromhex(path.read_text().strip())
    if len(key) < 16:
        raise ValueError(f"{path} holds no usable key")
    return key
