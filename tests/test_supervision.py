"""督办 figures, by hand: states, the effective deadline before and after an approval, 按期办结率, new events.

The workbook (``supervision_workbook``): three units' worth of tasks,

- task 1, 甲处 and 乙处, 完成时限 2026-06-30;
- task 2, 乙处, 完成时限 2026-09-30;
- task 3, 甲处, 长期 (never due).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from lib import schema
from lib.model import Book
from lib.workbook import supervision_sheet, write_workbook
from tests.builders import BOOK_UNITS, tasks_frame, updates_frame

TODAY = dt.date(2026, 11, 1)
SUPERVISION_TASKS = [
    {"task_id": "1", "section": "一、甲", "content": "任务一", "units_text": "甲处、乙处", "deadline_text": "2026-06-30"},
    {"task_id": "2", "section": "一、甲", "content": "任务二", "units_text": "乙处", "deadline_text": "2026-09-30"},
    {"task_id": "3", "section": "二、乙", "content": "任务三", "units_text": "甲处", "deadline_text": "长期"},
]


def event(event_id, kind, task_id, unit, date, account="管理员", text="", evidence="", requested_until=None,
          approved_until=None, answers="") -> dict:
    """A 督办 row as the sheet holds it."""
    return {"event_id": event_id, "kind": kind, "task_id": task_id, "unit": unit, "date": date, "account": account,
            "text": text, "evidence": evidence, "requested_until": requested_until, "approved_until": approved_until,
            "answers": answers}


def supervision_workbook(path: Path, events: list[dict], updates: list[tuple] = (), plan: dict | None = None) -> Path:
    settings = {schema.PLAN_NAME: "督办测试", schema.PLAN_START: dt.date(2026, 1, 1), **(plan or {})}
    frame = pd.DataFrame(events, columns=[c.field for c in schema.SUPERVISION_COLUMNS])
    write_workbook(path, settings, BOOK_UNITS, tasks_frame(SUPERVISION_TASKS), updates_frame(list(updates)),
                   supervision_sheet(frame))
    return path


def load_book(tmp_path: Path, events: list[dict], updates: list[tuple] = (), plan: dict | None = None) -> Book:
    from lib import validate

    result = validate.load(supervision_workbook(tmp_path / "s.xlsx", events, updates, plan), today=TODAY)
    assert result.ok, [p.as_text() for p in result.problems]
    return result.book
