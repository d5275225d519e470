"""总览 printed to PDF by Chromium: the print view (?print=1) and the page itself, without the sidebar.

One server for the module. The PDFs and a picture of their first page go to test-artifacts/print-*.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterator

import pytest

from lib import metrics, tables, validate
from tests.e2e.conftest import (
    ARTIFACTS,
    FIXED_TODAY,
    ROOT,
    BoardServer,
    bundled_server,
    exception_count,
    open_page,
    wait_for_app,
)

pytestmark = pytest.mark.e2e

OVERVIEW_CHARTS = 5  # sections, lights, units, trend, heatmap (the bundled plan has few enough tasks for the grid)
# Texts of the sidebar alone (navigation, data source, filters, the print link): never on paper.
SIDEBAR_ONLY = ["填报与管理", "版本记录", "数据来源", "全部板块", "返回交互版", "打印版"]
# Chart titles and axis texts, drawn by plotly as SVG: on paper only if the charts were drawn.
CHART_TEXTS = ["各板块完成进度", "预警分布", "处室完成进度", "本期报送率", "进度趋势", "任务 × 处室", "进度%", "任务1"]


@pytest.fixture(scope="module")
def server(tmp_path_factory, browser) -> Iterator[BoardServer]:
    with bundled_server(tmp_path_factory.mktemp("print"), browser) as running:
        yield running


@pytest.fixture(scope="module")
def expected_tables():
    """The overview's two tables of the bundled workbook at the servers' date, computed here."""
    today = dt.date.fromisoformat(FIXED_TODAY)
    book = validate.load(ROOT / "data" / "tasks.xlsx", today=today).book
    snapshot = metrics.compute(book, today)
    return tables.warned_tasks(snapshot), tables.reminder_list(snapshot)


def wait_for_charts(page, count: int) -> None:
    """Plotly's code arrives after the run has ended: wait until ``count`` charts have their SVG."""
    page.wait_for_function(
        "count => document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .js-plotly-plot .main-svg').length"
        " >= 3 * count && !document.querySelector('[data-testid=\"stSkeleton\"]')", arg=count, timeout=60_000)


def pdf_text(page, name: str) -> str:
    """Print the page as Chromium does (A4 landscape), keep the PDF and its first page as PNG, return its text."""
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / f"{name}.pdf"
    page.pdf(path=str(pdf), format="A4", landscape=True, print_background=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(ARTIFACTS / f"{name}-page1")], check=True)
    size = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    width, height = (float(v) for v in size.split("Page size:")[1].split("pts")[0].split(" x "))
    assert width > height and round(width / 72 * 25.4) == 297  # A4 landscape, in points
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def table_rows(page) -> list[int]:
    return [table.locator("tbody tr").count() for table in page.locator("[data-testid='stTable']").all()]


def test_print_view_prints_charts_and_whole_tables(server, browser, expected_tables) -> None:
    warned, reminders = expected_tables
    page = open_page(browser, server.url("/overview?print=1"))
    try:
        wait_for_charts(page, OVERVIEW_CHARTS)
        assert exception_count(page) == 0
        # Static tables with every row (no pages of 50, no scrolling canvas), and no plotly toolbar.
        assert page.locator("[data-testid='stDataFrame']").count() == 0
        assert table_rows(page) == [len(warned), len(reminders)]
        assert page.locator(".modebar-btn").count() == 0
        widths = page.eval_on_selector_all(".js-plotly-plot .main-svg:first-child", "svgs => svgs.map(s => +s.getAttribute('width'))")
        assert widths == [1000] * OVERVIEW_CHARTS  # board.PRINT_CHART_WIDTH: what A4 landscape holds
        text = pdf_text(page, "print-overview")
        missing = [t for t in ["总览", *CHART_TEXTS, *tables.download_frame(reminders).columns, *tables.download_frame(warned).columns] if t not in text]
        assert missing == []
        assert [t for t in SIDEBAR_ONLY if t in text] == []
        progress = tables.download_frame(warned)[tables.LABELS["progress"]]
        assert f"{progress.iloc[0]:.1f}%" in text  # progress reads as on screen, not as a bare number
        assert text.count("\f") >= 3  # the whole page, not one screen of it
    finally:
        page.context.close()


def test_page_itself_prints_without_sidebar(server, browser) -> None:
    page = open_page(browser, server.url("/overview"))
    try:
        wait_for_charts(page, OVERVIEW_CHARTS)
        assert page.locator("[data-testid='stSidebar']").is_visible()
        page.emulate_media(media="print")
        for hidden in ("stSidebar", "stHeader", "stDownloadButton"):
            assert page.locator(f"[data-testid='{hidden}']").first.is_hidden(), hidden
        text = pdf_text(page, "print-overview-plain")
        assert [t for t in ["总览", "各板块完成进度", "任务 × 处室"] if t not in text] == []
        assert [t for t in SIDEBAR_ONLY if t in text] == []
    finally:
        page.context.close()


def test_print_link_opens_the_print_view_with_the_same_date(server, browser) -> None:
    page = open_page(browser, server.url("/overview?d=2026-09-30"))
    try:
        page.wait_for_selector("[data-testid='stDataFrame']")
        page.get_by_role("link", name="打印版").click()
        page.wait_for_url("**print=1**")
        wait_for_app(page)
        wait_for_charts(page, OVERVIEW_CHARTS)
        assert "d=2026-09-30" in page.url
        assert page.locator("[data-testid='stDataFrame']").count() == 0
        assert page.locator("[data-testid='stTable']").count() == 2
        assert "2026年9月30日" in page.locator("[data-testid='stMain']").inner_text()
    finally:
        page.context.close()
