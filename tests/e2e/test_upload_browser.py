"""Browser test of the reporter's whole job: log in, download the template, fill it, upload, confirm, see 总览 move."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from lib import accounts, schema
from tests.e2e.conftest import BoardServer, open_page, screenshot, wait_for_app

pytestmark = pytest.mark.e2e
UNIT = "省志工作处"


def overall_progress(page) -> str:
    metric = page.locator("[data-testid='stMetric']").filter(has_text="总体进度")
    return metric.locator("[data-testid='stMetricValue']").inner_text()


def test_reporter_downloads_fills_uploads_and_overview_changes(board_copy: Path, browser, tmp_path: Path):
    accounts.add_user(board_copy.parent / "accounts.toml", "张三", "password1", [UNIT])
    server = BoardServer(board_copy)
    try:
        # The root is 总览; asking a fresh server for /overview first would bypass app.py (Streamlit quirk).
        page = open_page(browser, server.url("/"))
        before = overall_progress(page)

        page.goto(server.url("/upload"), wait_until="domcontentloaded")
        wait_for_app(page)
        page.get_by_label("账号").fill("张三")
        page.get_by_label("密码").fill("password1")
        page.get_by_role("button", name="登录").click()
        wait_for_app(page)
        with page.expect_download() as download_info:
            page.get_by_role("button", name="下载本处室填报模板（.xlsx）").click()
        template_path = tmp_path / "template.xlsx"
        download_info.value.save_as(template_path)

        workbook = openpyxl.load_workbook(template_path)
        sheet = workbook[schema.SHEET_UPDATES]
        filled = 0
        for row in range(2, sheet.max_row + 1):
            if sheet.cell(row, 2).value:
                sheet.cell(row, 4).value = 100  # 完成进度
                sheet.cell(row, 5).value = schema.STATUS_DONE
                sheet.cell(row, 6).value = "已按计划完成"
                filled += 1
        assert filled > 0
        workbook.save(template_path)

        page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(template_path))
        wait_for_app(page)
        page.get_by_text("保存后进度的变化").wait_for()
        screenshot(page, "upload-preview")
        page.get_by_role("button", name="确认保存").click()
        wait_for_app(page)
        page.get_by_text("已保存：新增").wait_for()
        screenshot(page, "upload-saved")

        page.goto(server.url("/"), wait_until="domcontentloaded")
        wait_for_app(page)
        after = overall_progress(page)
        screenshot(page, "upload-overview-after")
        assert float(after.rstrip("%")) > float(before.rstrip("%")), (before, after)
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        server.stop()
