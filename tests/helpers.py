"""Small workbooks built in code, so each test shows its own data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from lib import schema
from lib.workbook import write_workbook

UNITS = pd.DataFrame(
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
               units: pd.DataFrame = UNITS) -> Path:
    settings = {schema.PLAN_NAME: "测试方案", schema.PLAN_START: dt.date(2026, 1, 1), **(plan or {})}
    write_workbook(path, settings, units, tasks_frame(tasks), updates_frame(updates))
    return path
