"""lib/plan_upload: one template covers every plan; one upload is split by its 方案 column, previewed plan by
plan, and saved to every plan or none.

Two plans, both built on the upload workbook (tasks 1 and 2; task 2 shared by 甲处 and 乙处):
- ``tasks`` (the default workbook): 甲处 reported 40 on task 1 and 20 on task 2, 乙处 10 on task 2;
- ``川渝合作`` (data/plans/): 甲处 reported 10 on task 1, nothing else.
甲处's template therefore has four rows: tasks/1 (40), tasks/2 (20) on rows 2-3, 川渝合作/1 (10), 川渝合作/2 (0)
on rows 4-5.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from lib import plan_upload, plans, schema, store, template, validate
from lib.accounts import ROLE_ADMIN, ROLE_REPORTER, Account
from tests.builders import TODAY, update, updates_upload, workbook_file

REPORTER = Account("张三", ROLE_REPORTER, ("甲处",))
PLAN_B = "川渝合作"
PLAN_COLUMN = len(schema.UPDATE_COLUMNS) + 1  # 方案: right after the contract's columns
PROGRESS, NOTE, UNIT = 4, 6, 3  # 完成进度, 进展情况, 处室


@pytest.fixture
def two_plans(tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    default = workbook_file(tmp_path / "data" / "tasks.xlsx")
    other = workbook_file(tmp_path / "data" / "plans" / f"{PLAN_B}.xlsx",
                          updates=[update(dt.date(2026, 3, 31), "1", "甲处", 10, "一季度")])
    monkeypatch.setenv("KANBAN_WORKBOOK", str(default))
    monkeypatch.delenv("KANBAN_PLANS_DIR", raising=False)
    return default, other


def _filled(data: bytes, cells: dict[tuple[int, int], object]) -> bytes:
    """``data`` with the 进展 cells at (row, column) set."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook[schema.SHEET_UPDATES]
    for (row, column), value in cells.items():
        sheet.cell(row=row, column=column).value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _preview(data: bytes, account: Account = REPORTER) -> plan_upload.UploadPreview:
    change = store.Change(store.MERGE, account, data, "填报模板.xlsx")
    return plan_upload.preview_upload(change, plans.default_plan(), TODAY)


def _report_both(two_plans) -> bytes:
    """甲处's template with task 1 reported in each plan (rows 2 and 4); rows 3 and 5 sent back as they were."""
    data = plan_upload.template_for(REPORTER, TODAY)
    return _filled(data, {(2, PROGRESS): 60, (2, NOTE): "联络机制运行", (4, PROGRESS): 30, (4, NOTE): "川渝对接"})


