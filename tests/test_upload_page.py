"""AppTest of 上传更新: log in, upload (file_uploader.set_value), see the preview, confirm, see the board change."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import accounts, store, validate
from lib.accounts import ROLE_ADMIN, Account
from tests.builders import TODAY, update, updates_upload, workbook_file

ROOT = Path(__file__).resolve().parents[1]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Q2 = dt.date(2026, 6, 30)


@pytest.fixture
def board(tmp_path: Path, monkeypatch) -> Path:
    path = workbook_file(tmp_path / "data" / "tasks.xlsx")
    monkeypatch.setenv("KANBAN_WORKBOOK", str(path))
    monkeypatch.setenv("KANBAN_TODAY", TODAY.isoformat())
    monkeypatch.setenv("KANBAN_ACCOUNTS", str(path.parent / "accounts.toml"))
    return path


def _page(name: str) -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=60)


def _table(at: AppTest, column: str):
    """The first st.dataframe on the page with ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _logged_in(name: str, password: str) -> AppTest:
    at = _page("upload").run()
    at.text_input[0].set_value(name)
    at.text_input[1].set_value(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def test_without_accounts_the_page_shows_the_first_admin_command(board: Path):
    at = _page("upload").run()
    [command] = [c.value for c in at.code]
    assert command == f"python -m lib user add 管理员 --admin --accounts {board.parent / 'accounts.toml'}"
    assert not at.text_input  # no login form, no upload


def test_wrong_password_is_refused(board: Path):
    accounts.add_user(board.parent / "accounts.toml", "张三", "password1", ["甲处"])
    at = _logged_in("张三", "wrong-password")
    assert [e.value for e in at.error] == ["账号或密码不正确。"]
    assert not at.get("file_uploader")


def test_reporter_uploads_previews_confirms_and_the_board_changes(board: Path):
    accounts.add_user(board.parent / "accounts.toml", "张三", "password1", ["甲处"])
    overview = _page("overview").run()
    before = next(m.value for m in overview.metric if m.label == "总体进度")

    at = _logged_in("张三", "password1")
    upload = updates_upload([update(Q2, "1", "甲处", 100, "已建立联络机制"), update(Q2, "2", "甲处", 20, "持续推进")])
    at.get("file_uploader")[0].set_value(("进展.xlsx", upload, XLSX))
    at.run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["新增记录"], metrics["修改记录"], metrics["未变记录"]) == ("2", "0", "3")
    movement = _table(at, "范围")
    overall = movement[movement["范围"] == "总体"].iloc[0]
    # task 1: 40 → 100; task 2 stays (20 + 10) / 2 = 15 → overall 27.5 → 57.5
    assert (overall["之前"], overall["之后"]) == (27.5, 57.5)
    assert validate.load(board, today=TODAY).book.updates.shape[0] == 3  # nothing saved before the confirm

    at.button(key="upload_go").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("已保存：新增 2 条")
    assert len(validate.load(board, today=TODAY).book.updates) == 5
    # the first load of the board recorded the initial version; then 张三's save
    assert [(e["action"], e["user"]) for e in store.read_audit(board)] == [("initial", ""), ("merge", "张三")]

    after = next(m.value for m in _page("overview").run().metric if m.label == "总体进度")
    assert (before, after) == ("27.5%", "57.5%")


def test_refused_row_is_listed_and_save_is_disabled(board: Path):
    accounts.add_user(board.parent / "accounts.toml", "张三", "password1", ["甲处"])
    saved = board.read_bytes()
    at = _logged_in("张三", "password1")
    at.get("file_uploader")[0].set_value(("进展.xlsx", updates_upload([update(Q2, "2", "乙处", 50)]), XLSX))
    at.run()
    problems = _table(at, "说明")
    assert list(problems["行号"]) == ["2"] and "不在您的填报范围" in problems["说明"].iloc[0]
    assert at.button(key="upload_go").disabled
    assert board.read_bytes() == saved


def _admin(board: Path) -> AppTest:
    accounts.add_user(board.parent / "accounts.toml", "管理员", "password1", admin=True)
    return _logged_in("管理员", "password1")


def test_admin_replace_lists_removed_rows_then_saves(board: Path, tmp_path: Path):
    at = _admin(board)
    at.radio(key="mode").set_value("整体替换（以上传文件为准）").run()
    upload = workbook_file(tmp_path / "upload.xlsx", updates=[update(Q2, "1", "甲处", 50, "二季度")]).read_bytes()
    at.get("file_uploader")[0].set_value(("完整.xlsx", upload, XLSX))
    at.run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["新增记录"], metrics["删除记录"]) == ("1", "3")  # the 3 saved rows go, 1 comes
    added, removed = [d.value for d in at.dataframe if "处室" in d.value.columns]
    assert (len(added), len(removed)) == (1, 3)  # the removed rows are listed before the confirm
    at.button(key="upload_go").click().run()
    assert at.success[0].value.startswith("已保存：新增 1 条，修改 0 条，删除 3 条")
    assert [(e["action"], e["removed"]) for e in store.read_audit(board)][-1] == ("replace", 3)


