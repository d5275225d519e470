"""The 督办 sheet's rows as ``Event`` records: reading them from ``Book.supervision``, and which of them count as of
a date (pure, no I/O).

Every other module of the package works on these records, never on the frame, so a blank date or a number read
as text is dealt with once, here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import pandas as pd

from lib import schema
from lib.model import ROW

# An extension is the task's, whichever unit asked: these events concern every unit of the task.
EXTENSION_KINDS = (schema.KIND_EXTENSION_REQUEST, schema.KIND_EXTENSION_APPROVED, schema.KIND_EXTENSION_REFUSED)


@dataclass(frozen=True)
class Event:
    """One row of the 督办 sheet."""

    event_id: str
    kind: str
    task_id: str
    unit: str
    date: dt.date
    account: str
    text: str = ""
    evidence: str = ""
    requested_until: dt.date | None = None
    approved_until: dt.date | None = None
    answers: str = ""  # a decision: the request's event_id
    row: int | None = None  # the Excel row, for an event read from the sheet

    @property
    def is_request(self) -> bool:
        return self.kind in schema.REQUEST_KINDS

    @property
    def is_decision(self) -> bool:
        return self.kind in schema.DECISION_KINDS

    def as_record(self) -> dict:
        """The event as a row of ``Book.supervision`` (dates as Timestamps, NaT when blank)."""
        record = asdict(self)
        for name in ("date", "requested_until", "approved_until"):
            record[name] = pd.Timestamp(record[name]) if record[name] else pd.NaT
        record[ROW] = record.pop("row")
        return record


def _day(value: object) -> dt.date | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def events_of(frame: pd.DataFrame) -> list[Event]:
    """The events of a ``Book.supervision`` frame, in sheet order."""
    events = []
    for record in frame.to_dict("records"):
        events.append(Event(
            event_id=str(record["event_id"]), kind=str(record["kind"]), task_id=str(record["task_id"]),
            unit=str(record["unit"]), date=_day(record["date"]) or dt.date.min, account=str(record["account"]),
            text=str(record.get("text") or ""), evidence=str(record.get("evidence") or ""),
            requested_until=_day(record.get("requested_until")), approved_until=_day(record.get("approved_until")),
            answers=str(record.get("answers") or ""), row=record.get(ROW)))
    return events


def up_to(events: Iterable[Event], as_of: dt.date | None) -> list[Event]:
    """The events dated on or before ``as_of`` (all of them when None): events dated later do not count yet."""
    return [e for e in events if as_of is None or e.date <= as_of]


def next_event_id(events: Iterable[Event]) -> str:
    """D0001 for the first event, then one more than the highest number used."""
    numbers = [int(m.group(1)) for e in events if (m := re.fullmatch(rf"{schema.EVENT_ID_PREFIX}(\d+)", e.event_id))]
    return f"{schema.EVENT_ID_PREFIX}{max(numbers, default=0) + 1:04d}"
