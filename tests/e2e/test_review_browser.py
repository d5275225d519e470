"""The 季度汇报 page in Chromium at projector sizes: every slide fits, and its type is room-scale.

Scaling rule (lib/review_view.py): slide text is ``28 px × min(W/1920, H/1080)``, so 28 px at 1920×1080
and 14.9 px at 1024×768 — the same share of the picture on the wall. Chart text is fixed at ≥ 20 px at
every size. A chart fills the height left between the slide's text and the controls, which sit at the
bottom of the screen (issue 11 item 7). Screenshots: test-artifacts/review-<width>-slide<n>.png.
"""

from __future__ import annotations

import pytest

from lib import review, validate
from tests.e2e.conftest import ROOT, bundled_server, screenshot, wait_for_app

pytestmark = pytest.mark.e2e

SIZES = [(1920, 1080), (1024, 768)]
BODY_PX, CHART_PX = 28, 20
FILL_SLACK = 0.08  # of the viewport height: the most left empty above the controls or below them

# Largest overflow of any scrollable box on the page (0 when nothing scrolls).
OVERFLOW_JS = """() => {
  let worst = document.documentElement.scrollHeight - window.innerHeight;
  for (const el of document.querySelectorAll('*')) {
    const style = getComputedStyle(el);
    if (['auto', 'scroll'].includes(style.overflowY) && el.clientHeight > 0)
      worst = Math.max(worst, el.scrollHeight - el.clientHeight);
  }
  return worst;
}"""
# Smallest font size of visible text in the slide's HTML and in its chart.
FONTS_JS = """() => {
  const box = document.querySelector('.st-key-rv_slide_box');
  let body = Infinity, chart = Infinity, texts = 0;
  for (const el of box.querySelectorAll('.rv-slide *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || el.getClientRects().length === 0) continue;
    texts++;
    body = Math.min(body, parseFloat(getComputedStyle(el).fontSize));
  }
  let chartLargest = 0;
  for (const el of box.querySelectorAll('svg text')) {
    if (!el.textContent.trim()) continue;
    chart = Math.min(chart, parseFloat(getComputedStyle(el).fontSize));
    chartLargest = Math.max(chartLargest, parseFloat(getComputedStyle(el).fontSize));
  }
  const title = box.querySelector('.rv-title');
  return {body, chart, chartLargest, texts, svgs: box.querySelectorAll('svg.main-svg').length,
          title: title ? parseFloat(getComputedStyle(title).fontSize) : null};
}"""
# Plotly redraws after Streamlit has measured the chart's box: settled when the drawing is as tall as its box.
SETTLED_JS = """() => {
  const box = document.querySelector('.st-key-rv_slide_box .stPlotlyChart');
  const svg = box && box.querySelector('.main-svg');
  return !!svg && Math.abs(svg.getBoundingClientRect().height - box.getBoundingClientRect().height) <= 1;
}"""
FILL_JS = """() => {
  const chart = document.querySelector('.st-key-rv_slide_box .main-svg').getBoundingClientRect();
  const controls = document.querySelector('.st-key-rv_controls').getBoundingClientRect();
  return {chartTop: chart.top, chartBottom: chart.bottom, controlsTop: controls.top,
          controlsBottom: controls.bottom, viewport: window.innerHeight};
}"""


def assert_chart_fills_the_screen(page, where: str) -> dict:
    """The chart reaches down to the controls, and the controls to the bottom of the screen."""
    page.wait_for_function(SETTLED_JS, timeout=20_000)
    box = page.evaluate(FILL_JS)
    slack = FILL_SLACK * box["viewport"]
    assert box["controlsTop"] - box["chartBottom"] <= slack, (where, box)
    assert 0 <= box["viewport"] - box["controlsBottom"] <= slack, (where, box)
    assert box["chartBottom"] - box["chartTop"] >= 0.4 * box["viewport"], (where, box)
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow <= 1, f"{where}: the page scrolls by {overflow}px"
    return box


@pytest.fixture(scope="module")
def server(tmp_path_factory, browser):
    with bundled_server(tmp_path_factory.mktemp("review"), browser) as running:
        yield running


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_every_slide_fits_is_room_scale_and_its_chart_fills_the_screen(browser, server, width, height):
    book = validate.load(ROOT / "data" / "tasks.xlsx").book
    slides = review.build_review(book, review.period_from_code("2026Q3", book)).slides
    scale = min(width / 1920, height / 1080)
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    try:
        for number, slide in enumerate(slides, start=1):
            page.goto(server.url(f"/review?slide={number}&embed=true"), wait_until="domcontentloaded")
            wait_for_app(page)
            if slide.chart is not None:
                page.wait_for_selector(".st-key-rv_slide_box svg.main-svg text", timeout=20_000)
                assert_chart_fills_the_screen(page, f"slide {number} at {width}×{height}")
            shot = screenshot(page, f"review-{width}-slide{number}")
            assert page.locator("[data-testid='stException']").count() == 0
            assert page.locator(".rv-asof, .rv-cover-asof").first.inner_text().startswith("数据截至 2026年9月30日")
            overflow = page.evaluate(OVERFLOW_JS)
            assert overflow <= 1, f"slide {number} scrolls by {overflow}px at {width}×{height} ({shot})"
            fonts = page.evaluate(FONTS_JS)
            assert fonts["texts"] > 0
            assert fonts["body"] >= BODY_PX * scale - 0.5, (number, fonts)
            if slide.chart is not None:
                assert fonts["svgs"] >= 1, f"slide {number}: no chart SVG"
                assert fonts["chart"] >= CHART_PX, (number, fonts)
                assert fonts["title"] > fonts["chartLargest"], (number, fonts)  # the title stays the largest text
    finally:
        context.close()


def test_the_fullscreen_button_fills_the_screen_and_leaves_it(browser, server):
    """Issue 11 item 7: a real 全屏 button (the browser's fullscreen API), not "add ?embed=true and press F11"."""
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(server.url("/review?slide=2"), wait_until="domcontentloaded")
        wait_for_app(page)
        button = page.locator(".rv-fullscreen")
        button.click()
        page.wait_for_function("() => document.fullscreenElement === document.documentElement")
        page.wait_for_function("() => document.querySelector('.rv-fullscreen').textContent === '退出全屏'")
        button.click()
        page.wait_for_function("() => document.fullscreenElement === null")
        # the label follows the fullscreenchange event, which comes after the state: wait for it, then read it
        page.wait_for_function("() => document.querySelector('.rv-fullscreen').textContent === '全屏'")
        assert button.inner_text() == "全屏"
    finally:
        context.close()


def test_the_chart_follows_full_screen_and_a_resized_window(browser, server):
    """Without ?embed=true: the chart fills the screen, in full screen, and again after the window shrinks."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(server.url("/review?slide=3"), wait_until="domcontentloaded")
        wait_for_app(page)
        large = assert_chart_fills_the_screen(page, "1920×1080")
        page.locator(".rv-fullscreen").click()
        page.wait_for_function("() => document.fullscreenElement === document.documentElement")
        assert_chart_fills_the_screen(page, "full screen at 1920×1080")
        page.set_viewport_size({"width": 1024, "height": 768})
        small = assert_chart_fills_the_screen(page, "full screen, shrunk to 1024×768")
        screenshot(page, "review-fullscreen-1024-slide3")
        assert small["chartBottom"] - small["chartTop"] < large["chartBottom"] - large["chartTop"]
        page.locator(".rv-fullscreen").click()
        page.wait_for_function("() => document.fullscreenElement === null")
        assert_chart_fills_the_screen(page, "1024×768 after full screen")
    finally:
        context.close()
