"""督办: the sign-off and extension loop, computed from the 督办 sheet's events (pure, no I/O).

Each event is one row of the sheet, appended and never edited:

- a reporter (or an admin for them) asks: 销号申请 (for one assignment: a task and one of its units) or
  延期申请 (for the task: the approved date moves the whole task's deadline);
- an admin answers a request once: 销号 or 退回 a 销号申请, 同意延期 (with 批准完成时限) or 不同意延期 an extension.

What the events mean, as of a date D (events dated after D do not count, so history stays honest):

- an assignment is 推进中 until a 销号申请 makes it 待销号; a 销号 makes it 已销号, a 退回 sends it back (退回);
- a task's effective deadline is its original 完成时限 until an approved extension, and the approved date from
  the approval's date on (the latest approval counts; 延期 N 次 counts them);
- 按期办结: closed on or before the original deadline; 延期办结: after it but by the effective deadline;
  逾期办结: closed after the effective deadline; 逾期未办结: past the effective deadline and not closed.
  按期办结率 is 按期办结 out of the tasks (or a unit's assignments) whose original deadline is on or before D.

``relation_problem`` is the one place that says whether an event fits the events before it: validation
checks the sheet's rows with it, and ``new_request`` / ``new_decision`` check the row they build.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from lib import schema
from lib.accounts import Account
from lib.model import ROW, SUPERVISION_FRAME_COLUMNS, Book, empty_supervision

# An extension is the task's, whichever unit asked: these events concern every unit of the task.
EXTENSION_KINDS = (schema.KIND_EXTENSION_REQUEST, schema.KIND_EXTENSION_APPROVED, schema.KIND_EXTENSION_REFUSED)

OUTCOME_ON_TIME = "按期办结"
OUTCOME_EXTENDED = "延期办结"
OUTCOME_LATE = "逾期办结"
OUTCOME_OVERDUE = "逾期未办结"
OUTCOME_OPEN = "未到期"  # not closed, and the effective deadline is not past yet
OUTCOME_CLOSED_EARLY = "已办结"  # closed, and the original deadline is after D: not yet counted in the rate
OUTCOME_NO_DEADLINE = "无时限"  # 长期 or blank 完成时限: never due


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


class SupervisionError(Exception):
    """A request or decision refused; the message is Chinese, ``code`` stable for code to match on."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


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


def _until(events: Iterable[Event], as_of: dt.date | None) -> list[Event]:
    return [e for e in events if as_of is None or e.date <= as_of]


# ---- what the events say -------------------------------------------------------------------------------


def decisions(events: Iterable[Event]) -> dict[str, Event]:
    """Request event_id → the decision that answers it (the first one: a second is a validation error)."""
    found: dict[str, Event] = {}
    for event in events:
        if event.is_decision:
            found.setdefault(event.answers, event)
    return found


def approvals(events: Iterable[Event], task_id: str, as_of: dt.date | None = None) -> list[Event]:
    """The task's 同意延期 decisions dated on or before ``as_of``, in order."""
    return [e for e in _until(events, as_of) if e.kind == schema.KIND_EXTENSION_APPROVED and e.task_id == task_id]


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
    for event in _until(events, as_of):
        if event.task_id == task_id and event.unit == unit and event.kind in by_kind:
            state = by_kind[event.kind]
    return state


def signed_off_on(events: Iterable[Event], task_id: str, unit: str, as_of: dt.date | None = None) -> dt.date | None:
    """The date of the 销号 that closed the assignment, or None when it is not 已销号 as of ``as_of``."""
    listed = _until(events, as_of)
    if assignment_state(listed, task_id, unit) != schema.STATE_SIGNED_OFF:
        return None
    return [e for e in listed if e.kind == schema.KIND_SIGN_OFF and e.task_id == task_id and e.unit == unit][-1].date


def pending(events: Iterable[Event], as_of: dt.date) -> pd.DataFrame:
    """Requests dated on or before ``as_of`` without a decision by then, oldest first, with their age in days."""
    listed = _until(events, as_of)
    answered = decisions(listed)
    rows = [{**asdict(e), "age_days": (as_of - e.date).days} for e in listed
            if e.is_request and e.event_id not in answered]
    columns = [*Event.__dataclass_fields__, "age_days"]
    return pd.DataFrame(rows, columns=columns).sort_values(["date", "row"], kind="stable").reset_index(drop=True)


def late_request(event: Event, original: dt.date | None, events: Iterable[Event]) -> bool:
    """An extension asked for after the deadline it would move: 逾期后申请."""
    deadline = effective_deadline(original, events, event.task_id, event.date)
    return event.kind == schema.KIND_EXTENSION_REQUEST and deadline is not None and event.date > deadline


