"""Two people, one workbook, crossed in time: a confirm saves the preview that was shown, or nothing.

Each test runs one ``streamlit run`` on a private copy of the bundled workbook and two browser
contexts (two Streamlit sessions): the admin 管理员 previews a change; meanwhile the reporter 张三 saves
in the other session; the admin's first click saves nothing and shows the preview rebuilt against the
newer file with the notice; the second click saves. The same for merge, replace, delete and restore.
Every step waits on what the page shows; the file and the audit log are checked beside the page.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from lib import accounts, schema, store, validate
from lib.ui.change import CHANGED_MEANWHILE
from tests.builders import update, updates_upload
from tests.e2e.conftest import FIXED_TODAY, BoardServer, open_page, screenshot, wait_for_app

pytestmark = pytest.mark.e2e

TODAY = dt.date.fromisoformat(FIXED_TODAY)
DAY = dt.date(2026, 11, 19)  # after the bundled data's last report (2026-11-12), before TODAY
PASSWORD = "password1"
ADMIN, REPORTER = "管理员", "张三"
UPLOADER = "[data-testid='stFileUploader'] input[type='file']"
WAIT = 60_000  # an upper bound only: every wait ends as soon as the page shows what it waits for


# ---- the board and the two sessions ------------------------------------------------------------


def reporter_assignment(workbook: Path) -> tuple[str, list[str]]:
    """A unit and two of its tasks whose latest progress is under 50, so 60 and 90 never read as a fall."""
    book = validate.load(workbook, today=TODAY).book
    latest = book.updates.sort_values("date").groupby(["task_id", "unit"])["progress"].last()
    low = book.assignments.join(latest, on=["task_id", "unit"]).query("progress < 50")
    unit, rows = next((unit, rows) for unit, rows in low.groupby("unit") if len(rows) >= 2)
    return str(unit), list(rows["task_id"][:2])


@dataclass
class Crossed:
    """The server, its workbook, the reporter's unit and tasks, and the browser contexts to close."""

    server: BoardServer
    workbook: Path
    folder: Path
    unit: str
    tasks: list[str]
    contexts: list = field(default_factory=list)

    def sign_in(self, browser, name: str, path: str, ready: str):
        """A new browser context (its own Streamlit session) at ``path``, logged in as ``name``."""
        page = open_page(browser, self.server.url(path))
        self.contexts.append(page.context)
        page.get_by_label("账号").fill(name)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.get_by_text(ready).first.wait_for(timeout=WAIT)
        wait_for_app(page)
        return page

    def upload_file(self, name: str, rows: list[dict]) -> Path:
        """A reporter-style upload: a 进展 sheet alone, headers in contract order."""
        path = self.folder / name
        path.write_bytes(updates_upload(rows))
        return path

    def row(self, task: int, progress: float, note: str) -> dict:
        return update(DAY, self.tasks[task], self.unit, progress, note)

    def audit(self) -> list[dict]:
        """The saves made through the board (the first load also logs the bundled version as 初始版本)."""
        return [e for e in store.read_audit(self.workbook) if e["action"] != store.INITIAL]

    def updates(self):
        return validate.load(self.workbook, today=TODAY).book.updates


@pytest.fixture
def crossed(board_copy: Path, tmp_path: Path) -> Iterator[Crossed]:
    accounts_file = board_copy.parent / "accounts.toml"  # where BoardServer points KANBAN_ACCOUNTS
    unit, tasks = reporter_assignment(board_copy)
    accounts.add_user(accounts_file, ADMIN, PASSWORD, admin=True)
    accounts.add_user(accounts_file, REPORTER, PASSWORD, [unit])
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    server = BoardServer(board_copy)
    state = Crossed(server, board_copy, uploads, unit, tasks)
    try:
        yield state
    finally:
        for context in state.contexts:
            context.close()
        server.stop()


# ---- what a person does on a page ---------------------------------------------------------------


def metric(page, label: str):
    return page.locator("[data-testid='stMetric']").filter(has_text=label).locator("[data-testid='stMetricValue']")


def expect_counts(page, **expected: str) -> None:
    """The preview's four counts, e.g. ``expect_counts(page, 新增记录="1", 删除记录="0")``."""
    for label, value in expected.items():
        expect(metric(page, label)).to_have_text(value, timeout=WAIT)