def test_template_with_two_plans_has_rows_from_both_with_their_plan(two_plans):
    workbook = openpyxl.load_workbook(io.BytesIO(plan_upload.template_for(REPORTER, TODAY)))
    sheet = workbook[schema.SHEET_UPDATES]
    headers = [c.value for c in sheet[1]]
    assert headers[: len(schema.UPDATE_COLUMNS)] == [c.header for c in schema.UPDATE_COLUMNS]
    assert headers[len(schema.UPDATE_COLUMNS):] == [template.PLAN_HEADER, *(c.header for c in schema.REQUEST_COLUMNS),
                                                   template.CONTENT_HEADER]
    rows = [(r[1], r[2], r[3], r[PLAN_COLUMN - 1]) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows == [("1", "甲处", 40, "tasks"), ("2", "甲处", 20, "tasks"), ("1", "甲处", 10, PLAN_B), ("2", "甲处", 0, PLAN_B)]
    validations = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    assert validations["J2"].formula1 == f'"tasks,{PLAN_B}"'  # 方案: the active plans
    assert validations["C2"].formula1 == '"甲处"' and validations["E2"].type == "list"  # 处室, 状态 where they were


def test_template_with_one_plan_has_no_plan_column(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("KANBAN_WORKBOOK", str(workbook_file(tmp_path / "data" / "tasks.xlsx")))
    sheet = openpyxl.load_workbook(io.BytesIO(plan_upload.template_for(REPORTER, TODAY)))[schema.SHEET_UPDATES]
    headers = [c.value for c in sheet[1]]
    assert headers == [*(c.header for c in schema.UPDATE_COLUMNS), *(c.header for c in schema.REQUEST_COLUMNS),
                       template.CONTENT_HEADER]


def test_admin_template_covers_every_unit_of_every_plan(two_plans):
    admin = Account("管理员", ROLE_ADMIN)
    sheet = openpyxl.load_workbook(io.BytesIO(plan_upload.template_for(admin, TODAY)))[schema.SHEET_UPDATES]
    rows = [(r[PLAN_COLUMN - 1], r[1], r[2]) for r in sheet.iter_rows(min_row=2, values_only=True)]
    # plan by plan; within a plan by unit (as the one-plan template sorts them), then in task order
    assert rows == [("tasks", "2", "乙处"), ("tasks", "1", "甲处"), ("tasks", "2", "甲处"),
                    (PLAN_B, "2", "乙处"), (PLAN_B, "1", "甲处"), (PLAN_B, "2", "甲处")]


def test_upload_covering_two_plans_is_previewed_per_plan_and_saved(two_plans):
    default, other = two_plans
    shown = _preview(_report_both(two_plans))
    assert shown.split and shown.ok, [p.as_text() for p in shown.all_problems]
    assert [part.plan.key for part in shown.plans] == ["tasks", PLAN_B]
    assert [part.name for part in shown.plans] == ["测试方案", "测试方案"]
    assert [(part.preview.counts["added"], part.preview.skipped) for part in shown.plans] == [(1, 1), (1, 1)]
    result = plan_upload.save_upload(shown)
    assert result.saved, result.message
    saved = {path: validate.load(path, today=TODAY).book.updates for path in (default, other)}
    assert list(saved[default].loc[saved[default]["date"] == "2026-06-30", "progress"]) == [60]
    assert list(saved[other].loc[saved[other]["date"] == "2026-06-30", "progress"]) == [30]
    for path in (default, other):
        assert [(e["action"], e["added"]) for e in store.read_audit(path)] == [("merge", 1)]  # one line per plan


def test_a_bad_row_in_one_plan_saves_nothing_anywhere(two_plans):
    default, other = two_plans
    before = [default.read_bytes(), other.read_bytes()]
    data = _filled(_report_both(two_plans), {(5, PROGRESS): "大半", (5, NOTE): "推进中"})  # 川渝合作's task 2
    shown = _preview(data)
    assert not shown.ok
    first, second = shown.plans
    assert first.preview.ok  # the default plan's rows are fine on their own
    [error] = second.preview.errors
    assert (error.code, error.sheet, error.row) == ("bad-progress", schema.SHEET_UPDATES, 5)  # the uploaded file's row
    assert not plan_upload.save_upload(shown).saved
    assert [default.read_bytes(), other.read_bytes()] == before
    assert store.read_audit(default) == [] and store.read_audit(other) == []


def test_rows_keep_the_uploaded_row_numbers_below_a_title(two_plans):
    """A title above the header moves every row down; the reporter's rights problem names the row as uploaded."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = schema.SHEET_UPDATES
    sheet.append(["2026年二季度进展填报"])
    sheet.append([])
    sheet.append([*(c.header for c in schema.UPDATE_COLUMNS), template.PLAN_HEADER])
    sheet.append([TODAY, "1", "甲处", 50, "", "默认方案", "", "", "", "tasks"])  # row 4
    sheet.append([TODAY, "2", "乙处", 50, "", "别处的", "", "", "", PLAN_B])  # row 5: not 张三's unit
    buffer = io.BytesIO()
    workbook.save(buffer)
    shown = _preview(buffer.getvalue())
    assert shown.plans[0].preview.ok
    [error] = shown.plans[1].preview.errors
    assert (error.code, error.row) == ("unit-outside-account", 5)


def test_a_row_naming_no_plan_is_an_error_naming_sheet_row_and_column(two_plans):
    data = _filled(_report_both(two_plans), {(3, PLAN_COLUMN): "归档方案", (3, NOTE): "已推进",
                                              (5, PLAN_COLUMN): None, (5, NOTE): "已推进"})
    shown = _preview(data)
    assert not shown.ok
    assert [(p.code, p.sheet, p.row, p.column) for p in shown.errors] == [
        ("plan-unknown", schema.SHEET_UPDATES, 3, template.PLAN_HEADER),
        ("plan-blank", schema.SHEET_UPDATES, 5, template.PLAN_HEADER)]
    assert [part.preview.counts["added"] for part in shown.plans] == [1, 1]  # the other rows are still shown
    assert not plan_upload.save_upload(shown).saved


def test_upload_without_plan_column_goes_to_the_page_plan(two_plans):
    default, other = two_plans
    shown = _preview(updates_upload([update(TODAY, "1", "甲处", 70, "只报默认方案")]))
    assert not shown.split and [part.plan.path for part in shown.plans] == [default]
    assert shown.ok and plan_upload.save_upload(shown).saved
    assert store.read_audit(other) == []


def test_with_one_plan_the_plan_column_is_not_read(tmp_path: Path, monkeypatch):
    default = workbook_file(tmp_path / "data" / "tasks.xlsx")
    monkeypatch.setenv("KANBAN_WORKBOOK", str(default))
    data = _filled(updates_upload([update(TODAY, "1", "甲处", 70, "x")]), {(1, PLAN_COLUMN): "方案", (2, PLAN_COLUMN): "别的"})
    shown = _preview(data)
    assert not shown.split and shown.ok and shown.plans[0].preview.counts["added"] == 1


def test_a_split_upload_carries_only_the_updates_sheet(two_plans, tmp_path: Path):
    full = workbook_file(tmp_path / "full.xlsx", updates=[update(TODAY, "1", "甲处", 70, "x")])
    data = _filled(full.read_bytes(), {(1, PLAN_COLUMN): template.PLAN_HEADER, (2, PLAN_COLUMN): PLAN_B})
    shown = _preview(data, Account("管理员", ROLE_ADMIN))
    assert [p.code for p in shown.errors] == ["plan-column-other-sheets"] and not shown.plans and not shown.ok


def test_a_plan_changed_since_the_preview_stops_every_plan(two_plans):
    default, other = two_plans
    shown = _preview(_report_both(two_plans))
    meanwhile = store.Change(store.MERGE, Account("李四", ROLE_ADMIN), updates_upload([update(TODAY, "2", "乙处", 50, "x")]))
    assert store.apply(other, meanwhile, today=TODAY).saved
    before = default.read_bytes()
    result = plan_upload.save_upload(shown)
    assert not result.saved and result.stale
    assert default.read_bytes() == before and store.read_audit(default) == []
    assert not shown.is_current()  # the page builds the previews again


def test_rows_sent_back_unfilled_leave_their_plan_alone(two_plans):
    default, other = two_plans
    data = _filled(plan_upload.template_for(REPORTER, TODAY), {(2, PROGRESS): 60, (2, NOTE): "只动默认方案"})
    shown = _preview(data)
    assert shown.ok and [part.preview.has_changes for part in shown.plans] == [True, False]
    assert plan_upload.save_upload(shown).saved
    assert len(store.read_audit(default)) == 1 and store.read_audit(other) == []


def test_a_request_in_a_split_upload_is_filed_in_its_plan_naming_the_uploaded_row(two_plans):
    """申请事项 goes along with its row to its plan: row 4 (川渝合作, task 1) asks 延期; its plan's task 1 has no
    完成时限, so the refusal names row 4 and the 申请完成时限 column of the uploaded file."""
    request = PLAN_COLUMN + 1  # 申请事项, right after 方案
    data = _filled(_report_both(two_plans), {(2, request): "销号", (4, request): "延期",
                                             (4, request + 1): dt.date(2026, 12, 31)})
    shown = _preview(data)
    parts = {part.plan.key: part.preview for part in shown.plans}
    assert list(parts["tasks"].supervision_added["kind"]) == ["销号申请"]
    assert [(p.code, p.row, p.column) for p in parts[PLAN_B].errors] == [
        ("no-deadline-to-extend", 4, schema.REQUEST_COLUMNS[1].header)]
    assert not shown.ok
