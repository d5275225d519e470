"""Every error and warning of the contract, with the sheet, Excel row and column it names."""

import datetime as dt

import openpyxl
import pytest

from lib import validate
from tests.builders import write_book

TODAY = dt.date(2026, 11, 1)
TASKS = [
    {"task_id": "1", "section": "一、甲", "content": "任务一", "units_text": "机关各处、丙社"},
    {"task_id": "2", "section": "一、甲", "content": "任务二", "units_text": "乙处"},
]


def load(tmp_path, tasks=TASKS, updates=(), **kwargs):
    return validate.load(write_book(tmp_path / "b.xlsx", tasks, list(updates), **kwargs), today=TODAY)


def find(result, text):
    matches = [p for p in result.problems if text in p.message]
    assert matches, [p.as_text() for p in result.problems]
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
    messages = [p.as_text() for p in result.errors]
    assert any("缺少「处室」工作表" in m for m in messages)
    assert any("缺少「进展」工作表" in m for m in messages)
    missing_column = find(result, "缺少必填列「任务内容」")
    assert (missing_column.sheet, missing_column.row, missing_column.column) == ("任务", 1, "任务内容")


def test_duplicate_task_id(tmp_path):
    result = load(tmp_path, tasks=[*TASKS, {"task_id": "2", "section": "二、乙", "content": "重", "units_text": "甲处"}])
    problem = find(result, "与第3行重复")
    assert (problem.level, problem.sheet, problem.row, problem.column, problem.value) == ("错误", "任务", 4, "编号", "2")


def test_unknown_task_and_unit_not_responsible(tmp_path):
    result = load(tmp_path, updates=[(dt.date(2026, 3, 1), "99", "甲处", 10), (dt.date(2026, 3, 1), "2", "甲处", 10)])
    unknown = find(result, "编号「99」在任务表中不存在")
    assert (unknown.sheet, unknown.row, unknown.column) == ("进展", 2, "编号")
    assert unknown.as_text() == "[错误] 进展 第2行 「编号」列：编号「99」在任务表中不存在，请核对编号。"
    not_responsible = find(result, "不是任务「2」的责任处室")
    assert (not_responsible.row, not_responsible.column, not_responsible.value) == (3, "处室", "甲处")
    assert result.book.updates.empty  # rows with errors are left out


def test_group_members_are_responsible(tmp_path):
    # 机关各处 expands to 甲处 and 乙处, so 乙处 may report on task 1.
    result = load(tmp_path, updates=[(dt.date(2026, 3, 1), "1", "乙处", 10)])
    assert result.ok


@pytest.mark.parametrize("value, message", [("很多", "不是数字"), (120, "0 到 100 之间"), (-5, "0 到 100 之间")])
def test_bad_progress(tmp_path, value, message):
    result = load(tmp_path, updates=[(dt.date(2026, 3, 1), "1", "甲处", value)])
    problem = find(result, message)
    assert (problem.level, problem.row, problem.column) == ("错误", 2, "完成进度")


def test_unreadable_dates(tmp_path):
    result = load(tmp_path, tasks=[{**TASKS[0], "deadline_text": "尽快"}, TASKS[1]],
                  updates=[("上周五", "2", "乙处", 10)])
    deadline = find(result, "完成时限无法识别")
    assert (deadline.sheet, deadline.row, deadline.column) == ("任务", 2, "完成时限")
    date = find(result, "填报日期无法识别")
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
    assert find(result, "已按「推进中」处理").row == 2
    assert find(result, "由上次的 50 降为 40").row == 3
    assert find(result, "状态不是「已完成」").row == 4
    assert find(result, "与第6行的填报日期、编号、处室相同").row == 5
    assert find(result, "晚于今天").row == 7
    kept = result.book.updates
    assert kept.loc[kept["unit"] == "丙社", "progress"].tolist() == [30]


def test_bad_rows_name_excel_row_after_title_rows(tmp_path):
    workbook = openpyxl.load_workbook(write_book(tmp_path / "b.xlsx", TASKS, [(dt.date(2026, 3, 1), "1", "甲处", 10)]))
    workbook["进展"].insert_rows(1, amount=2)
    workbook["进展"]["A1"] = "2026年第一季度进展填报表"
    workbook["进展"].append([dt.date(2026, 3, 2), "7", "甲处", 10])
    workbook.save(tmp_path / "t.xlsx")
    result = validate.load(tmp_path / "t.xlsx", today=TODAY)
    assert find(result, "编号「7」").row == 5


def test_cli_validate_exit_codes(tmp_path, capsys):
    from lib.__main__ import main

    good = write_book(tmp_path / "g.xlsx", TASKS, [(dt.date(2026, 3, 1), "1", "甲处", 10)])
    assert main(["validate", str(good)]) == 0
    bad = write_book(tmp_path / "bad.xlsx", TASKS, [(dt.date(2026, 3, 1), "99", "甲处", 10)])
    assert main(["validate", str(bad)]) == 1
    assert "进展 第2行 「编号」列：编号「99」在任务表中不存在" in capsys.readouterr().out
