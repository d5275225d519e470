"""Every error and warning of the contract, with the sheet, Excel row and column it names."""

import datetime as dt
import re

import openpyxl
import pandas as pd
import pytest

from lib import schema, validate
from tests.builders import BOOK_UNITS as UNITS
from tests.builders import write_book

TODAY = dt.date(2026, 11, 1)
TASKS = [
    {"task_id": "1", "section": "一、甲", "content": "任务一", "units_text": "机关各处、丙社"},
    {"task_id": "2", "section": "一、甲", "content": "任务二", "units_text": "乙处"},
]


def load(tmp_path, tasks=TASKS, updates=(), **kwargs):
    return validate.load(write_book(tmp_path / "b.xlsx", tasks, list(updates), **kwargs), today=TODAY)


def find(result, code):
    """The first problem with ``code``; code matches on codes, never on the Chinese message."""
    matches = [p for p in result.problems if p.code == code]
    assert matches, [(p.code, p.as_text()) for p in result.problems]
    return matches[0]


def test_clean_book_has_no_problems(tmp_path):
    result = load(tmp_path, updates=[(dt.date(2026, 3, 1), "1", "甲处", 30)])
    assert result.ok and result.problems == []


def test_missing_sheet_and_column(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "任务"
    workbook.active.append(["编号", "板块", "责任处室"])
    path = tmp_path / "m.xlsx"
    workbook.save(path)
    result = validate.load(path)
    assert not result.ok
    assert {p.sheet for p in result.errors if p.code == "missing-sheet"} == {"处室", "进展"}
    missing_column = find(result, "missing-column")
    assert (missing_column.sheet, missing_column.row, missing_column.column) == ("任务", 1, "任务内容")


def test_duplicate_task_id(tmp_path):
    result = load(tmp_path, tasks=[*TASKS, {"task_id": "2", "section": "二、乙", "content": "重", "units_text": "甲处"}])
    problem = find(result, "duplicate-task-id")
    assert (problem.level, problem.sheet, problem.row, problem.column, problem.value) == ("错误", "任务", 4, "编号", "2")


def test_unknown_task_and_unit_not_responsible(tmp_path):
    result = load(tmp_path, updates=[(dt.date(2026, 3, 1), "99", "甲处", 10), (dt.date(2026, 3, 1), "2", "甲处", 10)])
    unknown = find(result, "unknown-task-id")
    assert (unknown.sheet, unknown.row, unknown.column) == ("进展", 2, "编号")
    assert unknown.as_text() == "[错误] 进展 第2行 「编号」列：编号「99」在任务表中不存在，请核对编号。"
    not_responsible = find(result, "unit-not-responsible")
    assert (not_responsible.row, not_responsible.column, not_responsible.value) == (3, "处室", "甲处")
    assert result.book.updates.empty  # rows with errors are left out


def test_group_members_are_responsible(tmp_path):
    # 机关各处 expands to 甲处 and 乙处, so 乙处 may report on task 1.
    result = load(tmp_path, updates=[(dt.date(2026, 3, 1), "1", "乙处", 10)])
    assert result.ok


@pytest.mark.parametrize("value, code", [("很多", "bad-progress"), (120, "progress-out-of-range"),
                                         (-5, "progress-out-of-range")])
def test_bad_progress(tmp_path, value, code):
    result = load(tmp_path, updates=[(dt.date(2026, 3, 1), "1", "甲处", value)])
    problem = find(result, code)
    assert (problem.level, problem.row, problem.column) == ("错误", 2, "完成进度")


def test_unreadable_dates(tmp_path):
    result = load(tmp_path, tasks=[{**TASKS[0], "deadline_text": "尽快"}, TASKS[1]],
                  updates=[("上周五", "2", "乙处", 10)])
    deadline = find(result, "bad-deadline")
    assert (deadline.sheet, deadline.row, deadline.column) == ("任务", 2, "完成时限")
    date = find(result, "bad-date")
    assert (date.sheet, date.row, date.column, date.value) == ("进展", 2, "填报日期", "上周五")


def test_warnings_do_not_block(tmp_path):
    result = load(tmp_path, updates=[
        (dt.date(2026, 3, 1), "2", "乙处", 50, "进行中"),  # synonym mapped
        (dt.date(2026, 6, 1), "2", "乙处", 40),  # progress went down
        (dt.date(2026, 7, 1), "2", "乙处", 100, "推进中"),  # 100 but not 已完成
        (dt.date(2026, 8, 1), "1", "丙社", 20),
        (dt.date(2026, 8, 1), "1", "丙社", 30),  # same key: the later row wins
        (dt.date(2026, 12, 1), "1", "甲处", 10),  # in the future
    ])
    assert result.ok and len(result.warnings) == 5
    assert find(result, "status-synonym").row == 2
    assert find(result, "progress-decreased").row == 3
    assert find(result, "progress-decreased").message == "完成进度由上次的 50 降为 40，请核对。"
    assert find(result, "status-not-done").row == 4
    assert find(result, "duplicate-update").row == 5
    assert find(result, "duplicate-update").message == "与第6行的填报日期、编号、处室相同，以后面一行为准。"
    assert find(result, "future-date").row == 7
    kept = result.book.updates
    assert kept.loc[kept["unit"] == "丙社", "progress"].tolist() == [30]


def test_bad_rows_name_excel_row_after_title_rows(tmp_path):
    workbook = openpyxl.load_workbook(write_book(tmp_path / "b.xlsx", TASKS, [(dt.date(2026, 3, 1), "1", "甲处", 10)]))
    workbook["进展"].insert_rows(1, amount=2)
    workbook["进展"]["A1"] = "2026年第一季度进展填报表"
    workbook["进展"].append([dt.date(2026, 3, 2), "7", "甲处", 10])
    workbook.save(tmp_path / "t.xlsx")
    result = validate.load(tmp_path / "t.xlsx", today=TODAY)
    assert find(result, "unknown-task-id").row == 5


def test_cli_validate_exit_codes(tmp_path, capsys):
    from lib.__main__ import main

    good = write_book(tmp_path / "g.xlsx", TASKS, [(dt.date(2026, 3, 1), "1", "甲处", 10)])
    assert main(["validate", str(good)]) == 0
    bad = write_book(tmp_path / "bad.xlsx", TASKS, [(dt.date(2026, 3, 1), "99", "甲处", 10)])
    assert main(["validate", str(bad)]) == 1
    assert "进展 第2行 「编号」列：编号「99」在任务表中不存在" in capsys.readouterr().out


def _every_kind_of_problem(tmp_path):
    """A few bad workbooks that between them give every problem validate knows."""
    day = dt.date(2026, 3, 1)
    # a row with a short name but no unit name, and 甲处 a second time
    units = pd.concat([UNITS, pd.DataFrame({"unit": ["", "甲处"], "short": ["某", ""], "groups": [[], []]})],
                      ignore_index=True)
    tasks = [
        *TASKS,
        {"task_id": "2", "section": "二、乙", "content": "重", "units_text": "甲处"},
        {"task_id": "", "section": "", "content": "内容", "units_text": ""},
        {"task_id": "4", "section": "二、乙", "content": "x", "units_text": "丙社", "start": "昨天",
         "deadline_text": "尽快"},
        {"task_id": "5", "section": "二、乙", "content": "x", "units_text": "丁处、乙处", "lead_text": "丙社"},
    ]
    updates = [
        (day, "99", "甲处", 10), (day, "2", "甲处", 10), ("上周五", "2", "乙处", 10), ("", "2", "乙处", 10),
        (day, "", "乙处", 10), (day, "2", "", 10), (day, "2", "乙处", ""), (day, "2", "乙处", "很多"),
        (day, "2", "乙处", 120), (dt.date(2026, 3, 2), "2", "乙处", 50, "进行中"),
        (dt.date(2026, 6, 1), "2", "乙处", 40), (dt.date(2026, 7, 1), "2", "乙处", 100, "推进中"),
        (dt.date(2026, 8, 1), "1", "丙社", 20), (dt.date(2026, 8, 1), "1", "丙社", 30),
        (dt.date(2026, 12, 1), "1", "甲处", 10), (day, "1", "甲处", 10, "乱写"),
    ]
    plan = {schema.PLAN_CYCLE: "每周", schema.PLAN_SOON_DAYS: "许多", schema.PLAN_ISSUED: "某天"}
    yield load(tmp_path, tasks=tasks, updates=updates, units=units, plan=plan)
    workbook = openpyxl.Workbook()
    workbook.active.title = "任务"
    workbook.active.append(["编号", "板块", "责任处室"])
    workbook.save(tmp_path / "m.xlsx")
    yield validate.load(tmp_path / "m.xlsx")
    (tmp_path / "x.xlsx").write_bytes(b"\x00 not a workbook")
    yield validate.load(tmp_path / "x.xlsx")
    yield validate.load(tmp_path / "absent.xlsx")


def test_every_problem_has_a_kebab_case_code(tmp_path):
    problems = [p for result in _every_kind_of_problem(tmp_path) for p in result.problems]
    codes = {p.code for p in problems}
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", p.code) for p in problems), [(p.code, p.as_text()) for p in problems]
    # one code per kind of finding: the workbooks above give each of these at least once
    assert codes == {
        "missing-sheet", "missing-column", "not-xlsx", "unreadable-file",
        "unknown-cycle", "bad-date", "bad-number", "missing-value", "duplicate-unit", "duplicate-task-id",
        "bad-deadline", "unknown-unit", "lead-not-responsible", "unknown-task-id", "unit-not-responsible",
        "bad-progress", "progress-out-of-range", "status-synonym", "unknown-status", "status-not-done",
        "future-date", "duplicate-update", "progress-decreased",
    }


# ---- 报送截止日 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "days"), [
    ("季度末后5日", 5), ("季度末后 5 天", 5), ("周期末后１０日", 10), ("5", 5), ("5日", 5), (7, 7), (3.0, 3),
    ("季度末", 0), ("0", 0),
])
def test_report_deadline_forms(tmp_path, cell, days):
    result = load(tmp_path, plan={schema.PLAN_REPORT_DEADLINE: cell})
    assert result.ok and result.problems == []
    assert result.book.plan.report_days == days


