"""Browser test of a request through an upload: a reporter asks 销号 in the template's 申请事项 column, sees the
request listed apart in the preview, saves, and the admin finds it on 督办审核."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from lib import accounts, schema, supervision, validate
from tests.e2e.conftest import (
    FIXED_TODAY,
    BoardServer,
    exception_count,
    open_logged_in,
    open_page,
    screenshot,
    wait_for_app,
)

pytestmark = pytest.mark.e2e
UNIT = "综合处"



def _ask_sign_off_in_the_first_row(path: Path) -> str:
    """The template's first row: 100, a 办结说明 and 申请事项 销号; the other rows are sent back as they came."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[schema.SHEET_UPDATES]
    headers = {cell.value: cell.column for cell in sheet[1]}
    sheet.cell(2, headers[schema.header_of(schema.SHEET_UPDATES, "progress")]).value = 100
    sheet.cell(2, headers[schema.header_of(schema.SHEET_UPDATES, "status")]).value = schema.STATUS_DONE
    sheet.cell(2, headers[schema.header_of(schema.SHEET_UPDATES, "progress_note")]).value = "已按方案完成"
    sheet.cell(2, headers[schema.REQUEST_COLUMNS[0].header]).value = "销号"
    sheet.cell(2, headers[schema.REQUEST_COLUMNS[2].header]).value = "川志办〔2026〕12号"
    workbook.save(path)
    return str(sheet.cell(2, headers[schema.header_of(schema.SHEET_UPDATES, "task_id")]).value)


def test_a_sign_off_asked_in_the_template_reaches_the_admins_queue(board_copy: Path, browser, tmp_path: Path):
    accounts_file = board_copy.parent / "accounts.toml"
    accounts.add_user(accounts_file, "管理员", "password1", admin=True)
    accounts.add_user(accounts_file, "张三", "password1", [UNIT])
    server = BoardServer(board_copy)
    try:
        open_page(browser, server.url("/")).context.close()  # a fresh server first runs app.py from its root
        reporter = open_logged_in(browser, server, "张三")
        with reporter.expect_download() as download_info:
            reporter.get_by_role("button", name="下载本处室填报模板（.xlsx）").click()
        template_path = tmp_path / "template.xlsx"
        download_info.value.save_as(template_path)
        task_id = _ask_sign_off_in_the_first_row(template_path)

        reporter.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(template_path))
        wait_for_app(reporter)
        reporter.get_by_text("本次提出的申请").wait_for()
        screenshot(reporter, "upload-request-preview")
        reporter.get_by_role("button", name="确认保存").click()
        wait_for_app(reporter)
        reporter.get_by_text("提出申请 1 项").wait_for()
        book = validate.load(board_copy, today=dt.date.fromisoformat(FIXED_TODAY)).book
        assert book is not None
        assert [(e.event_id, e.kind, e.task_id, e.unit, e.evidence) for e in supervision.events_of(book.supervision)] == [
            ("D0001", schema.KIND_SIGN_OFF_REQUEST, task_id, UNIT, "川志办〔2026〕12号")]

        admin = open_logged_in(browser, server, "管理员")
        admin.goto(server.url("/supervision"), wait_until="domcontentloaded")
        wait_for_app(admin)
        admin.get_by_role("heading", name="D0001").wait_for()
        screenshot(admin, "upload-request-queue")
        assert exception_count(reporter) == 0 and exception_count(admin) == 0
    finally:
        server.stop()
