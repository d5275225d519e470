"""Browser test of a login that outlives the session: a reload and a second tab stay logged in; logout ends it everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from lib import accounts, session_token
from tests.e2e.conftest import BoardServer, exception_count, open_page, screenshot, wait_for_app

pytestmark = pytest.mark.e2e
LOGOUT = "退出登录"


def _log_in(page, name: str, password: str) -> None:
    page.get_by_label("账号").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name=LOGOUT).wait_for()
    # The cookie is written by the run after the login's; wait until the browser holds it.
    page.wait_for_function(f"() => document.cookie.includes('{session_token.COOKIE}=')")


def _login_cookie(context) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == session_token.COOKIE), None)


def _reload(page) -> None:
    page.reload(wait_until="domcontentloaded")
    wait_for_app(page)


def _logged_in(page) -> bool:
    """Logged in: the sidebar offers 退出登录 and the page asks for no password; logged out: the reverse."""
    page.locator(f"button:has-text('{LOGOUT}'), input[type='password']").first.wait_for()
    return page.get_by_role("button", name=LOGOUT).count() == 1 and page.locator("input[type='password']").count() == 0


def test_a_login_survives_a_reload_and_a_second_tab_and_logout_ends_it_everywhere(board_copy: Path, browser):
    accounts.add_user(board_copy.parent / "accounts.toml", "管理员", "password1", admin=True)
    server = BoardServer(board_copy)
    try:
        page = open_page(browser, server.url("/upload"))
        assert not _logged_in(page)
        _log_in(page, "管理员", "password1")
        cookie = _login_cookie(page.context)
        assert cookie is not None and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
        assert cookie["expires"] > 0  # Max-Age: the browser drops it after the idle period
        assert cookie["value"] not in page.url  # never in the address, which is sent on as a link

        _reload(page)
        assert _logged_in(page) and page.get_by_text("当前用户：管理员").count() == 1
        screenshot(page, "login-after-reload")

        second = page.context.new_page()
        second.goto(server.url("/versions"), wait_until="domcontentloaded")
        wait_for_app(second)
        assert _logged_in(second) and exception_count(second) == 0

        page.get_by_role("button", name=LOGOUT).click()
        page.locator("input[type='password']").wait_for()
        page.wait_for_function(f"() => !document.cookie.includes('{session_token.COOKIE}=')")
        assert _login_cookie(page.context) is None
        _reload(page)
        assert not _logged_in(page)
        screenshot(page, "login-after-logout-and-reload")

        # The second tab's session still had the login; its next run sees the logout.
        _reload(second)
        assert not _logged_in(second)
        _assert_a_copied_cookie_is_dead(browser, server, cookie)
    finally:
        server.stop()


def _assert_a_copied_cookie_is_dead(browser, server: BoardServer, cookie: dict) -> None:
    """The cookie as it was before the logout, replayed from another browser, logs nobody in."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    try:
        context.add_cookies([{"name": cookie["name"], "value": cookie["value"], "url": server.url("/")}])
        page = context.new_page()
        page.goto(server.url("/upload"), wait_until="domcontentloaded")
        wait_for_app(page)
        assert not _logged_in(page)
    finally:
        context.close()


def test_a_cookie_from_before_a_password_change_logs_nobody_in(board_copy: Path, browser):
    accounts_file = board_copy.parent / "accounts.toml"
    accounts.add_user(accounts_file, "张三", "password1", ["综合处"])
    server = BoardServer(board_copy)
    try:
        page = open_page(browser, server.url("/upload"))
        _log_in(page, "张三", "password1")
        accounts.set_password(accounts_file, "张三", "password2")  # as `python -m lib user passwd 张三` does
        _reload(page)
        assert not _logged_in(page)
        page.context.close()
    finally:
        server.stop()