def test_report_deadline_defaults_to_the_period_end(tmp_path):
    assert load(tmp_path).book.plan.report_days == 0
    monthly = load(tmp_path, plan={schema.PLAN_CYCLE: schema.CYCLE_MONTH, schema.PLAN_REPORT_DEADLINE: "月末后3日"})
    assert monthly.ok and monthly.book.plan.report_days == 3


def _plan_row(path, key):
    sheet = openpyxl.load_workbook(path)[schema.SHEET_PLAN]
    return next(row[0].row for row in sheet.iter_rows() if row[0].value == key)


@pytest.mark.parametrize(("plan", "code"), [
    ({schema.PLAN_REPORT_DEADLINE: "季度末后五日"}, "bad-report-deadline"),
    ({schema.PLAN_REPORT_DEADLINE: "下月初"}, "bad-report-deadline"),
    ({schema.PLAN_REPORT_DEADLINE: -2}, "bad-report-deadline"),
    ({schema.PLAN_REPORT_DEADLINE: 2.5}, "bad-report-deadline"),
    ({schema.PLAN_REPORT_DEADLINE: "月末后5日"}, "report-deadline-cycle"),
    ({schema.PLAN_CYCLE: schema.CYCLE_MONTH, schema.PLAN_REPORT_DEADLINE: "季度末后5日"}, "report-deadline-cycle"),
    ({schema.PLAN_REPORT_DEADLINE: "季度末后90日"}, "report-deadline-too-late"),
    ({schema.PLAN_CYCLE: schema.CYCLE_MONTH, schema.PLAN_REPORT_DEADLINE: 28}, "report-deadline-too-late"),
])
def test_bad_report_deadline_names_sheet_row_and_column(tmp_path, plan, code):
    result = load(tmp_path, plan=plan)
    problem = find(result, code)
    assert problem.is_error and not result.ok
    assert (problem.sheet, problem.column) == (schema.SHEET_PLAN, "内容")
    assert problem.row == _plan_row(tmp_path / "b.xlsx", schema.PLAN_REPORT_DEADLINE)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", problem.code)
