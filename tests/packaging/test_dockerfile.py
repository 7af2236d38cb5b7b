"""The container image installs a bot that starts. This machine cannot build the image (no
registry to pull ``python:3.11-slim``; podman builds, but crun cannot run containers here),
so the Dockerfile's own COPY and ``pip install`` steps run outside a container and the
result must pass the same first steps as the wheel."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.packaging import dockerfile
from tests.packaging.install import ROOT, fresh_venv, smoke


@pytest.mark.slow
def test_the_dockerfile_install_steps_give_a_bot_that_starts(tmp_path: Path):
    """COPY (honouring .dockerignore) and RUN pip install, then the README's first steps."""
    venv = fresh_venv(tmp_path / "venv")
    dockerfile.install(ROOT / "Dockerfile", tmp_path / "image", venv)
    (tmp_path / "empty").mkdir()
    smoke(venv, tmp_path / "empty")


def test_the_build_context_leaves_out_what_dockerignore_names(tmp_path: Path):
    """The emulated context is Docker's: tests, fakes, caches and build leftovers stay out."""
    (tmp_path / "ctx" / "tests").mkdir(parents=True)
    (tmp_path / "ctx" / "tests" / "t.py").write_text("")
    (tmp_path / "ctx" / "bot" / "__pycache__").mkdir(parents=True)
    (tmp_path / "ctx" / "bot" / "__pycache__" / "x.pyc").write_text("")
    (tmp_path / "ctx" / "bot" / "x.py").write_text("")
    (tmp_path / "ctx" / "build" / "lib").mkdir(parents=True)
    (tmp_path / "ctx" / "build" / "lib" / "stale.py").write_text("")
    (tmp_path / "ctx" / ".dockerignore").write_text((ROOT / ".dockerignore").read_text())
    (tmp_path / "ctx" / "Dockerfile").write_text("FROM x\nWORKDIR /app\nCOPY . ./\n")
    dockerfile.install(tmp_path / "ctx" / "Dockerfile", tmp_path / "root")
    copied = {
        p.relative_to(tmp_path / "root" / "app").as_posix()
        for p in (tmp_path / "root" / "app").rglob("*")
        if p.is_file()
    }
    assert copied == {"bot/x.py", ".dockerignore", "Dockerfile"}


def test_a_copy_of_a_missing_file_fails(tmp_path: Path):
    """COPY of a file the context lacks (or ignores) fails the way docker build does."""
    (tmp_path / "ctx").mkdir()
    (tmp_path / "ctx" / ".dockerignore").write_text("tests/\n")
    (tmp_path / "ctx" / "tests").mkdir()
    for line in ("COPY config.example.toml ./", "COPY tests ./tests"):
        (tmp_path / "ctx" / "Dockerfile").write_text(f"FROM x\nWORKDIR /app\n{line}\n")
        with pytest.raises(FileNotFoundError):
            dockerfile.install(tmp_path / "ctx" / "Dockerfile", tmp_path / "root")