def next_event_id(events: Iterable[Event]) -> str:
    """D0001 for the first event, then one more than the highest number used."""
    numbers = [int(m.group(1)) for e in events if (m := re.fullmatch(rf"{schema.EVENT_ID_PREFIX}(\d+)", e.event_id))]
    return f"{schema.EVENT_ID_PREFIX}{max(numbers, default=0) + 1:04d}"


# ---- whether an event fits the events before it ---------------------------------------------------------

Finding = tuple[str, str, str]  # (code, the field it is about, Chinese message)


def _request_problem(event: Event, earlier: list[Event], original: dt.date | None) -> Finding | None:
    state = assignment_state(earlier, event.task_id, event.unit)
    if event.kind == schema.KIND_SIGN_OFF_REQUEST:
        if state == schema.STATE_SIGNED_OFF:
            return ("already-signed-off", "kind",
                    f"任务「{event.task_id}」的「{event.unit}」已销号，不能再次申请销号。")
        if state == schema.STATE_AWAITING:
            return ("request-pending", "kind", f"任务「{event.task_id}」的「{event.unit}」已有待审核的销号申请，请等待审核结果。")
        return None
    answered = decisions(earlier)
    if any(e.kind == schema.KIND_EXTENSION_REQUEST and e.task_id == event.task_id and e.event_id not in answered
           for e in earlier):
        return ("request-pending", "kind", f"任务「{event.task_id}」已有待审核的延期申请，请等待审核结果。")
    if event.requested_until is None:
        return ("missing-requested-date", "requested_until", "延期申请须填写申请完成时限。")
    return _extension_problem(event, event.requested_until, "requested_until", earlier, original, event.date)


def _extension_problem(event: Event, until: dt.date, field: str, earlier: list[Event], original: dt.date | None,
                       as_of: dt.date) -> Finding | None:
    deadline = effective_deadline(original, earlier, event.task_id, as_of)
    if deadline is None:
        return ("no-deadline-to-extend", field, f"任务「{event.task_id}」没有明确的完成时限（或为长期任务），无需申请延期。")
    if until <= deadline:
        return ("extension-not-later", field,
                f"延期后的完成时限 {until:%Y-%m-%d} 应晚于申请时的完成时限 {deadline:%Y-%m-%d}。")
    return None


def _decision_problem(event: Event, earlier: list[Event], original: dt.date | None) -> Finding | None:
    requests = {e.event_id: e for e in earlier if e.is_request}
    request = requests.get(event.answers)
    if request is None:
        return ("decision-without-request", "answers",
                f"对应申请「{event.answers}」不存在（须为本表中在此之前的销号申请或延期申请的编号）。")
    if schema.DECISION_KINDS[event.kind] != request.kind:
        return ("decision-wrong-kind", "kind", f"「{event.kind}」不能用于答复{request.kind}「{request.event_id}」。")
    if request.event_id in decisions(earlier):
        done = decisions(earlier)[request.event_id]
        return ("duplicate-decision", "answers",
                f"申请「{request.event_id}」已于 {done.date:%Y-%m-%d} 由{done.account}审核（{done.kind}），不能再次审核。")
    if (event.task_id, event.unit) != (request.task_id, request.unit):
        return ("decision-other-assignment", "task_id",
                f"审核的任务编号、处室应与申请「{request.event_id}」一致（任务「{request.task_id}」，{request.unit}）。")
    if event.date < request.date:
        return ("decision-before-request", "date", f"审核日期早于申请「{request.event_id}」的日期 {request.date:%Y-%m-%d}。")
    if event.kind != schema.KIND_EXTENSION_APPROVED:
        return None
    if event.approved_until is None:
        return ("missing-approved-date", "approved_until", "同意延期须填写批准完成时限。")
    return _extension_problem(event, event.approved_until, "approved_until", earlier, original, request.date)


def relation_problem(event: Event, earlier: list[Event], original: dt.date | None) -> Finding | None:
    """Why ``event`` does not fit the ``earlier`` events (of the sheet, in order), or None.

    ``original`` is the task's original 完成时限 (None: 长期 or blank). The event's kind must be known.
    """
    if event.is_request:
        return _request_problem(event, earlier, original)
    return _decision_problem(event, earlier, original)


# ---- the figures ----------------------------------------------------------------------------------------

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
    facts = _facts(_until(events_of(book.supervision), as_of))
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


# ---- new events -----------------------------------------------------------------------------------------

REQUEST_WORDS = {"销号": schema.KIND_SIGN_OFF_REQUEST, "延期": schema.KIND_EXTENSION_REQUEST}
APPROVE, RETURN, REFUSE = "approve", "return", "refuse"
_VERDICTS = {
    (schema.KIND_SIGN_OFF_REQUEST, APPROVE): schema.KIND_SIGN_OFF,
    (schema.KIND_SIGN_OFF_REQUEST, RETURN): schema.KIND_RETURN,
    (schema.KIND_SIGN_OFF_REQUEST, REFUSE): schema.KIND_RETURN,
    (schema.KIND_EXTENSION_REQUEST, APPROVE): schema.KIND_EXTENSION_APPROVED,
    (schema.KIND_EXTENSION_REQUEST, RETURN): schema.KIND_EXTENSION_REFUSED,
    (schema.KIND_EXTENSION_REQUEST, REFUSE): schema.KIND_EXTENSION_REFUSED,
}


