"""lib.plan_update: old tasks matched to a revised plan's by text, and the reports carried over."""

from __future__ import annotations

import pandas as pd

from lib import plan_draft, plan_update, validate
from lib.plan_draft import PlanDraft

OLD_TASKS = pd.DataFrame({
    "task_id": ["1", "2", "3"],
    "content": ["建立常态化联络机制，定期召开联席会议。", "联合编纂出版成渝地区年鉴。", "开展方志文化进校园活动。"],
})
# The revision: a new task first, old 1 and 2 renumbered and reworded a little, old 3 dropped.
NEW_TASKS = pd.DataFrame({
    "task_id": ["1", "2", "3"],
    "section": ["一、联络", "一、联络", "二、合作"],
    "content": ["建设数字方志馆。", "建立常态化联络机制，每半年召开一次联席会议。", "联合编纂出版成渝地区双城经济圈年鉴。"],
    "units_text": ["甲处", "甲处、乙处", "机关各处"],
    "lead_text": ["", "", ""], "start": [None] * 3, "deadline_text": ["", "", ""], "note": ["", "", ""],
})
NEW_UNITS = pd.DataFrame({"unit": ["甲处", "乙处", "丙处"], "short": ["", "", ""],
                          "groups": [["机关各处"], ["机关各处"], ["机关各处"]]})


def _report(task_id: str, unit: str, progress: float) -> dict:
    return {"date": pd.Timestamp("2026-03-31"), "task_id": task_id, "unit": unit, "progress": progress,
            "status": "推进中", "progress_note": "", "problems": "", "next_steps": "", "reporter": "张三", "row": 2}


def test_similarity_ignores_spaces_and_full_width_forms():
    assert plan_update.similarity("建立 联络机制（试行）", "建立联络机制(试行)") == 1.0
    assert plan_update.similarity("建立联络机制", "") == 0.0


def test_the_proposal_follows_the_text_not_the_number():
    proposal = plan_update.propose_mapping(OLD_TASKS, NEW_TASKS)
    assert list(proposal.columns) == plan_update.MAPPING_COLUMNS
    # old 3 (进校园) resembles nothing in the revision
    assert list(zip(proposal["old_id"], proposal["new_id"])) == [("1", "2"), ("2", "3"), ("3", None)]
    assert proposal["similarity"].iloc[2] == 0.0
    assert 50 <= proposal["similarity"].iloc[0] < 100


def test_each_new_task_is_proposed_once_and_equal_text_prefers_the_same_number():
    old = pd.DataFrame({"task_id": ["1", "2"], "content": ["做好年鉴编纂工作。", "做好年鉴编纂工作。"]})
    new = pd.DataFrame({"task_id": ["2"], "content": ["做好年鉴编纂工作。"]})
    proposal = plan_update.propose_mapping(old, new)
    assert list(proposal["new_id"]) == [None, "2"]


def test_reports_follow_their_task_and_the_others_are_listed_with_why():
    updates = pd.DataFrame([_report("1", "乙处", 40), _report("2", "丙处", 30), _report("3", "甲处", 20),
                            _report("1", "丁处", 10)])
    mapping = {"1": "2", "2": "3", "3": None}
    carried = plan_update.carry_reports(updates, mapping, NEW_TASKS, NEW_UNITS)
    # 乙处 on old 1 → new 2 (甲处、乙处); 丙处 on old 2 → new 3 (机关各处 includes 丙处)
    assert carried.kept[["task_id", "unit", "progress"]].values.tolist() == [["2", "乙处", 40], ["3", "丙处", 30]]
    assert carried.moved == 2
    # old 3 has no counterpart; 丁处 does not answer for new 2
    assert carried.orphaned[["task_id", "unit"]].values.tolist() == [["3", "甲处"], ["1", "丁处"]]
    assert carried.orphaned[plan_update.REASON].str.len().gt(0).all()
    assert list(carried.kept.columns) == [c for c in carried.orphaned.columns if c != plan_update.REASON]


def test_a_renamed_unit_keeps_its_reports():
    updates = pd.DataFrame([_report("1", "乙处", 40)])
    units = NEW_UNITS.assign(unit=["甲处", "乙处（研究室）", "丙处"])
    tasks = NEW_TASKS.assign(units_text=["甲处", "甲处、乙处（研究室）", "机关各处"])
    carried = plan_update.carry_reports(updates, {"1": "2"}, tasks, units, {"乙处": "乙处（研究室）"})
    assert carried.kept[["task_id", "unit"]].values.tolist() == [["2", "乙处（研究室）"]]
    assert carried.orphaned.empty


def test_the_revised_workbook_keeps_the_carried_reports():
    updates = pd.DataFrame([_report("1", "乙处", 40), _report("2", "甲处", 60)])
    carried = plan_update.carry_reports(updates, {"1": "2", "2": "3"}, NEW_TASKS, NEW_UNITS)
    draft = PlanDraft({"方案名称": "修订方案"}, NEW_UNITS, NEW_TASKS)
    result = validate.load(plan_draft.draft_bytes(draft, carried.kept))
    assert result.ok, [p.code for p in result.errors]
    saved = result.book.updates
    assert saved[["task_id", "unit", "progress", "reporter"]].values.tolist() == [
        ["2", "乙处", 40.0, "张三"], ["3", "甲处", 60.0, "张三"]]
