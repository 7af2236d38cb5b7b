"""The Dockerfile's own install steps, run without a container: its COPY lines (with
``.dockerignore``) put files under a stand-in root folder and its ``pip install`` runs into a
fresh venv, so an image that misses a file fails here although this machine cannot build it
(no registry for ``python:3.11-slim``, and no container runtime).

Covered: ``WORKDIR``, ``COPY SRC... DEST`` from the build context, and in ``RUN`` the
commands ``pip install``, ``rm -rf`` and ``mkdir -p``. ``useradd`` and ``chown`` change the
machine's users and are left out; other instructions do not install anything.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path, PurePosixPath

from tests.packaging.install import Venv, pip_install

SKIPPED_COMMANDS = {"useradd", "chown"}


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` in order, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", dockerfile)
    steps = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            op, _, rest = line.partition(" ")
            steps.append((op.upper(), rest.strip()))
    return steps


def _pattern(glob: str) -> re.Pattern[str]:
    """A ``.dockerignore`` line as a regular expression over context-relative paths."""
    glob = glob.strip().strip("/")
    out = ""
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif glob.startswith("**", i):
            out, i = out + ".*", i + 2
        elif glob[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif glob[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(glob[i]), i + 1
    return re.compile(out)


def ignored(context: Path) -> list[re.Pattern[str]]:
    lines = (context / ".dockerignore").read_text().splitlines()
    globs = [line for line in lines if line.strip() and not line.startswith("#")]
    assert not any(g.startswith("!") for g in globs), "exceptions (!) are not emulated"
    return [_pattern(g) for g in globs]


def _excluded(relative: PurePosixPath, patterns: list[re.Pattern[str]]) -> bool:
    """A path is left out when it or a folder above it matches a pattern."""
    prefixes = [PurePosixPath(*relative.parts[: n + 1]) for n in range(len(relative.parts))]
    return any(p.fullmatch(str(prefix)) for p in patterns for prefix in prefixes)


def _copy(context: Path, src: str, dest: Path, patterns: list[re.Pattern[str]]) -> None:
    """Docker's COPY: a folder's contents into DEST, a file into DEST (or DEST/ its name)."""
    source = (context / src).resolve()
    relative = PurePosixPath(source.relative_to(context.resolve()).as_posix())
    if not source.exists() or (relative.parts and _excluded(relative, patterns)):
        raise FileNotFoundError(f"COPY {src}: not in the build context")
    if source.is_file():
        target = dest / source.name if dest.is_dir() else dest
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        return
    for path in source.rglob("*"):
        inner = PurePosixPath(path.relative_to(context.resolve()).as_posix())
        if path.is_file() and not _excluded(inner, patterns):
            target = dest / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def _run(command: list[str], root: Path, workdir: str, venv: Venv | None) -> None:
    """One command of a RUN line, with absolute paths under the stand-in root."""

    def place(arg: str) -> str:
        return str(root / arg.lstrip("/")) if arg.startswith("/") else arg

    program, *args = command
    if program in SKIPPED_COMMANDS:
        return
    if program == "pip" and args[0] == "install":
        assert venv is not None, "pip install needs a venv to install into"
        where = root / workdir.lstrip("/")
        pip_install(venv, *(str(where / a) if a.startswith(".") else place(a) for a in args[1:]))
    elif program == "rm" and args[0] == "-rf":
        for arg in args[1:]:
            shutil.rmtree(place(arg), ignore_errors=True)
    elif program == "mkdir" and args[0] == "-p":
        for arg in args[1:]:
            Path(place(arg)).mkdir(parents=True, exist_ok=True)
    else:
        raise AssertionError(f"RUN {shlex.join(command)}: not emulated; teach this file")


def install(dockerfile: Path, root: Path, venv: Venv | None = None) -> None:
    """Carry out the Dockerfile's COPY and RUN steps under ``root``, installing into ``venv``."""
    context = dockerfile.parent
    patterns = ignored(context)
    workdir = "/"
    for op, arg in instructions(dockerfile.read_text()):
        if op == "WORKDIR":
            workdir = str(PurePosixPath(workdir) / arg)
            (root / workdir.lstrip("/")).mkdir(parents=True, exist_ok=True)
        elif op == "COPY":
            *sources, dest = shlex.split(arg)
            target = root / str(PurePosixPath(workdir) / dest).lstrip("/")
            if dest.endswith("/") or len(sources) > 1:
                target.mkdir(parents=True, exist_ok=True)
            for src in sources:
                _copy(context, src, target, patterns)
        elif op == "RUN":
            for command in arg.split("&&"):
                _run(shlex.split(command), root, workdir, venv)