def _original(book: Book, task_id: str) -> dt.date | None:
    deadline = book.tasks.loc[book.tasks["task_id"] == task_id, "deadline"]
    return None if deadline.empty or pd.isna(deadline.iloc[0]) else deadline.iloc[0].date()


def _refuse_if(finding: Finding | None) -> None:
    if finding is not None:
        raise SupervisionError(finding[2], finding[0])


def check_event(book: Book, account: Account, event: Event, earlier: list[Event]) -> Finding | None:
    """Why ``account`` may not add ``event`` after the ``earlier`` events of ``book``, or None: the one check a
    new request or decision passes, when it is built and again when a save previews it against the newest workbook."""
    if event.is_decision and not account.is_admin:
        return ("admin-only", "kind", "只有管理员可以审核销号和延期申请。")
    if event.task_id not in set(book.tasks["task_id"]):
        return ("unknown-task-id", "task_id", f"任务编号「{event.task_id}」在任务表中不存在。")
    if not ((book.assignments["task_id"] == event.task_id) & (book.assignments["unit"] == event.unit)).any():
        return ("unit-not-responsible", "unit", f"「{event.unit}」不是任务「{event.task_id}」的责任处室。")
    if event.is_request and not account.may_report_for(event.unit):
        return ("unit-outside-account", "unit",
                f"「{event.unit}」不在您的填报范围（{'、'.join(account.units) or '无'}）内，不能代其申请。")
    return relation_problem(event, earlier, _original(book, event.task_id))


def new_request(book: Book, account: Account, kind: str, task_id: str, unit: str, day: dt.date, reason: str,
                evidence: str = "", until: dt.date | None = None) -> Event:
    """The 销号申请 or 延期申请 row ``account`` files for ``unit`` on ``task_id`` (``kind``: 销号 or 延期). Raises
    SupervisionError (Chinese, with a code) when the task or unit is not the requester's, the reason is blank,
    or the request does not fit the events (see ``check_event``)."""
    kind = REQUEST_WORDS.get(kind, kind)
    if kind not in schema.REQUEST_KINDS:
        raise SupervisionError("申请事项只能为「销号」或「延期」。", "unknown-event-kind")
    if not reason.strip():
        raise SupervisionError("请填写办结说明（申请销号）或延期理由及进展（申请延期）。", "missing-reason")
    events = events_of(book.supervision)
    made = Event(next_event_id(events), kind, task_id, unit, day, account.name, reason.strip(), evidence.strip(),
                 requested_until=until if kind == schema.KIND_EXTENSION_REQUEST else None)
    _refuse_if(check_event(book, account, made, events))
    return made


def new_decision(book: Book, account: Account, request_id: str, verdict: str, day: dt.date, comment: str,
                 until: dt.date | None = None) -> Event:
    """The decision row answering request ``request_id``: ``verdict`` is APPROVE, RETURN or REFUSE. An approved
    extension takes ``until``, by default the date asked for. Raises SupervisionError when ``account`` is not an
    admin, the request is unknown or already decided, or the date does not move the deadline."""
    if not account.is_admin:
        raise SupervisionError("只有管理员可以审核销号和延期申请。", "admin-only")
    events = events_of(book.supervision)
    request = next((e for e in events if e.event_id == request_id and e.is_request), None)
    if request is None:
        raise SupervisionError(f"没有编号为「{request_id}」的申请。", "decision-without-request")
    kind = _VERDICTS[(request.kind, verdict)]
    if kind == schema.KIND_RETURN and not comment.strip():
        raise SupervisionError("退回须填写意见，说明原因和需补充的内容。", "missing-reason")
    approved = (until or request.requested_until) if kind == schema.KIND_EXTENSION_APPROVED else None
    made = Event(next_event_id(events), kind, request.task_id, request.unit, day, account.name, comment.strip(),
                 approved_until=approved, answers=request.event_id)
    _refuse_if(check_event(book, account, made, events))
    return made


def with_events(book: Book, added: list[Event]) -> pd.DataFrame:
    """``book``'s 督办 frame with ``added`` appended (rows without an Excel row yet)."""
    new = pd.DataFrame([e.as_record() for e in added], columns=SUPERVISION_FRAME_COLUMNS)
    frames = [frame for frame in (book.supervision[SUPERVISION_FRAME_COLUMNS], new) if len(frame)]
    return pd.concat(frames, ignore_index=True) if frames else empty_supervision()


# ---- what the pages show --------------------------------------------------------------------------------

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
    original = _original(book, task_id)
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