def upload(page, path: Path) -> None:
    page.locator(UPLOADER).set_input_files(str(path))
    page.get_by_text(path.name, exact=True).wait_for(timeout=WAIT)  # the uploader lists the file
    page.get_by_text("保存后进度的变化").wait_for(timeout=WAIT)
    wait_for_app(page)


def reporter_saves(crossed: Crossed, page, path: Path) -> None:
    """The other session uploads ``path`` and confirms it, as a reporter does; one audit line is theirs."""
    audit_before = len(crossed.audit())
    upload(page, path)
    page.get_by_role("button", name="确认保存").click()
    page.get_by_text("已保存：新增").wait_for(timeout=WAIT)
    wait_for_app(page)
    expect(page.get_by_text(path.name, exact=True)).to_have_count(0)  # the uploader starts clean
    assert [e["user"] for e in crossed.audit()[audit_before:]] == [REPORTER]


def expander_settled(page, title: str):
    """The ``<details>`` of expander ``title``, once no opening or closing animation runs: while it runs the
    element carries an inline ``height: …; overflow: hidden``, and text typed into it is lost."""
    details = page.get_by_test_id("stExpander").filter(has_text=title).locator("details")
    expect(details).not_to_have_attribute("style", re.compile("height"), timeout=WAIT)
    return details


def open_expander(page, title: str) -> None:
    """Open the expander ``title`` (if closed) and wait until it has finished opening."""
    details = expander_settled(page, title)
    if details.get_attribute("open") is None:
        page.get_by_text(title).click()
        expect(details).to_have_attribute("open", "", timeout=WAIT)
        expect(details).to_have_attribute("style", "", timeout=WAIT)  # none while closed, a height while opening


def wait_for_cell(page, text: str) -> None:
    """Wait until a table on the page shows a cell reading ``text``: the grid fills its cells after the run ends,
    later still on a busy machine."""
    expect(page.locator("[data-testid='stDataFrame'] [role='gridcell']").filter(
        has_text=re.compile(f"^{re.escape(text)}$")).first).to_be_attached(timeout=WAIT)


def grid_texts(page) -> list[str]:
    """The text of every visible cell in the page's tables (the grid's accessible cells)."""
    return page.locator("[data-testid='stDataFrame'] [role='gridcell']").all_inner_texts()


def click_refused(crossed: Crossed, page, button: str, shot: str) -> None:
    """The first click after the other session's save: nothing is written, the rebuilt preview is shown."""
    audit_before, file_before = len(crossed.audit()), crossed.workbook.read_bytes()
    page.get_by_role("button", name=button, exact=True).click()
    page.get_by_text(CHANGED_MEANWHILE).wait_for(timeout=WAIT)
    wait_for_app(page)
    assert len(crossed.audit()) == audit_before  # nothing saved
    assert crossed.workbook.read_bytes() == file_before
    expect(page.get_by_text("已保存：")).to_have_count(0)
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, shot)


def click_saved(page, button: str, message: str) -> None:
    """The second click saves, and the page says what was saved."""
    page.get_by_role("button", name=button, exact=True).click()
    page.get_by_text(message).first.wait_for(state="attached", timeout=WAIT)  # after 删除 it is in a closed expander
    wait_for_app(page)
    expect(page.get_by_text(CHANGED_MEANWHILE)).to_have_count(0)
    assert page.locator("[data-testid='stException']").count() == 0


# ---- merge, replace, delete, restore --------------------------------------------------------------


