"""Browser test of 账号管理: an admin resets a reporter's password; the reporter logs in with the temporary
password, is made to change it, and then reaches 上传更新."""

from __future__ import annotations

from pathlib import Path

import pytest

from lib import accounts
from tests.e2e.conftest import BoardServer, exception_count, log_in, open_page, screenshot, wait_for_app

pytestmark = pytest.mark.e2e
UPLOADER = "[data-testid='stFileUploader']"



def _reset_password(page, name: str) -> str:
    """On 账号管理: pick ``name``, press 重设密码, and read the temporary password shown."""
    page.locator("[data-testid='stSelectbox']").filter(has_text="选择账号").click()
    page.get_by_role("option", name=name, exact=True).click()
    wait_for_app(page)
    page.get_by_role("button", name="重设密码").click()
    shown = page.locator("[data-testid='stCode'] code")
    shown.wait_for()
    wait_for_app(page)
    return shown.inner_text().strip()


def _change_password(page, old: str, new: str) -> None:
    page.get_by_label("原密码").fill(old)
    page.get_by_label("新密码（至少").fill(new)
    page.get_by_label("再次输入新密码").fill(new)
    page.get_by_role("button", name="修改密码").click()


def test_a_reset_password_is_changed_at_the_next_login_before_anything_else(board_copy: Path, browser):
    accounts_file = board_copy.parent / "accounts.toml"
    accounts.add_user(accounts_file, "管理员", "password1", admin=True)
    accounts.add_user(accounts_file, "张三", "password1", ["综合处"])
    server = BoardServer(board_copy)
    try:
        admin = open_page(browser, server.url("/accounts"))
        log_in(admin, "管理员", "password1")
        temporary = _reset_password(admin, "张三")
        assert len(temporary) >= 12 and accounts.load_accounts(accounts_file)["张三"].must_change
        admin.get_by_role("heading", name="账号管理").scroll_into_view_if_needed()  # the page keeps the button in view
        screenshot(admin, "accounts-reset-password")

        reporter = open_page(browser, server.url("/upload"))
        log_in(reporter, "张三", temporary)
        reporter.get_by_label("再次输入新密码").wait_for()
        # Only the form: no navigation to other pages, no uploader, until the password is changed.
        assert reporter.locator(UPLOADER).count() == 0
        assert reporter.locator("[data-testid='stSidebarNav']").count() == 0
        screenshot(reporter, "accounts-forced-password-change")

        _change_password(reporter, temporary, "new-password-1")
        reporter.locator(UPLOADER).wait_for()
        wait_for_app(reporter)
        assert exception_count(reporter) == 0 and reporter.get_by_text("当前用户：张三").count() == 1
        assert not accounts.load_accounts(accounts_file)["张三"].must_change
        screenshot(reporter, "accounts-after-password-change")
        admin.context.close()
        reporter.context.close()
    finally:
        server.stop()
