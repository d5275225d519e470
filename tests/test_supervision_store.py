"""督办 events saved through the store: appended, versioned, audited, stale-checked, and never dropped."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from lib import schema, store, supervision, validate
from lib.accounts import ROLE_ADMIN, ROLE_REPORTER, Account
from lib.store.build import book_frames, plan_dict
from lib.workbook import read_raw, supervision_sheet, workbook_bytes
from tests.builders import update, updates_upload
from tests.test_supervision import TODAY, event, supervision_workbook

ADMIN = Account("管理员", ROLE_ADMIN)
JIA = Account("甲处填报", ROLE_REPORTER, ("甲处",))
EVENTS = [
    event("D0001", "销号申请", "1", "甲处", dt.date(2026, 7, 1), "甲处填报", "已完成"),
    event("D0002", "延期申请", "2", "乙处", dt.date(2026, 9, 1), "乙处填报", "人手不足", requested_until=dt.date(2026, 12, 31)),
]


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    return supervision_workbook(tmp_path / "data" / "tasks.xlsx", EVENTS, [(dt.date(2026, 3, 31), "1", "甲处", 50)])


def book_of(path: Path):
    result = validate.load(path, today=TODAY)
    assert result.ok, [p.as_text() for p in result.problems]
    return result.book


def event_ids(path: Path) -> list[str]:
    return list(book_of(path).supervision["event_id"])


def test_a_request_is_appended_versioned_and_audited(shared: Path):
    request = supervision.new_request(book_of(shared), JIA, "延期", "1", "甲处", TODAY, "资料未齐", until=dt.date(2026, 12, 31))
    result = store.apply(shared, store.Change(store.SUPERVISE, JIA, events=(request,), label="督办：延期申请"), TODAY)
    assert result.saved, [p.as_text() for p in result.preview.problems]
    assert event_ids(shared) == ["D0001", "D0002", "D0003"]
    saved = book_of(shared).supervision.iloc[-1]
    assert (saved["kind"], saved["account"], saved["requested_until"]) == ("延期申请", "甲处填报", dt.datetime(2026, 12, 31))
    entry = store.read_audit(shared)[-1]
    assert (entry["action"], entry["supervision"], entry["user"]) == ("supervise", 1, "甲处填报")
    assert len(list(store.history_dir(shared).glob("*.xlsx"))) == 2


def test_a_reporter_may_not_decide_nor_request_for_another_unit(shared: Path):
    book = book_of(shared)
    decision = supervision.Event("", "销号", "1", "甲处", TODAY, "甲处填报", "同意", answers="D0001")
    other = supervision.Event("", "销号申请", "1", "乙处", TODAY, "甲处填报", "已完成")
    for made, code in ((decision, "admin-only"), (other, "unit-outside-account")):
        shown = store.preview(shared.read_bytes(), store.Change(store.SUPERVISE, JIA, events=(made,)), TODAY)
        assert [p.code for p in shown.errors] == [code]
    assert len(book.supervision) == len(book_of(shared).supervision)


def test_two_decisions_on_one_request_at_once_save_one(shared: Path):
    book = book_of(shared)
    first = supervision.new_decision(book, ADMIN, "D0001", supervision.APPROVE, TODAY, "同意销号")
    second = supervision.new_decision(book, Account("另一管理员", ROLE_ADMIN), "D0001", supervision.RETURN, TODAY, "缺佐证")
    current = shared.read_bytes()
    shown_first = store.preview(current, store.Change(store.SUPERVISE, ADMIN, events=(first,)), TODAY)
    shown_second = store.preview(current, store.Change(store.SUPERVISE, ADMIN, events=(second,)), TODAY)
    assert store.save(shared, shown_first).saved
    late = store.save(shared, shown_second)
    assert not late.saved and late.stale
    again = store.preview(shared.read_bytes(), shown_second.change, TODAY)
    assert [p.code for p in again.errors] == ["duplicate-decision"]
    assert list(book_of(shared).supervision["kind"]) == ["销号申请", "延期申请", "销号"]


def _upload_with_supervision_sheet() -> bytes:
    data = updates_upload([update(dt.date(2026, 6, 30), "1", "甲处", 100, "完成")])
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.create_sheet(schema.SHEET_SUPERVISION)
    sheet.append([c.header for c in schema.SUPERVISION_COLUMNS])
    sheet.append(["D0003", "销号", "1", "甲处", "2026-07-02", "甲处填报", "", "", "", "", "D0001"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_reporters_upload_with_a_supervision_sheet_is_refused(shared: Path):
    before = shared.read_bytes()
    shown = store.preview(before, store.Change(store.MERGE, JIA, _upload_with_supervision_sheet(), "u.xlsx"), TODAY)
    assert [p.code for p in shown.errors] == ["supervision-sheet-refused"]
    assert shared.read_bytes() == before


def test_a_reporters_merge_keeps_the_events(shared: Path):
    upload = updates_upload([update(dt.date(2026, 6, 30), "1", "甲处", 80, "推进")])
    result = store.apply(shared, store.Change(store.MERGE, JIA, upload, "u.xlsx"), TODAY)
    assert result.saved and event_ids(shared) == ["D0001", "D0002"]


def _without_supervision(path: Path) -> bytes:
    """The workbook as an admin would send it whole, without the 督办 sheet and with the plan renamed."""
    plan = plan_dict(read_raw(path).sheets.get(schema.SHEET_PLAN)) | {schema.PLAN_NAME: "督办测试（整体替换）"}
    return workbook_bytes(plan, *book_frames(book_of(path)))


def test_a_replace_without_the_sheet_carries_it_over(shared: Path):
    upload = _without_supervision(shared)
    assert schema.SHEET_SUPERVISION not in read_raw(upload).sheets
    result = store.apply(shared, store.Change(store.REPLACE, ADMIN, upload, "whole.xlsx"), TODAY)
    assert result.saved
    assert event_ids(shared) == ["D0001", "D0002"]


def test_a_restore_of_a_version_before_the_events_carries_them_over(tmp_path: Path):
    path = supervision_workbook(tmp_path / "data" / "tasks.xlsx", [], [(dt.date(2026, 3, 31), "1", "甲处", 50)])
    old = path.read_bytes()
    request = supervision.new_request(book_of(path), JIA, "销号", "1", "甲处", TODAY, "已完成")
    assert store.apply(path, store.Change(store.SUPERVISE, JIA, events=(request,)), TODAY).saved
    store.apply(path, store.Change(store.MERGE, ADMIN, updates_upload([update(dt.date(2026, 6, 30), "1", "甲处", 90)]),
                                   "u.xlsx"), TODAY)
    restored = store.apply(path, store.Change(store.RESTORE, ADMIN, old, "old.xlsx"), TODAY)
    assert restored.saved
    assert event_ids(path) == ["D0001"]
    assert len(book_of(path).updates) == 1  # the restore did take the old 进展 back


def test_a_plan_update_carries_the_sheet_over(shared: Path):
    """方案导入（更新方案）: the new plan's workbook holds no 督办 sheet; its tasks keep their 编号."""
    from lib import plan_update

    book = book_of(shared)
    units, tasks, _ = book_frames(book)
    carried = plan_update.carry_reports(book.updates, {"1": "1", "2": "2", "3": "3"}, tasks, units)
    upload = workbook_bytes({schema.PLAN_NAME: "督办测试（修订）"}, units, tasks, carried.kept)
    result = store.apply(shared, store.Change(store.REPLACE, ADMIN, upload, "new.docx", label="方案导入（更新方案）"), TODAY)
    assert result.saved
    assert event_ids(shared) == ["D0001", "D0002"]
    assert book_of(shared).plan.name == "督办测试（修订）"