def test_merge_confirmed_after_the_reporter_saved_the_same_key(crossed: Crossed, browser):
    admin = crossed.sign_in(browser, ADMIN, "/upload", "选择填写好的工作簿")
    reporter = crossed.sign_in(browser, REPORTER, "/upload", "选择填写好的工作簿")
    upload(admin, crossed.upload_file("admin.xlsx", [crossed.row(0, 90, "管理员核定")]))
    expect_counts(admin, 新增记录="1", 修改记录="0")  # 90 is a new row: nobody has reported that day yet

    reporter_saves(crossed, reporter, crossed.upload_file("reporter.xlsx", [crossed.row(0, 60, "处室填报")]))

    click_refused(crossed, admin, "确认保存", "crossed-merge-refused")
    expect_counts(admin, 新增记录="0", 修改记录="1")  # now it overwrites the reporter's 60, and says so
    cells = grid_texts(admin)
    assert "60" in cells and "90" in cells, cells  # 完成进度（原） 60 → 完成进度（新） 90

    click_saved(admin, "确认保存", "已保存：新增 0 条，修改 1 条")
    expect(admin.get_by_text("已保存：新增 0 条，修改 1 条")).to_be_visible()
    assert [(e["user"], e["action"], e["changed"]) for e in crossed.audit()] == [
        (REPORTER, store.MERGE, 0), (ADMIN, store.MERGE, 1)]
    updates = crossed.updates()
    mine = updates[(updates["date"] == dt.datetime(2026, 11, 19)) & (updates["unit"] == crossed.unit)]
    assert list(mine["progress"]) == [90.0]


def replacement(crossed: Crossed, name: str, row: dict) -> Path:
    """The whole shared workbook as it is now, plus ``row`` in 进展: an admin's 整体替换 file."""
    book = openpyxl.load_workbook(crossed.workbook)
    book[schema.SHEET_UPDATES].append([row[c.field] for c in schema.UPDATE_COLUMNS])
    path = crossed.folder / name
    book.save(path)
    return path


def test_replace_confirmed_after_the_reporter_saved_a_row(crossed: Crossed, browser):
    admin = crossed.sign_in(browser, ADMIN, "/upload", "选择填写好的工作簿")
    reporter = crossed.sign_in(browser, REPORTER, "/upload", "选择填写好的工作簿")
    admin.get_by_text("整体替换（以上传文件为准）").click()
    expect(admin.get_by_role("radio", name="整体替换（以上传文件为准）")).to_be_checked()
    wait_for_app(admin)
    rows_before = len(crossed.updates())
    upload(admin, replacement(crossed, "full.xlsx", crossed.row(0, 90, "管理员核定")))
    expect_counts(admin, 新增记录="1", 删除记录="0")  # the file is today's workbook and one row more

    reporter_saves(crossed, reporter, crossed.upload_file("reporter.xlsx", [crossed.row(1, 60, "处室填报")]))

    click_refused(crossed, admin, "确认保存", "crossed-replace-refused")
    expect_counts(admin, 新增记录="1", 删除记录="1")  # the reporter's row is not in the file: it would go
    admin.get_by_text("将被删除的进展记录").wait_for(timeout=WAIT)
    wait_for_cell(admin, "处室填报")
    assert "处室填报" in grid_texts(admin)  # the row listed as going is the one the reporter just saved

    click_saved(admin, "确认保存", "已保存：新增 1 条，修改 0 条，删除 1 条")
    expect(admin.get_by_text("已保存：新增 1 条，修改 0 条，删除 1 条")).to_be_visible()
    assert [(e["action"], e["added"], e["removed"]) for e in crossed.audit()][-1] == (store.REPLACE, 1, 1)
    updates = crossed.updates()
    assert len(updates) == rows_before + 1  # the admin's row came, the reporter's went, as previewed
    assert crossed.tasks[1] not in set(updates.loc[updates["date"] == dt.datetime(2026, 11, 19), "task_id"])


def pick_for_deletion(page, row) -> None:
    """In the admin's delete expander: pick ``row`` (a 进展 row), see it listed, tick the check box."""
    typed = f"{row['date']:%Y-%m-%d} 编号{row['task_id']} {row['unit']}"
    label = f"{typed}（{row['progress']:g}%）"  # as lib.tables.update_choices words it
    open_expander(page, "删除进展记录（管理员）")
    picker = page.get_by_test_id("stMultiSelect").locator("input")
    picker.fill(typed)
    expect(picker).to_have_value(typed)
    page.get_by_role("option", name=label, exact=True).click()
    page.keyboard.press("Escape")
    page.get_by_text("将被删除的进展记录").wait_for(timeout=WAIT)
    wait_for_app(page)
    expect_counts(page, 删除记录="1")
    expect(page.get_by_role("button", name="删除", exact=True)).to_be_disabled()  # not before the box is ticked
    page.get_by_text("我已核对，确认删除以上记录").click()
    expect(page.get_by_role("button", name="删除", exact=True)).to_be_enabled(timeout=WAIT)
    wait_for_app(page)