def test_admin_delete_shows_what_goes_and_saves_against_the_previewed_version(board: Path):
    at = _admin(board)
    [label] = [o for o in at.multiselect(key="delete_pick_0").options if "乙处" in o]
    at.multiselect(key="delete_pick_0").set_value([label]).run()
    assert not at.exception, at.exception
    removed = _table(at, "处室")
    assert list(removed["处室"]) == ["乙处"]
    assert at.button(key="delete_go").disabled  # not before the box is ticked
    at.checkbox(key="delete_ok").check().run()
    at.button(key="delete_go").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("已删除 1 条记录")
    assert len(validate.load(board, today=TODAY).book.updates) == 2
    assert store.read_audit(board)[-1]["action"] == "delete"


def _pick_version(at: AppTest, text: str) -> AppTest:
    """Choose the version whose name (as the picker shows it) contains ``text``."""
    picker = at.selectbox(key="version_pick")
    return picker.select_index(next(i for i, o in enumerate(picker.options) if text in o)).run()


def _set_audit_times(board: Path, *times: str) -> None:
    """Give the audit log's entries known times (a save stamps the clock's)."""
    import json

    entries = store.read_audit(board)
    lines = [json.dumps({**e, "time": t}, ensure_ascii=False) for e, t in zip(entries, times, strict=True)]
    store.audit_path(board).write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_versions_are_named_by_time_author_and_what_they_did(board: Path, monkeypatch):
    import streamlit as st

    accounts.add_user(board.parent / "accounts.toml", "管理员", "password1", admin=True)
    store.record_current(board)  # what the board does on its first load: 初始版本
    change = store.Change(store.MERGE, Account("张三", ROLE_ADMIN), updates_upload([update(Q2, "1", "甲处", 70, "x")]), "u.xlsx")
    assert store.apply(board, change, today=TODAY).saved
    _set_audit_times(board, "2026-11-20T09:00:07", "2026-11-20T14:05:31")
    names = []
    download = st.download_button
    monkeypatch.setattr(st, "download_button", lambda *a, **k: names.append(k["file_name"]) or download(*a, **k))

    at = _page("versions").run()
    at.text_input[0].set_value("管理员")
    at.text_input[1].set_value("password1")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.selectbox(key="version_pick").options == ["2026-11-20 14:05 张三 上传合并 新增1条（当前版本）",
                                                        "2026-11-20 09:00 初始版本"]
    table = at.dataframe[0].value
    assert table["时间"].tolist() == ["2026-11-20 14:05", "2026-11-20 09:00"]  # the 初始版本 has its time
    assert table["操作"].tolist() == ["上传合并", "初始版本"]
    assert table["校验码"].tolist() == [h[:8] for h in store.list_versions(board)["hash"]]  # kept, not as the name
    assert names[-1] == "tasks_20261120-1405.xlsx"
    _pick_version(at, "初始版本")
    assert names[-1] == "tasks_20261120-0900.xlsx"  # named by time, not by hash


def test_restore_shows_its_preview_and_is_a_new_version(board: Path):
    accounts.add_user(board.parent / "accounts.toml", "管理员", "password1", admin=True)
    first = store.Change(store.MERGE, Account("管理员", ROLE_ADMIN), updates_upload([update(Q2, "1", "甲处", 70, "x")]), "u.xlsx")
    assert store.apply(board, first, today=TODAY).saved
    at = _page("versions").run()
    at.text_input[0].set_value("管理员")
    at.text_input[1].set_value("password1")
    at.button[0].click().run()
    _pick_version(at, "初始版本")
    assert not at.exception, at.exception
    removed = _table(at, "完成进度")
    assert list(removed["完成进度"]) == ["70"]  # restoring drops the 二季度 row, and says so first
    at.checkbox(key="restore_ok").check().run()
    at.button(key="restore_go").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "已恢复，并记为新版本。"
    assert [e["action"] for e in store.read_audit(board)][-2:] == ["merge", "restore"]
    assert len(validate.load(board, today=TODAY).book.updates) == 3


def test_idle_session_is_logged_out(board: Path, monkeypatch):
    accounts.add_user(board.parent / "accounts.toml", "张三", "password1", ["甲处"])
    monkeypatch.setenv("KANBAN_SESSION_IDLE_MINUTES", "1")
    at = _logged_in("张三", "password1")
    assert at.get("file_uploader")
    at.session_state["_kanban_last_seen"] = at.session_state["_kanban_last_seen"] - 61  # a minute and a bit idle
    at.run()
    assert not at.get("file_uploader")
    assert any("长时间未操作" in i.value for i in at.info)


