"""Prompt files: every template renders, and broken files stop start-up with a clear message."""

from __future__ import annotations

import pytest

from bot.errors import ConfigError
from bot.prompt_catalog import CATALOG
from bot.prompts import Prompts, bundled_dir
from bot.spans import Text


def test_every_bundled_template_renders():
    """Each catalog key exists and renders with its placeholders filled; none is left over."""
    prompts = Prompts.load()
    assert prompts.keys() == sorted(CATALOG)
    for key in sorted(CATALOG):
        values = {name: f"<{name}>" for name in prompts.placeholders(key)}
        text = prompts.render(key, **values)
        plain = text.plain()
        assert plain.strip(), key
        for name in prompts.placeholders(key):
            if "{" + name + "}" in _raw(key):
                assert f"<{name}>" in plain, (key, name)
        assert "{" not in plain, key


def _raw(key: str) -> str:
    import tomllib

    data = tomllib.loads((bundled_dir() / "messages.toml").read_text())
    for part in key.split("."):
        data = data[part]
    assert isinstance(data, str)
    return data


def _write(tmp_path, body: str):
    (tmp_path / "messages.toml").write_text(body, encoding="utf-8")
    return tmp_path


def test_missing_template_stops_start_up(tmp_path):
    """A catalog key absent from the files is named in the error."""
    _write(tmp_path, '[a]\nb = "hello"\n')
    with pytest.raises(ConfigError, match=r"missing prompts: a\.c"):
        Prompts.load(
            [tmp_path], include_bundled=False, catalog={"a.b": frozenset(), "a.c": frozenset()}
        )


def test_unknown_placeholder_stops_start_up(tmp_path):
    """A placeholder the code does not fill is named, with the allowed ones."""
    _write(tmp_path, '[a]\nb = "hello {nmae}"\n')
    with pytest.raises(ConfigError, match=r"unknown placeholder\(s\) \{nmae\}; allowed: \{name\}"):
        Prompts.load([tmp_path], include_bundled=False, catalog={"a.b": frozenset({"name"})})


def test_unknown_key_stops_start_up(tmp_path):
    """A key the code never uses is most likely a typo, and is reported."""
    _write(tmp_path, '[a]\nb = "x"\nbb = "y"\n')
    with pytest.raises(ConfigError, match=r"unknown prompts \(typo\?\): a\.bb"):
        Prompts.load([tmp_path], include_bundled=False, catalog={"a.b": frozenset()})


@pytest.mark.parametrize("template", ["{name!r}", "{name:>10}", "{0}", "{a.b}", "{unclosed"])
def test_placeholder_syntax_is_restricted(tmp_path, template):
    """Only plain {name} placeholders are allowed; format tricks are rejected."""
    _write(tmp_path, f'[a]\nb = "{template}"\n')
    with pytest.raises(ConfigError):
        Prompts.load([tmp_path], include_bundled=False, catalog={"a.b": frozenset({"name"})})


def test_invalid_toml_is_reported_with_the_file(tmp_path):
    """A TOML syntax error names the file."""
    _write(tmp_path, "[a\n")
    with pytest.raises(ConfigError, match=r"messages\.toml: not valid TOML"):
        Prompts.load([tmp_path], include_bundled=False, catalog={})


def test_override_directory_rewords_a_message(tmp_path):
    """A coordinator's file overrides one bundled message and keeps the rest."""
    (tmp_path / "custom.toml").write_text('[resume]\ndone = "Hello again!"\n')
    prompts = Prompts.load([tmp_path])
    assert prompts.text("resume.done") == "Hello again!"
    assert prompts.text("leave.cancelled") == Prompts.load().text("leave.cancelled")


def test_user_values_are_untrusted_spans():
    """Filled-in strings are marked untrusted; Text values keep their own trust."""
    prompts = Prompts.load()
    text = prompts.render("leave.partner_notice", name="<!channel>")
    untrusted = [s.text for s in text.spans if not s.trusted]
    assert untrusted == ["<!channel>"]
    text = prompts.render("profile.updated", field=Text.trusted("goals"), value="x")
    assert [s.text for s in text.spans if not s.trusted] == ["x"]
