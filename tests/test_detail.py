"""lib.detail and lib.tables on the board workbook (tests.builders; numbers computed in test_pages_board)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from lib import detail, escape, metrics, tables


@pytest.fixture(scope="module")
def book(board_book):
    return board_book


def test_reporting_grid_per_period(book):
    grid = detail.reporting_grid(book, dt.date(2026, 5, 31))
    status = grid.set_index(["task_id", "unit", "period_code"])["status"].to_dict()
    assert status == {
        ("1", "甲处", "2026Q1"): "已报送", ("1", "甲处", "2026Q2"): "已报送",
        ("1", "乙处", "2026Q1"): "已报送", ("1", "乙处", "2026Q2"): "未报送",
        ("2", "乙处", "2026Q1"): "未报送", ("2", "乙处", "2026Q2"): "已报送",
    }


def test_reporting_grid_not_required_once_done(book):
    done = book.updates.iloc[[0]].assign(date=pd.Timestamp(2026, 3, 31), progress=100.0, row=99)
    finished = dataclasses.replace(book, updates=pd.concat([book.updates, done], ignore_index=True))
    grid = detail.reporting_grid(finished, dt.date(2026, 5, 31)).set_index(["task_id", "unit", "period_code"])
    assert grid.loc[("1", "甲处", "2026Q2"), "status"] == "无需报送"  # at 100 before Q2 began


def test_reporting_grid_current_period_matches_snapshot(book):
    snapshot = metrics.compute(book, dt.date(2026, 5, 31))
    current = detail.reporting_grid(book, snapshot.as_of).query("period_code == '2026Q2'")
    assert (current["status"] == "已报送").sum() == snapshot.overall.reported == 2
    assert (current["status"] != "无需报送").sum() == snapshot.overall.required == 3


def test_unit_and_assignment_trend(book):
    trend = detail.unit_trend(book, dt.date(2026, 5, 31))
    values = trend.set_index(["period", "unit"])["progress"].to_dict()
    assert values == {("2026年第一季度", "甲处"): 40.0, ("2026年第一季度", "乙处"): 10.0,
                      ("2026年第二季度", "甲处"): 60.0, ("2026年第二季度", "乙处"): 35.0}


def test_task_history_newest_first(book):
    history = detail.task_history(book, "1")
    assert history["date"].dt.date.tolist() == [dt.date(2026, 5, 10), dt.date(2026, 3, 20), dt.date(2026, 3, 15)]


def test_reminder_text_lists_each_unreported_assignment(book):
    snapshot = metrics.compute(book, dt.date(2026, 5, 31))
    text = tables.reminder_text(tables.reminder_list(snapshot), "2026年第二季度")
    assert text.splitlines() == ["2026年第二季度未报送进展清单（共 1 项）：", "1. 乙处　任务1　任务一的内容"]


def test_xlsx_bytes_keeps_formula_like_text_as_text():
    frame = pd.DataFrame({"说明": ["=SUM(A1:A2)", "+86", "-", "@x", "正常"], "进度": [1.5, None, 3, 4, 5]})
    sheet = openpyxl.load_workbook(io.BytesIO(tables.xlsx_bytes(frame))).active
    assert [c.value for c in sheet["A"]] == ["说明", "=SUM(A1:A2)", "+86", "-", "@x", "正常"]
    assert all(c.data_type == "s" for c in sheet["A"])
    assert [c.value for c in sheet["B"]] == ["进度", 1.5, None, 3, 4, 5]


def test_literal_escapes_markdown():
    assert escape.for_markdown("一、*重点*任务_[链接](x)") == r"一、\*重点\*任务\_\[链接\]\(x\)"


def test_drill_downs_for_one_unit_or_task_equal_the_full_frames_filtered(book):
    as_of = dt.date(2026, 5, 31)
    full = detail.reporting_grid(book, as_of)
    mine = detail.reporting_grid(book, as_of, "乙处")
    pd.testing.assert_frame_equal(mine.reset_index(drop=True), full[full["unit"] == "乙处"].reset_index(drop=True))
    trend = detail.unit_trend(book, as_of, "乙处")
    assert trend[["period", "scope", "progress"]].to_numpy().tolist() == [
        ["2026年第一季度", "乙处", 10.0], ["2026年第二季度", "乙处", 35.0]]  # (20 + 0) / 2, (20 + 50) / 2
    lines = detail.task_trend(book, "1", as_of)
    assert lines[["period", "unit", "progress"]].to_numpy().tolist() == [
        ["2026年第一季度", "甲处", 40.0], ["2026年第一季度", "乙处", 20.0],
        ["2026年第二季度", "甲处", 60.0], ["2026年第二季度", "乙处", 20.0]]


def test_section_summary_counts_its_lights(book):
    snapshot = metrics.compute(book, dt.date(2026, 5, 31))
    summary = tables.section_summary(snapshot, "二、第二板块，开展研究")
    assert summary == {"progress": 50.0, "change": 50.0, "tasks": 1, "done": 0, "red": 1, "yellow": 0,
                       "due": 0, "on_time": 0, "overdue": 0, "on_time_rate": summary["on_time_rate"]}
    assert pd.isna(summary["on_time_rate"])  # nothing due yet: no rate, which is not 0 %
    assert metrics.light_counts(snapshot.tasks) == {"红": 1, "黄": 0, "蓝": 0, "绿": 1, "已完成": 0}
    # 07-01: task 2 (due 06-30, at 50) is the section's one task due, overdue: 0 of 1 on time.
    after = tables.section_summary(metrics.compute(book, dt.date(2026, 7, 1)), "二、第二板块，开展研究")
    assert (after["due"], after["on_time"], after["overdue"], after["on_time_rate"]) == (1, 0, 1, 0.0)


def test_task_problems_one_format_for_board_review_and_excel():
    """Units naming the same problem share one entry; the names can be short labels."""
    assignments = pd.DataFrame({
        "task_id": ["1", "1", "1", "2", "3"], "unit": ["甲处", "乙处", "丙处", "甲处", "乙处"],
        "problems": ["经费不足", "经费不足", " 人手少 ", None, ""],
    })
    problems = detail.task_problems(pd.Series(["3", "1", "2"]), assignments)
    assert problems.tolist() == ["", "甲处、乙处：经费不足；丙处：人手少", ""]
    short = detail.task_problems(pd.Series(["1"]), assignments, {"甲处": "甲", "乙处": "乙"})
    assert short.tolist() == ["甲、乙：经费不足；丙处：人手少"]


def test_download_frame_rounds_like_the_display_and_drops_links():
    frame = pd.DataFrame({"编号": ["1"], "完成进度": [83.33333], "序时进度": [41.25], tables.LINK: ["task?task=1"]})
    shown = tables.download_frame(frame)
    assert list(shown.columns) == ["编号", "完成进度", "序时进度"]
    assert shown.iloc[0].tolist() == ["1", 83.3, 41.2]  # the table's "%.1f%%"
