"""Which language a person gets, locale folders, plurals and numbers through Babel."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_bot, build_registry, load_prompts
from bot.i18n.locales import match, resolve
from bot.prompts import Language, Prompts, bundled_dir
from bot.time.format import local_day, local_when
from bot.time.parse import parse_day
from tests.conftest import run
from tests.i18n.helpers import with_locales, write_locales

AVAILABLE = ("es", "de", "fr", "pt-BR")


@pytest.mark.parametrize(
    ("chosen", "platform", "default", "expected"),
    [
        ("de", "es-ES", "fr", "de"),  # the person's choice first
        (None, "es-ES", "fr", "es"),  # then the platform's, when we have it
        (None, "pt_BR", "fr", "pt-BR"),
        (None, "pt", "fr", "pt-BR"),
        (None, "es-419", "fr", "es"),
        (None, "ja", "fr", "fr"),  # a platform language we lack: the program's
        (None, None, "de", "de"),
        (None, "ja", "it", "en"),  # nothing we have: English
        ("klingon", None, "de", "de"),  # a choice that is no language is ignored
        ("en", "es-ES", "de", "en"),  # English chosen stays English
    ],
)
def test_resolver_order(chosen, platform, default, expected):
    """Chosen, else platform (if available), else program default, else English."""
    assert resolve(chosen=chosen, platform=platform, available=AVAILABLE, default=default) == (
        expected
    )


def test_match_is_loose_but_prefers_the_same_tag():
    """``pt-BR`` and ``pt_br`` find pt-BR; a regional tag finds the bare language first."""
    assert match("pt_br", ["pt", "pt-BR"]) == "pt-BR"
    assert match("pt-PT", ["pt", "pt-BR"]) == "pt"
    assert match("de-AT", ["de", "fr"]) == "de"
    assert match("xx-YY", ["de"]) is None


def _prompts(tag: str, text: str) -> Prompts:
    catalog = {"count": frozenset({"n"})}
    return Prompts(
        {"count": "{n:pair|pairs}"}, catalog, translations={tag: {"count": text}}
    ).for_locale(tag)


@pytest.mark.parametrize(
    ("tag", "text", "n", "expected"),
    [
        ("fr", "{n:paire|paires}", 0, "0 paire"),  # CLDR: French 0 is "one"
        ("fr", "{n:paire|paires}", 2, "2 paires"),
        ("es", "{n:pareja|parejas}", 0, "0 parejas"),
        ("es", "{n:pareja|parejas}", 1, "1 pareja"),
        ("de", "{n:Paar|Paare}", 1234, "1.234 Paare"),  # numbers written the German way
        ("en", "", 0, "0 pairs"),  # English 0 is plural
        ("en", "", 1, "1 pair"),
    ],
)
def test_plurals_follow_cldr_and_numbers_babel(tag, text, n, expected):
    """``{n:one|other}`` picks by the locale's CLDR plural category; numbers by Babel."""
    prompts = _prompts(tag, text) if tag != "en" else _prompts("fr", "x").for_locale("en")
    assert prompts.text("count", n=n) == expected


@pytest.mark.parametrize(
    ("tag", "when", "day"),
    [
        ("es", "martes, 9 de marzo de 2027, 14:00", "martes, 9 de marzo de 2027"),
        ("pt-BR", "terça-feira, 9 de março de 2027 14:00", "terça-feira, 9 de março de 2027"),
        ("de", "Dienstag, 9. März 2027, 14:00", "Dienstag, 9. März 2027"),
        ("fr", "mardi 9 mars 2027, 14:00", "mardi 9 mars 2027"),
        ("en", "Tue 9 Mar 2027, 14:00", "Tue 9 Mar 2027"),
    ],
)
def test_dates_in_each_language(tag, when, day):
    """Dates and times are written through Babel in the reader's language."""
    instant = datetime(2027, 3, 9, 13, 0, tzinfo=UTC)
    madrid = ZoneInfo("Europe/Madrid")
    assert local_when(instant, madrid, tag) == when
    assert local_day(instant, madrid, tag) == day


def test_a_locale_folder_in_prompts_dir_is_laid_over_english(tmp_path: Path):
    """A dropped-in ``locales/<tag>`` folder is found; a key it lacks comes from the bundled
    translation of that language, else falls back to English."""
    root = write_locales(tmp_path)
    (root / "locales" / "it").mkdir()
    (root / "locales" / "it" / "core.toml").write_text('[button]\ncheckin_met = "Ci siamo visti"\n')
    prompts = load_prompts([root], build_registry())
    assert {"es", "pt-BR", "it"} <= set(prompts.locales())
    spanish = prompts.for_person(Language(locale=None, platform_locale="es-MX"))
    assert spanish.locale == "es"
    assert spanish.text("button.checkin_met") == "Nos vimos"  # the folder's, over the bundled
    assert spanish.text("button.cancel") == "Cancelar"  # the bundled Spanish
    italian = prompts.for_person(Language(locale="it", platform_locale=None))
    assert italian.text("button.checkin_met") == "Ci siamo visti"
    assert italian.text("button.cancel") == prompts.text("button.cancel")  # English fallback
    assert "button.cancel" in italian.missing("it")