def test_damaged_accounts_file_shows_a_message_not_a_traceback(board: Path):
    (board.parent / "accounts.toml").write_text("[users.张三\n", encoding="utf-8")
    at = _page("upload").run()
    assert not at.exception
    assert "格式有误" in at.error[0].value


def test_templates_are_built_on_click_not_on_every_rerun(board: Path, monkeypatch):
    from lib import template

    built = []
    monkeypatch.setattr(template, "reporter_template", lambda *args: built.append("reporter") or b"")
    monkeypatch.setattr(template, "empty_template", lambda *args: built.append("empty") or b"")
    at = _admin(board)
    at.run()
    assert not at.exception, at.exception
    assert [b.label for b in at.get("download_button")][:1] == ["下载本处室填报模板（.xlsx）"]
    assert built == []  # two reruns with the download buttons on the page, nothing built


# ---- a confirm saves the preview that was shown, or nothing ----------------------------------------


def _someone_else_saves(board: Path, rows: list) -> None:
    other = store.Change(store.MERGE, Account("李四", ROLE_ADMIN), updates_upload(rows), "other.xlsx")
    assert store.apply(board, other, today=TODAY).saved


def _assert_refused_then_shown_again(at: AppTest, board: Path, button: str) -> None:
    """The click after another save writes nothing, shows the rebuilt preview with a notice, and saves on the next."""
    audit_before = len(store.read_audit(board))
    at.button(key=button).click().run()
    assert not at.exception, at.exception
    assert len(store.read_audit(board)) == audit_before  # nothing saved
    assert any("已被他人更新" in w.value for w in at.warning)
    assert not at.success


def test_merge_confirmed_after_another_save_shows_the_new_preview_first(board: Path):
    at = _admin(board)
    at.get("file_uploader")[0].set_value(("进展.xlsx", updates_upload([update(Q2, "1", "甲处", 90, "管理员")]), XLSX))
    at.run()
    assert {m.label: m.value for m in at.metric}["新增记录"] == "1"  # 90 shown as a new row
    _someone_else_saves(board, [update(Q2, "1", "甲处", 60, "处室")])  # the same key, meanwhile
    _assert_refused_then_shown_again(at, board, "upload_go")
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["新增记录"], metrics["修改记录"]) == ("0", "1")  # now it overwrites 60, and says so
    changed = _table(at, "完成进度（原）")
    assert (changed["完成进度（原）"].iloc[0], changed["完成进度（新）"].iloc[0]) == ("60", "90")
    at.button(key="upload_go").click().run()
    assert at.success[0].value.startswith("已保存：新增 0 条，修改 1 条")


def test_replace_confirmed_after_another_save_shows_the_new_preview_first(board: Path, tmp_path: Path):
    at = _admin(board)
    at.radio(key="mode").set_value("整体替换（以上传文件为准）").run()
    upload = workbook_file(tmp_path / "upload.xlsx", updates=[update(Q2, "1", "甲处", 50)]).read_bytes()
    at.get("file_uploader")[0].set_value(("完整.xlsx", upload, XLSX))
    at.run()
    assert {m.label: m.value for m in at.metric}["删除记录"] == "3"
    _someone_else_saves(board, [update(Q2, "2", "乙处", 35)])
    _assert_refused_then_shown_again(at, board, "upload_go")
    assert {m.label: m.value for m in at.metric}["删除记录"] == "4"  # the row saved meanwhile goes too, shown first
    at.button(key="upload_go").click().run()
    assert [(e["action"], e["removed"]) for e in store.read_audit(board)][-1] == ("replace", 4)


def test_delete_confirmed_after_another_save_shows_the_new_preview_first(board: Path):
    at = _admin(board)
    [label] = [o for o in at.multiselect(key="delete_pick_0").options if "乙处" in o]
    at.multiselect(key="delete_pick_0").set_value([label]).run()
    at.checkbox(key="delete_ok").check().run()
    _someone_else_saves(board, [update(Q2, "1", "甲处", 70)])
    _assert_refused_then_shown_again(at, board, "delete_go")
    at.button(key="delete_go").click().run()
    assert at.success[0].value.startswith("已删除 1 条记录")
    updates = validate.load(board, today=TODAY).book.updates
    assert len(updates) == 3 and "乙处" not in set(updates["unit"])  # the row saved meanwhile is kept


