"""Prompt files: every template renders, and broken files stop start-up with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import build_registry, load_prompts
from bot.errors import ConfigError
from bot.prompt_catalog import core_words
from bot.prompts import Prompts, Words
from bot.spans import Text


def _words() -> list[Words]:
    return [core_words(), *build_registry().wording]


def test_every_bundled_template_renders():
    """Each catalog key exists and renders with its placeholders filled; none is left over."""
    prompts = load_prompts()
    catalog = {key: names for words in _words() for key, names in words.catalog.items()}
    assert prompts.keys() == sorted(catalog)
    for key in sorted(catalog):
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

    (text,) = [w.text for w in _words() if key in w.catalog]
    data = tomllib.loads(text.read_text())
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
        Prompts.load([tmp_path], catalog={"a.b": frozenset(), "a.c": frozenset()})


def test_unknown_placeholder_stops_start_up(tmp_path):
    """A placeholder the code does not fill is named, with the allowed ones."""
    _write(tmp_path, '[a]\nb = "hello {nmae}"\n')
    with pytest.raises(ConfigError, match=r"unknown placeholder\(s\) \{nmae\}; allowed: \{name\}"):
        Prompts.load([tmp_path], catalog={"a.b": frozenset({"name"})})


def test_unknown_key_stops_start_up(tmp_path):
    """A key the code never uses is most likely a typo, and is reported."""
    _write(tmp_path, '[a]\nb = "x"\nbb = "y"\n')
    with pytest.raises(ConfigError, match=r"unknown prompts \(typo\?\): a\.bb"):
        Prompts.load([tmp_path], catalog={"a.b": frozenset()})


@pytest.mark.parametrize("template", ["{name!r}", "{name:>10}", "{0}", "{a.b}", "{unclosed"])
def test_placeholder_syntax_is_restricted(tmp_path, template):
    """Only plain {name} placeholders are allowed; format tricks are rejected."""
    _write(tmp_path, f'[a]\nb = "{template}"\n')
    with pytest.raises(ConfigError):
        Prompts.load([tmp_path], catalog={"a.b": frozenset({"name"})})


def test_invalid_toml_is_reported_with_the_file(tmp_path):
    """A TOML syntax error names the file."""
    _write(tmp_path, "[a\n")
    with pytest.raises(ConfigError, match=r"messages\.toml: not valid TOML"):
        Prompts.load([tmp_path], catalog={})


def test_override_directory_rewords_a_message(tmp_path):
    """A coordinator's file overrides one bundled message and keeps the rest."""
    (tmp_path / "custom.toml").write_text('[resume]\ndone = "Hello again!"\n')
    prompts = load_prompts([tmp_path])
    assert prompts.text("resume.done") == "Hello again!"
    assert prompts.text("leave.cancelled") == load_prompts().text("leave.cancelled")


def test_user_values_are_untrusted_spans():
    """Filled-in strings are marked untrusted; Text values keep their own trust."""
    prompts = load_prompts()
    text = prompts.render("leave.partner_notice", name="<!channel>")
    untrusted = [s.text for s in text.spans if not s.trusted]
    assert untrusted == ["<!channel>"]
    text = prompts.render("profile.updated", field=Text.trusted("goals"), value="x")
    assert [s.text for s in text.spans if not s.trusted] == ["x"]


def test_each_capability_bundles_exactly_the_words_it_declares():
    """Every capability's registered prompts live in its own folder, and its text file holds
    exactly the keys it declared (so no central catalog or text file lists them).
    """
    from bot.app import capabilities

    folders = {m.__name__.split(".")[1]: Path(m.__file__).parent for m in capabilities()}
    registered = build_registry().wording
    assert len(registered) >= 13
    for words in registered:
        assert words.text.parent == folders[words.owner], words.owner
        assert Prompts.load(words=[words]).keys() == sorted(words.catalog), words.owner
        assert not set(words.catalog) & set(core_words().catalog), words.owner


def test_a_new_capability_brings_its_words_in_its_own_folder(tmp_path):
    """A capability's keys and text, registered from its own folder, join the checked catalog
    and can be reworded from [bot] prompts_dir like any other message.
    """
    folder = tmp_path / "reflect"
    folder.mkdir()
    (folder / "prompts.toml").write_text('[reflect]\nsaved = "Noted, {name}."\n')
    registry = build_registry()
    registry.words(
        Words("reflect", {"reflect.saved": frozenset({"name"})}, folder / "prompts.toml")
    )
    assert load_prompts(registry=registry).text("reflect.saved", name="Ada") == "Noted, Ada."
    override = tmp_path / "custom"
    override.mkdir()
    (override / "mine.toml").write_text('[reflect]\nsaved = "Thanks {name}!"\n')
    assert load_prompts([override], registry).text("reflect.saved", name="Ada") == "Thanks Ada!"


def test_a_capability_may_bundle_only_its_own_keys(tmp_path):
    """Text for another owner's key in a capability's file, or a key declared twice, stops
    start-up with the file and the owners named.
    """
    (tmp_path / "prompts.toml").write_text('[leave]\ncancelled = "x"\n')
    registry = build_registry()
    registry.words(Words("reflect", {}, tmp_path / "prompts.toml"))
    with pytest.raises(ConfigError, match=r"prompts not declared by reflect: leave\.cancelled"):
        load_prompts(registry=registry)
    registry = build_registry()
    registry.words(Words("reflect", {"leave.cancelled": frozenset()}, tmp_path / "prompts.toml"))
    with pytest.raises(ConfigError, match=r"'leave\.cancelled' declared by both membership"):
        load_prompts(registry=registry)


def test_one_override_file_rewords_any_owners_messages(tmp_path):
    """A coordinator's file in the old one-file layout (core and capability keys together)
    still rewords each of them.
    """
    (tmp_path / "messages.toml").write_text(
        '[error]\nunknown_form = "Form gone."\n\n[resume]\ndone = "Back!"\n\n'
        '[goal]\nusage = "goal, then answer"\n'
    )
    prompts = load_prompts([tmp_path])
    assert prompts.text("error.unknown_form") == "Form gone."
    assert prompts.text("resume.done") == "Back!"
    assert prompts.text("goal.usage") == "goal, then answer"
