"""督办 figures, by hand: states, the effective deadline before and after an approval, 按期办结率, new events.

The workbook (``supervision_workbook``): three units' worth of tasks,

- task 1, 甲处 and 乙处, 完成时限 2026-06-30;
- task 2, 乙处, 完成时限 2026-09-30;
- task 3, 甲处, 长期 (never due).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from lib import schema, supervision
from lib.accounts import ROLE_ADMIN, ROLE_REPORTER, Account
from lib.model import Book
from lib.workbook import supervision_sheet, write_workbook
from tests.builders import BOOK_UNITS, tasks_frame, updates_frame

TODAY = dt.date(2026, 11, 1)
SUPERVISION_TASKS = [
    {"task_id": "1", "section": "一、甲", "content": "任务一", "units_text": "甲处、乙处", "deadline_text": "2026-06-30"},
    {"task_id": "2", "section": "一、甲", "content": "任务二", "units_text": "乙处", "deadline_text": "2026-09-30"},
    {"task_id": "3", "section": "二、乙", "content": "任务三", "units_text": "甲处", "deadline_text": "长期"},
]


def event(event_id, kind, task_id, unit, date, account="管理员", text="", evidence="", requested_until=None,
          approved_until=None, answers="") -> dict:
    """A 督办 row as the sheet holds it."""
    return {"event_id": event_id, "kind": kind, "task_id": task_id, "unit": unit, "date": date, "account": account,
            "text": text, "evidence": evidence, "requested_until": requested_until, "approved_until": approved_until,
            "answers": answers}


def supervision_workbook(path: Path, events: list[dict], updates: list[tuple] = (), plan: dict | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    settings = {schema.PLAN_NAME: "督办测试", schema.PLAN_START: dt.date(2026, 1, 1), **(plan or {})}
    frame = pd.DataFrame(events, columns=[c.field for c in schema.SUPERVISION_COLUMNS])
    write_workbook(path, settings, BOOK_UNITS, tasks_frame(SUPERVISION_TASKS), updates_frame(list(updates)),
                   supervision_sheet(frame))
    return path


def load_book(tmp_path: Path, events: list[dict], updates: list[tuple] = (), plan: dict | None = None) -> Book:
    from lib import validate

    result = validate.load(supervision_workbook(tmp_path / "s.xlsx", events, updates, plan), today=TODAY)
    assert result.ok, [p.as_text() for p in result.problems]
    return result.book


# ---- the figures, by hand ------------------------------------------------------------------------------


ADMIN = Account("综合处管理员", ROLE_ADMIN)
JIA = Account("甲处填报", ROLE_REPORTER, ("甲处",))
REVIEW = {schema.PLAN_SIGN_OFF_REVIEW: schema.YES}

# Task 1 (due 06-30): 甲处 asks on 06-10 for 08-31, the admin grants 08-15 on 06-20; 甲处 is signed off on 07-12,
# 乙处 on 08-05, so the task closes on 08-05: after the original deadline, by the effective one.
LOOP = [
    event("D0001", "延期申请", "1", "甲处", dt.date(2026, 6, 10), "甲处填报", "资料未齐", requested_until=dt.date(2026, 8, 31)),
    event("D0002", "同意延期", "1", "甲处", dt.date(2026, 6, 20), approved_until=dt.date(2026, 8, 15), answers="D0001"),
    event("D0003", "销号申请", "1", "甲处", dt.date(2026, 7, 10), "甲处填报", "已印发", "川志〔2026〕3号"),
    event("D0004", "销号", "1", "甲处", dt.date(2026, 7, 12), answers="D0003"),
    event("D0005", "销号申请", "1", "乙处", dt.date(2026, 8, 1), "乙处填报", "已完成"),
    event("D0006", "销号", "1", "乙处", dt.date(2026, 8, 5), answers="D0005"),
]


@pytest.fixture(scope="module")
def loop_book(tmp_path_factory):
    return load_book(tmp_path_factory.mktemp("loop"), LOOP, plan=REVIEW)


def row_of(table, **where):
    mask = pd.Series(True, index=table.index)
    for column, value in where.items():
        mask &= table[column] == value
    assert mask.sum() == 1
    return table[mask].iloc[0]


def test_the_effective_deadline_moves_on_the_approval_date(loop_book):
    before = row_of(supervision.task_table(loop_book, dt.date(2026, 6, 19)), task_id="1")
    after = row_of(supervision.task_table(loop_book, dt.date(2026, 6, 20)), task_id="1")
    assert (before["deadline_original"], before["deadline_effective"], before["extensions"]) == (
        dt.date(2026, 6, 30), dt.date(2026, 6, 30), 0)
    assert (after["deadline_original"], after["deadline_effective"], after["extensions"]) == (
        dt.date(2026, 6, 30), dt.date(2026, 8, 15), 1)


def test_overdue_against_the_effective_deadline(tmp_path, loop_book):
    # 07-05: past the original 06-30, but the approved 08-15 is not: in time. Without the approval it is overdue.
    assert row_of(supervision.task_table(loop_book, dt.date(2026, 7, 5)), task_id="1")["outcome"] == "未到期"
    unextended = load_book(tmp_path, LOOP[2:4], plan=REVIEW)
    assert row_of(supervision.task_table(unextended, dt.date(2026, 7, 5)), task_id="1")["outcome"] == "逾期未办结"


def test_states_and_pending_requests_with_their_age(loop_book):
    on = dt.date(2026, 7, 11)
    table = supervision.assignment_table(loop_book, on)
    assert row_of(table, task_id="1", unit="甲处")["state"] == "待销号"
    assert row_of(table, task_id="1", unit="乙处")["state"] == "推进中"
    waiting = supervision.pending(supervision.events_of(loop_book.supervision), on)
    assert list(zip(waiting["event_id"], waiting["age_days"])) == [("D0003", 1)]
    assert row_of(supervision.assignment_table(loop_book, dt.date(2026, 7, 12)), task_id="1", unit="甲处")["state"] == "已销号"


def test_closed_after_the_original_deadline_by_the_extended_one_is_delayed_closure(loop_book):
    task = row_of(supervision.task_table(loop_book, dt.date(2026, 8, 10)), task_id="1")
    assert (task["state"], task["closed_on"], task["outcome"]) == ("已销号", dt.date(2026, 8, 5), "延期办结")


def test_overall_and_unit_figures_after_every_deadline(loop_book):
    """10-01: task 1 延期办结, task 2 (乙处, due 09-30, never signed off) 逾期未办结, task 3 长期: 2 due, none on time."""
    figures = supervision.overall(loop_book, dt.date(2026, 10, 1))
    assert (figures.due, figures.on_time, figures.closed_extended, figures.overdue, figures.signed_off,
            figures.extended, figures.pending, figures.on_time_rate) == (2, 0, 1, 1, 1, 1, 0, 0.0)
    units = supervision.by_unit(loop_book, dt.date(2026, 10, 1))
    assert (units["甲处"].due, units["甲处"].closed_extended, units["甲处"].signed_off, units["甲处"].overdue) == (1, 1, 1, 0)
    assert (units["乙处"].due, units["乙处"].closed_extended, units["乙处"].overdue) == (2, 1, 1)


REPORTS_DONE = [(dt.date(2026, 6, 1), "1", "甲处", 100), (dt.date(2026, 6, 15), "1", "乙处", 100)]


def test_without_sign_off_review_a_100_report_closes_the_assignment(tmp_path):
    """销号审核 = 否: task 1 closes on 06-15 (its last unit's 100), before 06-30: on time, 1 of 1 due at 07-01."""
    figures = supervision.overall(load_book(tmp_path, [], REPORTS_DONE), dt.date(2026, 7, 1))
    assert (figures.due, figures.on_time, figures.overdue, figures.on_time_rate) == (1, 1, 0, 100.0)


def test_with_sign_off_review_a_100_report_is_not_enough(tmp_path):
    figures = supervision.overall(load_book(tmp_path, [], REPORTS_DONE, plan=REVIEW), dt.date(2026, 7, 1))
    assert (figures.due, figures.on_time, figures.overdue, figures.on_time_rate) == (1, 0, 1, 0.0)


# ---- new requests and decisions ------------------------------------------------------------------------------


def refusal_code(call, *args, **kwargs) -> str:
    with pytest.raises(supervision.SupervisionError) as caught:
        call(*args, **kwargs)
    return caught.value.code


def test_a_request_is_the_next_event_and_the_requesters(loop_book):
    made = supervision.new_request(loop_book, ADMIN, "延期", "2", "乙处", dt.date(2026, 9, 1), "人手不足",
                                   until=dt.date(2026, 12, 31))
    assert (made.event_id, made.kind, made.account, made.requested_until) == (
        "D0007", "延期申请", "综合处管理员", dt.date(2026, 12, 31))


@pytest.mark.parametrize(("account", "kind", "task_id", "unit", "until", "code"), [
    (JIA, "销号", "1", "乙处", None, "unit-outside-account"),
    (ADMIN, "销号", "2", "甲处", None, "unit-not-responsible"),
    (ADMIN, "销号", "9", "甲处", None, "unknown-task-id"),
    (JIA, "延期", "1", "甲处", dt.date(2026, 8, 10), "extension-not-later"),  # after the approval: 08-15 is in force
    (JIA, "销号", "1", "甲处", None, "already-signed-off"),
    (JIA, "延期", "3", "甲处", dt.date(2027, 1, 1), "no-deadline-to-extend"),
])
def test_requests_refused(loop_book, account, kind, task_id, unit, until, code):
    assert refusal_code(supervision.new_request, loop_book, account, kind, task_id, unit, dt.date(2026, 9, 1),
                        "理由", until=until) == code


def test_an_extension_asked_before_the_approval_is_measured_against_the_original(loop_book):
    """On 06-15 the deadline in force is 06-30: 08-10 is later. On 09-01 the approved 08-15 is: refused above."""
    made = supervision.new_request(loop_book, ADMIN, "延期", "1", "乙处", dt.date(2026, 6, 15), "理由",
                                   until=dt.date(2026, 8, 10))
    assert made.requested_until == dt.date(2026, 8, 10)


def test_decisions(loop_book):
    request = supervision.new_request(loop_book, ADMIN, "延期", "2", "乙处", dt.date(2026, 9, 1), "人手不足",
                                      until=dt.date(2026, 12, 31))
    book = replace(loop_book, supervision=supervision.with_events(loop_book, [request]))
    approved = supervision.new_decision(book, ADMIN, "D0007", supervision.APPROVE, dt.date(2026, 9, 2), "同意")
    assert (approved.event_id, approved.kind, approved.approved_until, approved.answers) == (
        "D0008", "同意延期", dt.date(2026, 12, 31), "D0007")
    refused = supervision.new_decision(book, ADMIN, "D0007", supervision.RETURN, dt.date(2026, 9, 2), "理由不足")
    assert refused.kind == "不同意延期"
    assert refusal_code(supervision.new_decision, book, JIA, "D0007", supervision.APPROVE, dt.date(2026, 9, 2), "") \
        == "admin-only"
    assert refusal_code(supervision.new_decision, book, ADMIN, "D0001", supervision.REFUSE, dt.date(2026, 9, 2), "否") \
        == "duplicate-decision"
    assert refusal_code(supervision.new_decision, book, ADMIN, "D0099", supervision.APPROVE, dt.date(2026, 9, 2), "") \
        == "decision-without-request"
