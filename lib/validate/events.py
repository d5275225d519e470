"""The 督办 sheet: each event's cells, then the event against those above it (``supervision.relation_problem``).

A row with an error is left out, and later rows are checked as if it were not there.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

import pandas as pd

from lib import dates, schema, supervision
from lib.dates import parse_date
from lib.model import ORIGIN, ROW, SUPERVISION_FRAME_COLUMNS, Problem, empty_supervision, row_label
from lib.validate.cells import Collector, cell_text, is_blank, normalise_id
from lib.workbook import RawSheet

_EVENT_DATES = ("date", "requested_until", "approved_until")


def parse_events(sheet: RawSheet | None, tasks: pd.DataFrame, assignments: pd.DataFrame,
                 problems: list[Problem]) -> pd.DataFrame:
    """The 督办 events, in sheet order; a row with an error is left out, and later rows are checked without it.

    A row is checked cell by cell, then against the events above it (``supervision.relation_problem``).
    """
    if sheet is None:
        return empty_supervision()
    out = Collector(schema.SHEET_SUPERVISION, problems)
    originals = {task_id: (None if pd.isna(day) else day.date()) for task_id, day in zip(tasks["task_id"], tasks["deadline"])}
    responsible = set(zip(assignments["task_id"], assignments["unit"]))
    accepted: list[supervision.Event] = []
    origins: list[str] = []
    seen: dict[str, str] = {}
    for values in sheet.frame.to_dict("records"):
        out.origin = values.get(ORIGIN, "")
        event = _event_cells(out, values, originals, responsible, seen)
        if event is None:
            continue
        finding = supervision.relation_problem(event, accepted, originals[event.task_id])
        if finding is not None:
            code, field_name, message = finding
            out.error(code, event.row, schema.header_of(schema.SHEET_SUPERVISION, field_name), values.get(field_name, ""),
                      message)
            continue
        seen[event.event_id] = row_label(values[ROW], out.origin)
        accepted.append(event)
        origins.append(out.origin)
    frame = pd.DataFrame([e.as_record() for e in accepted], columns=SUPERVISION_FRAME_COLUMNS)
    if ORIGIN in sheet.frame.columns:
        frame[ORIGIN] = origins
    return frame.astype({name: "datetime64[ns]" for name in _EVENT_DATES})


def _event_cells(out: Collector, values: dict, originals: dict, responsible: set, seen: dict[str, str]):
    """The row as a ``supervision.Event``, or None (with the errors reported) when a cell is wrong."""
    row, before = values[ROW], len(out.problems)
    header = partial(schema.header_of, schema.SHEET_SUPERVISION)
    for column in schema.SUPERVISION_COLUMNS:
        if column.required and is_blank(values.get(column.field, "")):
            out.error("missing-value", row, column.header, "", f"「{column.header}」为必填项，请补充。")
    event_id, kind = normalise_id(values.get("event_id", "")), schema.normalise_header(values.get("kind", ""))
    task_id, unit = normalise_id(values.get("task_id", "")), cell_text(values.get("unit", ""))
    if event_id and event_id in seen:
        out.error("duplicate-event-id", row, header("event_id"), event_id, f"编号「{event_id}」与{seen[event_id]}重复，编号必须唯一。")
    if kind and kind not in schema.SUPERVISION_KINDS:
        out.error("unknown-event-kind", row, header("kind"), kind, f"事项只能为「{'、'.join(schema.SUPERVISION_KINDS)}」之一。")
    if task_id and task_id not in originals:
        out.error("unknown-task-id", row, header("task_id"), task_id, f"任务编号「{task_id}」在任务表中不存在，请核对。")
    elif task_id and unit and (task_id, unit) not in responsible:
        out.error("unit-not-responsible", row, header("unit"), unit, f"「{unit}」不是任务「{task_id}」的责任处室，请核对。")
    days = {name: _event_date(out, row, values.get(name, ""), header(name)) for name in _EVENT_DATES}
    if len(out.problems) > before or days["date"] is None:
        return None
    return supervision.Event(
        event_id=event_id, kind=kind, task_id=task_id, unit=unit, date=days["date"], account=cell_text(values["account"]),
        text=cell_text(values.get("text", "")), evidence=cell_text(values.get("evidence", "")),
        requested_until=days["requested_until"], approved_until=days["approved_until"],
        answers=normalise_id(values.get("answers", "")), row=row)


def _event_date(out: Collector, row: int, value: object, header: str) -> dt.date | None:
    try:
        day = parse_date(value)
    except (ValueError, TypeError, OverflowError):
        day = None
        out.error("bad-date", row, header, value, f"「{header}」无法识别为日期，请填写日期，例如 2026-06-30。")
    if day is not None and not dates.storable(day):
        out.error("bad-date", row, header, value, f"「{header}」不在合理范围内，请核对年份。")
        return None
    return day
