"""lib.plan_draft: an imported plan as the admin corrects it, and the workbook it becomes."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from lib import plan_draft, schema, validate
from lib.intake import parse_notice
from lib.model import WARNING, PlanSettings, Problem

NOTICE = """关于印发《测试方案》的通知
川志办〔2026〕3号
一、联络
1. 建立联络机制。
责任单位：甲处、乙处
完成时限：2026年6月底前
（此项由办公室统筹）
二、合作
2. 联合编纂年鉴。
责任单位：机关各处、年鉴社
2026年3月1日
"""


def _draft() -> plan_draft.PlanDraft:
    return plan_draft.draft_from_import(parse_notice(NOTICE))


def test_the_task_table_round_trips_in_the_contract_headers():
    draft = _draft()
    table = plan_draft.task_table(draft.tasks)
    assert list(table.columns) == ["板块", "编号", "任务内容", "责任处室", "牵头处室", "完成时限", "备注"]
    back = plan_draft.tasks_from_table(table)
    assert list(back.columns) == [c.field for c in schema.TASK_COLUMNS]
    assert back[["task_id", "units_text", "deadline_text"]].values.tolist() == [
        ["1", "甲处、乙处", "2026年6月底前"], ["2", "机关各处、年鉴社", ""]]


def test_a_row_added_and_left_blank_is_dropped():
    table = plan_draft.task_table(_draft().tasks)
    blank = pd.DataFrame([{column: None for column in table.columns}])
    assert len(plan_draft.tasks_from_table(pd.concat([table, blank], ignore_index=True))) == 2


def test_units_keep_their_groups_and_an_unnamed_row_is_dropped():
    table = plan_draft.unit_table(_draft().units)
    assert table.values.tolist() == [["甲处", "", "机关各处"], ["乙处", "", "机关各处"], ["年鉴社", "", ""]]
    table.loc[3] = ["", "无名", ""]
    units = plan_draft.units_from_table(table)
    assert list(units["unit"]) == ["甲处", "乙处", "年鉴社"]
    assert list(units["groups"]) == [["机关各处"], ["机关各处"], []]


def test_a_renamed_unit_is_renamed_in_every_task():
    draft = _draft()
    before = plan_draft.unit_table(draft.units)
    after = before.copy()
    after.loc[1, "处室"] = "乙处（研究室）"
    after = after.drop(index=2)  # a deleted row is not a rename
    renames = plan_draft.unit_renames(before, after)
    assert renames == {"乙处": "乙处（研究室）"}
    tasks = plan_draft.rename_units(draft.tasks.assign(lead_text=["乙处", ""]), renames)
    assert list(tasks["units_text"]) == ["甲处、乙处（研究室）", "机关各处、年鉴社"]  # task 2 kept as written
    assert list(tasks["lead_text"]) == ["乙处（研究室）", ""]


def test_settings_come_from_the_notice_then_the_current_plan_then_the_defaults():
    found = {schema.PLAN_NAME: "测试方案", schema.PLAN_ISSUED: "2026-03-01"}
    fresh = plan_draft.plan_values(found)
    assert (fresh[schema.PLAN_ISSUED], fresh[schema.PLAN_START], fresh[schema.PLAN_CYCLE]) == (
        dt.date(2026, 3, 1), None, schema.CYCLE_QUARTER)
    current = PlanSettings(name="旧方案", doc_no="旧文号", start=dt.date(2025, 9, 1), cycle=schema.CYCLE_MONTH,
                           red_gap=25.0, sample=True)
    kept = plan_draft.plan_values(found, current)
    assert (kept[schema.PLAN_NAME], kept[schema.PLAN_DOC_NO], kept[schema.PLAN_START], kept[schema.PLAN_CYCLE],
            kept[schema.PLAN_RED_GAP], kept[schema.PLAN_SAMPLE]) == (
        "测试方案", "旧文号", dt.date(2025, 9, 1), schema.CYCLE_MONTH, 25.0, True)


def test_settings_become_sheet_cells_without_blanks():
    values = plan_draft.plan_values({schema.PLAN_NAME: "测试方案", schema.PLAN_ISSUED: "2026-03-01"})
    cells = plan_draft.plan_from_values({**values, schema.PLAN_YELLOW_GAP: 15.0})
    assert cells == {schema.PLAN_NAME: "测试方案", schema.PLAN_ISSUED: "2026-03-01", schema.PLAN_CYCLE: "季度",
                     schema.PLAN_SOON_DAYS: 30, schema.PLAN_YELLOW_GAP: 15.0, schema.PLAN_RED_GAP: 30.0}
    late = plan_draft.plan_from_values({**values, schema.PLAN_REPORT_DEADLINE: 5})
    assert late[schema.PLAN_REPORT_DEADLINE] == "周期末后5日"


def test_a_revised_plan_keeps_its_report_deadline_and_sign_off_review():
    current = PlanSettings(report_days=5, sign_off_review=True)
    values = plan_draft.plan_values({}, current)
    assert values[schema.PLAN_REPORT_DEADLINE] == 5
    assert plan_draft.plan_from_values(values)[schema.PLAN_SIGN_OFF_REVIEW] == schema.YES


def test_skipped_lines_come_first_with_their_reason():
    [unplaced] = parse_notice(NOTICE).problems
    assert unplaced.code == "unplaced-line"
    remark = Problem(WARNING, "", None, "", "3", "任务编号「3」重复，请核对原文编号。", code="duplicate-task-id")
    skipped = plan_draft.skipped_lines([remark, unplaced])
    assert list(skipped["类型"]) == [plan_draft.SKIPPED, plan_draft.REMARK]
    assert list(skipped["原文"]) == ["（此项由办公室统筹）", "3"]
    assert list(skipped["说明"]) == [unplaced.message, remark.message]


def test_the_draft_becomes_a_valid_workbook_with_its_settings():
    draft = _draft()
    draft.plan = plan_draft.plan_from_values(
        {**plan_draft.plan_values(draft.plan), schema.PLAN_CYCLE: schema.CYCLE_MONTH, schema.PLAN_SOON_DAYS: 14})
    result = validate.load(plan_draft.draft_bytes(draft))
    assert result.ok, [p.code for p in result.errors]
    book = result.book
    assert (book.plan.name, book.plan.cycle, book.plan.soon_days) == ("测试方案", schema.CYCLE_MONTH, 14)
    assert list(book.tasks["task_id"]) == ["1", "2"]
    assert book.updates.empty
    # task 2: 机关各处 is 甲处 and 乙处, then 年鉴社
    assert list(book.assignments.loc[book.assignments["task_id"] == "2", "unit"]) == ["甲处", "乙处", "年鉴社"]
    assert draft.summary() == "2 个板块，2 项任务，3 个处室"


def test_a_blank_short_name_is_taken_from_the_current_workbook():
    units = _draft().units.assign(short=["", "乙", ""])
    known = pd.DataFrame({"unit": ["甲处", "乙处", "丁处"], "short": ["甲", "旧乙", "丁"], "groups": [[], [], []]})
    # 甲处 takes 甲; 乙处 keeps what the draft says; 年鉴社 is not in the current workbook
    assert list(plan_draft.with_known_shorts(units, known)["short"]) == ["甲", "乙", ""]
    assert plan_draft.with_known_shorts(units, None) is units
