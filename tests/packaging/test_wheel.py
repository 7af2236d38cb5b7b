"""The wheel users install starts: it holds every module and data file of the tree, and
installed outside the checkout it runs the README's first steps from an empty folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.packaging.install import (
    ROOT,
    Venv,
    build_wheel,
    fresh_venv,
    pip_install,
    project_version,
    smoke,
    tree_files,
    wheel_files,
)

# one process runs this module (an xdist group): its wheel is built once
pytestmark = pytest.mark.xdist_group("wheel")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(ROOT, tmp_path_factory.mktemp("wheel"))


def test_the_wheel_holds_every_module_and_data_file_of_the_tree(wheel: Path):
    """Found, not listed: every .py and data file under bot/, adapters/, storage/ and
    prompts/ is in the wheel, and nothing else (no tests, fakes or bench)."""
    assert wheel.name == f"mentorbot-{project_version()}-py3-none-any.whl"
    shipped, tree = wheel_files(wheel), tree_files()
    assert tree - shipped == set(), "missing from the wheel"
    assert shipped - tree == set(), "in the wheel but not in the packages"


def test_the_installed_wheel_runs_the_readme_from_an_empty_folder(wheel: Path, tmp_path: Path):
    """pip install of the wheel into a fresh venv: --version from the metadata, db upgrade,
    the README's console session, prompts check and a config from the shipped example; then
    ``mentorbot demo`` (its plan ships in bot/demo/, not fakes/) and the demo's report."""
    venv = fresh_venv(tmp_path / "venv")
    pip_install(venv, str(wheel))
    (tmp_path / "empty").mkdir()
    smoke(venv, tmp_path / "empty")
    demo_runs(venv, tmp_path / "empty")


def demo_runs(venv: Venv, cwd: Path) -> None:
    """The installed ``mentorbot demo`` fills data/demo.db; the report on it shows meetings."""
    demo = venv.mentorbot("demo", "--people", "20", "--weeks", "4", cwd=cwd)
    assert demo.returncode == 0, demo.stderr
    assert "Done: 20 people joined" in demo.stdout, demo.stdout
    db = cwd / "data" / "demo.db"
    (cwd / "demo.toml").write_text(f'[bot]\ndatabase_url = "sqlite:///{db}"\n')
    report = venv.mentorbot("--config", "demo.toml", "report", cwd=cwd)
    assert report.returncode == 0, report.stderr
    assert re.search(r"planned meetings held: \d+% \([1-9]\d* of", report.stdout), report.stdout
