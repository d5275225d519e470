"""lib/template: the reporter's pre-filled 进展 sheet reads back valid, with its data validation."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl

from lib import schema, store, template, validate
from lib.accounts import ROLE_REPORTER, Account
from tests.builders import TODAY, workbook_file


def _book(tmp_path: Path):
    path = workbook_file(tmp_path / "tasks.xlsx")
    return path, validate.load(path, today=TODAY).book


def test_reporter_template_prefills_open_assignments_of_own_units(tmp_path: Path):
    _, book = _book(tmp_path)
    data = template.reporter_template([("tasks", book)], ["甲处"], "张三", TODAY)
    sheet = openpyxl.load_workbook(io.BytesIO(data))[schema.SHEET_UPDATES]
    headers = [c.value for c in sheet[1]]
    assert headers[: len(schema.UPDATE_COLUMNS)] == [c.header for c in schema.UPDATE_COLUMNS]
    assert headers[-1] == template.CONTENT_HEADER
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2, values_only=False)]
    # 甲处 is responsible for task 1 (40) and task 2 (20): both open
    assert [(r[1], r[2], r[3]) for r in rows] == [("1", "甲处", 40), ("2", "甲处", 20)]
    assert rows[0][-1] == "建立联络机制" and rows[0][8] == "张三"


def test_template_data_validation(tmp_path: Path):
    _, book = _book(tmp_path)
    workbook = openpyxl.load_workbook(io.BytesIO(template.reporter_template([("tasks", book)], ["甲处", "乙处"], "张三", TODAY)))
    validations = {(v.type, str(v.sqref).split(":")[0]): v for v in workbook[schema.SHEET_UPDATES].data_validations.dataValidation}
    assert validations[("list", "E2")].formula1 == '"未启动,推进中,已完成,滞后"'  # 状态
    progress = validations[("whole", "D2")]  # 完成进度
    assert (progress.formula1, progress.formula2) == ("0", "100")
    assert ("date", "A2") in validations  # 填报日期
    assert validations[("list", "C2")].formula1 == '"甲处,乙处"'  # 处室: the reporter's units
    assert template.SHEET_GUIDE in workbook.sheetnames


def test_filled_template_passes_validation_and_merges(tmp_path: Path):
    path, book = _book(tmp_path)
    workbook = openpyxl.load_workbook(io.BytesIO(template.reporter_template([("tasks", book)], ["甲处"], "张三", TODAY)))
    sheet = workbook[schema.SHEET_UPDATES]
    sheet["D2"] = 60
    sheet["F2"] = "完成联络人确认"
    buffer = io.BytesIO()
    workbook.save(buffer)
    change = store.Change(store.MERGE, Account("张三", ROLE_REPORTER, ("甲处",)), buffer.getvalue(), "t.xlsx")
    preview = store.preview(path.read_bytes(), change, TODAY)
    assert preview.ok, [p.as_text() for p in preview.problems]
    # two open assignments of 甲处 are pre-filled; the one left as it was is not a report
    assert preview.counts["added"] == 1 and preview.skipped == 1


def test_template_sent_back_unfilled_records_nothing(tmp_path: Path):
    path, book = _book(tmp_path)
    unfilled = template.reporter_template([("tasks", book)], ["甲处"], "张三", TODAY)
    change = store.Change(store.MERGE, Account("张三", ROLE_REPORTER, ("甲处",)), unfilled, "t.xlsx")
    preview = store.preview(path.read_bytes(), change, TODAY)
    assert preview.ok and not preview.has_changes
    assert preview.skipped == 2  # both open assignments of 甲处, each at its last 完成进度 and 状态
    assert "未填写进展情况且进度未变化的 2 行未计入" in preview.notes[0]
    assert not store.apply(path, change, today=TODAY).saved


def test_empty_template_has_every_sheet():
    workbook = openpyxl.load_workbook(io.BytesIO(template.empty_template()))
    assert set(schema.SHEETS) <= set(workbook.sheetnames)
    assert [c.value for c in workbook[schema.SHEET_TASKS][1]] == [c.header for c in schema.TASK_COLUMNS]
