"""``mentorbot prompts check`` reports each locale and fails on an incomplete or wrong one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from bot.app import build_registry, load_prompts
from bot.cli.main import app
from bot.conversations.scripts import bundled_scripts_dir

runner = CliRunner()


def _complete_italian(root: Path) -> Path:
    """``root/locales/it``: every English key (its English text, as a stand-in translation)
    and every script, as a coordinator's dropped-in folder would be.
    """
    english = load_prompts([], build_registry())
    folder = root / "locales" / "it"
    (folder / "scripts").mkdir(parents=True)
    lines = [
        f"{key} = {json.dumps(english.source(key), ensure_ascii=False)}"
        for key in english.keys()  # noqa: SIM118 (Prompts, not a dict)
    ]
    (folder / "all.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for script in bundled_scripts_dir().glob("*.toml"):
        shutil.copy(script, folder / "scripts" / script.name)
    return folder


def _check(tmp_path: Path, root: Path) -> tuple[int, str]:
    config = tmp_path / "c.toml"
    config.write_text(f'[bot]\ndata_dir = "{tmp_path / "data"}"\nprompts_dir = "{root}"\n')
    result = runner.invoke(app, ["--config", str(config), "prompts", "check"])
    return result.exit_code, result.output


def _italian(output: str) -> str:
    """The report's block about Italian."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("it (italiano)"))
    block = [lines[start]]
    block += [line for line in lines[start + 1 :] if line.startswith("  ")][:50]
    return "\n".join(block)


def test_a_complete_locale_passes(tmp_path):
    """A locale with every key and script is reported OK."""
    _complete_italian(tmp_path / "p")
    _, output = _check(tmp_path, tmp_path / "p")
    assert "it (italiano): OK" in output, output


def test_a_missing_key_fails_the_check(tmp_path):
    """One key missing: exit 1, the key named under the locale."""
    folder = _complete_italian(tmp_path / "p")
    text = (folder / "all.toml").read_text(encoding="utf-8")
    kept = [line for line in text.splitlines() if not line.startswith("resume.done =")]
    (folder / "all.toml").write_text("\n".join(kept) + "\n", encoding="utf-8")
    code, output = _check(tmp_path, tmp_path / "p")
    assert code == 1
    assert "NOT COMPLETE" in _italian(output) and "resume.done" in _italian(output)


def test_a_foreign_placeholder_fails_the_check(tmp_path):
    """A placeholder the English text does not declare: exit 1, named."""
    folder = _complete_italian(tmp_path / "p")
    (folder / "zz.toml").write_text('[resume]\ndone = "Bentornato, {nmae}!"\n', encoding="utf-8")
    code, output = _check(tmp_path, tmp_path / "p")
    assert code == 1
    assert "'resume.done'" in _italian(output) and "{nmae}" in _italian(output)


def test_a_script_with_another_shape_fails_the_check(tmp_path):
    """A translated script whose choice values differ from English: exit 1, named."""
    folder = _complete_italian(tmp_path / "p")
    script = folder / "scripts" / "feedback.toml"
    text = script.read_text(encoding="utf-8")
    first = text.index('choices = [["')
    value_start = first + len('choices = [["')
    value_end = text.index('"', value_start)
    script.write_text(text[:value_start] + "altro" + text[value_end:], encoding="utf-8")
    code, output = _check(tmp_path, tmp_path / "p")
    assert code == 1
    assert "feedback.toml" in _italian(output) and "choice values" in _italian(output)
