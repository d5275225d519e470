"""New 督办 rows: the 销号申请 or 延期申请 a reporter files, the decision an admin makes, and the 督办 frame with
them appended (pure, no I/O: ``lib.store`` saves the frame).

Each new row gets the next event_id and must pass ``rules.check_event`` against the events already in the sheet;
a refusal raises ``SupervisionError`` with the Chinese message and the finding's code.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from lib import schema
from lib.accounts import Account
from lib.model import SUPERVISION_FRAME_COLUMNS, Book, empty_supervision
from lib.supervision.events import Event, events_of, next_event_id
from lib.supervision.rules import Finding, check_event


class SupervisionError(Exception):
    """A request or decision refused; the message is Chinese, ``code`` stable for code to match on."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code



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



def _refuse_if(finding: Finding | None) -> None:
    if finding is not None:
        raise SupervisionError(finding[2], finding[0])



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
