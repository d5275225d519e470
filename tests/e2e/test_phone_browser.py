"""总览 and 任务 on a phone (390×844, a phone's browser): readable without zooming (issue 11 item 6).

Checked by the boxes the browser lays out, not by eye alone: KPI cards two to a line, nothing wider than the
screen, no plotly toolbar, and in every chart no two titles or labels overlapping or cut at the chart's edge.
Screenshots: test-artifacts/phone-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.conftest import BoardServer, bundled_server, screenshot, wait_for_app

pytestmark = pytest.mark.e2e

# Every text plotly draws in a chart, by kind. Labels of one kind may touch only where plotly rotates them
# (x ticks), whose boxes overlap even when the letters do not.
TEXT_BOXES_JS = """(chart) => {
  const kinds = {title: ".gtitle", annotation: ".annotation-text", xtick: ".xtick text", ytick: ".ytick text",
                 axistitle: ".g-xtitle text, .g-ytitle text", legend: ".legendtext", bartext: ".bartext"};
  const boxes = [];
  for (const [kind, selector] of Object.entries(kinds)) {
    for (const element of chart.querySelectorAll(selector)) {
      const box = element.getBoundingClientRect();
      if (box.width > 0 && box.height > 0 && element.textContent.trim())
        boxes.push({kind, text: element.textContent, left: box.left, right: box.right, top: box.top, bottom: box.bottom});
    }
  }
  const frame = chart.getBoundingClientRect();
  return {boxes, left: frame.left, right: frame.right};
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory, browser) -> Iterator[BoardServer]:
    with bundled_server(tmp_path_factory.mktemp("phone"), browser) as running:
        yield running


# Playwright's "iPhone 13": its screen and its browser's user agent, which says "Mobile".
IPHONE_13 = {
    "viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
    "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 15_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                  "Version/15.0 Mobile/15E148 Safari/604.1",
}


@pytest.fixture
def phone(browser):
    context = browser.new_context(**IPHONE_13, locale="zh-CN")
    yield context.new_page()
    context.close()


def overlapping(first: dict, second: dict, slack: float = 1.0) -> bool:
    return (min(first["right"], second["right"]) - max(first["left"], second["left"]) > slack
            and min(first["bottom"], second["bottom"]) - max(first["top"], second["top"]) > slack)


def check_charts(page) -> int:
    """Asserts no two texts of a chart overlap and none is cut at its edge; returns the number of charts."""
    charts = page.locator(".js-plotly-plot").all()
    for chart in charts:
        chart.scroll_into_view_if_needed()
        found = chart.evaluate(TEXT_BOXES_JS)
        boxes = found["boxes"]
        assert boxes, "a chart without any text"
        for box in boxes:
            assert found["left"] - 1 <= box["left"] and box["right"] <= found["right"] + 1, f"cut at the edge: {box}"
        for i, first in enumerate(boxes):
            for second in boxes[i + 1:]:
                if first["kind"] == second["kind"] == "xtick":
                    continue
                assert not overlapping(first, second), f"overlap: {first} / {second}"
    return len(charts)


def check_layout(page, last_card: str) -> None:
    page.locator("[data-testid='stMetric']").filter(has_text=last_card).wait_for()
    wait_for_app(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390  # nothing wider than the screen
    assert page.locator(".modebar-btn").count() == 0  # no toolbar over the titles
    cards = [box for box in (card.bounding_box() for card in page.locator("[data-testid='stMetric']").all()) if box]
    assert len(cards) >= 4
    assert abs(cards[0]["y"] - cards[1]["y"]) < 2 and cards[1]["x"] > cards[0]["x"]  # two to a line
    assert all(card["x"] + card["width"] <= 390 for card in cards)


def test_overview_on_a_phone(server, phone) -> None:
    phone.goto(server.url("/overview"), wait_until="domcontentloaded")
    wait_for_app(phone)
    check_layout(phone, "本期报送率")
    assert check_charts(phone) == 4  # 板块, 预警, 处室 (two panels), 趋势: the heatmap is a list here
    headings = phone.locator("h3").all_inner_texts()
    assert any("各任务分工进度" in text for text in headings)
    assert not any("任务 × 处室" in text for text in headings)
    screenshot(phone, "phone-overview")


def test_task_page_on_a_phone(server, phone) -> None:
    phone.goto(server.url("/task?task=8"), wait_until="domcontentloaded")
    wait_for_app(phone)
    check_layout(phone, "预警")
    assert check_charts(phone) == 1
    screenshot(phone, "phone-task")
