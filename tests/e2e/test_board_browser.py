"""The board pages in a real browser at 1920×1080: charts drawn, no exception box, Chinese visible.

One server for the module (the machine is small); screenshots go to test-artifacts/board-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import (
    ARTIFACTS,
    BoardServer,
    bundled_server,
    exception_count,
    open_page,
    screenshot,
    wait_for_app,
)

pytestmark = pytest.mark.e2e

PAGES = [
    # (path, a heading that must be visible, plotly charts expected at least)
    ("/overview", "总览", 5),  # "/" steps to /overview (tests/e2e/test_deep_link.py)
    ("/section", "板块", 2),
    ("/unit", "处室", 1),
    ("/task?task=8", "任务", 1),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory, browser) -> Iterator[BoardServer]:
    with bundled_server(tmp_path_factory.mktemp("board"), browser) as running:
        yield running


@pytest.mark.parametrize(("path", "heading", "charts"), PAGES)
def test_board_page_renders(server, browser, path: str, heading: str, charts: int) -> None:
    page = open_page(browser, server.url(path))
    try:
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
        name = "board-" + (path.strip("/").split("?")[0] or "overview")
        screenshot(page, name)
        assert exception_count(page) == 0
        assert page.get_by_text("Page not found").count() == 0
        assert page.locator(".js-plotly-plot").count() >= charts
        for i, chart in enumerate(page.locator(".js-plotly-plot").all()):
            # The app scrolls inside its own container, so a full-page shot stops at the fold.
            chart.scroll_into_view_if_needed()
            chart.screenshot(path=str(ARTIFACTS / f"{name}-chart{i}.png"))
        assert page.get_by_role("heading", name=heading, exact=True).first.is_visible()
        body = page.locator("[data-testid='stMain']").inner_text()
        assert "数据截至" in page.locator("[data-testid='stSidebar']").inner_text()
        assert "示例数据" in body
        nav = page.locator("[data-testid='stSidebarNav']").inner_text()
        assert "总览" in nav and "看板" in nav  # the grouped navigation of app.py, not the pages/ listing
    finally:
        page.context.close()


def test_task_page_link_and_chinese_in_svg(server, browser) -> None:
    """The ?task= link opens that task; chart text is Chinese glyphs drawn in the SVG."""
    page = open_page(browser, server.url("/task?task=8"))
    try:
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
        body = page.locator("[data-testid='stMain']").inner_text()
        assert "四、实现馆藏联展互展" in body  # task 8's section
        assert "红灯" in body  # task 8 is overdue at 2026-11-20 (deadline 2026-09-30)
        svg_text = " ".join(page.locator(".js-plotly-plot text").all_text_contents())
        assert "各责任处室进度" in svg_text  # the chart title, drawn by plotly
        assert "省情信息工作处" in svg_text  # task 8's unit, in the legend
    finally:
        page.context.close()


def test_overview_chart_labels_not_clipped(server, browser) -> None:
    """Every y tick label of the section chart lies inside its SVG (no cut-off headings)."""
    page = open_page(browser, server.url("/"))
    try:
        page.wait_for_selector(".js-plotly-plot .ytick text", timeout=30_000)
        plot = page.locator(".js-plotly-plot").first
        box = plot.bounding_box()
        for label in plot.locator(".ytick text").all():
            tick = label.bounding_box()
            assert tick["x"] >= box["x"] - 1, label.inner_text()
        assert Path(screenshot(page, "board-overview-top")).exists()
        heading = page.get_by_text("红灯、黄灯任务及最新存在问题")
        heading.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "board-overview-warned.png"))  # viewport, after scrolling
        assert heading.is_visible()
    finally:
        page.context.close()


def test_period_picker_sets_the_date_and_the_numbers(server, browser) -> None:
    """Picking 2026年第三季度 sets D to 2026-09-30: 总体进度 60.3% (as `summary --as-of 2026-09-30`)."""
    page = open_page(browser, server.url("/"))
    try:
        kpi = page.locator("[data-testid='stMetric']").filter(has_text="总体进度")
        assert "65.1%" in kpi.inner_text()  # D = today = 2026-11-20
        sidebar = page.locator("[data-testid='stSidebar']")
        sidebar.locator("[data-testid='stSelectbox']").first.click()
        page.get_by_role("option", name="2026年第三季度").click()
        page.wait_for_function(
            "() => [...document.querySelectorAll(\"[data-testid='stMetric']\")].some(m => m.innerText.includes('60.3%'))",
            timeout=30_000,
        )
        assert "60.3%" in kpi.inner_text()
        assert "2026/09/30" in sidebar.locator("[data-testid='stDateInput'] input").input_value().replace("-", "/")
        page.locator("[data-testid='stSidebarNav']").get_by_text("处室", exact=True).click()
        page.wait_for_selector("h1:has-text('处室')", timeout=30_000)
        wait_for_app(page)
        # D stays at the picked period's end on the next page: summary --as-of 2026-09-30 --json gives
        # 省情信息工作处 progress 69.45, reported 8 of 9.
        unit_kpi = page.locator("[data-testid='stMetric']").filter(has_text="处室进度")
        assert "69.5%" in unit_kpi.inner_text()
        assert "8/9" in page.locator("[data-testid='stMetric']").filter(has_text="本期报送率").inner_text()
        page.get_by_text("未报送清单（催报）").scroll_into_view_if_needed()
        screenshot(page, "board-unit-reminders")
        assert exception_count(page) == 0
    finally:
        page.context.close()


def test_a_picked_rows_full_text_is_readable_below_the_table(server, browser) -> None:
    """Issue 11 item 5: 任务内容 and 存在问题 are cut to a column's width; picking the row shows them whole."""
    import datetime as dt

    from lib import metrics, tables, validate
    from tests.e2e.conftest import FIXED_TODAY

    book = validate.load(server.workbook, today=dt.date.fromisoformat(FIXED_TODAY)).book
    warned = tables.warned_tasks(metrics.compute(book, dt.date.fromisoformat(FIXED_TODAY)))
    content = warned[tables.LABELS["content"]].iloc[0]  # the first row as the page orders it
    page = open_page(browser, server.url("/overview"))
    try:
        table = page.locator("[data-testid='stDataFrame']").first
        table.scroll_into_view_if_needed()
        box = table.bounding_box()
        assert box is not None
        assert page.get_by_text("点选表格左侧的方框").first.is_visible()
        # the row-selection column is the grid's first, left of 编号; the header row is 35 px high
        page.mouse.click(box["x"] + 16, box["y"] + 35 + 17)
        shown = page.locator("[data-testid='stMain'] [data-testid='stText']").filter(has_text=content[:20])
        shown.first.wait_for(timeout=60_000)
        wait_for_app(page)
        assert shown.first.inner_text().strip() == content.strip()  # whole, not cut
        shown.first.scroll_into_view_if_needed()
        screenshot(page, "board-selected-row-text")
    finally:
        page.context.close()
