"""What Streamlit draws in English is said in Chinese or hidden (lib/ui/chrome.py), checked in a real browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from lib import accounts
from tests.e2e.conftest import ARTIFACTS, BoardServer, open_page, screenshot, wait_for_app

pytestmark = pytest.mark.e2e


def pseudo_text(locator, selector: str) -> str:
    """The ``content`` of the ``::after`` of the first ``selector`` inside ``locator``, unquoted."""
    return locator.locator(selector).first.evaluate("e => getComputedStyle(e, '::after').content").strip('"')


def test_uploader_and_tables_speak_chinese(board_copy: Path, browser):
    accounts.add_user(board_copy.parent / "accounts.toml", "管理员", "password1", [], admin=True)
    server = BoardServer(board_copy)
    try:
        page = open_page(browser, server.url("/overview"))
        table = page.locator("[data-testid='stDataFrame']").first
        table.scroll_into_view_if_needed()
        table.hover()
        toolbars = page.locator("[data-testid='stDataFrame'] [data-testid='stElementToolbar']")
        toolbars.first.wait_for(state="attached")
        # Hidden by our CSS, not by the hover's timing: the computed style says so whatever the moment.
        displays = toolbars.evaluate_all("els => els.map(el => getComputedStyle(el).display)")
        assert displays and set(displays) == {"none"}, displays  # drawn, and hidden
        # Help icons (the 督办 cards, the sidebar's 报送周期末) are named in Chinese for screen readers.
        page.locator("[aria-label^='说明：']").first.wait_for(state="attached")
        names = page.locator("[aria-label^='Help'], [aria-label^='说明']").evaluate_all(
            "els => els.map(el => el.getAttribute('aria-label'))")
        assert "说明：按期办结率" in names and not [n for n in names if n.startswith("Help")], names
        page.context.close()

        page = open_page(browser, server.url("/upload"))
        page.get_by_label("账号").fill("管理员")
        page.get_by_label("密码").fill("password1")
        page.get_by_role("button", name="登录").click()
        uploader = page.locator("[data-testid='stFileUploader']")
        uploader.wait_for()
        wait_for_app(page)
        screenshot(page, "upload-uploader-chinese")
        uploader.screenshot(path=str(ARTIFACTS / "upload-uploader-box.png"))
        shown = uploader.inner_text()
        assert "Upload" not in shown and "per file" not in shown and "MB" not in shown, shown
        assert pseudo_text(uploader, "button [data-testid='stMarkdownContainer']") == "选择文件"
        hint = pseudo_text(uploader, "[data-testid='stFileUploaderDropzoneInstructions'] > div")
        assert hint == "或将文件拖放到此处（仅限 .xlsx 格式，单个文件不超过 20 MB）"
        page.context.close()
    finally:
        server.stop()
