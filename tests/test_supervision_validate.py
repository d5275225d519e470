"""The 督办 sheet checked like every other sheet: each contradiction names its sheet, Excel row and column."""

import datetime as dt

import pytest

from lib import schema, validate
from tests.test_supervision import TODAY, event, supervision_workbook


def load(tmp_path, events, plan=None):
    return validate.load(supervision_workbook(tmp_path / "s.xlsx", events, plan=plan), today=TODAY)


def codes_at(result):
    """(code, row, column) of each problem on the 督办 sheet."""
    return [(p.code, p.row, p.column) for p in result.problems if p.sheet == schema.SHEET_SUPERVISION]


def test_a_workbook_without_the_sheet_has_no_events(tmp_path):
    result = load(tmp_path, [])
    assert result.ok and result.book.supervision.empty
    assert list(result.book.supervision.columns)[:3] == ["event_id", "kind", "task_id"]


def test_a_consistent_loop_is_read_in_order(tmp_path):
    events = [
        event("D0001", "延期申请", "1", "甲处", dt.date(2026, 6, 1), requested_until=dt.date(2026, 9, 30)),
        event("D0002", "同意延期", "1", "甲处", dt.date(2026, 6, 5), approved_until=dt.date(2026, 8, 31), answers="D0001"),
        event("D0003", "销号申请", "1", "甲处", dt.date(2026, 8, 1), text="已完成", evidence="川志〔2026〕1号"),
        event("D0004", "退回", "1", "甲处", dt.date(2026, 8, 2), text="缺佐证", answers="D0003"),
        event("D0005", "销号申请", "1", "甲处", dt.date(2026, 8, 3)),
        event("D0006", "销号", "1", "甲处", dt.date(2026, 8, 4), answers="D0005"),
    ]
    result = load(tmp_path, events)
    assert result.ok, [p.as_text() for p in result.problems]
    frame = result.book.supervision
    assert list(frame["event_id"]) == [f"D000{i}" for i in range(1, 7)]
    assert frame.loc[1, "approved_until"] == dt.datetime(2026, 8, 31)
    assert list(frame["row"]) == [2, 3, 4, 5, 6, 7]


REQUEST = event("D0001", "销号申请", "1", "甲处", dt.date(2026, 6, 1))
EXTENSION = event("D0001", "延期申请", "1", "甲处", dt.date(2026, 6, 1), requested_until=dt.date(2026, 9, 30))


@pytest.mark.parametrize(("events", "expected"), [
    ([event("D0001", "销号申请", "99", "甲处", dt.date(2026, 6, 1))], ("unknown-task-id", 2, "任务编号")),
    ([event("D0001", "销号申请", "2", "甲处", dt.date(2026, 6, 1))], ("unit-not-responsible", 2, "处室")),
    ([event("D0001", "催办", "1", "甲处", dt.date(2026, 6, 1))], ("unknown-event-kind", 2, "事项")),
    ([event("D0001", "销号", "1", "甲处", dt.date(2026, 6, 1), answers="D0009")],
     ("decision-without-request", 2, "对应申请")),
    ([REQUEST, event("D0002", "同意延期", "1", "甲处", dt.date(2026, 6, 2), approved_until=dt.date(2026, 9, 30),
                     answers="D0001")], ("decision-wrong-kind", 3, "事项")),
    ([REQUEST, event("D0002", "销号", "1", "甲处", dt.date(2026, 6, 2), answers="D0001"),
      event("D0003", "退回", "1", "甲处", dt.date(2026, 6, 3), answers="D0001")], ("duplicate-decision", 4, "对应申请")),
    ([EXTENSION, event("D0002", "同意延期", "1", "甲处", dt.date(2026, 6, 2), answers="D0001")],
     ("missing-approved-date", 3, "批准完成时限")),
    ([event("D0001", "延期申请", "1", "甲处", dt.date(2026, 6, 1), requested_until=dt.date(2026, 6, 30))],
     ("extension-not-later", 2, "申请完成时限")),
    ([EXTENSION, event("D0002", "同意延期", "1", "甲处", dt.date(2026, 6, 2), approved_until=dt.date(2026, 6, 1),
                       answers="D0001")], ("extension-not-later", 3, "批准完成时限")),
    ([REQUEST, event("D0002", "销号", "1", "甲处", dt.date(2026, 6, 2), answers="D0001"),
      event("D0003", "销号申请", "1", "甲处", dt.date(2026, 6, 3))], ("already-signed-off", 4, "事项")),
    ([REQUEST, event("D0001", "销号申请", "1", "乙处", dt.date(2026, 6, 1))], ("duplicate-event-id", 3, "编号")),
    ([event("D0001", "延期申请", "3", "甲处", dt.date(2026, 6, 1), requested_until=dt.date(2026, 9, 30))],
     ("no-deadline-to-extend", 2, "申请完成时限")),
    ([event("D0001", "延期申请", "1", "甲处", dt.date(2026, 6, 1))], ("missing-requested-date", 2, "申请完成时限")),
    ([event("D0001", "销号申请", "1", "甲处", "六月")], ("bad-date", 2, "日期")),
    ([event("", "销号申请", "1", "甲处", dt.date(2026, 6, 1))], ("missing-value", 2, "编号")),
    ([REQUEST, event("D0002", "销号", "1", "乙处", dt.date(2026, 6, 2), answers="D0001")],
     ("decision-other-assignment", 3, "任务编号")),
    ([REQUEST, event("D0002", "销号", "1", "甲处", dt.date(2026, 5, 2), answers="D0001")],
     ("decision-before-request", 3, "日期")),
    ([REQUEST, event("D0002", "销号申请", "1", "甲处", dt.date(2026, 6, 2))], ("request-pending", 3, "事项")),
])
def test_each_contradiction_is_an_error_naming_row_and_column(tmp_path, events, expected):
    result = load(tmp_path, events)
    assert not result.ok
    assert expected in codes_at(result), codes_at(result)
    assert all(p.level == "错误" for p in result.problems if p.code == expected[0])


def test_an_extension_is_checked_against_the_deadline_in_force_when_it_was_asked(tmp_path):
    """Task 1 is due 2026-06-30; an approval on 06-05 moves it to 08-31. A second request on 07-01 must ask
    for more than 08-31; one asked on 06-03 (before the approval) only for more than 06-30."""
    first = [EXTENSION, event("D0002", "同意延期", "1", "甲处", dt.date(2026, 6, 5), approved_until=dt.date(2026, 8, 31),
                              answers="D0001")]
    too_early = event("D0003", "延期申请", "1", "乙处", dt.date(2026, 7, 1), requested_until=dt.date(2026, 8, 15))
    assert ("extension-not-later", 4, "申请完成时限") in codes_at(load(tmp_path, [*first, too_early]))
    later = event("D0003", "延期申请", "1", "乙处", dt.date(2026, 7, 1), requested_until=dt.date(2026, 9, 15))
    assert load(tmp_path, [*first, later]).ok


@pytest.mark.parametrize(("cell", "review", "ok"), [("是", True, True), ("否", False, True), ("", False, True),
                                                   ("需要", False, False)])
def test_sign_off_review_setting(tmp_path, cell, review, ok):
    result = load(tmp_path, [], plan={schema.PLAN_SIGN_OFF_REVIEW: cell})
    assert result.ok is ok
    assert result.book.plan.sign_off_review is review
    if not ok:
        problem = next(p for p in result.problems if p.code == "bad-yes-no")
        assert (problem.sheet, problem.column) == (schema.SHEET_PLAN, "内容")
