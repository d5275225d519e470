"""lib/store: merge rules, rights, saves, versions, audit, bad files, concurrency and crash safety."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from lib import schema, settings, store, validate
from lib.accounts import ROLE_ADMIN, ROLE_REPORTER, Account
from tests.builders import BASE_UPDATES, TODAY, update, updates_upload, workbook_file
from tests.builders import UPLOAD_TASKS as TASKS

ROOT = Path(__file__).resolve().parents[1]
Q2 = dt.date(2026, 6, 30)


def reporter(upload: bytes, units=("甲处",), kind=store.MERGE) -> store.Change:
    return store.Change(kind, Account("张三", ROLE_REPORTER, tuple(units)), upload, "upload.xlsx")


def admin(upload: bytes | None, kind=store.MERGE, **extra) -> store.Change:
    return store.Change(kind, Account("管理员", ROLE_ADMIN), upload, "upload.xlsx", **extra)


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    return workbook_file(tmp_path / "data" / "tasks.xlsx")


def saved_updates(path: Path):
    result = validate.load(path, today=TODAY)
    assert result.ok, [p.as_text() for p in result.errors]
    return result.book.updates


# ---- merge rules --------------------------------------------------------------


def test_merge_adds_new_keys_replaces_same_keys_and_keeps_the_rest(shared: Path):
    upload = updates_upload([
        update(Q2, "1", "甲处", 70, "二季度"),  # new key
        update(dt.date(2026, 3, 31), "2", "甲处", 25, "一季度补报"),  # same key as a saved row: replaced
    ])
    preview = store.preview(shared.read_bytes(), reporter(upload), TODAY)
    assert preview.ok, preview.problems
    assert preview.counts == {"added": 1, "changed": 1, "removed": 0, "other": 0}
    assert preview.unchanged == 2  # 1/甲处 and 2/乙处 of 2026-03-31
    changed = preview.changed.iloc[0]
    assert (changed["progress_旧"], changed["progress_新"]) == ("20", "25")

    result = store.save(shared, preview)
    assert result.saved, result.message
    updates = saved_updates(shared)
    assert len(updates) == 4  # 3 saved + 1 added; nothing deleted
    row = updates[(updates["task_id"] == "2") & (updates["unit"] == "甲处")].iloc[0]
    assert row["progress"] == 25 and row["progress_note"] == "一季度补报"
    assert set(updates.loc[updates["date"] == "2026-06-30", "reporter"]) == {"张三"}  # blank 填报人 → the account


def test_progress_movement_shows_overall_before_and_after(shared: Path):
    upload = updates_upload([update(Q2, "1", "甲处", 100)])
    preview = store.preview(shared.read_bytes(), reporter(upload), TODAY)
    overall = preview.movement.iloc[0]
    # before: task 1 = 40, task 2 = (20 + 10) / 2 = 15 → 27.5; after: task 1 = 100 → (100 + 15) / 2 = 57.5
    assert (overall["之前"], overall["之后"], overall["变化"]) == (27.5, 57.5, 30.0)


def test_reporter_row_for_another_unit_is_refused_with_row_and_reason(shared: Path):
    before = shared.read_bytes()
    upload = updates_upload([update(Q2, "1", "甲处", 70), update(Q2, "2", "乙处", 50)])
    result = store.apply(shared, reporter(upload), today=TODAY)
    assert not result.saved
    [refused] = result.preview.errors
    assert (refused.code, refused.row, refused.value) == ("unit-outside-account", 3, "乙处")
    assert shared.read_bytes() == before


def test_reporter_may_not_change_tasks_but_admin_may(shared: Path, tmp_path: Path):
    tasks = TASKS.copy()
    tasks.loc[0, "content"] = "建立常态化联络机制"
    upload_path = workbook_file(tmp_path / "upload.xlsx", updates=[], tasks=tasks)
    upload = upload_path.read_bytes()
    refused = store.preview(shared.read_bytes(), reporter(upload), TODAY)
    assert [(p.code, p.sheet) for p in refused.errors] == [("sheet-admin-only", schema.SHEET_TASKS)]
    allowed = store.preview(shared.read_bytes(), admin(upload), TODAY)
    assert allowed.ok and allowed.counts["removed"] == 0  # an upload without 进展 rows deletes none
    assert list(allowed.other_changes["改动"]) == ["修改"]


def test_replace_mode_lists_every_row_it_removes(shared: Path, tmp_path: Path):
    upload = workbook_file(tmp_path / "upload.xlsx", updates=[update(Q2, "1", "甲处", 50)]).read_bytes()
    preview = store.preview(shared.read_bytes(), admin(upload, store.REPLACE), TODAY)
    assert preview.ok
    assert len(preview.removed) == 3 and len(preview.added) == 1
    assert not store.preview(shared.read_bytes(), reporter(upload, kind=store.REPLACE), TODAY).ok


def test_admin_delete_removes_only_the_listed_rows(shared: Path):
    key = (dt.date(2026, 3, 31), "2", "乙处")
    result = store.apply(shared, admin(None, store.DELETE, delete_keys=(key,)), today=TODAY)
    assert result.saved and len(result.preview.removed) == 1
    assert len(saved_updates(shared)) == 2


def _external_edit(path: Path) -> Path:
    """The shared file after someone's Excel edit: a later duplicate of a key, a 领导批示 sheet, a 责任人 column."""
    workbook_file(path, updates=[*BASE_UPDATES, update(dt.date(2026, 3, 31), "1", "甲处", 45, "后补")])
    workbook = openpyxl.load_workbook(path)
    workbook.create_sheet("领导批示").append(["某领导：请抓紧推进", 2026])
    tasks = workbook[schema.SHEET_TASKS]
    column = tasks.max_column + 1
    tasks.cell(row=1, column=column, value="责任人")
    tasks.cell(row=2, column=column, value="李四")
    workbook.save(path)
    return path


