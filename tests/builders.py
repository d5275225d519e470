"""Small workbooks built in code, so each test shows its own data.

Plain functions and constants shared by several test modules; the pytest fixtures built on them live in
``tests/conftest.py``. Four workbooks, each with its hand arithmetic beside it:

- ``write_book``: any tasks and reports given as rows (metrics, validate);
- the board workbook (``board_frames``): two units, two tasks, numbers worked out in ``test_pages_board``;
- the upload workbook (``workbook_file``, ``update``, ``updates_upload``): store, upload page, template;
- the review workbook (``write_known``): three tasks, numbers for 2026Q3 (review, report, review page).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd

from lib import schema
from lib.workbook import write_workbook

# ---- rows → workbook -----------------------------------------------------------------------

BOOK_UNITS = pd.DataFrame(
    {
        "unit": ["甲处", "乙处", "丙社"],
        "short": ["甲", "", ""],
        "groups": [["机关各处"], ["机关各处"], []],
    }
)


def tasks_frame(rows: list[dict]) -> pd.DataFrame:
    defaults = {"lead_text": "", "start": None, "deadline_text": "", "note": ""}
    return pd.DataFrame([{**defaults, **row} for row in rows])


def updates_frame(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (date, task_id, unit, progress[, status])."""
    records = []
    for row in rows:
        date, task_id, unit, progress, *rest = row
        records.append({"date": date, "task_id": task_id, "unit": unit, "progress": progress,
                        "status": rest[0] if rest else ""})
    return pd.DataFrame(records, columns=["date", "task_id", "unit", "progress", "status"])


def write_book(path: Path, tasks: list[dict], updates: list[tuple], plan: dict | None = None,
               units: pd.DataFrame = BOOK_UNITS) -> Path:
    settings = {schema.PLAN_NAME: "测试方案", schema.PLAN_START: dt.date(2026, 1, 1), **(plan or {})}
    write_workbook(path, settings, units, tasks_frame(tasks), updates_frame(updates))
    return path


# ---- the board workbook (hand arithmetic in test_pages_board's docstring) --------------------

SECTION_1 = "一、测试板块，建立机制"
SECTION_2 = "二、第二板块，开展研究"


def board_frames(bad: bool = False):
    """(plan, units, tasks, updates) of the board workbook; ``bad`` points the last report at task 99."""
    plan = {schema.PLAN_NAME: "测试方案", schema.PLAN_START: "2026-01-01", schema.PLAN_CYCLE: schema.CYCLE_QUARTER,
            schema.PLAN_SAMPLE: schema.NO}
    units = pd.DataFrame({"unit": ["甲处", "乙处"], "short": ["甲", "乙"], "groups": ["机关各处", "机关各处"]})
    tasks = pd.DataFrame({
        "task_id": ["1", "2"], "section": [SECTION_1, SECTION_2], "content": ["任务一的内容", "=任务二的内容"],
        "units_text": ["甲处、乙处", "乙处"], "lead_text": ["甲处", ""], "start": ["", ""],
        "deadline_text": ["2026年12月31日", "2026年6月30日"], "note": ["", ""],
    })
    updates = pd.DataFrame({
        "date": [dt.date(2026, 3, 15), dt.date(2026, 3, 20), dt.date(2026, 5, 1), dt.date(2026, 5, 10)],
        "task_id": ["1", "1", "2", "99" if bad else "1"], "unit": ["甲处", "乙处", "乙处", "甲处"],
        "progress": [40, 20, 50, 60], "status": ["推进中"] * 4,
        "progress_note": ["启动", "启动", "推进", "推进"], "problems": ["", "", "经费未落实", ""],
        "next_steps": ["", "", "协调经费", ""], "reporter": ["张三"] * 4,
    })
    return plan, units, tasks, updates


def board_workbook(folder: Path, bad: bool = False) -> Path:
    """``folder/tasks.xlsx`` holding the board workbook."""
    path = folder / "tasks.xlsx"
    write_workbook(path, *board_frames(bad))
    return path


# ---- the upload workbook ---------------------------------------------------------------------

TODAY = dt.date(2026, 6, 30)
UPLOAD_PLAN = {schema.PLAN_NAME: "测试方案", schema.PLAN_START: dt.date(2026, 1, 1)}
UPLOAD_UNITS = pd.DataFrame({"unit": ["甲处", "乙处"], "short": ["甲", "乙"], "groups": [["机关各处"], ["机关各处"]]})
UPLOAD_TASKS = pd.DataFrame({
    "task_id": ["1", "2"], "section": ["一、联络", "二、合作"], "content": ["建立联络机制", "联合编纂年鉴"],
    "units_text": ["甲处", "甲处、乙处"], "lead_text": ["", ""], "start": [None, None],
    "deadline_text": ["", "2026年底前"], "note": ["", ""],
})


def update(day: dt.date, task_id: str, unit: str, progress: float, note: str = "", reporter: str = "") -> dict:
    return {"date": day, "task_id": task_id, "unit": unit, "progress": progress, "status": "",
            "progress_note": note, "problems": "", "next_steps": "", "reporter": reporter}


BASE_UPDATES = [
    update(dt.date(2026, 3, 31), "1", "甲处", 40, "一季度"),
    update(dt.date(2026, 3, 31), "2", "甲处", 20, "一季度"),
    update(dt.date(2026, 3, 31), "2", "乙处", 10, "一季度"),
]


def workbook_file(path: Path, updates: list[dict] | None = None, tasks: pd.DataFrame | None = None) -> Path:
    """The upload workbook: 2 units, 2 tasks (task 2 shared by 甲处 and 乙处), 3 updates."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(path, UPLOAD_PLAN, UPLOAD_UNITS, UPLOAD_TASKS if tasks is None else tasks,
                   pd.DataFrame(BASE_UPDATES if updates is None else updates))
    return path


def updates_upload(rows: list[dict]) -> bytes:
    """A reporter's upload: only a 进展 sheet, headers in contract order."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = schema.SHEET_UPDATES
    sheet.append([c.header for c in schema.UPDATE_COLUMNS])
    for row in rows:
        sheet.append([row.get(c.field, "") for c in schema.UPDATE_COLUMNS])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text typed with a leading ' in Excel: never a formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---- the review workbook (see the comments for the hand arithmetic) -------------------------

REVIEW_PLAN = {
    schema.PLAN_NAME: "测试方案",
    schema.PLAN_DOC_NO: "测〔2026〕1号",
    schema.PLAN_START: "2026-01-01",
    schema.PLAN_CYCLE: schema.CYCLE_QUARTER,
}
REVIEW_UNITS = pd.DataFrame({"unit": ["甲处", "乙处"], "short": ["甲", "乙"], "groups": ["", ""]})
REVIEW_TASKS = pd.DataFrame({
    "task_id": ["1", "2", "3"],
    "section": ["一、联络机制，测试", "一、联络机制，测试", "二、资源共享"],
    "content": ["任务一内容", "=任务二 HYPERLINK", "任务三内容"],
    "units_text": ["甲处、乙处", "乙处", "甲处"],
    "lead_text": ["", "", ""],
    "start": [None, None, None],
    "deadline_text": ["2026年6月底前", "长期", ""],
    "note": ["", "", ""],
})
REVIEW_UPDATES = pd.DataFrame([
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
    """``path`` holding the review workbook."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(path, REVIEW_PLAN, REVIEW_UNITS, REVIEW_TASKS, REVIEW_UPDATES)
    return path