def test_a_replace_whose_tasks_lose_an_events_task_is_refused_naming_the_row(shared: Path):
    book = book_of(shared)
    units, tasks, updates = book_frames(book)
    upload = workbook_bytes({schema.PLAN_NAME: "督办测试"}, units, tasks[tasks["task_id"] != "2"], updates)
    shown = store.preview(shared.read_bytes(), store.Change(store.REPLACE, ADMIN, upload, "whole.xlsx"), TODAY)
    assert [(p.code, p.sheet, p.row) for p in shown.errors] == [("unknown-task-id", schema.SHEET_SUPERVISION, 3)]


def test_an_admins_file_that_rewrites_a_saved_event_is_shown_as_a_warning(shared: Path):
    """A 整体替换 renaming nothing but giving event D0002 another reason: saved, and the preview says so."""
    book = book_of(shared)
    events = book.supervision.drop(columns=["row"]).copy()
    events.loc[1, "text"] = "改写的理由"
    upload = workbook_bytes({schema.PLAN_NAME: "督办测试"}, *book_frames(book), supervision_sheet(events))
    shown = store.preview(shared.read_bytes(), store.Change(store.REPLACE, ADMIN, upload, "whole.xlsx"), TODAY)
    assert shown.ok
    assert [(p.code, p.value) for p in shown.problems if p.sheet == schema.SHEET_SUPERVISION] == [
        ("supervision-row-rewritten", "D0002")]
