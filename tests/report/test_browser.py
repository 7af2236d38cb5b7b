"""The report page in a real browser: headless Chromium (Debian's ``chromium`` and
``chromium-driver``, driven by Selenium) opens the file with no network, logs no console
errors, fetches nothing, shows every chart with a size, and fits a phone's width.

Like the PostgreSQL runs, the Chromium run is added where the browser is installed, and CI
(``MENTORBOT_TEST_BROWSER=require``, set by ``.ci/run``, which installs it) fails without it.
The markup run always runs: every chart is an inline SVG with a size, inside a figure with a
caption and its numbers.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from bot.report.figures import build
from bot.report.page import html
from fakes.outcomes import generate
from storage.engine import transaction
from storage.models import Program

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


def viewers() -> list[str]:
    found = bool(CHROMIUM and DRIVER)
    if os.environ.get("MENTORBOT_TEST_BROWSER") == "require" and not found:
        raise RuntimeError("MENTORBOT_TEST_BROWSER=require but chromium/chromedriver are missing")
    return ["markup", "chromium"] if found else ["markup"]


@pytest.fixture
def page(bot, tmp_path):
    truth = generate(bot.engine, people=120, weeks=8)
    with transaction(bot.engine) as s:
        program = s.get(Program, truth.program_id)
        report = build(
            s,
            program,
            bot.settings,
            now=datetime(2026, 11, 9, tzinfo=UTC),
            zone="Europe/Berlin",
            prompts=bot.prompts,
        )
    path = tmp_path / "report.html"
    path.write_text(html(report), encoding="utf-8")
    return path


class _Figures(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.svgs: list[dict[str, str | None]] = []
        self.captions = 0
        self.details = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "svg" and "figure" in self.stack:
            self.svgs.append(dict(attrs))
        self.captions += tag == "figcaption" and "figure" in self.stack
        self.details += tag == "details" and "figure" in self.stack
        if tag in ("figure", "svg"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()


@pytest.mark.parametrize("viewer", viewers())
def test_the_page_renders_every_chart_without_errors(page, viewer):
    text = page.read_text(encoding="utf-8")
    if viewer == "markup":
        figures = _Figures()
        figures.feed(text)
        assert len(figures.svgs) >= 4
        for svg in figures.svgs:
            assert re.match(r"^\d+(\.\d+)?pt$", svg["width"] or "")
            assert svg.get("viewbox") or svg.get("viewBox")
        assert figures.captions == figures.details == len(figures.svgs)
        return
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM or ""
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.add_argument("--proxy-server=127.0.0.1:9")  # any fetch would fail and be logged
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        for width in (1280, 375):  # a desktop window, then a phone's
            driver.set_window_size(width, 900)
            driver.get(page.as_uri())
            errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
            assert errors == []
            fetched = driver.execute_script(
                "return performance.getEntriesByType('resource').map(e => e.name)"
            )
            assert fetched == []
            charts = driver.find_elements("css selector", "figure svg")
            assert len(charts) >= 4
            for chart in charts:
                assert chart.is_displayed()
                assert chart.size["width"] > 200 and chart.size["height"] > 80
                assert chart.size["width"] <= width
            overflow = driver.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1
    finally:
        driver.quit()
