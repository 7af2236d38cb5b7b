"""mentorbot's platform-neutral core."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path


def _version() -> str:
    """The installed distribution's version (one source: ``pyproject.toml``, via the package
    metadata); a source checkout that was never installed reads its ``pyproject.toml``.
    """
    try:
        return metadata.version("mentorbot")
    except metadata.PackageNotFoundError:
        pass
    try:
        project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
        return str(project["project"]["version"])
    except (OSError, tomllib.TOMLDecodeError, KeyError):
        return "unknown"


__version__ = _version()
