"""Several plans: the bundled one and two imported from real notices, switched in the sidebar, summed on 全部方案."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    FIXED_TODAY,
    ROOT,
    BoardServer,
    bundled_copy,
    exception_count,
    open_page,
    screenshot,
    wait_for_app,
)

pytestmark = pytest.mark.e2e

NOTICES = ROOT / "tests" / "fixtures" / "notices" / "corpus"
IMPORTED = ("changshu-2018", "guangzhou-rencai-2012")  # 8 and 44 tasks
# What the switcher calls them: the 方案名称 the notice gave, else the key (the 常熟 excerpt has no title).
TITLES = {"changshu-2018": "changshu-2018", "guangzhou-rencai-2012": "关于推进人才集聚工程的实施意见"}
AS_OF = "2026-09-30"
WAIT = 60_000


def run_cli(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-m", "lib", *args], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture(scope="module")
def three_plans(tmp_path_factory, browser):
    folder = tmp_path_factory.mktemp("plans")
    workbook = bundled_copy(folder)
    env = {"KANBAN_WORKBOOK": str(workbook), "KANBAN_TODAY": FIXED_TODAY}
    (workbook.parent / "plans").mkdir()
    for name in IMPORTED:
        run_cli("import-plan", str(NOTICES / f"{name}.txt"), "-o", str(workbook.parent / "plans" / f"{name}.xlsx"), env=env)
    server = BoardServer(workbook)
    try:
        open_page(browser, server.url("/")).context.close()
        yield server, env
    finally:
        server.stop()


def summary(key: str, env: dict[str, str]) -> dict:
    return json.loads(run_cli("summary", "--plan", key, "--as-of", AS_OF, "--json", env=env))


def test_the_switcher_shows_each_plan_and_keeps_it_in_the_address(three_plans, browser) -> None:
    server, _ = three_plans
    page = open_page(browser, server.url(f"/overview?d={AS_OF}"))
    try:
        tasks = page.locator("[data-testid='stMetric']").filter(has_text="任务数")
        # While a run redraws, the old card may stand beside the new one: wait for the one with the plan's count.
        expect(tasks.filter(has_text="16 项")).to_have_count(1, timeout=WAIT)  # the bundled plan comes first
        for key, count in zip(IMPORTED, ("8 项", "44 项")):
            page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(has_text="方案").first.click()
            page.get_by_role("option", name=TITLES[key]).click()
            expect(tasks.filter(has_text=count)).to_have_count(1, timeout=WAIT)
            wait_for_app(page)
            expect(tasks).to_have_count(1, timeout=WAIT)
            assert f"plan={key}" in page.url
        # The plan stays on the next page, and a link to a task carries it.
        page.locator("[data-testid='stSidebarNav']").get_by_text("板块", exact=True).click()
        page.wait_for_selector("h1:has-text('板块')", timeout=WAIT)
        wait_for_app(page)
        assert f"plan={IMPORTED[1]}" in page.url
        screenshot(page, "plans-switched-section")
        assert exception_count(page) == 0
    finally:
        page.context.close()


def test_all_plans_page_equals_each_plans_summary(three_plans, browser) -> None:
    server, env = three_plans
    page = open_page(browser, server.url(f"/plans?d={AS_OF}"))
    try:
        page.wait_for_selector("h1:has-text('全部方案')", timeout=WAIT)
        grid = page.locator("[data-testid='stDataFrame']").first
        expect(grid.locator("[role='gridcell']").filter(has_text=re.compile(f"^{IMPORTED[1]}$"))).to_have_count(
            1, timeout=WAIT)
        cells = grid.locator("[role='gridcell']").all_inner_texts()
        screenshot(page, "plans-all")
        for key in ("tasks", *IMPORTED):
            expected = summary(key, env)
            lights = Counter(task["light"] for task in expected["tasks"])
            at = cells.index(key)
            progress, _change, tasks, done, red, yellow = cells[at + 2:at + 8]
            assert float(progress) == pytest.approx(expected["overall"]["progress"], abs=0.05)
            assert (int(tasks), int(done)) == (expected["overall"]["tasks"], expected["overall"]["done"])
            assert (int(red), int(yellow)) == (lights["红"], lights["黄"])
        assert exception_count(page) == 0
    finally:
        page.context.close()