def test_a_foreign_placeholder_is_left_out_at_run_time(tmp_path: Path):
    """A translated key using a placeholder English lacks shows in English, and is reported."""
    folder = tmp_path / "locales" / "es"
    folder.mkdir(parents=True)
    (folder / "x.toml").write_text('[button]\ncheckin_met = "Nos vimos {secret}"\n')
    prompts = load_prompts([tmp_path], build_registry())
    assert prompts.for_locale("es").text("button.checkin_met") == "We met"
    assert any("{secret}" in p for p in prompts.problems("es"))


@pytest.mark.parametrize(
    ("text", "tag", "expected"),
    [
        ("31 de marzo", "es", date(2027, 3, 31)),
        ("martes 9 de marzo de 2027", "es", date(2027, 3, 9)),
        ("31. März", "de", date(2027, 3, 31)),
        ("mardi 9 mars 2027", "fr", date(2027, 3, 9)),
        ("9 de março", "pt-BR", date(2027, 3, 9)),
        ("9 de marco", "pt-BR", date(2027, 3, 9)),  # typed without the accent
        ("31 mar", "es", date(2027, 3, 31)),  # "mar" is marzo here, not martes
        ("31 March", "es", date(2027, 3, 31)),  # English still works
        ("2027-03-31", "de", date(2027, 3, 31)),  # and ISO
    ],
)
def test_dates_typed_in_the_persons_language(text, tag, expected):
    """The date reader keeps English and ISO and knows the language's month and day names."""
    assert parse_day(text, today=date(2026, 11, 22), locale=tag) == expected


def test_a_pause_until_a_spanish_date(settings, clock, engine, tmp_path):
    """``/mentor pause 31 de marzo`` from someone who chose Spanish; the answer's date is
    written in Spanish too."""
    bot = build_bot(with_locales(settings, tmp_path / "p"), clock=clock, engine=engine)
    run(bot, "language es", who="ana")
    run(bot, "join mentee", who="ana")
    reply = run(bot, "pause 31 de marzo", who="ana")
    assert "31 de marzo de 2027" in reply, reply


def test_a_conversation_runs_the_persons_translated_script(settings, clock, engine, tmp_path):
    """Someone who chose Spanish is asked the Spanish script's questions; someone else the
    English; a translation of another shape is left out (English shown) and reported."""
    write_locales(tmp_path / "p")
    english = (bundled_dir() / "scripts" / "goal.toml").read_text(encoding="utf-8")
    spanish = english.replace("What exactly do you want to achieve?", "¿Qué quieres lograr?")
    scripts = tmp_path / "p" / "locales" / "es" / "scripts"
    scripts.mkdir()
    (scripts / "goal.toml").write_text(spanish, encoding="utf-8")
    bot = build_bot(with_locales(settings, tmp_path / "p"), clock=clock, engine=engine)
    run(bot, "language es", who="ana")
    for who in ("ana", "bob"):
        run(bot, "join mentee", who=who)
    assert "¿Qué quieres lograr?" in run(bot, "goal", who="ana")
    assert "What exactly do you want to achieve?" in run(bot, "goal", who="bob")
    (scripts / "goal.toml").write_text(spanish.replace('kind = "date"', 'kind = "text"'))
    again = build_bot(with_locales(settings, tmp_path / "p"), clock=clock, engine=engine)
    assert "goal" not in again.conversations.translations.get("es", {})
    assert any("goal.toml" in p for p in again.conversations.problems["es"])


@pytest.mark.parametrize(
    ("first", "typed", "expected"),
    [
        (None, "português", "pt-BR"),  # its own name without the region
        (None, "Portugues", "pt-BR"),  # and without accents
        ("es", "portugués", "pt-BR"),  # its name in the reader's language
        ("es", "alemán", "de"),
        ("pt-BR", "espanhol", "es"),
        (None, "français", "fr"),
        (None, "spanish", "es"),
    ],
)
def test_a_language_is_chosen_by_its_name(settings, clock, engine, first, typed, expected):
    """``/mentor language`` takes a language's own name or its name in the reader's language,
    without the region the list shows ("português (Brasil)") and without accents."""
    bot = build_bot(settings, clock=clock, engine=engine)
    if first:
        run(bot, f"language {first}", who="ana")
    run(bot, f"language {typed}", who="ana")
    reply = run(bot, "language", who="ana")
    own = {"pt-BR": "português (Brasil)", "de": "Deutsch", "es": "español", "fr": "français"}
    assert f"{own[expected]} ({expected})" in reply.split("\n")[0], reply


@pytest.mark.parametrize(
    ("tag", "saved", "local"),
    [
        ("es", "Guardado en «Idiomas»: ", "hora local allí: "),
        ("pt-BR", "Salvei o campo «Idiomas»: ", "horário local: "),
        ("de", "Gespeichert (Sprachen): ", "Ortszeit dort: "),
        ("fr", "Enregistré (Langues)\u00a0: ", "heure locale\u00a0: "),
    ],
)
def test_profile_sentences_read_right_around_labels_and_dates(
    settings, clock, engine, tag, saved, local
):
    """A field's label is quoted as the language writes it (never "Guardé tu idiomas"), and
    the local time, a full date, follows a label (never "allí son las jueves, ...")."""
    bot = build_bot(settings, clock=clock, engine=engine)
    run(bot, f"language {tag}", who="ana")
    run(bot, "join mentee", who="ana")
    assert saved in run(bot, "profile set languages es", who="ana")
    shown = run(bot, "timezone Madrid", who="ana")
    assert local.lower() in shown.lower(), shown
    assert "son las" not in shown and "agora são" not in shown, shown
