"""Drill-down metrics for the unit and task pages: pure, vectorised pandas.

These extend ``lib.metrics`` (same definitions, see its ``METRIC_NOTES``) with
the per-period views a unit or a task page needs.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from lib import schema, supervision
from lib.metrics import OVERALL, assignment_progress, expected_progress, period_points
from lib.model import ROW, Book

REPORTED = "已报送"
NOT_REPORTED = "未报送"
NOT_REQUIRED = "无需报送"  # done before the period began


def _period_ends(book: Book, as_of: dt.date) -> list[tuple[str, str, dt.date, dt.date]]:
    """(code, label, start, day its figures are taken) of every period from the plan start to ``as_of``."""
    return [(p.code, p.label, p.start, day) for p, day in period_points(book, as_of)]


def assignment_trend(book: Book, as_of: dt.date) -> pd.DataFrame:
    """Progress (percent 0–100) of every assignment at each period end up to ``as_of``.

    Long format: date, period, task_id, unit, is_lead, progress. One row per
    (period, assignment); the last date is ``as_of`` when its period has not ended.
    """
    frames = [
        book.assignments[["task_id", "unit", "is_lead"]].assign(
            date=pd.Timestamp(end), period=label, progress=assignment_progress(book, end).to_numpy()
        )
        for _code, label, _start, end in _period_ends(book, as_of)
    ]
    columns = ["date", "period", "task_id", "unit", "is_lead", "progress"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def unit_trend(book: Book, as_of: dt.date, unit: str | None = None) -> pd.DataFrame:
    """Each unit's progress (mean of its assignments, percent 0–100) at each period end; only ``unit`` if given.

    Columns: date, period, unit, label, progress, scope (= unit, the line ``charts.trend_lines`` draws).
    """
    trend = (
        assignment_trend(book, as_of)
        .groupby(["date", "period", "unit"], as_index=False, sort=False)["progress"].mean()
    )
    if unit is not None:
        trend = trend[trend["unit"] == unit].reset_index(drop=True)
    trend["label"] = trend["unit"].map(book.unit_label)
    trend["scope"] = trend["unit"]
    return trend[["date", "period", "unit", "label", "progress", "scope"]]


def task_trend(book: Book, task_id: str, as_of: dt.date) -> pd.DataFrame:
    """One task's ``assignment_trend`` rows: each of its units' progress (percent 0–100) at each period end."""
    points = assignment_trend(book, as_of)
    return points[points["task_id"] == task_id].reset_index(drop=True)


def reporting_grid(book: Book, as_of: dt.date, unit: str | None = None) -> pd.DataFrame:
    """Per assignment (of ``unit`` only, if given) and period: 已报送 / 未报送 / 无需报送.

    An assignment must report in a period unless it was at 100 at the previous period's 报送截止日; a report
    counts for the period its date falls in once moved back by the plan's 报送截止日 days (up to ``as_of``),
    as ``metrics.reporting_status`` counts 本期报送.
    Columns: task_id, unit, period_code, period, status.
    """
    grace = dt.timedelta(days=book.plan.report_days)
    ends = _period_ends(book, as_of)
    if not ends:
        return pd.DataFrame(columns=["task_id", "unit", "period_code", "period", "status"])
    periods = pd.DataFrame(ends, columns=["period_code", "period", "start", "end"])
    mine = (book.assignments["unit"] == unit).to_numpy() if unit is not None else np.ones(len(book.assignments), bool)
    keys = book.assignments.loc[mine, ["task_id", "unit"]]
    grid = keys.merge(periods, how="cross")
    before = {
        code: assignment_progress(book, min(start - dt.timedelta(days=1) + grace, as_of)).to_numpy()[mine]
        for code, _label, start, _end in ends
    }
    previous = pd.concat(
        [keys.assign(period_code=code, previous=values) for code, values in before.items()], ignore_index=True
    )
    grid = grid.merge(previous, on=["task_id", "unit", "period_code"], how="left")
    updates = book.updates[book.updates["date"] <= pd.Timestamp(as_of)]
    starts = pd.to_datetime(periods["start"]).to_numpy()
    counted_on = (updates["date"] - pd.Timedelta(grace)).to_numpy().astype("datetime64[ns]")
    position = np.searchsorted(starts, counted_on, side="right") - 1
    reported = pd.DataFrame({
        "task_id": updates["task_id"].to_numpy(), "unit": updates["unit"].to_numpy(),
        "period_code": periods["period_code"].to_numpy()[position.clip(0)],
    })[position >= 0].drop_duplicates().assign(done=True)
    grid = grid.merge(reported, on=["task_id", "unit", "period_code"], how="left")
    grid["status"] = NOT_REPORTED
    grid.loc[grid["done"].astype("boolean").fillna(False).astype(bool), "status"] = REPORTED
    grid.loc[grid["previous"] >= 100, "status"] = NOT_REQUIRED
    return grid[["task_id", "unit", "period_code", "period", "status"]]


def task_history(book: Book, task_id: str) -> pd.DataFrame:
    """Every report of one task, newest first (the later row first within a day)."""
    updates = book.updates[book.updates["task_id"] == task_id]
    return updates.sort_values(["date", ROW], ascending=False).reset_index(drop=True)


def open_problems(assignments: pd.DataFrame) -> pd.DataFrame:
    """Assignments (rows of ``Snapshot.assignments``) whose latest report names a 存在问题 and are not done."""
    problems = assignments["problems"].fillna("").astype(str).str.strip()
    return assignments[(problems != "") & (assignments["progress"] < 100)].reset_index(drop=True)


def not_reported(assignments: pd.DataFrame) -> pd.DataFrame:
    """The 催报 list: assignments required in the current period with no report yet."""
    return assignments[assignments["required"] & ~assignments["reported"]].reset_index(drop=True)


def task_problems(task_ids: pd.Series, assignments: pd.DataFrame, names: dict | None = None) -> pd.Series:
    """For each of ``task_ids``: the latest 存在问题 of its units as one line, ``甲处、乙处：text；丙处：text``.

    ``assignments``: rows of ``Snapshot.assignments``. Units naming the same problem share
    one entry; ``names`` maps a unit to the name shown (e.g. its short label). "" for a task
    without a problem. The board, the review slides and the Excel summary all use this.
    """
    named = assignments.assign(text=assignments["problems"].fillna("").astype(str).str.strip())
    named = named[named["text"] != ""]
    if names is not None:
        named = named.assign(unit=named["unit"].map(names).fillna(named["unit"]))
    joined = (
        named.groupby(["task_id", "text"], sort=False)["unit"].agg("、".join).reset_index()
        .assign(entry=lambda f: f["unit"] + "：" + f["text"])
        .groupby("task_id", sort=False)["entry"].agg("；".join)
    )
    return task_ids.map(joined).astype(object).fillna("").rename("problems")


def warned_tasks(tasks: pd.DataFrame, assignments: pd.DataFrame) -> pd.DataFrame:
    """红 and 黄 tasks (rows of ``Snapshot.tasks``) with the latest 存在问题 named by any of their units.

    Adds ``problems``: ``task_problems`` of the task, empty when none was named.
    """
    warned = tasks[tasks["light"].isin([schema.LIGHT_RED, schema.LIGHT_YELLOW])].copy()
    warned["problems"] = task_problems(warned["task_id"], assignments)
    return warned


def section_tasks(tasks: pd.DataFrame, section: str) -> pd.DataFrame:
    """The rows of ``Snapshot.tasks`` in one section, in plan order."""
    return tasks[tasks["section"] == section].reset_index(drop=True)


def section_trend(trend: pd.DataFrame, section: str) -> pd.DataFrame:
    """The 总体 and one section's lines of ``metrics.trend``: the section against the whole plan."""
    return trend[trend["scope"].isin([OVERALL, section])].reset_index(drop=True)


def expected_trend(book: Book, task_id: str, as_of: dt.date) -> pd.DataFrame:
    """序时进度 (percent 0–100) of one task at each period end up to ``as_of``, against the deadline in force
    then (an extension approved later does not move earlier points); empty without a deadline.

    Columns: date, period, expected.
    """
    rows = []
    for _code, label, _start, end in _period_ends(book, as_of):
        deadline = supervision.deadlines(book, task_id, end).effective
        deadlines = pd.Series({task_id: pd.Timestamp(deadline) if deadline else pd.NaT}, dtype="datetime64[ns]")
        rows.append({"date": pd.Timestamp(end), "period": label,
                     "expected": expected_progress(book, end, deadlines).get(task_id)})
    frame = pd.DataFrame(rows, columns=["date", "period", "expected"])
    return frame[frame["expected"].notna()].reset_index(drop=True)
