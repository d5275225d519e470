"""The 进展 sheet, checked column by column: dates, 编号 and 处室, 完成进度, 状态, duplicates and trend.

It is the sheet that grows (every report of every unit), so it is checked with column operations
(``lib.validate.columns``), not row by row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from lib import schema
from lib.dates import parse_date
from lib.model import ERROR, ORIGIN, ROW, WARNING, Problem, row_label
from lib.validate.cells import Collector, cell_text, normalise_id, parse_progress
from lib.validate.columns import blanks, column_of, map_distinct, parsed, report_rows, texts
from lib.workbook import RawSheet


def parse_updates(sheet: RawSheet, assignments: pd.DataFrame, problems: list[Problem], today: dt.date,
                  window: tuple[dt.date, dt.date]):
    """The 进展 rows, checked column by column; rows with errors are left out.

    Only the rows that have a problem are visited one by one, to write their
    messages: a sheet of 100,000 clean reports is checked with column operations.
    """
    out = Collector(schema.SHEET_UPDATES, problems)
    cells = _UpdateCells.of(sheet.frame)
    bad = _check_update_dates(out, cells, window)
    bad |= _check_update_keys(out, cells, assignments)
    bad |= _check_update_progress(out, cells)
    good = ~bad
    status = _update_status(out, cells, good)
    future = good & cells.dates.map(lambda day: day is not None and day > today).astype(bool)
    report_rows(out, WARNING, "future-date", future, cells.frame, schema.header_of(schema.SHEET_UPDATES, "date"),
                cells.dates, "填报日期晚于今天，请核对。")
    updates = pd.DataFrame(
        {
            "date": pd.to_datetime(cells.dates[good]),
            "task_id": cells.task_ids[good],
            "unit": cells.units[good],
            "progress": cells.progress[good].astype(float),
            "status": status[good],
            **{name: texts(cells.column(name)[good])
               for name in ("progress_note", "problems", "next_steps", "reporter")},
            ROW: cells.frame.loc[good, ROW],
            **({ORIGIN: cells.frame.loc[good, ORIGIN]} if ORIGIN in cells.frame.columns else {}),
        },
    )
    updates["date"] = pd.to_datetime(updates["date"])
    updates["progress"] = updates["progress"].astype(float)
    return _dedupe_and_check_trend(updates.reset_index(drop=True), out)


@dataclass
class _UpdateCells:
    """The 进展 sheet's columns as read, and as parsed (None or NaN where a cell does not parse)."""

    frame: pd.DataFrame
    dates: pd.Series  # dt.date or None
    task_ids: pd.Series  # normalised, '' when blank
    units: pd.Series  # text, '' when blank
    progress: pd.Series  # float, NaN when blank or not a number

    @classmethod
    def of(cls, frame: pd.DataFrame) -> _UpdateCells:
        return cls(
            frame,
            dates=parsed(column_of(frame, "date"), parse_date),
            task_ids=map_distinct(column_of(frame, "task_id"), normalise_id),
            units=map_distinct(column_of(frame, "unit"), cell_text),
            progress=pd.to_numeric(parsed(column_of(frame, "progress"), parse_progress), errors="coerce"),
        )

    def column(self, name: str) -> pd.Series:
        return column_of(self.frame, name)


def _check_update_dates(out: Collector, cells: _UpdateCells, window: tuple[dt.date, dt.date]) -> pd.Series:
    """Blank, unreadable or implausible 填报日期 (outside ``window``). Returns the rows with an error."""
    header, raw_date = schema.header_of(schema.SHEET_UPDATES, "date"), cells.column("date")
    date_blank = blanks(raw_date)
    date_bad = ~date_blank & cells.dates.isna()
    first, last = window
    outside = cells.dates.map(lambda day: day is not None and not first <= day <= last).astype(bool)
    report_rows(out, ERROR, "missing-value", date_blank, cells.frame, header, raw_date, "填报日期为必填项，请补充。")
    report_rows(out, ERROR, "bad-date", date_bad, cells.frame, header, raw_date, "填报日期无法识别，请填写日期，例如 2026-06-30。")
    report_rows(out, ERROR, "date-out-of-range", outside, cells.frame, header, raw_date,
                f"填报日期不在合理范围内（应在 {first:%Y-%m-%d} 至 {last:%Y-%m-%d} 之间，即方案起始前一年至今后一年），"
            "请核对年份。")
    return date_blank | date_bad | outside


def _check_update_keys(out: Collector, cells: _UpdateCells, assignments: pd.DataFrame) -> pd.Series:
    """Blank or unknown 编号, blank 处室, and a 处室 not responsible for the task. Returns the rows with an error."""
    frame, task_ids, units = cells.frame, cells.task_ids, cells.units
    id_header, unit_header = schema.header_of(schema.SHEET_UPDATES, "task_id"), schema.header_of(schema.SHEET_UPDATES, "unit")
    known_tasks = set(assignments["task_id"])
    units_of_task = assignments.groupby("task_id")["unit"].agg("、".join).to_dict()
    responsible = pd.MultiIndex.from_frame(assignments[["task_id", "unit"]])
    id_blank = task_ids == ""
    id_unknown = ~id_blank & ~task_ids.isin(known_tasks)
    unit_blank = units == ""
    not_responsible = (
        ~unit_blank & task_ids.isin(known_tasks) & ~pd.MultiIndex.from_arrays([task_ids, units]).isin(responsible)
    )
    report_rows(out, ERROR, "missing-value", id_blank, frame, id_header, task_ids, "编号为必填项，请填写任务表中的编号。")
    report_rows(out, ERROR, "unknown-task-id", id_unknown, frame, id_header, task_ids,
                lambda value: f"编号「{value}」在任务表中不存在，请核对编号。")
    report_rows(out, ERROR, "missing-value", unit_blank, frame, unit_header, units, "处室为必填项，请填写处室全称。")
    for row, origin, task_id, unit in zip(frame.loc[not_responsible, ROW], column_of(frame, ORIGIN)[not_responsible],
                                          task_ids[not_responsible], units[not_responsible]):
        out.error("unit-not-responsible", row, unit_header, unit,
                  f"「{unit}」不是任务「{task_id}」的责任处室（责任处室：{units_of_task[task_id]}），请核对。", origin)
    return id_blank | id_unknown | unit_blank | not_responsible


