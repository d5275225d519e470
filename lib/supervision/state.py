"""What the 督办 events say as of a date: the decisions, a task's approved extensions and effective deadline, an
assignment's state and sign-off date, the requests still pending (pure, no I/O).

Each answer reads only the events dated on or before the date asked about, so a past date gives the history as it
stood then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict

import pandas as pd

from lib import schema
from lib.model import Book
from lib.supervision.events import Event, up_to


def decisions(events: Iterable[Event]) -> dict[str, Event]:
    """Request event_id → the decision that answers it (the first one: a second is a validation error)."""
    found: dict[str, Event] = {}
    for event in events:
        if event.is_decision:
            found.setdefault(event.answers, event)
    return found


def approvals(events: Iterable[Event], task_id: str, as_of: dt.date | None = None) -> list[Event]:
    """The task's 同意延期 decisions dated on or before ``as_of``, in order."""
    return [e for e in up_to(events, as_of) if e.kind == schema.KIND_EXTENSION_APPROVED and e.task_id == task_id]


def effective_deadline(original: dt.date | None, events: Iterable[Event], task_id: str,
                       as_of: dt.date | None = None) -> dt.date | None:
    """The original 完成时限 until an approved extension, the latest approved date from its approval on."""
    approved = approvals(events, task_id, as_of)
    return approved[-1].approved_until if approved else original


def assignment_state(events: Iterable[Event], task_id: str, unit: str, as_of: dt.date | None = None) -> str:
    """推进中, 待销号, 已销号 or 退回: what the assignment's last 销号 event says, as of ``as_of``."""
    state = schema.STATE_OPEN
    by_kind = {schema.KIND_SIGN_OFF_REQUEST: schema.STATE_AWAITING, schema.KIND_SIGN_OFF: schema.STATE_SIGNED_OFF,
               schema.KIND_RETURN: schema.STATE_RETURNED}
    for event in up_to(events, as_of):
        if event.task_id == task_id and event.unit == unit and event.kind in by_kind:
            state = by_kind[event.kind]
    return state


def signed_off_on(events: Iterable[Event], task_id: str, unit: str, as_of: dt.date | None = None) -> dt.date | None:
    """The date of the 销号 that closed the assignment, or None when it is not 已销号 as of ``as_of``."""
    listed = up_to(events, as_of)
    if assignment_state(listed, task_id, unit) != schema.STATE_SIGNED_OFF:
        return None
    return [e for e in listed if e.kind == schema.KIND_SIGN_OFF and e.task_id == task_id and e.unit == unit][-1].date


def pending(events: Iterable[Event], as_of: dt.date) -> pd.DataFrame:
    """Requests dated on or before ``as_of`` without a decision by then, oldest first, with their age in days."""
    listed = up_to(events, as_of)
    answered = decisions(listed)
    rows = [{**asdict(e), "age_days": (as_of - e.date).days} for e in listed
            if e.is_request and e.event_id not in answered]
    columns = [*Event.__dataclass_fields__, "age_days"]
    return pd.DataFrame(rows, columns=columns).sort_values(["date", "row"], kind="stable").reset_index(drop=True)


def late_request(event: Event, original: dt.date | None, events: Iterable[Event]) -> bool:
    """An extension asked for after the deadline it would move: 逾期后申请."""
    deadline = effective_deadline(original, events, event.task_id, event.date)
    return event.kind == schema.KIND_EXTENSION_REQUEST and deadline is not None and event.date > deadline


def original_deadline(book: Book, task_id: str) -> dt.date | None:
    """The task's original 完成时限 in the task sheet; None when 长期, blank or the task is unknown."""
    deadline = book.tasks.loc[book.tasks["task_id"] == task_id, "deadline"]
    return None if deadline.empty or pd.isna(deadline.iloc[0]) else deadline.iloc[0].date()

