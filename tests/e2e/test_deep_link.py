"""A deep link opened first on a freshly started server still runs inside app.py's navigation."""

from urllib.parse import parse_qs, urlparse

import pytest

from tests.e2e.conftest import BoardServer, exception_count, open_page, screenshot

pytestmark = pytest.mark.e2e


def test_first_request_is_a_task_link(board_server, browser):
    # No request to "/" first: this is the 催报 link someone opens after a restart.
    page = open_page(browser, board_server.url("/task?task=8"))
    try:
        screenshot(page, "deep-link-task-8")
        body = page.inner_text("body")
        assert exception_count(page) == 0
        assert "填报与管理" in body and "季度汇报" in body  # the grouped navigation of app.py
        assert "四、实现馆藏联展互展" in body and "联合打造重庆市、四川省方志馆高校分馆" in body  # task 8
        assert "Page not found" not in body
        assert "/task?task=8" in page.url
    finally:
        page.context.close()


def test_first_request_to_a_page_still_meets_the_login_gate(board_copy, browser):
    from lib import accounts

    accounts.add_user(board_copy.parent / "accounts.toml", "王五", "password1", ["综合处"])
    server = BoardServer(board_copy, env={"KANBAN_REQUIRE_LOGIN": "1"})
    try:
        page = open_page(browser, server.url("/task?task=8"))
        page.get_by_label("账号").wait_for()  # the login form, drawn after the gate's rerun
        body = page.inner_text("body")
        screenshot(page, "deep-link-login-gate")
        assert "登录" in body and "账号" in body
        assert "联合打造重庆市、四川省方志馆高校分馆" not in body  # the task stays hidden before login
        assert "overview" not in body and "总览" not in body  # no page list before login
        page.get_by_label("账号").fill("王五")
        page.get_by_label("密码").fill("not-the-password")
        page.get_by_role("button", name="登录").click()
        page.get_by_text("账号或密码不正确").wait_for()
        page.get_by_label("密码").fill("password1")
        page.get_by_role("button", name="登录").click()
        page.get_by_text("联合打造重庆市、四川省方志馆高校分馆").wait_for()  # the link's page, after login
        assert "填报与管理" in page.inner_text("body")
        page.context.close()
    finally:
        server.stop()


# Every page's address as the sidebar links it, and the heading (or button) only that page shows.
PAGE_ADDRESSES = [
    ("/overview", "heading", "总览"),  # first request to a fresh server
    ("/", "heading", "总览"),
    ("/?d=2026-09-30", "heading", "总览"),  # the root keeps a link's parameters
    ("/overview", "heading", "总览"),  # the default page's own address once app.py has run
    ("/section", "heading", "板块"),
    ("/unit", "heading", "处室"),
    ("/task?task=8", "heading", "任务"),
    ("/upload", "heading", "上传更新"),
    ("/versions", "heading", "版本记录"),
    ("/review", "button", "上一页"),
]


def test_every_page_address_opens_its_page(board_server, browser):
    for number, (address, role, name) in enumerate(PAGE_ADDRESSES):
        page = open_page(browser, board_server.url(address))
        try:
            page.get_by_role(role, name=name, exact=True).first.wait_for(timeout=30_000)
            shot = address.strip("/").split("?")[0] or "root"
            screenshot(page, f"deep-link-page-{number}-{shot}")
            body = page.inner_text("body")
            assert "Page not found" not in body and "not found" not in body.lower(), address
            assert exception_count(page) == 0, address
            if address.startswith("/") and urlparse(address).path == "/":
                shown = urlparse(page.url)
                assert shown.path == "/overview", page.url  # the root steps to 总览's own address
                assert parse_qs(shown.query)["d"] == [parse_qs(urlparse(address).query).get("d", ["2026-11-20"])[0]]
            if role == "heading":
                assert "填报与管理" in body, address  # app.py's grouped navigation
        finally:
            page.context.close()


def test_a_link_sent_to_a_unit_opens_its_page_at_its_date(board_server, browser):
    from urllib.parse import quote

    page = open_page(browser, board_server.url(f"/unit?unit={quote('省志工作处')}&d=2026-09-30"))
    try:
        page.get_by_role("heading", name="处室", exact=True).wait_for()
        screenshot(page, "deep-link-unit-date")
        sidebar = page.locator("[data-testid='stSidebar']")
        parts = [sidebar.get_by_role("spinbutton", name=f"{part}, 数据截至").get_attribute("aria-valuenow")
                 for part in ("year", "month", "day")]
        assert parts == ["2026", "9", "30"]
        picker = page.locator("[data-testid='stSelectbox']").filter(has_text="选择处室")
        assert picker.locator("input").input_value() == "省志工作处"
        assert "2026年第三季度" in page.locator("[data-testid='stMain']").inner_text()  # the period of 09-30
        query = parse_qs(urlparse(page.url).query)
        assert query == {"unit": ["省志工作处"], "d": ["2026-09-30"]}  # the address still links here
        assert exception_count(page) == 0
    finally:
        page.context.close()
