"""The report page in a real browser: headless Chromium (Debian's ``chromium`` and
``chromium-driver``, driven by Selenium) opens the file with no network, logs no console
errors, fetches nothing, shows every chart with a size, fits a phone's width with chart text
of 11 px or more, and prints on A4. It writes screenshots at 1280 and 375 px to
``docs/report-screenshots/`` (committed, so a reviewer can look without running anything).

Like the PostgreSQL runs, the Chromium run is added where the browser is installed, and CI
(``MENTORBOT_TEST_BROWSER=require``, set by ``.ci/run``, which installs it) fails without it.
The markup run always runs: every chart is an inline SVG with a size, inside a figure with a
caption and its numbers.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.report.figures import build
from bot.report.page import html
from fakes.outcomes import generate
from storage.engine import transaction
from storage.models import Program

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "report-screenshots"
SMALLEST_TEXT = 11  # px: chart text at a phone's width
# Each chart's text size as drawn: its font size in the SVG's units, scaled to the SVG's width.
CHART_TEXT = """
return [...document.querySelectorAll('figure svg')].flatMap(svg => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return [...svg.querySelectorAll('text')].map(
    t => parseFloat(getComputedStyle(t).fontSize) * scale);
});
"""
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


def test_each_chart_has_axis_titles_meaningful_colours_and_its_numbers_once(page):
    """Every chart has axis titles; held (the outcome) is blue, never red; each chart's
    numbers are one table under its disclosure, not repeated beside it; the fit score says
    its scale."""
    text = page.read_text(encoding="utf-8")
    for svg in re.findall(r"<svg.*?</svg>", text, flags=re.S):
        assert "#d1242f" not in svg  # the old red
        assert len(re.findall(r'id="text_\d+"', svg)) >= 2, "x and y axis titles"
    held = re.search(r'aria-label="Line chart[^"]*".*?</svg>', text, flags=re.S)
    assert held and "#0969da" in held.group(0) and "#8c959f" in held.group(0)
    assert (
        "Meetings planned and held per cycle"
        not in text.replace("<details>", "")[: text.index('id="meetings"')]
    )
    meetings = text[text.index('id="meetings"') : text.index('id="goals"')]
    assert meetings.count("<table") == 1 and meetings.index("<details>") < meetings.index("<table")
    assert "average fit score (out of 100)" in text
    assert text.index('id="summary"') < text.index('id="participation"')


def _browser():  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM or ""
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.add_argument("--proxy-server=127.0.0.1:9")  # any fetch would fail and be logged
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(DRIVER), options=options)


def _screenshot(driver, width: int) -> None:  # type: ignore[no-untyped-def]
    """The whole page at ``width`` as docs/report-screenshots/report-<width>.png."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        },
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"report-{width}.png").write_bytes(base64.b64decode(shot["data"]))


@pytest.mark.parametrize("viewer", viewers())
def test_the_page_renders_every_chart_without_errors(page, viewer):
    """Every chart shows with a size, no console errors, nothing fetched, nothing wider than
    the window; at 375 px no chart text is under 11 px; screenshots at both widths."""
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
    driver = _browser()
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
            sizes = driver.execute_script(CHART_TEXT)
            assert len(sizes) > 20
            if width == 375:
                assert min(sizes) >= SMALLEST_TEXT, sorted(sizes)[:5]
            _screenshot(driver, width)
    finally:
        driver.quit()


@pytest.mark.parametrize("viewer", viewers())
def test_the_page_prints_on_a4_with_the_numbers_shown(page, viewer):
    """Printed: A4 pages, the summary first, every chart's numbers shown (no disclosure to
    open on paper), nothing wider than the page. Without Chromium (``markup``), the page's
    own print rules say so; Chromium prints it and measures."""
    if viewer == "markup":
        text = page.read_text(encoding="utf-8")
        style = text[text.index("<style>") : text.index("</style>")]
        assert "@page { size: A4;" in style
        printed = style[style.index("@media print") :]
        assert "details::details-content { content-visibility: visible; display: contents; }" in (
            printed
        )
        assert text.index('id="summary"') < text.index("<details>")
        return
    driver = _browser()
    try:
        driver.set_window_size(1280, 900)
        driver.get(page.as_uri())
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        shown = driver.execute_script(
            "return [...document.querySelectorAll('details table')].map(t => t.offsetHeight)"
        )
        assert len(shown) >= 4 and min(shown) > 0
        pdf = driver.execute_cdp_cmd(
            "Page.printToPDF", {"preferCSSPageSize": True, "printBackground": False}
        )
        data = base64.b64decode(pdf["data"])
        boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", data)
        assert boxes and all(
            abs(float(w) - 595.3) < 1.5 and abs(float(h) - 841.9) < 1.5 for w, h in boxes
        )
        assert 2 <= len(boxes) <= 20
    finally:
        driver.quit()
