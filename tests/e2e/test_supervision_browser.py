"""Browser test of the 销号 loop: a reporter asks on the 处室 page, the admin returns it on 督办审核, the reporter
sees the return and asks again, the admin signs it off. Each step waits on the page's state, then reads the workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

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
SUCCESS = "[data-testid='stAlertContentSuccess']"
WARNING = "[data-testid='stAlertContentWarning']"



def _open(page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    wait_for_app(page)


def _events(path: Path) -> list[tuple[str, str, str]]:
    book = validate.load(path, today=dt.date.fromisoformat(FIXED_TODAY)).book
    assert book is not None
    return [(e.event_id, e.kind, e.answers) for e in supervision.events_of(book.supervision)]


def _pick_task(page, task_id: str, deadline: str) -> None:
    """Pick the task on the 处室 page's 督办 block, and wait for its forms (the extension form names its deadline)."""
    page.locator("[data-testid='stSelectbox']").filter(has_text="选择要申请的任务").click()
    page.keyboard.type(f"任务{task_id}：")
    page.keyboard.press("Enter")
    page.get_by_text(f"现完成时限：{deadline}").wait_for()
    wait_for_app(page)


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


def _card(page, label: str) -> str:
    """The value of 总览's (or the task page's) card ``label``."""
    card = page.locator("[data-testid='stMetric']").filter(
        has=page.locator("[data-testid='stMetricLabel']", has_text=label))
    return card.locator("[data-testid='stMetricValue']").inner_text()


def test_the_sign_off_loop_in_the_browser(board_copy: Path, browser):
    accounts_file = board_copy.parent / "accounts.toml"
    accounts.add_user(accounts_file, "管理员", "password1", admin=True)
    accounts.add_user(accounts_file, "张三", "password1", [UNIT])
    task_id = "7"  # 综合处 alone: its 销号 closes the task, so 总览's 已销号 moves
    server = BoardServer(board_copy)
    try:
        open_page(browser, server.url("/")).context.close()  # a fresh server first runs app.py from its root
        reporter = open_logged_in(browser, server, "张三")
        _open(reporter, server.url("/"))
        assert (_card(reporter, "待审核"), _card(reporter, "已销号")) == ("0 项", "0 项")
        _open(reporter, server.url(f"/unit?unit={UNIT}"))
        _pick_task(reporter, task_id, "2026-12-31")
        _request_sign_off(reporter, "已按方案完成", "D0001")
        reporter.get_by_role("heading", name="督办：申请销号与延期").scroll_into_view_if_needed()
        screenshot(reporter, "supervision-1-requested")
        assert _events(board_copy) == [("D0001", schema.KIND_SIGN_OFF_REQUEST, "")]
        _open(reporter, server.url("/"))
        assert _card(reporter, "待审核") == "1 项"

        admin = open_logged_in(browser, server, "管理员")
        _open(admin, server.url("/supervision"))
        screenshot(admin, "supervision-2-queue")
        _decide(admin, "D0001", "退回", "请补充印发文件", "D0002")
        assert _events(board_copy)[-1] == ("D0002", schema.KIND_RETURN, "D0001")

        _open(reporter, server.url(f"/unit?unit={UNIT}"))
        reporter.locator(WARNING).first.wait_for()  # the returned request, at the top of the 督办 block
        reporter.get_by_role("heading", name="督办：申请销号与延期").scroll_into_view_if_needed()
        screenshot(reporter, "supervision-3-returned")
        _pick_task(reporter, task_id, "2026-12-31")  # returned ones are listed first: task 7 is now the default
        _request_sign_off(reporter, "已补充印发文件", "D0003")

        _open(admin, server.url("/supervision"))
        _decide(admin, "D0003", "销号", "同意销号", "D0004")
        screenshot(admin, "supervision-4-signed-off")
        _open(admin, server.url("/"))
        assert (_card(admin, "待审核"), _card(admin, "已销号")) == ("0 项", "1 项")
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


def _request_extension(page, task_id: str, deadline: str, reason: str, saved_id: str) -> None:
    _pick_task(page, task_id, deadline)
    page.get_by_role("textbox", name="延期理由及目前进展", exact=True).fill(reason)
    page.get_by_role("button", name="提交延期申请").click()
    page.locator(SUCCESS).filter(has_text=saved_id).wait_for()
    wait_for_app(page)


def test_the_extension_loop_in_the_browser(board_copy: Path, browser):
    """Task 7 (综合处 alone, due 2026-12-31, at 60 %) is red on 11-20: 60 behind 92 % 序时进度. The unit asks for the
    form's default date (the deadline + 90 days: 2027-03-31); the admin refuses, the unit sees why and asks again, the
    admin approves the date asked for. The task page then shows 2027-03-31 and the light turns yellow: 序时进度 is
    451 of 582 days = 77 %, 17 points ahead of 60. 总览's 待审核 and 延期 follow each step."""
    accounts_file = board_copy.parent / "accounts.toml"
    accounts.add_user(accounts_file, "管理员", "password1", admin=True)
    accounts.add_user(accounts_file, "张三", "password1", [UNIT])
    server = BoardServer(board_copy)
    try:
        open_page(browser, server.url("/")).context.close()
        reporter = open_logged_in(browser, server, "张三")
        _open(reporter, server.url("/task?task=7"))
        assert (_card(reporter, "预警"), _card(reporter, "调整后时限")) == ("红灯", "2026-12-31")
        _open(reporter, server.url(f"/unit?unit={UNIT}"))
        _request_extension(reporter, "7", "2026-12-31", "需与重庆方会签，会签未完成", "D0001")
        _open(reporter, server.url("/"))
        assert (_card(reporter, "待审核"), _card(reporter, "延期")) == ("1 项", "0 项")

        admin = open_logged_in(browser, server, "管理员")
        _open(admin, server.url("/supervision"))
        _decide(admin, "D0001", "不同意", "请说明会签的具体安排", "D0002")
        assert _events(board_copy)[-1] == ("D0002", schema.KIND_EXTENSION_REFUSED, "D0001")

        _open(reporter, server.url(f"/unit?unit={UNIT}"))
        reporter.locator(WARNING).filter(has_text="退回或未获同意").wait_for()
        reporter.get_by_role("heading", name="督办：申请销号与延期").scroll_into_view_if_needed()
        screenshot(reporter, "extension-1-refused")
        _request_extension(reporter, "7", "2026-12-31", "会签已排定于12月中旬，印发需至明年3月", "D0003")

        _open(admin, server.url("/supervision"))
        screenshot(admin, "extension-2-queue")
        _decide(admin, "D0003", "同意延期", "同意延期至2027年3月31日", "D0004")
        book = validate.load(board_copy, today=dt.date.fromisoformat(FIXED_TODAY)).book
        assert book is not None
        assert supervision.deadlines(book, "7").effective == dt.date(2027, 3, 31)

        _open(admin, server.url("/task?task=7"))
        assert (_card(admin, "预警"), _card(admin, "调整后时限"), _card(admin, "原定时限"), _card(admin, "延期次数")) == (
            "黄灯", "2027-03-31", "2026-12-31", "1 次")
        admin.get_by_role("heading", name="督办记录").scroll_into_view_if_needed()
        screenshot(admin, "extension-3-task")
        _open(admin, server.url("/"))
        assert (_card(admin, "待审核"), _card(admin, "延期")) == ("0 项", "1 项")
        screenshot(admin, "extension-4-overview")
        assert exception_count(reporter) == 0 and exception_count(admin) == 0
    finally:
        server.stop()
