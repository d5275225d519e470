"""A deep link opened first on a freshly started server still runs inside app.py's navigation."""

import pytest

from tests.e2e.conftest import exception_count, open_page, screenshot

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
