"""The 任务 sheet: each task's cells and dates checked, its 责任处室 and 牵头处室 resolved into assignments.

A unit named in 任务 but missing from 处室 is a warning, not an error: it is counted as a unit of its own.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from lib import dates, schema
from lib.dates import parse_date, parse_deadline
from lib.model import ORIGIN, ROW, Problem, row_label
from lib.validate.cells import Collector, cell_text, is_blank, normalise_id
from lib.validate.units import UnitDirectory
from lib.workbook import RawSheet

TASK_FRAME_COLUMNS = ["task_id", "section", "content", "units_text", "lead_text", "start",
                      "deadline_text", "deadline", "ongoing", "note", ROW]


def parse_tasks(sheet: RawSheet, units: pd.DataFrame, problems: list[Problem]):
    """The 任务 rows and their assignments; rows with errors are left out.

    Returns (tasks, assignments, sections in plan order, units), where ``units``
    gains a row for each unit named in 任务 but missing from 处室.
    """
    out = Collector(schema.SHEET_TASKS, problems)
    directory = UnitDirectory.of(units)
    task_records: list[dict] = []
    assignment_records: list[dict] = []
    seen: dict[str, str] = {}
    unknown_units: list[str] = []
    for record in sheet.frame.itertuples(index=False):
        values = record._asdict()
        row = values[ROW]
        out.origin = values.get(ORIGIN, "")
        task_id = normalise_id(values.get("task_id", ""))
        cells_ok = _check_task_cells(out, values, row, task_id, seen)
        dates = _task_dates(out, values, row)
        if not cells_ok or dates is None:
            continue
        seen[task_id] = row_label(row, out.origin)
        listed = schema.split_unit_list(cell_text(values["units_text"]))
        _note_unknown_units(out, row, listed, directory, unknown_units)
        responsible = directory.expand(listed)
        leads = _leads(out, row, values, listed, responsible, directory)
        task_records.append(_task_record(values, task_id, row, *dates))
        assignment_records.extend(
            {"task_id": task_id, "unit": unit, "is_lead": unit in leads, "order": order}
            for order, unit in enumerate(responsible)
        )
    tasks = _task_frame(task_records)
    sections = list(dict.fromkeys(tasks["section"]))
    tasks["section_order"] = tasks["section"].map({s: i for i, s in enumerate(sections)}).astype(int)
    assignments = pd.DataFrame(assignment_records, columns=["task_id", "unit", "is_lead", "order"])
    return tasks, assignments, sections, _with_unknown_units(units, unknown_units)


def _check_task_cells(out: Collector, values: dict, row: int, task_id: str, seen: dict[str, str]) -> bool:
    """Required cells filled and the 编号 not used above. True when the row may be kept."""
    fine = True
    for name in ("task_id", "section", "content", "units_text"):
        if is_blank(values.get(name, "")):
            header = schema.header_of(schema.SHEET_TASKS, name)
            out.error("missing-value", row, header, "", f"「{header}」为必填项，请补充。")
            fine = False
    if task_id and task_id in seen:
        out.error("duplicate-task-id", row, schema.header_of(schema.SHEET_TASKS, "task_id"), task_id,
                  f"编号「{task_id}」与{seen[task_id]}重复，任务编号必须唯一。")
        fine = False
    return fine


def _task_dates(out: Collector, values: dict, row: int) -> tuple[dt.date | None, dt.date | None, bool] | None:
    """(start, deadline, ongoing) of a 任务 row, or None when a date does not parse."""
    start = deadline = None
    ongoing = False
    fine = True
    try:
        start = parse_date(values.get("start"))
    except ValueError:
        out.error("bad-date", row, schema.header_of(schema.SHEET_TASKS, "start"), values.get("start"),
                  "开始日期无法识别，请填写日期，例如 2026-01-01。")
        fine = False
    if start is not None and not dates.storable(start):
        out.error("date-out-of-range", row, schema.header_of(schema.SHEET_TASKS, "start"), values.get("start"),
                  "开始日期早于1900年，Excel 无法保存，请核对年份。")
        fine = False
    deadline_raw = values.get("deadline_text")
    try:
        deadline, ongoing = parse_deadline(None if is_blank(deadline_raw) else deadline_raw)
    except ValueError:
        out.error("bad-deadline", row, schema.header_of(schema.SHEET_TASKS, "deadline_text"), deadline_raw,
                  "完成时限无法识别，请填写日期（如 2026-06-30）、「2026年6月底前」「2026年第三季度」或「长期」等。")
        fine = False
    return (start, deadline, ongoing) if fine else None


def _note_unknown_units(out: Collector, row: int, listed: list[str], directory: UnitDirectory,
                        unknown_units: list[str]) -> None:
    """Warn once per name in 责任处室 that is neither a unit nor a group; add it to ``unknown_units``."""
    for name in listed:
        if name not in directory.names and name not in directory.members and name not in unknown_units:
            unknown_units.append(name)
            out.warning("unknown-unit", row, schema.header_of(schema.SHEET_TASKS, "units_text"), name,
                        f"「{name}」不在处室表中，已按单独处室计入，请在处室表中补充。")


def _with_unknown_units(units: pd.DataFrame, unknown_units: list[str]) -> pd.DataFrame:
    """``units`` plus a row (no short name, no group, no Excel row) for each unknown name."""
    if not unknown_units:
        return units
    extra = pd.DataFrame({"unit": unknown_units, "short": "", "groups": [[] for _ in unknown_units], ROW: None})
    return pd.concat([units, extra], ignore_index=True)


def _leads(out: Collector, row: int, values: dict, listed: list[str], responsible: list[str],
           directory: UnitDirectory) -> list[str]:
    """The lead units of a task, among ``responsible``."""
    lead_listed = schema.split_unit_list(cell_text(values.get("lead_text", "")))
    if lead_listed:
        leads = directory.expand(lead_listed)
        outside = [u for u in leads if u not in responsible]
        if outside:
            out.warning("lead-not-responsible", row, schema.header_of(schema.SHEET_TASKS, "lead_text"), "、".join(outside),
                        "牵头处室不在责任处室之内，已忽略这些处室的牵头标记。")
        return [u for u in leads if u in responsible] or responsible[:1]
    if listed and listed[0] in directory.members:
        # 机关各处、四川年鉴社: each listed unit leads its own part of the work.
        return responsible
    return responsible[:1]  # 列第一位的为牵头单位


def _task_record(values: dict, task_id: str, row: int, start: dt.date | None, deadline: dt.date | None,
                 ongoing: bool) -> dict:
    return {
        "task_id": task_id,
        "section": cell_text(values["section"]),
        "content": cell_text(values["content"]),
        "units_text": cell_text(values["units_text"]),
        "lead_text": cell_text(values.get("lead_text", "")),
        "start": pd.Timestamp(start) if start else pd.NaT,
        "deadline_text": cell_text(values.get("deadline_text")),
        "deadline": pd.Timestamp(deadline) if deadline else pd.NaT,
        "ongoing": ongoing,
        "note": cell_text(values.get("note", "")),
        ROW: row,
    }


def _task_frame(task_records: list[dict]) -> pd.DataFrame:
    tasks = pd.DataFrame(task_records, columns=TASK_FRAME_COLUMNS)
    tasks["start"] = pd.to_datetime(tasks["start"])
    tasks["deadline"] = pd.to_datetime(tasks["deadline"])
    return tasks
