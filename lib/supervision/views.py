"""What the 督办 pages show: events as the sheet heads them, a task's history of reports and events, a unit's
returned requests and open assignments, a task's deadlines (pure, no I/O: the pages in ``pages/`` and
``lib/ui/supervise.py`` render these tables).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from lib import schema
from lib.model import Book
from lib.supervision.events import EXTENSION_KINDS, Event, events_of
from lib.supervision.figures import assignment_table
from lib.supervision.state import approvals, effective_deadline, original_deadline

EVENT_HEADERS = {c.field: c.header for c in schema.SUPERVISION_COLUMNS}
TIMELINE_COLUMNS = ["日期", "事项", "处室", "经办人", "完成进度", "说明", "佐证材料", "申请完成时限", "批准完成时限", "编号",
                    "对应申请"]
REPORT_ENTRY = "填报进展"


def _date_text(value: dt.date | None) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


def event_table(events: Iterable[Event]) -> pd.DataFrame:
    """Events as the 督办 sheet heads them, in the order given, dates as text."""
    rows = [{EVENT_HEADERS["event_id"]: e.event_id, EVENT_HEADERS["date"]: _date_text(e.date),
             EVENT_HEADERS["kind"]: e.kind, EVENT_HEADERS["task_id"]: e.task_id, EVENT_HEADERS["unit"]: e.unit,
             EVENT_HEADERS["account"]: e.account, EVENT_HEADERS["text"]: e.text, EVENT_HEADERS["evidence"]: e.evidence,
             EVENT_HEADERS["requested_until"]: _date_text(e.requested_until),
             EVENT_HEADERS["approved_until"]: _date_text(e.approved_until), EVENT_HEADERS["answers"]: e.answers}
            for e in events]
    return pd.DataFrame(rows, columns=[c.header for c in schema.SUPERVISION_COLUMNS])


def on_assignment(events: Iterable[Event], task_id: str, unit: str) -> list[Event]:
    """The events about one assignment: its own, and the task's extensions (they move its deadline too)."""
    return [e for e in events if e.task_id == task_id and (e.unit == unit or e.kind in EXTENSION_KINDS)]


def returned(events: Iterable[Event], unit: str) -> list[tuple[Event, Event]]:
    """(request, decision) for each of ``unit``'s requests sent back (退回, 不同意延期) and not asked again since:
    what the unit has still to act on, oldest first."""
    listed = list(events)
    requests = {e.event_id: e for e in listed if e.is_request}
    found = []
    for position, decision in enumerate(listed):
        request = requests.get(decision.answers)
        if decision.kind not in (schema.KIND_RETURN, schema.KIND_EXTENSION_REFUSED) or request is None:
            continue
        asked_again = any(e.kind == request.kind and e.task_id == request.task_id and e.unit == request.unit
                          for e in listed[position + 1:])
        if request.unit == unit and not asked_again:
            found.append((request, decision))
    return found


@dataclass(frozen=True)
class Deadlines:
    """A task's 原定时限, 调整后时限 and 延期 N 次 as of a date."""

    original: dt.date | None
    effective: dt.date | None
    extensions: int


def deadlines(book: Book, task_id: str, as_of: dt.date | None = None) -> Deadlines:
    events = events_of(book.supervision)
    original = original_deadline(book, task_id)
    return Deadlines(original, effective_deadline(original, events, task_id, as_of),
                     len(approvals(events, task_id, as_of)))


def open_assignments(book: Book, unit: str, as_of: dt.date) -> pd.DataFrame:
    """``unit``'s assignments not signed off as of ``as_of`` (``assignment_table``'s columns), returned ones first,
    then in task order."""
    table = assignment_table(book, as_of)
    mine = table[(table["unit"] == unit) & (table["state"] != schema.STATE_SIGNED_OFF)]
    return mine.assign(_first=mine["state"] != schema.STATE_RETURNED).sort_values(
        "_first", kind="stable").drop(columns="_first").reset_index(drop=True)


def timeline(book: Book, task_id: str) -> pd.DataFrame:
    """The task's reports, requests and decisions in the order they happened (``TIMELINE_COLUMNS``): by date, and
    on one date the reports first (a request follows the report it rests on), then the events in sheet order."""
    reports = book.updates_by_date
    reports = reports[reports["task_id"] == task_id]
    rows = [{"日期": d.date(), "事项": REPORT_ENTRY, "处室": unit, "经办人": reporter, "完成进度": progress,
             "说明": note, "_order": (0, i)}
            for i, (d, unit, reporter, progress, note) in enumerate(zip(
                reports["date"], reports["unit"], reports["reporter"], reports["progress"], reports["progress_note"]))]
    for i, e in enumerate(e for e in events_of(book.supervision) if e.task_id == task_id):
        rows.append({"日期": e.date, "事项": e.kind, "处室": e.unit, "经办人": e.account, "说明": e.text,
                     "佐证材料": e.evidence, "申请完成时限": _date_text(e.requested_until),
                     "批准完成时限": _date_text(e.approved_until), "编号": e.event_id, "对应申请": e.answers,
                     "_order": (1, i)})
    frame = pd.DataFrame(rows, columns=[*TIMELINE_COLUMNS, "_order"])
    frame = frame.sort_values(["日期", "_order"], kind="stable").drop(columns="_order").reset_index(drop=True)
    frame["日期"] = frame["日期"].map(_date_text)
    texts = [name for name in TIMELINE_COLUMNS if name != "完成进度"]  # progress stays a number, blank for events
    frame[texts] = frame[texts].astype(object).fillna("")  # an all-blank column reads as float: text, not NaN
    frame["完成进度"] = frame["完成进度"].astype(float)
    return frame