def test_merge_lists_what_the_save_drops_and_keeps_extra_sheets(tmp_path: Path):
    shared = _external_edit(tmp_path / "data" / "tasks.xlsx")
    upload = updates_upload([update(Q2, "1", "甲处", 70, "二季度")])
    preview = store.preview(shared.read_bytes(), reporter(upload), TODAY)
    assert preview.ok, [p.as_text() for p in preview.problems]
    # 4 rows in the file: the earlier 1/甲处 row (40, 一季度) is a duplicate the save drops, and says so
    assert preview.counts["added"] == 1 and preview.counts["removed"] == 1
    dropped = preview.removed.iloc[0]
    assert (dropped["task_id"], dropped["progress"], dropped["progress_note"]) == ("1", "40", "一季度")
    assert "重复" in dropped["说明"]
    warnings = {(p.code, p.origin, p.row, p.value) for p in preview.problems}
    # the warning about a saved row is shown, naming the row as Excel shows it in the shared file
    assert ("duplicate-update", "saved", 2, "") in warnings
    assert ("column-not-kept", "", None, "责任人") in warnings
    assert not any(code == "sheet-not-kept" for code, *_ in warnings)  # 领导批示 is carried over

    result = store.save(shared, preview)
    assert result.saved
    assert store.read_audit(shared)[-1]["removed"] == 1
    workbook = openpyxl.load_workbook(shared)
    assert workbook.sheetnames[-1] == "领导批示"
    assert [c.value for c in workbook["领导批示"][1]] == ["某领导：请抓紧推进", 2026]


def test_replace_warns_about_sheets_it_does_not_carry(tmp_path: Path):
    shared = _external_edit(tmp_path / "data" / "tasks.xlsx")
    upload = workbook_file(tmp_path / "upload.xlsx").read_bytes()
    preview = store.preview(shared.read_bytes(), admin(upload, store.REPLACE), TODAY)
    assert ("sheet-not-kept", "领导批示") in {(p.code, p.value) for p in preview.problems}


