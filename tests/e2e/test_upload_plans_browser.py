"""Browser test of one template and one upload for two plans: download, fill the rows of both, upload, see each
plan's preview under its heading, confirm once, and both plans are saved."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from lib import accounts, schema, store, template
from tests.e2e.conftest import BoardServer, bundled_copy, exception_count, open_page, screenshot, wait_for_app

pytestmark = pytest.mark.e2e
UNIT = "省志工作处"
PLAN_B = "第二方案"


def _fill_every_row(path: Path) -> dict[str, int]:
    """Report 100 on each pre-filled row of the template at ``path``; how many rows each plan got."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[schema.SHEET_UPDATES]
    headers = [c.value for c in sheet[1]]
    plan_column = headers.index(template.PLAN_HEADER) + 1
    filled: dict[str, int] = {}
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, 2).value:
            sheet.cell(row, 4).value = 100  # 完成进度
            sheet.cell(row, 5).value = schema.STATUS_DONE
            sheet.cell(row, 6).value = "已按计划完成"
            key = sheet.cell(row, plan_column).value
            filled[key] = filled.get(key, 0) + 1
    workbook.save(path)
    return filled


def test_one_upload_saves_both_plans(tmp_path: Path, browser):
    default = bundled_copy(tmp_path)
    other = default.parent / "plans" / f"{PLAN_B}.xlsx"
    other.parent.mkdir()
    shutil.copy(default, other)
    accounts.add_user(default.parent / "accounts.toml", "张三", "password1", [UNIT])
    server = BoardServer(default)
    try:
        open_page(browser, server.url("/")).context.close()  # the root first (Streamlit quirk, see conftest)
        page = open_page(browser, server.url("/upload"))
        page.get_by_label("账号").fill("张三")
        page.get_by_label("密码").fill("password1")
        page.get_by_role("button", name="登录").click()
        wait_for_app(page)
        with page.expect_download() as download_info:
            page.get_by_role("button", name="下载本处室填报模板（.xlsx）").click()
        filled_path = tmp_path / "template.xlsx"
        download_info.value.save_as(filled_path)
        filled = _fill_every_row(filled_path)
        assert set(filled) == {default.stem, PLAN_B}, filled

        page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(filled_path))
        wait_for_app(page)
        for key in (default.stem, PLAN_B):
            page.get_by_role("heading", name=key).wait_for()
        screenshot(page, "upload-plans-preview")
        page.get_by_role("button", name="确认保存").click()
        wait_for_app(page)
        result = page.locator("[data-testid='stAlertContentSuccess']")
        result.wait_for()
        screenshot(page, "upload-plans-saved")
        text = result.inner_text()
        assert default.stem in text and PLAN_B in text, text
        for path in (default, other):
            assert [e["added"] for e in store.read_audit(path) if e["action"] == store.MERGE] == [filled[path.stem]]
        assert exception_count(page) == 0
    finally:
        server.stop()
