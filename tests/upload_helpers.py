"""Small workbooks built in code for the upload tests: each test shows its own data."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd

from lib import schema
from lib.workbook import write_workbook

TODAY = dt.date(2026, 6, 30)
PLAN = {schema.PLAN_NAME: "测试方案", schema.PLAN_START: dt.date(2026, 1, 1)}
UNITS = pd.DataFrame({"unit": ["甲处", "乙处"], "short": ["甲", "乙"], "groups": [["机关各处"], ["机关各处"]]})
TASKS = pd.DataFrame({
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
    """The shared workbook: 2 units, 2 tasks (task 2 shared by 甲处 and 乙处), 3 updates."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(path, PLAN, UNITS, TASKS if tasks is None else tasks,
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