def test_delete_confirmed_after_the_reporter_saved_a_row(crossed: Crossed, browser):
    doomed = crossed.updates().iloc[0]  # the oldest report
    admin = crossed.sign_in(browser, ADMIN, "/upload", "选择填写好的工作簿")
    reporter = crossed.sign_in(browser, REPORTER, "/upload", "选择填写好的工作簿")
    pick_for_deletion(admin, doomed)

    reporter_saves(crossed, reporter, crossed.upload_file("reporter.xlsx", [crossed.row(0, 60, "处室填报")]))
    rows_before = len(crossed.updates())

    click_refused(crossed, admin, "删除", "crossed-delete-refused")
    expect_counts(admin, 删除记录="1")  # still the one row picked, now against the newer file

    click_saved(admin, "删除", "已删除 1 条记录")
    open_expander(admin, "删除进展记录（管理员）")  # see test_delete_result_is_shown_without_reopening
    expect(admin.get_by_text("已删除 1 条记录")).to_be_visible()
    screenshot(admin, "crossed-delete-saved")
    assert [e["action"] for e in crossed.audit()] == [store.MERGE, store.DELETE]
    updates = crossed.updates()
    assert len(updates) == rows_before - 1
    keys = set(zip(updates["date"], updates["task_id"], updates["unit"]))
    assert (doomed["date"], doomed["task_id"], doomed["unit"]) not in keys
    assert (dt.datetime(2026, 11, 19), crossed.tasks[0], crossed.unit) in keys  # the reporter's row is kept


def test_restore_confirmed_after_the_reporter_saved_a_row(crossed: Crossed, browser):
    first = store.Change(store.MERGE, accounts.Account(REPORTER, accounts.ROLE_REPORTER, (crossed.unit,)),
                         updates_upload([crossed.row(0, 60, "第一次")]), "first.xlsx")
    assert store.apply(crossed.workbook, first, today=TODAY).saved  # a version to go back from
    rows_initial = len(crossed.updates()) - 1
    admin = crossed.sign_in(browser, ADMIN, "/versions", "选择版本")
    reporter = crossed.sign_in(browser, REPORTER, "/upload", "选择填写好的工作簿")

    admin.get_by_test_id("stSelectbox").click()
    admin.get_by_role("option", name=re.compile("初始版本")).click()
    admin.get_by_text("下面是恢复将带来的改动").wait_for(timeout=WAIT)
    wait_for_app(admin)
    expect_counts(admin, 删除记录="1")  # restoring drops the first report
    admin.get_by_text("我已核对，确认恢复为该版本").click()
    expect(admin.get_by_role("button", name="恢复该版本")).to_be_enabled(timeout=WAIT)
    wait_for_app(admin)

    reporter_saves(crossed, reporter, crossed.upload_file("reporter.xlsx", [crossed.row(1, 30, "第二次")]))

    click_refused(crossed, admin, "恢复该版本", "crossed-restore-refused")
    expect_counts(admin, 删除记录="2")  # the reporter's new row would go too, and is listed first
    for text in ("第一次", "第二次"):
        wait_for_cell(admin, text)
    assert {"第一次", "第二次"} <= set(grid_texts(admin))

    click_saved(admin, "恢复该版本", "已恢复，并记为新版本。")
    expect(admin.get_by_text("已恢复，并记为新版本。")).to_be_visible()
    assert [e["action"] for e in crossed.audit()] == [store.MERGE, store.MERGE, store.RESTORE]
    assert len(crossed.updates()) == rows_initial


def test_delete_result_is_shown_without_reopening(crossed: Crossed, browser):
    admin = crossed.sign_in(browser, ADMIN, "/upload", "选择填写好的工作簿")
    pick_for_deletion(admin, crossed.updates().iloc[0])
    click_saved(admin, "删除", "已删除 1 条记录")
    details = expander_settled(admin, "删除进展记录（管理员）")
    assert details.get_attribute("open") is not None  # the result shows where the admin clicked
