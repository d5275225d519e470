"""The holes a hostile and clumsy user found, each reproduced: the shared workbook is never broken or lost."""

from __future__ import annotations

import datetime as dt
import io
import stat
import zipfile
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from lib import store, validate
from lib.accounts import ROLE_ADMIN, ROLE_REPORTER, Account
from tests.builders import TODAY, update, updates_upload, workbook_file

ROOT = Path(__file__).resolve().parents[1]
Q2 = dt.date(2026, 6, 30)


def reporter(upload: bytes, units=("甲处",)) -> store.Change:
    return store.Change(store.MERGE, Account("张三", ROLE_REPORTER, tuple(units)), upload, "upload.xlsx")


def admin(upload: bytes, kind=store.MERGE) -> store.Change:
    return store.Change(kind, Account("管理员", ROLE_ADMIN), upload, "upload.xlsx")


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    return workbook_file(tmp_path / "data" / "tasks.xlsx")


def _untouched(shared: Path, before: bytes) -> None:
    assert shared.read_bytes() == before
    assert store.read_audit(shared) == []


# ---- a date typo never reaches the shared workbook --------------------------------------------


@pytest.mark.parametrize("typed", ["0206-11-30", "1899-12-31", "0001-01-01"])
def test_an_impossible_date_typed_as_text_is_an_error_in_the_preview(shared: Path, typed: str):
    before = shared.read_bytes()
    upload = updates_upload([update(typed, "1", "甲处", 70, "二季度")])
    preview = store.preview(before, reporter(upload), TODAY)
    assert not preview.ok
    [error] = preview.errors
    assert (error.code, error.row, error.value) == ("date-out-of-range", 2, typed)
    result = store.apply(shared, reporter(upload), today=TODAY)
    assert not result.saved
    _untouched(shared, before)
    assert validate.load(shared, today=TODAY).ok


def test_a_report_date_far_from_the_plan_is_an_error_but_a_far_deadline_is_fine(shared: Path, tmp_path: Path):
    # The plan starts 2026-01-01 and today is 2026-06-30: reports from 2025-01-01 to 2027-06-30 are plausible.
    early = updates_upload([update(dt.date(2024, 12, 31), "1", "甲处", 10)])
    late = updates_upload([update(dt.date(2027, 7, 1), "1", "甲处", 10)])
    fine = updates_upload([update(dt.date(2025, 1, 1), "1", "甲处", 10), update(dt.date(2027, 6, 30), "2", "甲处", 10)])
    current = shared.read_bytes()
    assert [p.code for p in store.preview(current, reporter(early), TODAY).errors] == ["date-out-of-range"]
    assert [p.code for p in store.preview(current, reporter(late), TODAY).errors] == ["date-out-of-range"]
    assert store.preview(current, reporter(fine), TODAY).ok
    from tests.builders import UPLOAD_TASKS
    tasks = UPLOAD_TASKS.copy()
    tasks.loc[1, "deadline_text"] = "2035年底前"  # a deadline is not an event date: years ahead stay valid
    assert validate.load(workbook_file(tmp_path / "far.xlsx", tasks=tasks), today=TODAY).ok


def test_upload_and_saved_workbook_are_validated_alike(shared: Path):
    # Whatever the preview accepts is read back and validated before it is offered for saving.
    upload = updates_upload([update(Q2, "1", "甲处", 70, "二季度")])
    preview = store.preview(shared.read_bytes(), reporter(upload), TODAY)
    assert preview.ensure_built() and validate.load(preview.merged, today=TODAY).ok


# ---- characters XML cannot hold ---------------------------------------------------------------


def _with_control_characters() -> bytes:
    """A 进展情况 cell as Word pastes it: a vertical tab and an escape in the middle (stored as _x000B_, _x001B_)."""
    data = updates_upload([update(Q2, "1", "甲处", 70, "前半段MARKER后半段")])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    for name, content in parts.items():
        if b"MARKER" in content:
            parts[name] = content.replace(b"MARKER", b"_x000B__x001B_[2J")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_control_characters_are_stripped_with_a_warning_and_the_save_works(shared: Path):
    upload = _with_control_characters()
    preview = store.preview(shared.read_bytes(), reporter(upload), TODAY)
    assert preview.ok, [p.as_text() for p in preview.problems]
    [warning] = [p for p in preview.problems if p.code == "illegal-character"]
    assert (warning.sheet, warning.row, warning.column) == ("进展", 2, "进展情况")
    assert store.save(shared, preview).saved
    notes = validate.load(shared, today=TODAY).book.updates["progress_note"]
    assert "前半段[2J后半段" in set(notes)


def test_a_control_character_already_in_the_shared_workbook_does_not_block_saves(shared: Path, tmp_path: Path):
    shared.write_bytes(_with_control_characters_in(shared.read_bytes()))
    loaded = validate.load(shared, today=TODAY)
    assert loaded.ok and "illegal-character" in {p.code for p in loaded.problems}
    result = store.apply(shared, reporter(updates_upload([update(Q2, "2", "甲处", 30)])), today=TODAY)
    assert result.saved, result.message


