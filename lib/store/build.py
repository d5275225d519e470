"""The new workbook file of a change: written from the merged book once, then read back and validated.

Built on confirm (``Preview.ensure_built``), before the lock is taken, so no save can ever leave a workbook that
does not load. ``plan_dict`` and ``book_frames`` turn a workbook into what ``lib.workbook`` writes, for every
caller that writes one.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from lib import schema, validate
from lib.model import ERROR, ROW, Book, Problem
from lib.store.base import Base, remember_base
from lib.store.carried import carried_sheets
from lib.store.change import Merged, Preview, file_error
from lib.store.persist import content_hash
from lib.workbook import RawSheet, WorkbookError, read_raw, read_sheet_values, supervision_sheet, workbook_bytes


def _none_for_missing(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), None)


def plan_dict(sheet: RawSheet | None) -> dict[str, object]:
    """The 方案 sheet as key → value, cells as read (unknown keys kept)."""
    if sheet is None or "key" not in sheet.frame.columns:
        return {}
    plan: dict[str, object] = {}
    for key, value in zip(sheet.frame["key"], sheet.frame.get("value", pd.Series(dtype=object))):
        name = schema.normalise_header(key)
        if name and not validate.is_blank(value):
            plan[name] = value
    return plan


def book_frames(book: Book) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(units, tasks, updates) of a Book, ready for ``workbook.write_workbook``.

    Units that validation added only because a task named them (row None) are left out.
    """
    units = book.units[book.units[ROW].notna()] if ROW in book.units else book.units
    tasks = _none_for_missing(book.tasks[[c.field for c in schema.TASK_COLUMNS]])
    updates = book.updates.sort_values(["date", ROW]) if len(book.updates) else book.updates
    updates = _none_for_missing(updates[[c.field for c in schema.UPDATE_COLUMNS]])
    return units[[c.field for c in schema.UNIT_COLUMNS]], tasks, updates


def build(base: Base, merged: Merged, result: Preview, today: dt.date) -> None:
    """The new workbook's bytes, built once and read back: a file that would not load is never offered for saving."""
    units, tasks, updates = book_frames(merged.book)
    carried = carried_sheets(base, merged, result.change)
    extra = read_sheet_values(merged.carry_from.source, carried) if carried and merged.carry_from else None
    data = workbook_bytes(merged.plan, units, tasks, updates, {**supervision_sheet(merged.book.supervision), **(extra or {})})
    try:
        raw = read_raw(data, measure_sheets=False)  # written just now from the rows above: its extent is theirs
    except WorkbookError as exc:
        result.problems.append(file_error(f"保存前复核未通过，未保存：{exc}", "recheck-failed"))
        return
    checked = validate.parse(raw, today=today)
    if not checked.ok:
        result.problems.extend(
            Problem(ERROR, p.sheet, None, p.column, p.value, f"保存前复核未通过，未保存：{p.message}",
                    code="recheck-failed") for p in checked.errors)
        return
    result.merged = data
    # After the save this is the base of the next preview: it need not be read again.
    remember_base(Base(content_hash(data), raw, checked.book, checked), today)
