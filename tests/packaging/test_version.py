"""``mentorbot --version`` has one source, pyproject.toml: through the installed package's
metadata (tests/packaging/test_wheel.py), or read from the checkout where nothing is
installed."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.packaging.install import ROOT, fresh_venv, project_version

WHICH = "import bot; print(bot.__file__); print(bot.__version__)"


def test_a_checkout_without_metadata_reads_its_pyproject(tmp_path: Path):
    """With no mentorbot installed, bot.__version__ follows pyproject's version (no second
    copy of it in the code)."""
    checkout = tmp_path / "checkout"
    (checkout / "bot").mkdir(parents=True)
    shutil.copy(ROOT / "bot" / "__init__.py", checkout / "bot")
    pyproject = (ROOT / "pyproject.toml").read_text()
    bumped = pyproject.replace(f'version = "{project_version()}"', 'version = "9.8.7"', 1)
    assert bumped != pyproject
    (checkout / "pyproject.toml").write_text(bumped)
    venv = fresh_venv(tmp_path / "venv", deps=False)
    result = venv.run("python", "-c", WHICH, cwd=checkout)
    assert result.returncode == 0, result.stderr
    where, version = result.stdout.split()
    assert Path(where) == checkout / "bot" / "__init__.py"
    assert version == "9.8.7"
