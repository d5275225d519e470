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

The package, one job per module (pure, no I/O, but for ``urge``'s log):

- ``events``: the ``Event`` record, reading events from ``Book.supervision``, the next event_id;
- ``state``: what the events say as of a date (decisions, approvals, effective deadline, assignment state, pending);
- ``rules``: whether an event fits the events before it (``relation_problem``, ``check_event``);
- ``figures``: the tables and counts (``assignment_table``, ``task_table``, ``Summary``, ``overall``, ``by_unit``);
- ``new_events``: building new requests and decisions (``new_request``, ``new_decision``, ``with_events``);
- ``views``: what the pages show (``event_table``, ``timeline``, ``returned``, ``open_assignments``, ``deadlines``);
- ``upload_requests``: requests asked through an upload's 申请事项 column (imported by the save, not here);
- ``urge``: 催办, the overdue assignments per unit and their notice (reads and appends the audit log: not pure,
  imported by the 督办审核 page and ``python -m lib urge``, not here).

Read from outside the package: ``lib.review_supervision`` (the review's 督办 part, one section of the review).

The names callers need are imported here, so pages, the store and the CLI say ``supervision.new_request``.
"""

from lib.supervision.events import EXTENSION_KINDS, Event, events_of, next_event_id, up_to
from lib.supervision.figures import (
    ASSIGNMENT_COLUMNS,
    FIGURE_COLUMNS,
    OUTCOME_CLOSED_EARLY,
    OUTCOME_EXTENDED,
    OUTCOME_LATE,
    OUTCOME_NO_DEADLINE,
    OUTCOME_ON_TIME,
    OUTCOME_OPEN,
    OUTCOME_OVERDUE,
    Summary,
    assignment_table,
    by_unit,
    overall,
    summaries_by,
    summarize,
    task_table,
    tasks_of,
)
from lib.supervision.new_events import (
    APPROVE,
    REFUSE,
    REQUEST_WORDS,
    RETURN,
    SupervisionError,
    new_decision,
    new_request,
    with_events,
)
from lib.supervision.rules import Finding, check_event, relation_problem
from lib.supervision.state import (
    approvals,
    assignment_state,
    decisions,
    effective_deadline,
    late_request,
    original_deadline,
    pending,
    signed_off_on,
)
from lib.supervision.views import (
    EVENT_HEADERS,
    REPORT_ENTRY,
    TIMELINE_COLUMNS,
    Deadlines,
    deadlines,
    event_table,
    on_assignment,
    open_assignments,
    returned,
    timeline,
)

__all__ = [
    "APPROVE", "ASSIGNMENT_COLUMNS", "EVENT_HEADERS", "EXTENSION_KINDS", "FIGURE_COLUMNS", "OUTCOME_CLOSED_EARLY",
    "OUTCOME_EXTENDED", "OUTCOME_LATE", "OUTCOME_NO_DEADLINE", "OUTCOME_ON_TIME", "OUTCOME_OPEN", "OUTCOME_OVERDUE",
    "REFUSE", "REPORT_ENTRY", "REQUEST_WORDS", "RETURN", "TIMELINE_COLUMNS", "Deadlines", "Event", "Finding",
    "Summary", "SupervisionError", "approvals", "assignment_state", "assignment_table", "by_unit", "check_event",
    "decisions", "deadlines", "effective_deadline", "event_table", "events_of", "late_request", "new_decision",
    "new_request", "next_event_id", "on_assignment", "open_assignments", "original_deadline", "overall", "pending",
    "relation_problem", "returned", "signed_off_on", "summaries_by", "summarize", "task_table", "tasks_of",
    "timeline", "up_to", "with_events",
]