def _check_update_progress(out: Collector, cells: _UpdateCells) -> pd.Series:
    """Blank, non-numeric or out-of-range 完成进度. Returns the rows with an error."""
    header, raw_progress, progress = schema.header_of(schema.SHEET_UPDATES, "progress"), cells.column("progress"), cells.progress
    progress_blank = blanks(raw_progress)
    progress_bad = ~progress_blank & progress.isna()
    out_of_range = progress.notna() & ~progress.between(0, 100)
    report_rows(out, ERROR, "missing-value", progress_blank, cells.frame, header, raw_progress, "完成进度为必填项，请填写 0 到 100 之间的数字。")
    report_rows(out, ERROR, "bad-progress", progress_bad, cells.frame, header, raw_progress,
                "完成进度不是数字，请填写 0 到 100 之间的数字，如 60 或 60%。")
    report_rows(out, ERROR, "progress-out-of-range", out_of_range, cells.frame, header, raw_progress, "完成进度应在 0 到 100 之间，请修改。")
    return progress_blank | progress_bad | out_of_range


def _update_status(out: Collector, cells: _UpdateCells, good: pd.Series) -> pd.Series:
    """The 状态 of each row: synonyms mapped, unknown or blank ones inferred from 完成进度.

    Warns (on ``good`` rows only) about mapped and unknown values and about 100% not marked 已完成.
    """
    header, raw_status, progress = schema.header_of(schema.SHEET_UPDATES, "status"), cells.column("status"), cells.progress
    normalised = map_distinct(raw_status, schema.normalise_status)
    status = pd.Series([pair[0] for pair in normalised], index=normalised.index, dtype=object)
    mapped = pd.Series([bool(pair[1]) for pair in normalised], index=normalised.index, dtype=bool) & good
    unknown = status.notna() & ~status.isin(schema.STATUSES) & good
    report_rows(out, WARNING, "status-synonym", mapped, cells.frame, header, raw_status,
                lambda value: f"状态「{cell_text(value)}」已按「{schema.normalise_status(value)[0]}」处理。")
    report_rows(out, WARNING, "unknown-status", unknown, cells.frame, header, status,
                "状态不在「未启动、推进中、已完成、滞后」之内，已按完成进度推定。")
    status = status.where(status.isin(schema.STATUSES))
    derived = progress.map(lambda p: schema.status_from_progress(p) if p == p else None)
    status = status.fillna(derived)
    not_done = good & (progress >= 100) & (status != schema.STATUS_DONE)
    report_rows(out, WARNING, "status-not-done", not_done, cells.frame, header, status, "完成进度为 100，但状态不是「已完成」，请核对。")
    return status


def _dedupe_and_check_trend(updates: pd.DataFrame, out: Collector) -> pd.DataFrame:
    """Drop earlier duplicates of (填报日期, 编号, 处室); warn on progress going down."""
    key = ["date", "task_id", "unit"]
    duplicated = updates.duplicated(subset=key, keep="last")
    origins = column_of(updates, ORIGIN)
    if duplicated.any():
        # the row kept is the last of its key in sheet order (a merge puts the upload after the saved rows)
        later_row = updates.groupby(key)[ROW].transform("last")
        later_origin = origins.groupby([updates[k] for k in key]).transform("last")
        for row, origin, later, later_from in zip(updates.loc[duplicated, ROW], origins[duplicated],
                                                  later_row[duplicated], later_origin[duplicated]):
            out.warning("duplicate-update", row, schema.header_of(schema.SHEET_UPDATES, "date"), "",
                        f"与{row_label(later, later_from)}的填报日期、编号、处室相同，以后面一行为准。", origin)
    updates = updates[~duplicated].sort_values(["date", ROW]).reset_index(drop=True)
    previous = updates.groupby(["task_id", "unit"])["progress"].shift()
    went_down = updates["progress"] < previous
    origins = column_of(updates, ORIGIN)
    for row, origin, now, before in zip(updates.loc[went_down, ROW], origins[went_down],
                                        updates.loc[went_down, "progress"], previous[went_down]):
        out.warning("progress-decreased", row, schema.header_of(schema.SHEET_UPDATES, "progress"), now,
                    f"完成进度由上次的 {before:g} 降为 {now:g}，请核对。", origin)
    return updates


def empty_updates():
    """An empty 进展 frame with the contract's columns, for a new workbook."""
    return pd.DataFrame(columns=[c.field for c in schema.UPDATE_COLUMNS])
