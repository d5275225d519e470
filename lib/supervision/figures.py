"""The 督办 figures as of a date: one row per assignment and per task (state, deadlines, outcome), and the counts
of ``Summary`` (按期办结率 among them) over all tasks, per unit or per any grouping (pure, no I/O).

A task's outcome compares the date it was closed with its original and its effective deadline:

- 按期办结: closed on or before the original deadline; 延期办结: after it but by the effective deadline;
  逾期办结: closed after the effective deadline; 逾期未办结: past the effective deadline and not closed.
- With 销号审核 = 否 an assignment is also closed by the report that reached 100 and stayed there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib import schema
from lib.model import Book
from lib.supervision.events import Event, events_of, up_to
from lib.supervision.state import pending

OUTCOME_ON_TIME = "按期办结"
OUTCOME_EXTENDED = "延期办结"
OUTCOME_LATE = "逾期办结"
OUTCOME_OVERDUE = "逾期未办结"
OUTCOME_OPEN = "未到期"  # not closed, and the effective deadline is not past yet
OUTCOME_CLOSED_EARLY = "已办结"  # closed, and the original deadline is after D: not yet counted in the rate
OUTCOME_NO_DEADLINE = "无时限"  # 长期 or blank 完成时限: never due


ASSIGNMENT_COLUMNS = ["task_id", "unit", "state", "closed_on", "deadline_original", "deadline_effective", "extensions",
                      "due", "outcome"]


def _reported_done_on(book: Book, as_of: dt.date) -> dict[tuple[str, str], dt.date]:
    """(task, unit) → the date its reports reached 100 and stayed there, as of ``as_of`` (销号审核 = 否)."""
    reports = book.updates_by_date
    reports = reports.iloc[: reports["date"].searchsorted(pd.Timestamp(as_of), side="right")]
    keys = reports.groupby(["task_id", "unit"], sort=False).ngroup().to_numpy()
    position = np.arange(len(reports))
    # The rows after a key's last report below 100 are its closing run; its first row is the closing date.
    last_below = pd.Series(np.where(reports["progress"].to_numpy() < 100, position, -1)).groupby(keys).transform("max")
    closing = reports[position > last_below.to_numpy()]
    first = closing.groupby(["task_id", "unit"], sort=False)["date"].min()
    return {(str(task), str(unit)): day.date() for (task, unit), day in first.items()}


def _outcome(closed: dt.date | None, original: dt.date | None, effective: dt.date | None, as_of: dt.date) -> str:
    if closed is not None:
        if original is None or closed <= original:
            return OUTCOME_ON_TIME if original is not None else OUTCOME_NO_DEADLINE
        return OUTCOME_EXTENDED if effective is not None and closed <= effective else OUTCOME_LATE
    if effective is None:
        return OUTCOME_NO_DEADLINE
    return OUTCOME_OVERDUE if as_of > effective else OUTCOME_OPEN


@dataclass(frozen=True)
class _Facts:
    """What the events dated up to a day say, per task and per assignment (read once, looked up per row)."""

    effective: dict[str, dt.date | None]  # task → the latest approved date
    extensions: dict[str, int]  # task → 延期 N 次
    states: dict[tuple[str, str], str]  # assignment → its last 销号 event's state
    signed_on: dict[tuple[str, str], dt.date]  # assignment → the 销号 that closed it, while it stays closed


def _facts(events: Iterable[Event]) -> _Facts:
    facts = _Facts({}, {}, {}, {})
    by_kind = {schema.KIND_SIGN_OFF_REQUEST: schema.STATE_AWAITING, schema.KIND_SIGN_OFF: schema.STATE_SIGNED_OFF,
               schema.KIND_RETURN: schema.STATE_RETURNED}
    for event in events:
        key = (event.task_id, event.unit)
        if event.kind == schema.KIND_EXTENSION_APPROVED:
            facts.effective[event.task_id] = event.approved_until
            facts.extensions[event.task_id] = facts.extensions.get(event.task_id, 0) + 1
        elif event.kind in by_kind:
            facts.states[key] = by_kind[event.kind]
            if event.kind == schema.KIND_SIGN_OFF:
                facts.signed_on[key] = event.date
            else:
                facts.signed_on.pop(key, None)
    return facts


def assignment_table(book: Book, as_of: dt.date) -> pd.DataFrame:
    """One row per assignment (in ``book.assignments``' order) as of ``as_of``: its state, when it was closed
    (销号, or with 销号审核 = 否 also the report that reached 100), the task's deadlines, 延期 N 次, whether the
    original deadline is due, the outcome."""
    facts = _facts(up_to(events_of(book.supervision), as_of))
    done = {} if book.plan.sign_off_review else _reported_done_on(book, as_of)
    originals = {t: (None if pd.isna(d) else d.date()) for t, d in zip(book.tasks["task_id"], book.tasks["deadline"])}
    rows = []
    for key in zip(book.assignments["task_id"], book.assignments["unit"]):
        task_id = key[0]
        original = originals.get(task_id)
        effective = facts.effective.get(task_id, original)
        closed = facts.signed_on.get(key) or done.get(key)
        rows.append((*key, facts.states.get(key, schema.STATE_OPEN), closed, original, effective,
                     facts.extensions.get(task_id, 0), original is not None and original <= as_of,
                     _outcome(closed, original, effective, as_of)))
    return pd.DataFrame(rows, columns=ASSIGNMENT_COLUMNS)


_CLOSING_STATES = (schema.STATE_SIGNED_OFF, schema.STATE_AWAITING, schema.STATE_RETURNED)


def task_table(book: Book, as_of: dt.date) -> pd.DataFrame:
    """One row per task as of ``as_of``: a task is closed when all its assignments are, on the last one's date."""
    return tasks_of(assignment_table(book, as_of), as_of)


def tasks_of(assignments: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """``task_table`` from an ``assignment_table`` already built: its state is 已销号 when every assignment is,
    else 待销号 or 退回 when any is, else 推进中."""
    flags = pd.DataFrame({"task_id": assignments["task_id"], "open": assignments["closed_on"].isna(),
                          "closed": pd.to_datetime(assignments["closed_on"]),
                          **{state: assignments["state"] == state for state in _CLOSING_STATES}})
    grouped = flags.groupby("task_id", sort=False).agg(
        open=("open", "any"), closed=("closed", "max"), signed=(schema.STATE_SIGNED_OFF, "all"),
        awaiting=(schema.STATE_AWAITING, "any"), returned=(schema.STATE_RETURNED, "any"))
    first = assignments.drop_duplicates("task_id").set_index("task_id").reindex(grouped.index)
    closed = [None if still_open else day.date() for still_open, day in zip(grouped["open"], grouped["closed"])]
    return pd.DataFrame({
        "task_id": grouped.index,
        "state": np.select([grouped["signed"], grouped["awaiting"], grouped["returned"]],
                           [schema.STATE_SIGNED_OFF, schema.STATE_AWAITING, schema.STATE_RETURNED], schema.STATE_OPEN),
        "closed_on": closed, "deadline_original": first["deadline_original"].to_numpy(),
        "deadline_effective": first["deadline_effective"].to_numpy(), "extensions": first["extensions"].astype(int).to_numpy(),
        "due": first["due"].astype(bool).to_numpy(),
        "outcome": [_outcome(c, o, e, as_of) for c, o, e in zip(closed, first["deadline_original"], first["deadline_effective"])],
    }).reset_index(drop=True)


@dataclass(frozen=True)
class Summary:
    """The 督办 figures of a set of tasks (overall, a 板块) or of a unit's assignments."""

    pending: int  # requests without a decision
    signed_off: int  # 已销号
    extended: int  # with at least one approved extension
    overdue: int  # 逾期未办结
    due: int  # original deadline on or before the date
    on_time: int  # 按期办结, among the due
    closed_extended: int  # 延期办结, among the due
    closed_late: int  # 逾期办结, among the due

    @property
    def on_time_rate(self) -> float | None:
        """按期办结率, percent 0–100; None when nothing is due yet."""
        return round(self.on_time / self.due * 100, 1) if self.due else None


def _counted(table: pd.DataFrame) -> pd.DataFrame:
    """Per row of ``task_table`` or ``assignment_table``, whether it counts in each count of ``Summary``."""
    due = table["due"].astype(bool)
    outcome = table["outcome"]
    return pd.DataFrame({
        "signed_off": table["state"] == schema.STATE_SIGNED_OFF, "extended": table["extensions"] > 0,
        "overdue": outcome == OUTCOME_OVERDUE, "due": due, "on_time": due & (outcome == OUTCOME_ON_TIME),
        "closed_extended": due & (outcome == OUTCOME_EXTENDED), "closed_late": due & (outcome == OUTCOME_LATE),
    }, index=table.index)


def summarize(table: pd.DataFrame, pending_count: int) -> Summary:
    """The ``Summary`` of rows of ``task_table`` or ``assignment_table``."""
    return Summary(pending=pending_count, **{name: int(count) for name, count in _counted(table).sum().items()})


FIGURE_COLUMNS = [*Summary.__dataclass_fields__, "on_time_rate"]


def summaries_by(table: pd.DataFrame, key: pd.Series, waiting: pd.Series, order: pd.Index) -> pd.DataFrame:
    """``summarize`` per value of ``key`` (a 板块, a unit; aligned with ``table``), one row per value of ``order``,
    columns ``FIGURE_COLUMNS`` (counts as floats, on_time_rate NaN when nothing is due). ``waiting`` holds the
    key of each pending request."""
    counts = _counted(table).groupby(key.to_numpy()).sum()
    counts["pending"] = waiting.value_counts()
    frame = counts.reindex(order).fillna(0).astype(float)
    frame["on_time_rate"] = (frame["on_time"] / frame["due"].where(frame["due"] > 0) * 100).round(1)
    return frame[FIGURE_COLUMNS]


def overall(book: Book, as_of: dt.date) -> Summary:
    """The figures over every task, counted by task."""
    return summarize(task_table(book, as_of), len(pending(events_of(book.supervision), as_of)))


def by_unit(book: Book, as_of: dt.date) -> dict[str, Summary]:
    """Each unit's figures, counted by its assignments; pending counts the requests filed for the unit."""
    assignments = assignment_table(book, as_of)
    waiting = pending(events_of(book.supervision), as_of)
    return {str(unit): summarize(group, int((waiting["unit"] == unit).sum()))
            for unit, group in assignments.groupby("unit", sort=False)}

