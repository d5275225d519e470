"""Printing. Every .xlsx the board hands out prints on A4 landscape, one page wide, its header row on every
page, its sheet's name atop each page: board downloads, the review summary, the 全部方案 summary, the templates.
A board page's print view (``?print=1``) shows its tables whole, as static tables (the PDF: tests/e2e/test_print_browser.py).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib import plans, portfolio, review, schema, tables, template, validate
from lib.exports import xlsx
from lib.workbook import print_setup, tables_bytes
from tests.builders import TODAY, board_workbook, workbook_file, write_known

KNOWN_PERIOD = "2026Q3"
ROOT = Path(__file__).resolve().parents[1]


def _check_sheet(sheet, title_rows: str | None) -> None:
    setup = sheet.page_setup
    assert setup.orientation == "landscape", sheet.title
    assert int(setup.paperSize) == 9, sheet.title  # A4
    assert (int(setup.fitToWidth), int(setup.fitToHeight)) == (1, 0), sheet.title
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True, sheet.title
    assert (sheet.print_title_rows or "").replace("$", "") == (title_rows or ""), sheet.title
    assert sheet.oddHeader.center.text == sheet.title.replace("&", "&&")
    assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text


def _check_workbook(data: bytes, prose_sheets: tuple[str, ...] = ()) -> list[str]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    shown = [sheet for sheet in workbook.worksheets if sheet.sheet_state == "visible"]
    assert shown
    for sheet in shown:
        _check_sheet(sheet, None if sheet.title in prose_sheets else "1:1")
    return [sheet.title for sheet in shown]


@pytest.fixture(scope="module")
def known(tmp_path_factory):
    path = write_known(tmp_path_factory.mktemp("known") / "tasks.xlsx")
    book = validate.load(path).book
    return path, book


def test_board_table_download_prints_landscape_one_page_wide():
    frame = pd.DataFrame({"编号": ["1", "2"], "任务内容": ["甲" * 80, "乙"], "完成进度": [40.0, 100.0]})
    assert _check_workbook(tables.xlsx_bytes(frame)) == ["看板"]


def test_sheet_name_with_ampersand_is_printed_as_text():
    data = tables_bytes({"R&D 处": pd.DataFrame({"处室": ["甲处"]})})
    sheet = openpyxl.load_workbook(io.BytesIO(data))["R&D 处"]
    assert sheet.oddHeader.center.text == "R&&D 处"  # a lone & would start a header code


def test_review_summary_prints_every_sheet(known):
    _, book = known
    built = review.build_review(book, review.period_from_code(KNOWN_PERIOD, book))
    assert _check_workbook(xlsx.xlsx_bytes(built, book)) == ["总体", "板块", "处室", "任务", "未报送", "督办情况"]


def test_all_plans_summary_prints_every_sheet(known):
    path, book = known
    plan = plans.Plan(key="tasks", path=path, archived=False, default=True)
    data = portfolio.summary_xlsx([portfolio.figures(plan, book, TODAY)])
    assert _check_workbook(data) == list(portfolio.summary_frames([portfolio.figures(plan, book, TODAY)]))


@pytest.mark.parametrize("plan_keys", [["tasks"], ["tasks", "other"]])
def test_reporter_template_prints_with_its_header_row(tmp_path: Path, plan_keys: list[str]):
    book = validate.load(workbook_file(tmp_path / "tasks.xlsx"), today=TODAY).book
    data = template.reporter_template([(key, book) for key in plan_keys], ["甲处"], "张三", TODAY)
    shown = _check_workbook(data, prose_sheets=(template.SHEET_GUIDE,))
    assert shown == [schema.SHEET_UPDATES, template.SHEET_GUIDE]


def test_empty_template_prints_every_sheet():
    shown = _check_workbook(template.empty_template(), prose_sheets=(template.SHEET_GUIDE,))
    assert set(schema.SHEETS) <= set(shown)


def test_print_setup_without_title_rows_repeats_nothing():
    sheet = openpyxl.Workbook().active
    sheet.title = "说明"
    print_setup(sheet, title_rows=None)
    _check_sheet(sheet, None)


def _print_view(page: str, monkeypatch, tmp_path: Path, **query) -> AppTest:
    from lib.ui import board

    monkeypatch.setenv("KANBAN_WORKBOOK", str(board_workbook(tmp_path)))
    monkeypatch.setenv("KANBAN_TODAY", "2026-06-15")
    monkeypatch.setattr(board, "TABLE_PAGE_ROWS", 2)  # on screen, a table of three rows would be paged
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=90)
    for key, value in {**query, board.PRINT_PARAM: "1"}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_print_view_shows_every_row_as_a_static_table(monkeypatch, tmp_path: Path):
    at = _print_view("task", monkeypatch, tmp_path, task="1")  # three reports: 05-10, 03-20, 03-15
    assert len(at.dataframe) == 0 and len(at.get("download_button")) == 0
    assert [box.key for box in at.selectbox if str(box.key).startswith("page_")] == []  # no pager
    history = at.table[1].value
    assert list(history["填报日期"]) == [dt.date(2026, 5, 10), dt.date(2026, 3, 20), dt.date(2026, 3, 15)]
    assert tables.LINK not in at.table[0].value.columns  # a link means nothing on paper


def test_print_view_of_overview_has_static_tables_and_still_charts(monkeypatch, tmp_path: Path):
    at = _print_view("overview", monkeypatch, tmp_path)
    assert len(at.dataframe) == 0 and len(at.table) == 2
    charts = at.get("plotly_chart")
    assert charts and all('"staticPlot": true' in chart.proto.config and '"displayModeBar": false' in chart.proto.config
                          for chart in charts)