def test_replace_over_an_invalid_workbook_counts_the_rows_it_removes(tmp_path: Path):
    # the saved file is invalid: 编号 99 is not a task; it still has 4 进展 rows
    shared = workbook_file(tmp_path / "data" / "tasks.xlsx",
                           updates=[*BASE_UPDATES, update(dt.date(2026, 3, 31), "99", "甲处", 45)])
    assert not validate.load(shared, today=TODAY).ok
    upload = workbook_file(tmp_path / "upload.xlsx", updates=[update(Q2, "1", "甲处", 50)]).read_bytes()
    preview = store.preview(shared.read_bytes(), admin(upload, store.REPLACE), TODAY)
    assert preview.ok
    assert (preview.counts["added"], preview.counts["removed"], preview.counts["other"]) == (1, 4, 0)
    assert "99" in set(preview.removed["task_id"])
    assert store.save(shared, preview).saved
    assert store.read_audit(shared)[-1]["removed"] == 4


def test_replace_without_a_plan_sheet_keeps_the_current_plan(shared: Path, tmp_path: Path):
    workbook = openpyxl.load_workbook(workbook_file(tmp_path / "upload.xlsx"))
    del workbook[schema.SHEET_PLAN]
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = store.preview(shared.read_bytes(), admin(buffer.getvalue(), store.REPLACE), TODAY)
    assert preview.ok and preview.other_changes.empty  # the plan is unchanged, not wiped
    assert "已保留现有的方案设置" in preview.notes[0]
    assert preview.ensure_built()
    assert validate.load(preview.merged, today=TODAY).book.plan.name == "测试方案"


def test_unfilled_rows_are_skipped_and_keep_the_saved_row(tmp_path: Path):
    shared = workbook_file(tmp_path / "data" / "tasks.xlsx")
    upload = updates_upload([
        update(dt.date(2026, 3, 31), "1", "甲处", 40),  # same key and 完成进度 as saved, no text: saved row kept
        update(Q2, "2", "甲处", 20),  # the last report was 20: not a new report
        update(Q2, "2", "乙处", 10, "有进展说明"),  # text filled in: counted
    ])
    preview = store.preview(shared.read_bytes(), reporter(upload, units=("甲处", "乙处")), TODAY)
    assert preview.ok and preview.skipped == 2
    assert (preview.counts["added"], preview.counts["changed"], preview.unchanged) == (1, 0, 3)
    assert preview.ensure_built()
    saved = validate.load(preview.merged, today=TODAY).book.updates
    assert saved.loc[saved["task_id"].eq("1"), "progress_note"].tolist() == ["一季度"]


def test_unfilled_row_without_an_earlier_report_is_skipped(tmp_path: Path):
    shared = workbook_file(tmp_path / "data" / "tasks.xlsx", updates=[])
    upload = updates_upload([update(Q2, "2", "乙处", 0)])  # the template's 0 for an assignment never reported
    preview = store.preview(shared.read_bytes(), reporter(upload, units=("乙处",)), TODAY)
    assert preview.skipped == 1 and not preview.has_changes


def test_merge_into_a_missing_workbook_says_there_is_none(tmp_path: Path):
    preview = store.preview(None, reporter(updates_upload([update(Q2, "1", "甲处", 70, "x")])), TODAY)
    [error] = preview.errors
    assert error.code == "no-shared-workbook"  # not shared-workbook-invalid: there is none


def test_formula_like_text_is_stored_as_text(shared: Path):
    upload = updates_upload([update(Q2, "1", "甲处", 60, "=1+1"), update(Q2, "2", "甲处", 30, "@SUM(A1)")])
    assert store.apply(shared, reporter(upload), today=TODAY).saved
    sheet = openpyxl.load_workbook(shared)[schema.SHEET_UPDATES]
    notes = {cell.value: cell.data_type for cell in sheet["F"][1:]}
    assert notes["=1+1"] == "s" and notes["@SUM(A1)"] == "s"  # text, not formulas


# ---- saving: stale previews, versions, audit, restore -------------------------


def test_changed_workbook_since_preview_is_not_overwritten(shared: Path):
    first = updates_upload([update(Q2, "1", "甲处", 70)])
    preview = store.preview(shared.read_bytes(), reporter(first), TODAY)
    other = updates_upload([update(Q2, "2", "乙处", 35)])
    assert store.apply(shared, reporter(other, units=("乙处",)), today=TODAY).saved  # someone else saves first
    stale = store.save(shared, preview)
    assert not stale.saved and stale.stale
    fresh = store.preview(shared.read_bytes(), reporter(first), TODAY)
    assert fresh.unchanged == 4  # built against the newer version: 3 + 乙处's row
    again = store.save(shared, fresh)
    assert again.saved and len(saved_updates(shared)) == 5


