"""Requests through an upload (lib/supervision/upload_requests, lib/store/supervise): 申请事项 rows become 督办 requests saved with
their reports, bad request cells are refused naming row and column, and 销号审核 = 是 files the automatic 销号申请.

The workbook (``tests.test_supervision.supervision_workbook``), today 2026-11-01:
- task 1, 甲处 and 乙处, 完成时限 2026-06-30; task 2, 乙处, 2026-09-30; task 3, 甲处, 长期;
- 甲处 reported 50 on task 1 on 2026-03-31.
The uploads are 甲处填报's: a 进展 sheet with the three request columns after the contract's, rows from Excel row 2.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from lib import schema, store, supervision, template, validate
from lib.accounts import ROLE_ADMIN, ROLE_REPORTER, Account
from tests.builders import update
from tests.test_supervision import REVIEW, TODAY, event, supervision_workbook

JIA = Account("甲处填报", ROLE_REPORTER, ("甲处",))
ADMIN = Account("管理员", ROLE_ADMIN)
REPORTED = [(dt.date(2026, 3, 31), "1", "甲处", 50)]
DAY = dt.date(2026, 10, 31)  # the reports' 填报日期
REQUEST_HEADERS = [c.header for c in schema.REQUEST_COLUMNS]


def asking(day: dt.date, task_id: str, unit: str, progress: float, note: str, request: str = "",
           until: object = "", evidence: str = "") -> dict:
    return {**update(day, task_id, unit, progress, note), "request": request, "requested_until": until,
            "evidence": evidence}


def request_upload(rows: list[dict]) -> bytes:
    """A 进展 sheet as the template lays it out with one plan: the contract's columns, then the request columns."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = schema.SHEET_UPDATES
    columns = [*schema.UPDATE_COLUMNS, *schema.REQUEST_COLUMNS]
    sheet.append([c.header for c in columns])
    for row in rows:
        sheet.append([row.get(c.field, "") for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def shared(tmp_path: Path, events: list[dict] = (), plan: dict | None = None, reported=REPORTED) -> Path:
    return supervision_workbook(tmp_path / "data" / "tasks.xlsx", list(events), list(reported), plan)


def merge(path: Path, rows: list[dict], account: Account = JIA) -> store.Preview:
    return store.preview(path.read_bytes(), store.Change(store.MERGE, account, request_upload(rows), "填报.xlsx"), TODAY)


def added_events(preview: store.Preview) -> list[tuple]:
    frame = preview.supervision_added
    if frame.empty:
        return []
    return [(r["event_id"], r["kind"], r["task_id"], r["unit"], r["text"], r["evidence"],
             None if r["requested_until"] is None or r["requested_until"] != r["requested_until"]
             else r["requested_until"].date(), r["account"], r["date"].date())
            for r in frame.to_dict("records")]


def saved_book(path: Path):
    result = validate.load(path, today=TODAY)
    assert result.ok, [p.as_text() for p in result.problems]
    return result.book


# ---- a 销号 row and a 延期 row ---------------------------------------------------------------------------


def test_a_sign_off_row_and_an_extension_row_save_both_reports_and_both_requests(tmp_path: Path):
    path = shared(tmp_path)
    audit_before = len(store.read_audit(path))
    rows = [asking(DAY, "1", "甲处", 60, "资料收集未完成", "延期", dt.date(2026, 12, 31)),
            asking(DAY, "3", "甲处", 100, "已常态化运行", "销号", evidence="川志〔2026〕3号")]
    shown = merge(path, rows)
    assert shown.ok, [p.as_text() for p in shown.problems]
    expected = [("D0001", "延期申请", "1", "甲处", "资料收集未完成", "", dt.date(2026, 12, 31), "甲处填报", TODAY),
                ("D0002", "销号申请", "3", "甲处", "已常态化运行", "川志〔2026〕3号", None, "甲处填报", TODAY)]
    assert added_events(shown) == expected
    assert (shown.counts["added"], shown.counts["supervision"]) == (2, 2)
    assert store.save(path, shown).saved
    book = saved_book(path)
    assert sorted(zip(book.updates["task_id"], book.updates["progress"])) == [("1", 50.0), ("1", 60.0), ("3", 100.0)]
    events = book.supervision
    assert list(zip(events["event_id"], events["kind"], events["task_id"], events["text"], events["evidence"])) == [
        ("D0001", "延期申请", "1", "资料收集未完成", ""), ("D0002", "销号申请", "3", "已常态化运行", "川志〔2026〕3号")]
    assert events["requested_until"].iloc[0] == dt.datetime(2026, 12, 31)
    audit = store.read_audit(path)
    assert len(audit) == audit_before + 1  # one save, one line
    assert (audit[-1]["action"], audit[-1]["added"], audit[-1]["supervision"], audit[-1]["user"]) == (
        "merge", 2, 2, "甲处填报")


# ---- bad request cells: refused, naming row and column; nothing saved ------------------------------------

SIGNED_OFF = [event("D0001", "销号申请", "1", "甲处", dt.date(2026, 7, 1), "甲处填报", "已完成"),
              event("D0002", "销号", "1", "甲处", dt.date(2026, 7, 2), answers="D0001")]
PENDING = [event("D0001", "销号申请", "1", "甲处", dt.date(2026, 7, 1), "甲处填报", "已完成")]
UNTIL, KIND = REQUEST_HEADERS[1], REQUEST_HEADERS[0]


@pytest.mark.parametrize(("events", "cells", "code", "column"), [
    ([], {"request": "办结"}, "unknown-request-kind", KIND),
    ([], {"request": "延期"}, "missing-requested-date", UNTIL),
    ([], {"request": "延期", "until": dt.date(2026, 6, 30)}, "extension-not-later", UNTIL),  # the deadline itself
    ([], {"request": "延期", "until": "明年底"}, "bad-date", UNTIL),
    ([], {"until": dt.date(2026, 12, 31)}, "requested-date-without-request", UNTIL),
    (SIGNED_OFF, {"request": "销号"}, "already-signed-off", KIND),
    (PENDING, {"request": "销号"}, "request-pending", KIND),
], ids=["unknown-word", "extension-without-date", "extension-not-later", "unreadable-date", "date-without-request",
        "signed-off", "pending"])
def test_a_bad_request_is_refused_naming_row_and_column_and_saves_nothing(tmp_path: Path, events, cells, code, column):
    path = shared(tmp_path, events)
    before = path.read_bytes()
    rows = [asking(DAY, "3", "甲处", 30, "常态推进"), asking(DAY, "1", "甲处", 100, "联络机制已建成", **cells)]
    shown = merge(path, rows)
    assert [(p.code, p.sheet, p.row, p.column) for p in shown.errors] == [(code, schema.SHEET_UPDATES, 3, column)]
    assert not store.save(path, shown).saved
    assert path.read_bytes() == before


def test_a_request_without_a_reason_is_refused_on_the_note_column(tmp_path: Path):
    path = shared(tmp_path)
    shown = merge(path, [asking(DAY, "1", "甲处", 80, "", "延期", dt.date(2026, 12, 31))])
    assert [(p.code, p.row, p.column) for p in shown.errors] == [
        ("missing-reason", 2, schema.header_of(schema.SHEET_UPDATES, "progress_note"))]


def test_two_rows_asking_the_same_sign_off_file_one_and_refuse_the_second(tmp_path: Path):
    path = shared(tmp_path)
    rows = [asking(dt.date(2026, 10, 30), "1", "甲处", 100, "已完成", "销号"), asking(DAY, "1", "甲处", 100, "再次", "销号")]
    assert [(p.code, p.row) for p in merge(path, rows).errors] == [("request-pending", 3)]


def test_evidence_without_a_request_is_a_warning_and_not_saved(tmp_path: Path):
    path = shared(tmp_path)
    shown = merge(path, [asking(DAY, "1", "甲处", 80, "推进", evidence="某文件")])
    assert shown.ok and shown.supervision_added.empty
    assert [(p.code, p.row) for p in shown.problems] == [("evidence-not-kept", 2)]


# ---- 销号审核 = 是: the automatic 销号申请 -------------------------------------------------------------------

AWAITING_3 = [event("D0001", "销号申请", "3", "甲处", dt.date(2026, 7, 1), "甲处填报", "已常态化")]
AUTOMATIC_ROWS = [asking(DAY, "1", "甲处", 100, "联络机制已建成", evidence="川志〔2026〕5号"),
                  asking(DAY, "3", "甲处", 100, "常态化运行")]


def test_with_sign_off_review_a_new_100_report_files_a_sign_off_request(tmp_path: Path):
    path = shared(tmp_path, AWAITING_3, plan=REVIEW)
    shown = merge(path, AUTOMATIC_ROWS)
    assert shown.ok, [p.as_text() for p in shown.problems]
    # task 1 reaches 100: a 销号申请 with the report's text and the row's evidence; task 3 is 待销号 already
    assert added_events(shown) == [
        ("D0002", "销号申请", "1", "甲处", "联络机制已建成", "川志〔2026〕5号", None, "甲处填报", TODAY)]
    assert store.save(path, shown).saved
    assert list(saved_book(path).supervision["event_id"]) == ["D0001", "D0002"]


def test_with_sign_off_review_an_explicit_sign_off_row_files_one_request(tmp_path: Path):
    path = shared(tmp_path, plan=REVIEW)
    shown = merge(path, [asking(DAY, "1", "甲处", 100, "联络机制已建成", "销号")])
    assert [e[:3] for e in added_events(shown)] == [("D0001", "销号申请", "1")]


def test_with_sign_off_review_a_returned_report_sent_again_unchanged_asks_nothing_and_a_new_one_asks_again(tmp_path: Path):
    """After a 退回, the same file again brings no new report, so no new request; a report with more to say does."""
    path = shared(tmp_path, plan=REVIEW)
    first = [asking(DAY, "1", "甲处", 100, "联络机制已建成")]
    assert store.save(path, merge(path, first)).saved
    returned = supervision.new_decision(saved_book(path), ADMIN, "D0001", supervision.RETURN, TODAY, "缺佐证材料")
    assert store.apply(path, store.Change(store.SUPERVISE, ADMIN, events=(returned,)), TODAY).saved
    again = merge(path, first)
    assert again.ok and again.supervision_added.empty and not again.has_changes
    more = merge(path, [asking(DAY, "1", "甲处", 100, "联络机制已建成，制度文件已印发", evidence="川志〔2026〕5号")])
    assert [e[:3] + e[5:6] for e in added_events(more)] == [("D0003", "销号申请", "1", "川志〔2026〕5号")]


def test_with_sign_off_review_a_100_report_without_a_note_is_refused(tmp_path: Path):
    path = shared(tmp_path, plan=REVIEW)
    shown = merge(path, [dict(asking(DAY, "1", "甲处", 100, ""), problems="无")])
    assert [(p.code, p.row) for p in shown.errors] == [("missing-reason", 2)]


def test_without_sign_off_review_a_100_report_files_nothing(tmp_path: Path):
    path = shared(tmp_path, AWAITING_3)
    shown = merge(path, AUTOMATIC_ROWS)
    assert shown.ok and shown.supervision_added.empty
    assert "supervision" not in shown.counts
    assert store.save(path, shown).saved
    assert list(saved_book(path).supervision["event_id"]) == ["D0001"]


def test_a_replace_files_no_request_and_says_so(tmp_path: Path):
    """An admin's 整体替换 is a correction of the data: its request cells are not read, even with 销号审核 = 是."""
    from lib.store.build import book_frames, plan_dict
    from lib.workbook import read_raw, workbook_bytes

    path = shared(tmp_path, plan=REVIEW)
    book = saved_book(path)
    units, tasks, updates = book_frames(book)
    data = workbook_bytes(plan_dict(read_raw(path).sheets.get(schema.SHEET_PLAN)), units, tasks, updates)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook[schema.SHEET_UPDATES]
    sheet.cell(row=1, column=len(schema.UPDATE_COLUMNS) + 1).value = KIND
    sheet.cell(row=2, column=len(schema.UPDATE_COLUMNS) + 1).value = "销号"
    buffer = io.BytesIO()
    workbook.save(buffer)
    shown = store.preview(path.read_bytes(), store.Change(store.REPLACE, Account("管理员", ROLE_ADMIN), buffer.getvalue(),
                                                          "whole.xlsx"), TODAY)
    assert shown.ok and shown.supervision_added.empty
    assert [p.code for p in shown.problems] == ["requests-not-read"]


# ---- the template ----------------------------------------------------------------------------------------

RETURNED_AND_SIGNED_OFF = [
    event("D0001", "销号申请", "3", "甲处", dt.date(2026, 7, 1), "甲处填报", "已常态化"),
    event("D0002", "退回", "3", "甲处", dt.date(2026, 7, 3), text="缺佐证材料", answers="D0001"),
    event("D0003", "销号申请", "2", "乙处", dt.date(2026, 9, 1), "乙处填报", "已完成"),
    event("D0004", "销号", "2", "乙处", dt.date(2026, 9, 2), answers="D0003"),
]
# 甲处: task 1 at 50, task 3 at 100 (returned); 乙处: task 1 at 100 (推进中), task 2 at 100 (signed off).
TEMPLATE_REPORTS = [(dt.date(2026, 3, 31), "1", "甲处", 50), (dt.date(2026, 6, 30), "3", "甲处", 100),
                    (dt.date(2026, 6, 30), "1", "乙处", 100), (dt.date(2026, 8, 31), "2", "乙处", 100)]


def _template_rows(tmp_path: Path, plan: dict | None) -> tuple[list, list]:
    book = saved_book(shared(tmp_path, RETURNED_AND_SIGNED_OFF, plan=plan, reported=TEMPLATE_REPORTS))
    data = template.reporter_template([("tasks", book)], ["甲处", "乙处"], "张三", TODAY)
    sheet = openpyxl.load_workbook(io.BytesIO(data))[schema.SHEET_UPDATES]
    headers = [c.value for c in sheet[1]]
    return headers, [(r[1], r[2], r[3]) for r in sheet.iter_rows(min_row=2, values_only=True)]


def test_the_template_has_the_request_columns_and_lists_returned_assignments_first(tmp_path: Path):
    headers, rows = _template_rows(tmp_path, None)
    assert headers == [*(c.header for c in schema.UPDATE_COLUMNS), *REQUEST_HEADERS, template.CONTENT_HEADER]
    # 销号审核 = 否: the returned (3, 甲处) at 100 first, then what is below 100; (1, 乙处) at 100 is done, and
    # (2, 乙处) is signed off
    assert rows == [("3", "甲处", 100), ("1", "甲处", 50)]


def test_with_sign_off_review_the_template_lists_every_assignment_not_signed_off(tmp_path: Path):
    _, rows = _template_rows(tmp_path, REVIEW)
    assert rows == [("3", "甲处", 100), ("1", "乙处", 100), ("1", "甲处", 50)]  # returned first, then by unit


def test_the_template_offers_the_request_words_and_a_date_check(tmp_path: Path):
    book = saved_book(shared(tmp_path))
    sheet = openpyxl.load_workbook(io.BytesIO(template.reporter_template([("tasks", book)], ["甲处"], "张三", TODAY)))[
        schema.SHEET_UPDATES]
    validations = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    assert validations["J2"].formula1 == '"销号,延期"'  # 申请事项, right after the contract's columns
    assert validations["K2"].type == "date"  # 申请完成时限
