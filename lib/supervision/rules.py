"""Whether a 督办 event may follow the events before it: the one place the loop's rules are written (pure, no I/O).

Validation checks the sheet's rows with ``relation_problem``; a new request or decision passes ``check_event``
(the account's rights, the task and unit, then ``relation_problem``) when it is built and again when a save
previews it against the newest workbook. A problem is a ``Finding``: a stable code for code and tests, the field
it is about, and the Chinese message for people.
"""

from __future__ import annotations

import datetime as dt

from lib import schema
from lib.accounts import Account
from lib.model import Book
from lib.supervision.events import Event
from lib.supervision.state import assignment_state, decisions, effective_deadline, original_deadline

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
    return relation_problem(event, earlier, original_deadline(book, event.task_id))