def test_save_keeps_previous_version_and_appends_audit(shared: Path):
    before = shared.read_bytes()
    result = store.apply(shared, reporter(updates_upload([update(Q2, "1", "甲处", 70)])), today=TODAY)
    kept = {p.read_bytes(): p.name for p in store.history_dir(shared).glob("*.xlsx")}
    assert set(kept) == {before, shared.read_bytes()}  # the version replaced, and the new one
    assert "张三" in kept[shared.read_bytes()]
    [entry] = store.read_audit(shared)
    assert (entry["user"], entry["action"], entry["added"], entry["changed"], entry["removed"]) == ("张三", "merge", 1, 0, 0)
    assert entry["hash_before"] == store.content_hash(before) and entry["hash_after"] == result.hash_after


def test_restore_is_a_new_logged_version_and_deletes_nothing(shared: Path):
    original = shared.read_bytes()
    store.apply(shared, reporter(updates_upload([update(Q2, "1", "甲处", 70)])), today=TODAY)
    versions = store.list_versions(shared)
    assert list(versions["操作"]) == ["上传合并", "初始版本"]
    first = versions.iloc[1]["文件"]
    result = store.apply(shared, admin(first.read_bytes(), store.RESTORE), today=TODAY)
    assert result.saved and len(result.preview.removed) == 1
    assert len(saved_updates(shared)) == 3
    assert len(list(store.history_dir(shared).glob("*.xlsx"))) == 3  # v0, v1 and the restore (rebuilt: new bytes)
    assert [e["action"] for e in store.read_audit(shared)] == ["merge", "restore"]
    assert validate.load(original, today=TODAY).ok