def test_restore_confirmed_after_another_save_shows_the_new_preview_first(board: Path):
    accounts.add_user(board.parent / "accounts.toml", "管理员", "password1", admin=True)
    _someone_else_saves(board, [update(Q2, "1", "甲处", 70, "x")])
    at = _page("versions").run()
    at.text_input[0].set_value("管理员")
    at.text_input[1].set_value("password1")
    at.button[0].click().run()
    _pick_version(at, "初始版本")
    at.checkbox(key="restore_ok").check().run()
    assert len(_table(at, "完成进度")) == 1  # the restore removes 1 row
    _someone_else_saves(board, [update(Q2, "2", "甲处", 30, "y")])
    _assert_refused_then_shown_again(at, board, "restore_go")
    assert len(_table(at, "完成进度")) == 2  # now it removes the reporter's new row too, and shows it first
    at.button(key="restore_go").click().run()
    assert at.success[0].value == "已恢复，并记为新版本。"


def test_the_steps_of_a_check_are_shown_while_it_runs(board: Path, monkeypatch):
    from lib.store import flow

    steps = []
    real_preview = flow.preview

    def watched(current, change, today=None, progress=None):
        return real_preview(current, change, today, progress=lambda step: (steps.append(step), progress(step)))

    monkeypatch.setattr("lib.store.preview", watched)
    at = _admin(board)
    at.get("file_uploader")[0].set_value(("进展.xlsx", updates_upload([update(Q2, "1", "甲处", 90)]), XLSX))
    at.run()
    assert steps == ["读取共享工作簿", "读取上传文件", "校验合并后的数据", "比对改动"]  # each reached the page
    [status] = [s for s in at.status if s.label == "核对完成"]
    assert status.state == "complete"


# ---- one upload, every plan ----------------------------------------------------------------------------


PLAN_B = "川渝合作"


def _two_plan_upload(rows: list[tuple[dict, str]]) -> bytes:
    """A 进展 sheet whose rows name their plan in a 方案 column, as the template of an office with several plans."""
    import io

    import openpyxl

    from lib import template

    workbook = openpyxl.load_workbook(io.BytesIO(updates_upload([row for row, _ in rows])))
    sheet = workbook.active
    column = sheet.max_column + 1
    sheet.cell(row=1, column=column, value=template.PLAN_HEADER)
    for index, (_, key) in enumerate(rows, start=2):
        sheet.cell(row=index, column=column, value=key)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_upload_covering_two_plans_is_shown_plan_by_plan_and_saved_in_both(board: Path):
    other = workbook_file(board.parent / "plans" / f"{PLAN_B}.xlsx")
    accounts.add_user(board.parent / "accounts.toml", "张三", "password1", ["甲处"])
    at = _logged_in("张三", "password1")
    upload = _two_plan_upload([(update(Q2, "1", "甲处", 60, "默认方案"), "tasks"),
                               (update(Q2, "1", "甲处", 70, "川渝"), PLAN_B), (update(Q2, "2", "甲处", 30, "川渝"), PLAN_B)])
    at.get("file_uploader")[0].set_value(("进展.xlsx", upload, XLSX))
    at.run()
    assert not at.exception, at.exception
    assert [m.value for m in at.metric if m.label == "新增记录"] == ["1", "2"]  # tasks, then 川渝合作
    headings = [m.value for m in at.markdown if m.value.startswith("####")]
    assert len(headings) == 2 and "tasks" in headings[0] and PLAN_B in headings[1]
    assert store.read_audit(other) == []  # nothing saved before the confirm

    at.button(key="upload_go").click().run()
    assert not at.exception, at.exception
    [saved] = [s.value for s in at.success]
    assert "tasks" in saved and PLAN_B in saved
    assert not at.get("metric")  # after the save, the result alone
    assert [(e["action"], e["added"]) for e in store.read_audit(board)][-1] == ("merge", 1)
    assert [(e["action"], e["added"]) for e in store.read_audit(other)] == [("merge", 2)]


def test_a_bad_row_in_one_plan_disables_the_save_of_every_plan(board: Path):
    other = workbook_file(board.parent / "plans" / f"{PLAN_B}.xlsx")
    saved = [board.read_bytes(), other.read_bytes()]
    accounts.add_user(board.parent / "accounts.toml", "张三", "password1", ["甲处"])
    at = _logged_in("张三", "password1")
    upload = _two_plan_upload([(update(Q2, "1", "甲处", 60, "默认方案"), "tasks"),
                               (update(Q2, "1", "甲处", 150, "川渝"), PLAN_B)])
    at.get("file_uploader")[0].set_value(("进展.xlsx", upload, XLSX))
    at.run()
    assert not at.exception, at.exception
    problems = _table(at, "说明")
    assert list(problems["行号"]) == ["3"]  # the row as uploaded
    assert at.button(key="upload_go").disabled
    assert [board.read_bytes(), other.read_bytes()] == saved
