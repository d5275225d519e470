"""Browser test of the 销号 loop: a reporter asks on the 处室 page, the admin returns it on 督办审核, the reporter
sees the return and asks again, the admin signs it off. Each step waits on the page's state, then reads the workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lib import accounts, schema, supervision, validate
from tests.e2e.conftest import FIXED_TODAY, BoardServer, exception_count, open_page, screenshot, wait_for_app

pytestmark = pytest.mark.e2e
UNIT = "综合处"
SUCCESS = "[data-testid='stAlertContentSuccess']"
WARNING = "[data-testid='stAlertContentWarning']"


def _log_in(browser, server: BoardServer, name: str):
    page = open_page(browser, server.url("/upload"))
    page.get_by_label("账号", exact=True).fill(name)
    page.get_by_label("密码", exact=True).fill("password1")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name="退出登录").wait_for()
    wait_for_app(page)
    return page


def _open(page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    wait_for_app(page)


def _events(path: Path) -> list[tuple[str, str, str]]:
    book = validate.load(path, today=dt.date.fromisoformat(FIXED_TODAY)).book
    assert book is not None
    return [(e.event_id, e.kind, e.answers) for e in supervision.events_of(book.supervision)]


def _first_open_task(path: Path) -> str:
    book = validate.load(path, today=dt.date.fromisoformat(FIXED_TODAY)).book
    assert book is not None
    return str(supervision.open_assignments(book, UNIT, dt.date.fromisoformat(FIXED_TODAY))["task_id"].iloc[0])


def _request_sign_off(page, note: str, saved_id: str) -> None:
    page.get_by_role("textbox", name="办结说明", exact=True).fill(note)
    page.get_by_role("textbox", name="佐证材料", exact=True).fill("川志办〔2026〕12号")
    page.get_by_role("button", name="提交销号申请").click()
    page.locator(SUCCESS).filter(has_text=saved_id).wait_for()
    wait_for_app(page)


def _decide(page, request_id: str, verdict: str, comment: str, saved_id: str) -> None:
    page.get_by_role("heading", name=request_id).wait_for()
    page.get_by_role("textbox", name="意见", exact=True).fill(comment)
    page.get_by_role("button", name=verdict, exact=True).click()
    page.locator(SUCCESS).filter(has_text=saved_id).wait_for()
    wait_for_app(page)


def test_the_sign_off_loop_in_the_browser(board_copy: Path, browser):
    accounts_file = board_copy.parent / "accounts.toml"
    accounts.add_user(accounts_file, "管理员", "password1", admin=True)
    accounts.add_user(accounts_file, "张三", "password1", [UNIT])
    task_id = _first_open_task(board_copy)
    server = BoardServer(board_copy)
    try:
        open_page(browser, server.url("/")).context.close()  # a fresh server first runs app.py from its root
        reporter = _log_in(browser, server, "张三")
        _open(reporter, server.url(f"/unit?unit={UNIT}"))
        _request_sign_off(reporter, "已按方案完成", "D0001")
        reporter.get_by_role("heading", name="督办：申请销号与延期").scroll_into_view_if_needed()
        screenshot(reporter, "supervision-1-requested")
        assert _events(board_copy) == [("D0001", schema.KIND_SIGN_OFF_REQUEST, "")]

        admin = _log_in(browser, server, "管理员")
        _open(admin, server.url("/supervision"))
        screenshot(admin, "supervision-2-queue")
        _decide(admin, "D0001", "退回", "请补充印发文件", "D0002")
        assert _events(board_copy)[-1] == ("D0002", schema.KIND_RETURN, "D0001")

        _open(reporter, server.url(f"/unit?unit={UNIT}"))
        reporter.locator(WARNING).first.wait_for()  # the returned request, at the top of the 督办 block
        reporter.get_by_role("heading", name="督办：申请销号与延期").scroll_into_view_if_needed()
        screenshot(reporter, "supervision-3-returned")
        _request_sign_off(reporter, "已补充印发文件", "D0003")

        _open(admin, server.url("/supervision"))
        _decide(admin, "D0003", "销号", "同意销号", "D0004")
        screenshot(admin, "supervision-4-signed-off")
        assert _events(board_copy) == [("D0001", "销号申请", ""), ("D0002", "退回", "D0001"),
                                       ("D0003", "销号申请", ""), ("D0004", "销号", "D0003")]
        book = validate.load(board_copy, today=dt.date.fromisoformat(FIXED_TODAY)).book
        assert book is not None
        assert supervision.assignment_state(supervision.events_of(book.supervision), task_id, UNIT) == "已销号"

        _open(admin, server.url(f"/task?task={task_id}"))
        admin.locator("[data-testid='stMetric']").filter(has_text="调整后时限").wait_for()
        admin.get_by_role("heading", name="督办记录").scroll_into_view_if_needed()
        screenshot(admin, "supervision-5-task-timeline")
        assert exception_count(reporter) == 0 and exception_count(admin) == 0
    finally:
        server.stop()