# ---- bad files: each refused with a clear message, workbook byte-identical ------------


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _xlsx_parts() -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(updates_upload([update(Q2, "1", "甲处", 70)]))) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in _xlsx_parts().items():
            archive.writestr(name, content)
        with archive.open("xl/media/padding.bin", "w") as handle:
            chunk = b"\0" * (1 << 20)
            for _ in range(settings.max_uncompressed_bytes() // len(chunk) + 10):
                handle.write(chunk)
    return buffer.getvalue()


def _wide_sheet() -> bytes:
    # 10^5 empty styled cells in one row, and a dimension as wide: beyond Excel's 16,384 columns.
    parts = _xlsx_parts()
    cells = b"<c s=\"0\"/>" * 100_000
    parts["xl/worksheets/sheet1.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1:EQXD2"/><sheetData><row r="1">' + cells + b"</row></sheetData></worksheet>")
    return _zip(parts)


def _wide_sheet_without_dimension() -> bytes:
    parts = _xlsx_parts()
    parts["xl/worksheets/sheet1.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1">' + b"<c s=\"0\"/>" * 100_000 + b"</row></sheetData></worksheet>")
    return _zip(parts)


def _far_cell_without_dimension() -> bytes:
    # 5 KB: one cell at XFD200000 and no <dimension>; calamine would abort the process on it.
    import re

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = schema.SHEET_UPDATES
    sheet.append([c.header for c in schema.UPDATE_COLUMNS])
    sheet["XFD200000"] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts = {name: re.sub(rb"<dimension[^>]*/>", b"", data) if name.startswith("xl/worksheets/") else data
             for name, data in parts.items()}
    return _zip(parts)


def _empty_workbook() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


def _truncated() -> bytes:
    data = updates_upload([update(Q2, "1", "甲处", 70)])
    return data[: len(data) // 2]


BAD_FILES = {
    "random bytes": (lambda: os.urandom(4096), "not-xlsx"),
    "csv renamed .xlsx": (lambda: "填报日期,编号,处室,完成进度\n2026-06-30,1,甲处,70\n".encode(), "not-xlsx"),
    "truncated xlsx": (_truncated, "damaged-workbook"),
    "zip bomb": (_zip_bomb, "zip-bomb"),
    "xlsm with vbaProject.bin": (lambda: _zip({**_xlsx_parts(), "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}), "macros"),
    "10^5 empty columns": (_wide_sheet, "sheet-too-large"),
    "10^5 empty columns, no dimension": (_wide_sheet_without_dimension, "sheet-too-large"),
    "one cell at XFD200000, no dimension": (_far_cell_without_dimension, "sheet-too-large"),
    "empty workbook": (_empty_workbook, "no-known-sheet"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_is_refused_and_workbook_untouched(shared: Path, case: str):
    make, expected = BAD_FILES[case]
    before = shared.read_bytes()
    started = time.perf_counter()
    result = store.apply(shared, admin(make(), store.MERGE), today=TODAY)
    elapsed = time.perf_counter() - started
    assert not result.saved
    codes = [p.code for p in result.preview.errors]
    assert codes and codes[0] == expected, [p.as_text() for p in result.preview.errors]
    assert shared.read_bytes() == before
    assert not store.history_dir(shared).exists() and store.read_audit(shared) == []
    assert elapsed < 10  # refused quickly, not after reading 10^5 columns


def test_extent_guard_protects_the_board_reader_too(tmp_path: Path):
    # The shared file edited in Excel is read by validate.load: the same guard, a clear error, no abort.
    path = tmp_path / "tasks.xlsx"
    path.write_bytes(_far_cell_without_dimension())
    result = validate.load(path, today=TODAY)
    assert result.book is None
    [error] = result.errors
    assert error.code == "sheet-too-large"


def test_extent_counts_cells_without_references_by_position():
    from lib.filecheck import check_extent

    # 10^5 cells with no r= in one row: position makes them 100,000 columns wide.
    too_large = check_extent(_wide_sheet_without_dimension())
    assert too_large is not None and (too_large.code, too_large.value) == ("sheet-too-large", "100000 列 × 1 行")
    assert check_extent(updates_upload([update(Q2, "1", "甲处", 70)])) is None


# ---- concurrency and crash safety -------------------------------------------------

WORKER = """
import datetime as dt, sys
from pathlib import Path
from lib import store
from lib.accounts import ROLE_ADMIN, Account
from tests.builders import update, updates_upload
path, worker, count = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
for i in range(count):
    day = dt.date(2026, 4, 1) + dt.timedelta(days=worker * count + i)
    note = f"进程{worker}第{i}次"
    upload = updates_upload([update(day, "2", "甲处", 30 + i, note), update(day, "2", "乙处", 20 + i, note)])
    change = store.Change(store.MERGE, Account(f"worker{worker}", ROLE_ADMIN), upload, "u.xlsx")
    result = store.apply(path, change, today=dt.date(2026, 6, 30))
    assert result.saved, result.message
"""


def test_concurrent_uploads_lose_no_rows(shared: Path):
    processes, uploads = 4, 5
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, str(shared), str(w), str(uploads)], cwd=ROOT, env=env)
               for w in range(processes)]
    assert [w.wait(timeout=240) for w in workers] == [0] * processes
    updates = saved_updates(shared)
    # 3 saved rows + 4 processes × 5 uploads × 2 rows each = 43 rows, none lost
    assert len(updates) == 3 + processes * uploads * 2
    assert len(store.read_audit(shared)) == processes * uploads
    assert len(list(store.history_dir(shared).glob("*.xlsx"))) == processes * uploads + 1  # and the first


CRASHER = """
import datetime as dt, sys
from pathlib import Path
import time
from lib import store
from lib.accounts import ROLE_ADMIN, Account
from tests.builders import update, updates_upload
change = store.Change(store.MERGE, Account("张三", ROLE_ADMIN), updates_upload([update(dt.date(2026, 6, 30), "1", "甲处", 90)]), "u.xlsx")
def pause(temp):
    temp.with_suffix(".ready").write_text("ready")
    time.sleep(60)
path = Path(sys.argv[1])
store.save(path, store.preview(path.read_bytes(), change, dt.date(2026, 6, 30)), before_replace=pause)
"""


def test_save_killed_between_temp_write_and_replace_leaves_old_workbook(shared: Path):
    before = shared.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    crasher = subprocess.Popen([sys.executable, "-c", CRASHER, str(shared)], cwd=ROOT, env=env)
    deadline = time.time() + 60
    while not list(shared.parent.glob(".tasks.xlsx.*.ready")) and time.time() < deadline:
        time.sleep(0.1)
    assert list(shared.parent.glob(".tasks.xlsx.*.tmp")), "the temp file should be written before the pause"
    crasher.send_signal(signal.SIGKILL)
    crasher.wait(10)
    assert shared.read_bytes() == before and validate.load(shared, today=TODAY).ok
    # The next save cleans up, then saves everything.
    result = store.apply(shared, reporter(updates_upload([update(Q2, "1", "甲处", 90)])), today=TODAY)
    assert result.saved and len(saved_updates(shared)) == 4
    assert not list(shared.parent.glob(".tasks.xlsx.*.tmp"))
    list(shared.parent.glob(".tasks.xlsx.*.ready"))[0].unlink()  # the test's own marker
    assert json.loads(store.audit_path(shared).read_text().splitlines()[-1])["added"] == 1


def test_the_new_file_is_built_and_checked_before_the_lock_is_taken(shared: Path, monkeypatch):
    from lib.store import persist

    preview = store.preview(shared.read_bytes(), reporter(updates_upload([update(Q2, "1", "甲处", 70)])), TODAY)
    assert preview.ok and preview.merged is None  # the preview shows what changes; the file is built on confirm
    seen_under_lock = []
    real_lock = persist.FileLock

    class WatchedLock(real_lock):
        def __enter__(self):
            seen_under_lock.append(preview.merged is not None)
            return super().__enter__()

    monkeypatch.setattr(persist, "FileLock", WatchedLock)
    assert store.save(shared, preview).saved
    assert seen_under_lock == [True]  # built, read back and validated before the lock: the lock guards a rename


def test_a_save_killed_between_its_audit_line_and_the_rename_is_listed_as_not_taken_effect(shared: Path):
    before = shared.read_bytes()
    preview = store.preview(before, reporter(updates_upload([update(Q2, "1", "甲处", 70)])), TODAY)

    def crash(temp: Path) -> None:
        raise KeyboardInterrupt  # as a kill would: after the audit line, before the rename

    with pytest.raises(KeyboardInterrupt):
        store.save(shared, preview, before_replace=crash)
    assert shared.read_bytes() == before
    [line] = store.read_audit(shared)  # the attempt is logged ...
    assert line["hash_after"] != store.content_hash(before)
    assert store.list_versions(shared).iloc[0]["操作"] == "上传合并（保存中断，未生效）"  # ... and said not to have happened
    again = store.apply(shared, reporter(updates_upload([update(Q2, "1", "甲处", 70)])), today=TODAY)
    assert again.saved and list(store.list_versions(shared)["操作"][:2]) == ["上传合并", "上传合并（保存中断，未生效）"]


def test_apply_gets_through_when_every_preview_is_overtaken(shared: Path, monkeypatch):
    from lib.store import flow as preview_module

    real_preview = preview_module.preview
    overtaken = {"times": 0}

    def overtaken_preview(current, change, today=None):
        shown = real_preview(current, change, today)
        if overtaken["times"] < preview_module.APPLY_TRIES_WITHOUT_LOCK:  # someone saves right after each preview
            overtaken["times"] += 1
            other = store.preview(shared.read_bytes(), reporter(updates_upload(
                [update(dt.date(2026, 4, overtaken["times"]), "2", "乙处", 10 + overtaken["times"])]), units=("乙处",)),
                TODAY)
            assert store.save(shared, other).saved
        return shown

    monkeypatch.setattr(preview_module, "preview", overtaken_preview)
    result = store.apply(shared, reporter(updates_upload([update(Q2, "1", "甲处", 70)])), today=TODAY)
    assert result.saved  # the last try previews and saves under the lock
    assert len(saved_updates(shared)) == 3 + preview_module.APPLY_TRIES_WITHOUT_LOCK + 1
