"""The wheel users install starts: it holds every module and data file of the tree, and
installed outside the checkout it runs the README's first steps from an empty folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.packaging.install import (
    ROOT,
    build_wheel,
    fresh_venv,
    pip_install,
    project_version,
    smoke,
    tree_files,
    wheel_files,
)


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
    the README's console session, prompts check and a config from the shipped example."""
    venv = fresh_venv(tmp_path / "venv")
    pip_install(venv, str(wheel))
    (tmp_path / "empty").mkdir()
    smoke(venv, tmp_path / "empty")
