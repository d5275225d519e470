"""A small workbook of known numbers for the review tests (see the comments for the hand arithmetic)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from lib import schema
from lib.workbook import write_workbook

PLAN = {
    schema.PLAN_NAME: "测试方案",
    schema.PLAN_DOC_NO: "测〔2026〕1号",
    schema.PLAN_START: "2026-01-01",
    schema.PLAN_CYCLE: schema.CYCLE_QUARTER,
}
UNITS = pd.DataFrame({"unit": ["甲处", "乙处"], "short": ["甲", "乙"], "groups": ["", ""]})
TASKS = pd.DataFrame({
    "task_id": ["1", "2", "3"],
    "section": ["一、联络机制，测试", "一、联络机制，测试", "二、资源共享"],
    "content": ["任务一内容", "=任务二 HYPERLINK", "任务三内容"],
    "units_text": ["甲处、乙处", "乙处", "甲处"],
    "lead_text": ["", "", ""],
    "start": [None, None, None],
    "deadline_text": ["2026年6月底前", "长期", ""],
    "note": ["", "", ""],
})
UPDATES = pd.DataFrame([
    # date, task, unit, progress, status, note, problems, next steps, reporter
    (dt.date(2026, 3, 20), "1", "甲处", 40, "", "", "经费不足", "", "张"),
    (dt.date(2026, 3, 25), "1", "乙处", 20, "", "", "", "", "李"),
    (dt.date(2026, 6, 15), "2", "乙处", 50, "", "", "", "", "李"),
    (dt.date(2026, 8, 10), "1", "甲处", 60, "", "", "=SUM(A1)", "<b>加快</b>推进", "张"),
    (dt.date(2026, 9, 1), "3", "甲处", 100, "已完成", "", "", "", "张"),
], columns=[c.field for c in schema.UPDATE_COLUMNS])

# As of 2026-09-30 (2026Q3; previous end 2026-06-30):
#   assignments (1,甲)=60 (1,乙)=20 (2,乙)=50 (3,甲)=100 → tasks 40, 50, 100 → overall 63.3
#   at 06-30: (1,甲)=40 (1,乙)=20 (2,乙)=50 (3,甲)=0 → tasks 30, 50, 0 → overall 26.7, change +36.7
#   sections 一 (40+50)/2=45 (previous 40), 二 100 (previous 0)
#   units 甲 (60+100)/2=80 reported 2/2=100%, 乙 (20+50)/2=35 reported 0/2=0%
#   lights: 1 红 (deadline 06-30 passed), 2 绿 (ongoing), 3 已完成; reported 2 of 4 → 50%
KNOWN_PERIOD = "2026Q3"


def write_known(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(path, PLAN, UNITS, TASKS, UPDATES)
    return path
