"""axe-core on every page, against WCAG 2.1 A and AA (GB/T 37668-2019 builds on WCAG 2.0): no violation but Streamlit's own nav lists.

``axe/axe.min.js`` is axe-core 4.14.1 as the npm registry serves it (``npm pack axe-core@4.14.1``; MPL-2.0, its
licence beside it). Not the copy bundled in the ``axe-playwright-python`` wheel: that is 4.12.1, which cannot
tell the colour behind the sidebar's captions and so passes their 4.42:1. The rules ``list`` and ``listitem``
fail on the grouped sidebar navigation, whose markup is Streamlit's own (README, 无障碍).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from lib import accounts
from tests.e2e.conftest import (
    ARTIFACTS,
    BoardServer,
    bundled_server,
    exception_count,
    open_page,
    screenshot,
    wait_for_app,
)

pytestmark = pytest.mark.e2e

AXE = Path(__file__).with_name("axe") / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
STREAMLIT_OWN = {"list", "listitem"}  # failed by the sidebar navigation's grouped lists
# Every page, with text only that page shows, waited for before axe runs.
PAGES = [
    ("/overview", "总体进度"),
    ("/section", "板块进度趋势"),
    ("/unit", "处室进度趋势"),
    ("/task", "填报记录（最新在前）"),
    ("/plans", "各方案落实情况"),
    ("/upload", "上传更新"),
    ("/versions", "版本记录"),
    ("/review", "下一页"),
]
ADMIN, PASSWORD = "管理员", "password1"


@pytest.fixture(scope="module")
def server(tmp_path_factory, browser) -> Iterator[BoardServer]:
    with bundled_server(tmp_path_factory.mktemp("a11y"), browser) as running:
        yield running


def violations(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as shown, frames included, less Streamlit's own.

    Only the ``list`` and ``listitem`` failures of the sidebar navigation itself are left out: the same rules
    failing on our own content still count.
    """
    script = AXE.read_text(encoding="utf-8")
    for frame in page.frames:  # axe checks a frame only if it runs there too
        frame.evaluate(script)
    return page.evaluate("""async ([options, own]) => {
        const results = await axe.run(document, options);
        const streamlits = (rule, node) => own.includes(rule.id) && typeof node.target[0] === "string"
            && document.querySelector(node.target[0])?.closest('[data-testid="stSidebarNavItems"]');
        return results.violations
            .map(rule => ({...rule, nodes: rule.nodes.filter(node => !streamlits(rule, node))}))
            .filter(rule => rule.nodes.length);
    }""", [{"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}, sorted(STREAMLIT_OWN)])


def report(found: dict[str, list[dict]]) -> str:
    """One line per failing element: page, rule, the element, and axe's reason (e.g. the contrast ratio)."""
    lines = []
    for address, page_violations in found.items():
        for violation in page_violations:
            for node in violation["nodes"]:
                lines.append(f"{address} {violation['id']}: {node['target']} {node.get('failureSummary', '')}"
                             .replace("\n", " ")[:400])
    return "\n".join(lines)


def check_pages(browser, server: BoardServer, pages: list[tuple[str, str]], name: str,
                log_in: bool = False) -> dict[str, list[dict]]:
    page = open_page(browser, server.url("/"))
    found = {}
    try:
        if log_in:
            page.goto(server.url("/upload"), wait_until="domcontentloaded")
            wait_for_app(page)
            page.get_by_label("账号").fill(ADMIN)
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.get_by_role("button", name="退出登录").wait_for()
        for address, marker in pages:
            page.goto(server.url(address), wait_until="domcontentloaded")
            wait_for_app(page)
            page.get_by_text(marker).first.wait_for()
            assert exception_count(page) == 0, address
            screenshot(page, f"a11y-{name}{address.replace('/', '-')}")
            found[address] = violations(page)
    finally:
        page.context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"a11y-{name}.json").write_text(json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8")
    return found


def test_every_page_passes_axe_before_any_account_exists(browser, server: BoardServer):
    # Without accounts, 上传更新 and 版本记录 show the command that creates the first admin.
    (server.workbook.parent / "accounts.toml").unlink(missing_ok=True)
    found = check_pages(browser, server, PAGES, "anonymous")
    assert not any(found.values()), report(found)


def test_the_pages_behind_a_login_pass_axe(browser, server: BoardServer):
    accounts_file: Path = server.workbook.parent / "accounts.toml"
    if ADMIN not in accounts.load_accounts(accounts_file):
        accounts.add_user(accounts_file, ADMIN, PASSWORD, admin=True)
    logged_out = check_pages(browser, server, [("/upload", "账号")], "login-form")
    found = check_pages(browser, server, [("/upload", "下载完整工作簿"), ("/versions", "选择版本"),
                                          ("/accounts", "新增账号"), ("/password", "再次输入新密码")], "admin",
                        log_in=True)
    assert not any({**logged_out, **found}.values()), report({**logged_out, **found})
