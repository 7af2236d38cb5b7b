"""Build mentorbot's wheel and install it where the checkout cannot be seen, then use it the
way an operator would: from an empty folder, through the ``mentorbot`` command.

The fresh virtual environment gets mentorbot only from the wheel; its third-party
dependencies come from the running environment's site-packages through a plain path line in
a ``.pth`` file. A path line only extends ``sys.path``: the ``.pth`` files in that folder
(the editable install's finder among them) are not run, so the checkout stays out of reach.
``check_isolated`` proves that for every run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "adapters", "storage", "prompts")
# What a checkout holds that is not source: never copied into the build.
NOT_SOURCE = (
    ".git",
    ".venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "data",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
)
# Lint settings beside the code they wall in (bot/ruff.toml, ...): not shipped.
LINT_ONLY = ("ruff.toml",)
# Settings of the calling shell that would point the installed bot elsewhere.
LEAKY_ENV = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "MENTORBOT_CONFIG", "DATABASE_URL")
Completed = subprocess.CompletedProcess[str]
README_SESSION = "/mentor join mentee\n/mentor timezone London\n/mentor status\n"


def project_version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"])


def clean_copy(source: Path, dest: Path) -> Path:
    """The checkout without build leftovers (a stale ``build/`` would leak into the wheel)."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    return dest


def build_wheel(source: Path, out: Path) -> Path:
    """``pip wheel`` from a clean copy of ``source``: what ``pip install .`` builds.

    Build isolation stays on: pyproject asks for setuptools>=77, which pip takes from the
    package index (the test environment may hold an older setuptools)."""
    src = clean_copy(source, out / "src")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)],
        check=True,
        capture_output=True,
        text=True,
    )
    (wheel,) = out.glob("mentorbot-*.whl")
    return wheel


def wheel_files(wheel: Path) -> set[str]:
    """The files the wheel installs, without its own metadata."""
    with zipfile.ZipFile(wheel) as archive:
        return {name for name in archive.namelist() if ".dist-info/" not in name}


def tree_files(root: Path = ROOT) -> set[str]:
    """Every module and data file under the packages of the tree (caches left out)."""
    return {
        path.relative_to(root).as_posix()
        for package in PACKAGES
        for path in (root / package).rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.suffix != ".pyc"
        and path.name not in LINT_ONLY
    }


@dataclass(frozen=True)
class Venv:
    """A fresh virtual environment outside the checkout."""

    path: Path

    @property
    def bin(self) -> Path:
        return self.path / "bin"

    @property
    def python(self) -> Path:
        return self.bin / "python"

    @property
    def site_packages(self) -> Path:
        return (
            self.path
            / "lib"
            / f"python{sys.version_info[0]}.{sys.version_info[1]}"
            / ("site-packages")
        )

    def env(self) -> dict[str, str]:
        """The environment an operator's shell would have after activating it."""
        env = {k: v for k, v in os.environ.items() if k not in LEAKY_ENV}
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        env["PYTHONNOUSERSITE"] = "1"
        return env

    def run(self, program: str, *args: str, cwd: Path, stdin: str = "") -> Completed:
        """``<program> <args>`` from this venv's ``bin``, run in ``cwd``."""
        return subprocess.run(
            [str(self.bin / program), *args],
            cwd=cwd,
            env=self.env(),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def mentorbot(self, *args: str, cwd: Path, stdin: str = "") -> Completed:
        """The ``mentorbot`` command this venv installed."""
        return self.run("mentorbot", *args, cwd=cwd, stdin=stdin)


def fresh_venv(path: Path, *, deps: bool = True) -> Venv:
    """A venv with no mentorbot in it; third-party packages from the running environment
    (none with ``deps=False``)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    venv = Venv(path)
    if not deps:
        return venv
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (venv.site_packages / "mentorbot_test_deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    return venv


def pip_install(venv: Venv, *args: str) -> None:
    """``pip install --no-deps <args>`` into ``venv`` (pip of the running environment)."""
    pip = [sys.executable, "-m", "pip", "--python", str(venv.python)]
    subprocess.run(
        [*pip, "install", "-q", "--no-deps", *args],
        check=True,
        capture_output=True,
        text=True,
        env=venv.env(),
    )


WHERE_FROM = (
    "import sys, bot, adapters, storage, prompts\n"
    "print(*(m.__file__ for m in (bot, adapters, storage, prompts)), sep='\\n')\n"
    "print(*(f'{f.__module__}.{getattr(f, \"__qualname__\", type(f).__qualname__)}'"
    " for f in sys.meta_path), sep='\\n')\n"
)


def check_isolated(venv: Venv, cwd: Path) -> None:
    """mentorbot's packages come from the venv, and no editable finder is installed."""
    result = venv.run("python", "-c", WHERE_FROM, cwd=cwd)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for file in lines[: len(PACKAGES)]:
        assert Path(file).is_relative_to(venv.site_packages), (file, venv.site_packages)
    assert not any("editable" in name.lower() for name in lines[len(PACKAGES) :]), lines


def smoke(venv: Venv, cwd: Path) -> None:
    """The first steps of the README from an empty folder: version, migrations, the console
    session, prompts check, and a config written from the shipped example."""
    assert not any(cwd.iterdir()), "start from an empty folder"
    check_isolated(venv, cwd)

    version = venv.mentorbot("--version", cwd=cwd)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"mentorbot {project_version()}"

    upgrade = venv.mentorbot("db", "upgrade", cwd=cwd)
    assert upgrade.returncode == 0, upgrade.stderr
    assert "(was empty)" in upgrade.stdout
    assert (cwd / "data" / "mentorbot.db").is_file()

    chat = venv.mentorbot("run", cwd=cwd, stdin=README_SESSION)
    assert chat.returncode == 0, chat.stderr
    assert "Traceback" not in chat.stderr, chat.stderr
    for line in (
        "You're in! You joined *Mentorship program* as a mentee.",
        "Saved your time zone: Europe/London",
        "*Mentorship program*: your status",
        "Partner        not matched yet",
    ):
        assert line in chat.stdout, (line, chat.stdout)

    migrations = sorted((venv.site_packages / "storage" / "migrations" / "versions").iterdir())
    revision = venv.mentorbot("db", "revision", "-m", "x", cwd=cwd)
    assert revision.returncode == 2, revision.stdout
    assert "db revision is for developers working in a checkout" in revision.stderr
    assert sorted((venv.site_packages / "storage" / "migrations" / "versions").iterdir()) == (
        migrations
    ), "db revision wrote into the installed copy"

    check = venv.mentorbot("prompts", "check", cwd=cwd)
    assert check.returncode == 0, check.stderr
    lines = check.stdout.strip().splitlines()
    assert lines[0].endswith("prompts and 6 conversation scripts OK"), check.stdout
    for tag in ("de", "es", "fr", "pt-BR"):  # the bundled translations travel in the wheel
        assert any(
            line.startswith(f"{tag} (") and "OK," in line and "6 scripts translated" in line
            for line in lines
        ), (tag, check.stdout)

    example = venv.mentorbot("config", "example", cwd=cwd)
    assert example.returncode == 0, example.stderr
    (cwd / "mentorbot.toml").write_text(example.stdout)
    current = venv.mentorbot("--config", "mentorbot.toml", "db", "current", cwd=cwd)
    assert current.returncode == 0, current.stderr
    assert "(up to date)" in current.stdout
