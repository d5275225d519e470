"""Browser test of 方案导入: an admin imports a .docx with a table, corrects a unit in the editor, saves, and
总览 shows the new plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from lib import accounts, validate
from lib.ui import chrome
from tests.e2e.conftest import ROOT, BoardServer, exception_count, open_page, screenshot, wait_for_app

pytestmark = pytest.mark.e2e
NOTICE = ROOT / "tests" / "fixtures" / "notices" / "corpus" / "sichuan-chongqing-fangzhi-2025-table.docx"
OLD_NAME, NEW_NAME, NEW_SHORT = "省情信息工作处", "省情信息工作处（测试改名）", "省情处（测试简称）"
ROW_HEIGHT = 35  # Streamlit's data editor: the header row and each data row are 35 px high
# Notes when the next run starts: a run that starts and ends between two polls is not missed.
WATCH_FOR_RUN = """() => {
  window.kanbanRunStarted = false;
  const app = document.querySelector("[data-testid='stApp']");
  new MutationObserver(() => {
    if (app.getAttribute('data-test-script-state') !== 'notRunning') window.kanbanRunStarted = true;
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


def _metric(page, label: str) -> str:
    metric = page.locator("[data-testid='stMetric']").filter(has_text=label)
    return metric.locator("[data-testid='stMetricValue']").inner_text()


def _edit_first_unit(page, column: int, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in column ``column`` (0: 处室, 1: 简称) of the first row of the unit editor, the
    second data editor on the page (its columns are a third of its width each, no index shown).

    Waits on the grid's accessibility table, which mirrors the cells drawn on its canvas: for the old text
    before the click (the grid is drawn), for the new one after (the grid took the edit), then for the run
    the edit starts to end, so the next step sees a page built with the edit.
    """
    units = page.locator("[data-testid='stDataFrame']").nth(1)
    cell = units.locator("tr").nth(1).locator("td").nth(column)
    cell.filter(has_text=old).wait_for(state="attached")
    page.evaluate(WATCH_FOR_RUN)
    width = units.bounding_box()["width"]
    units.click(position={"x": width / 3 * column + 40, "y": ROW_HEIGHT + ROW_HEIGHT // 2})
    page.keyboard.press("Enter")  # opens the cell's editor
    editor = page.locator("[data-testid='data-grid-overlay-editor'] textarea, .gdg-growing-entry textarea").first
    editor.wait_for()
    editor.fill(new)
    page.keyboard.press("Enter")
    try:
        cell.filter(has_text=new).wait_for(state="attached")
        page.wait_for_function("() => window.kanbanRunStarted === true")
    except Exception:
        screenshot(page, f"plan-import-edit-failed-{column}")  # for whoever reads the failure
        raise
    wait_for_app(page)


def test_admin_imports_a_table_docx_corrects_a_unit_saves_and_the_board_shows_it(board_copy: Path, browser):
    accounts.add_user(board_copy.parent / "accounts.toml", "管理员", "password1", admin=True)
    before = validate.load(board_copy).book
    assert OLD_NAME in set(before.units["unit"]) and len(before.updates) > 0
    server = BoardServer(board_copy)
    try:
        # Through app.py first, as a person arrives; tall, so a screenshot holds the editors and the preview.
        page = open_page(browser, server.url("/"), height=2600)
        page.goto(server.url("/plan-import"), wait_until="domcontentloaded")
        wait_for_app(page)
        page.get_by_label("账号").fill("管理员")
        page.get_by_label("密码").fill("password1")
        page.get_by_role("button", name="登录").click()
        wait_for_app(page)

        hint = page.locator("[data-testid='stFileUploaderDropzoneInstructions'] > div").first.evaluate(
            "e => getComputedStyle(e, '::after').content").strip('"')
        assert hint == chrome.upload_hint(".docx、.pdf、.doc、.wps、.txt 文件")  # not the workbook uploader's .xlsx
        page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(NOTICE))
        wait_for_app(page)
        page.get_by_text("识别完成：6 个板块，16 项任务，6 个处室").wait_for()
        assert page.get_by_text(f"{OLD_NAME} → ").count() == 0
        _edit_first_unit(page, 1, "省情信息处", NEW_SHORT)  # the 简称 the old workbook gives it
        _edit_first_unit(page, 0, OLD_NAME, NEW_NAME)
        page.get_by_text(f"{OLD_NAME} → {NEW_NAME}").wait_for()  # the rename took, and followed into the tasks
        page.get_by_text("保存后进度的变化").wait_for()
        screenshot(page, "plan-import-preview")

        key = page.get_by_role("textbox", name="方案简称").input_value()
        assert key  # suggested from the notice's title
        page.get_by_role("button", name="确认保存").click()
        wait_for_app(page)
        page.get_by_text("已保存方案：6 个板块，16 项任务，6 个处室").wait_for()
        screenshot(page, "plan-import-saved")
        assert exception_count(page) == 0

        current = validate.load(board_copy).book
        assert len(current.updates) == len(before.updates)  # a new plan is saved beside the current one
        saved = validate.load(board_copy.parent / "plans" / f"{key}.xlsx").book
        units = dict(zip(saved.units["unit"], saved.units["short"]))
        assert units.get(NEW_NAME) == NEW_SHORT and OLD_NAME not in units
        assert units["省志工作处"] == "省志处"  # a 简称 the old workbook gave, kept
        assert set(saved.assignments["unit"]) >= {NEW_NAME}  # the rename followed into the tasks
        assert saved.updates.empty

        link = page.get_by_role("link", name="查看该方案总览").get_attribute("href")  # the new plan's own 总览
        assert link is not None and link.startswith("overview?plan=")
        page.goto(server.url(f"/{link}"), wait_until="domcontentloaded")
        wait_for_app(page)
        screenshot(page, "plan-import-overview")
        assert _metric(page, "任务数") == "16 项"
        assert _metric(page, "总体进度").startswith("0.0")  # a new plan: no reports yet
        assert page.locator(".js-plotly-plot text", has_text=NEW_SHORT).count() > 0  # charts label units by 简称
        assert exception_count(page) == 0
    finally:
        server.stop()
