"""The review's 督办 part, as data: what was decided in a period and what is overdue at its end (pure, no I/O).

Built once per review (``review.build_review``) and rendered by the slides, the pptx, the Excel summary and the
Word report, so they all say the same. The facts come from ``lib.supervision`` only:

- the period's decisions are the 督办 events dated within the period's first..last day (销号, 同意延期, and the
  requests sent back: 退回 and 不同意延期), each with what its request said;
- 逾期未办结 and the headline figures are as of the period's last day (``supervision.task_table``, ``overall``),
  so events dated after it count neither way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from lib import schema, supervision
from lib.model import Book
from lib.periods import Period

RETURN_KINDS = (schema.KIND_RETURN, schema.KIND_EXTENSION_REFUSED)


@dataclass(frozen=True)
class SignOff:
    """A 销号 dated in the period: the assignment closed, with the 办结说明 its request gave."""

    task_id: str
    content: str
    unit: str
    date: dt.date
    note: str  # 办结说明
    evidence: str  # 佐证材料


@dataclass(frozen=True)
class Extension:
    """A 同意延期 dated in the period: the deadline in force before it, the approved one, the request's reason."""

    task_id: str
    content: str
    unit: str  # who asked
    date: dt.date
    before: dt.date | None  # 原定时限: the original, or the date an earlier approval set
    after: dt.date | None  # 调整后时限
    reason: str


@dataclass(frozen=True)
class Returned:
    """A request sent back in the period: 退回 (a 销号申请) or 不同意延期, with the 意见."""

    task_id: str
    content: str
    unit: str
    date: dt.date
    kind: str  # schema.KIND_RETURN or schema.KIND_EXTENSION_REFUSED
    comment: str


@dataclass(frozen=True)
class Overdue:
    """A task 逾期未办结 at the period's end: its units not closed, its deadlines, the days past the effective one."""

    task_id: str
    content: str
    units: tuple[str, ...]
    original: dt.date | None
    effective: dt.date
    extensions: int
    days: int


@dataclass(frozen=True)
class SupervisionPart:
    period: Period
    figures: supervision.Summary  # as of the period's end, by task
    signed_off: tuple[SignOff, ...]
    extensions: tuple[Extension, ...]
    returned: tuple[Returned, ...]
    overdue: tuple[Overdue, ...]

    @property
    def as_of(self) -> dt.date:
        return self.period.end

    @property
    def has_decisions(self) -> bool:
        """Whether anything was signed off, extended or sent back in the period."""
        return bool(self.signed_off or self.extensions or self.returned)


def _day(value: object) -> dt.date | None:
    """A date from a table cell (a date, a Timestamp, or blank)."""
    if value is None or pd.isna(value):
        return None
    return value.date() if isinstance(value, dt.datetime) else value  # type: ignore[return-value]


def _deadline_before(approval: supervision.Event, events: list[supervision.Event], original: dt.date | None
                     ) -> dt.date | None:
    """The deadline an approval replaced: the one the task's previous approval set, else the original."""
    approved = supervision.approvals(events, approval.task_id)
    earlier = approved[:approved.index(approval)]
    return earlier[-1].approved_until if earlier else original


def _decided(book: Book, period: Period) -> tuple[tuple[SignOff, ...], tuple[Extension, ...], tuple[Returned, ...]]:
    events = supervision.events_of(book.supervision)
    requests = {e.event_id: e for e in events if e.is_request}
    content = dict(zip(book.tasks["task_id"], book.tasks["content"].fillna("").astype(str)))
    signed, extended, returned = [], [], []
    for event in events:
        request = requests.get(event.answers)
        if not event.is_decision or request is None or not period.start <= event.date <= period.end:
            continue
        text = content.get(event.task_id, "")
        if event.kind == schema.KIND_SIGN_OFF:
            signed.append(SignOff(event.task_id, text, event.unit, event.date, request.text, request.evidence))
        elif event.kind == schema.KIND_EXTENSION_APPROVED:
            before = _deadline_before(event, events, supervision.deadlines(book, event.task_id).original)
            extended.append(Extension(event.task_id, text, event.unit, event.date, before, event.approved_until,
                                      request.text))
        elif event.kind in RETURN_KINDS:
            returned.append(Returned(event.task_id, text, event.unit, event.date, event.kind, event.text))
    return tuple(signed), tuple(extended), tuple(returned)


def _overdue(book: Book, as_of: dt.date) -> tuple[Overdue, ...]:
    tasks = supervision.task_table(book, as_of)
    assignments = supervision.assignment_table(book, as_of)
    open_units = assignments[assignments["closed_on"].isna()].groupby("task_id", sort=False)["unit"].agg(tuple)
    content = dict(zip(book.tasks["task_id"], book.tasks["content"].fillna("").astype(str)))
    found = []
    for row in tasks[tasks["outcome"] == supervision.OUTCOME_OVERDUE].itertuples():
        effective = _day(row.deadline_effective)
        assert effective is not None  # overdue means past a deadline
        found.append(Overdue(str(row.task_id), content.get(row.task_id, ""), tuple(open_units.get(row.task_id, ())),
                             _day(row.deadline_original), effective, int(row.extensions), (as_of - effective).days))
    return tuple(found)


def build(book: Book, period: Period) -> SupervisionPart:
    """The 督办 part of ``period``'s review: decisions dated within it, overdue tasks and figures at its end."""
    signed, extended, returned = _decided(book, period)
    return SupervisionPart(period, supervision.overall(book, period.end), signed, extended, returned,
                           _overdue(book, period.end))