def _with_control_characters_in(data: bytes) -> bytes:
    """The workbook as Excel saves it (shared strings), with a backspace in a 一季度 (_x0008_)."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = cell.value.replace("一季度", "一季度MARKER", 1) if cell.row == 2 else cell.value
    resaved = io.BytesIO()
    workbook.save(resaved)
    with zipfile.ZipFile(io.BytesIO(resaved.getvalue())) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content.replace(b"MARKER", b"_x0008_"))
    return buffer.getvalue()


# ---- XML entities: named, not "damaged" -----------------------------------------------------------


@pytest.mark.parametrize("declaration", [
    b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
])
def test_xml_entity_declarations_are_refused_by_name(shared: Path, declaration: bytes):
    data = updates_upload([update(Q2, "1", "甲处", 70)])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = declaration + parts[sheet]  # before the root element, where XML allows it
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    before = shared.read_bytes()
    preview = store.preview(before, reporter(buffer.getvalue()), TODAY)
    assert [p.code for p in preview.errors] == ["xml-entities"]
    _untouched(shared, before)


# ---- 填报人 is the uploading account ----------------------------------------------------------------


def test_a_reporter_cannot_report_as_someone_else(shared: Path):
    upload = updates_upload([update(Q2, "1", "甲处", 70, "二季度", reporter="管理员")])
    preview = store.preview(shared.read_bytes(), reporter(upload), TODAY)
    assert preview.ok
    assert "reporter-set-to-account" in {p.code for p in preview.problems}
    assert store.save(shared, preview).saved
    updates = validate.load(shared, today=TODAY).book.updates
    assert set(updates.loc[updates["date"] == "2026-06-30", "reporter"]) == {"张三"}


def test_an_admin_may_keep_the_files_reporters_and_the_preview_says_so(shared: Path):
    upload = updates_upload([update(Q2, "1", "甲处", 70, "代报", reporter="甲处王五")])
    preview = store.preview(shared.read_bytes(), admin(upload), TODAY)
    assert preview.ok and any("填报人" in note for note in preview.notes)
    assert store.save(shared, preview).saved
    updates = validate.load(shared, today=TODAY).book.updates
    assert set(updates.loc[updates["date"] == "2026-06-30", "reporter"]) == {"甲处王五"}


# ---- history and audit are private ----------------------------------------------------------------


def test_history_and_audit_files_are_readable_by_the_server_only(shared: Path):
    assert store.apply(shared, reporter(updates_upload([update(Q2, "1", "甲处", 70)])), today=TODAY).saved
    files = [store.audit_path(shared), *store.history_dir(shared).iterdir()]
    assert files and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    assert stat.S_IMODE(store.history_dir(shared).stat().st_mode) == 0o700


# ---- the last valid version is found on disk, whatever the process remembers -------------------


def _restart() -> None:
    """What a server restart forgets: every cache and resource of the process."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _overview(shared: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("KANBAN_WORKBOOK", str(shared))
    monkeypatch.setenv("KANBAN_TODAY", TODAY.isoformat())
    monkeypatch.setenv("KANBAN_ACCOUNTS", str(shared.parent / "accounts.toml"))
    at = AppTest.from_file(str(ROOT / "pages" / "overview.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def _overall(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "总体进度")


def test_after_a_restart_the_board_shows_the_newest_valid_version(shared: Path, monkeypatch):
    _restart()
    v0 = _overall(_overview(shared, monkeypatch))
    assert store.apply(shared, admin(updates_upload([update(Q2, "1", "甲处", 100, "完成")])), today=TODAY).saved
    v1 = _overall(_overview(shared, monkeypatch))
    assert v1 != v0
    shared.write_bytes(b"edited by hand, badly")  # the file is no longer a workbook
    _restart()
    at = _overview(shared, monkeypatch)
    assert _overall(at) == v1 and "上一有效版本" in at.warning[0].value
    listed = store.list_versions(shared)
    assert listed.iloc[0]["操作"] == "上传合并" and listed.iloc[0]["文件"] is not None  # v1 is offered in 版本记录


def test_a_valid_hand_edit_is_kept_as_a_version_on_first_load(shared: Path, monkeypatch, tmp_path: Path):
    _restart()
    _overview(shared, monkeypatch)
    edited = workbook_file(tmp_path / "edited.xlsx", updates=[update(Q2, "2", "乙处", 80, "直接在 Excel 中修改")])
    shared.write_bytes(edited.read_bytes())
    v2 = _overall(_overview(shared, monkeypatch))  # the first valid load of the edited file
    assert [e["action"] for e in store.read_audit(shared)][-1] == "external"
    shared.write_bytes(b"then broken")
    _restart()
    assert _overall(_overview(shared, monkeypatch)) == v2


# ---- what one upload may cost -------------------------------------------------------------------


def test_a_reporter_upload_of_too_many_rows_is_refused_before_it_is_read(shared: Path, monkeypatch):
    rows = [update(Q2, "1", "甲处", 50, f"第{i}行") for i in range(60)]
    monkeypatch.setenv("KANBAN_MAX_REPORTER_ROWS", "50")
    before = shared.read_bytes()
    refused = store.preview(before, reporter(updates_upload(rows)), TODAY)
    assert [(p.code, p.sheet, p.value) for p in refused.errors] == [("too-many-rows", "进展", "61 行")]
    assert store.preview(before, admin(updates_upload(rows)), TODAY).ok  # an admin's import is not limited by rows
    _untouched(shared, before)


def test_a_sheet_that_inflates_beyond_its_limit_is_refused(shared: Path, monkeypatch):
    monkeypatch.setenv("KANBAN_MAX_SHEET_MB", "1")
    with zipfile.ZipFile(io.BytesIO(updates_upload([update(Q2, "1", "甲处", 50)]))) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"  # 80,000 empty rows: 2 MB of XML that deflates to a few KB
    parts[sheet] = parts[sheet].replace(b"</sheetData>", b'<row r="3"><c r="A3"/></row>' * 80_000 + b"</sheetData>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    assert len(buffer.getvalue()) < 100_000
    before = shared.read_bytes()
    refused = store.preview(before, admin(buffer.getvalue()), TODAY)
    assert [p.code for p in refused.errors] == ["sheet-too-large"]
    _untouched(shared, before)
