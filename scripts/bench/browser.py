"""What people wait for in the browser: headless Chromium against a real ``streamlit run``.

Every timing runs from the navigation (or the click) to the moment the page is usable: Streamlit's
script state is ``notRunning``, the page's own marker is on screen (the 总体进度 metric, the 板块进度
metric, …) and every plotly chart has drawn its SVG. No sleeps: a wait polls the page on each frame.

One repetition starts a fresh server, so 总览 cold is the first visit after a restart (the workbook
read and validated), and every later page is warm (the workbook in Streamlit's cache). Pages are
opened by address in one browser context, as a person with the board bookmarked would.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psutil

from lib.dates import chinese_date
from scripts.bench.workbooks import ROOT, TODAY

CHROMIUM = os.environ.get("KANBAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
TIMEOUT_MS = 180_000  # ten times the slowest step on the large workbook: past it, the step is broken
MB = 1024 * 1024
BARE_PAGE = 'import streamlit as st\n\nst.title("空白页")\n'

# The page is usable: the run is over, the marker is there, no element is still a loading skeleton
# (Streamlit lazy-loads plotly and shows a skeleton meanwhile) and every chart has drawn its SVG.
READY_JS = """([selector, text]) => {
    const app = document.querySelector("[data-testid='stApp']");
    if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
    const marked = [...document.querySelectorAll(selector)].some(e => e.innerText.includes(text));
    if (!marked || document.querySelector("[data-testid='stSkeleton'], [data-testid='stAppSkeleton']")) return false;
    return [...document.querySelectorAll("[data-testid='stPlotlyChart']")].every(c => c.querySelector(".main-svg"));
}"""
METRIC = "[data-testid='stMetric']"


@dataclass(frozen=True)
class Visit:
    """A page opened by address, and what shows that it is ready."""

    name: str
    path: str
    selector: str
    text: str


OVERVIEW = Visit("总览", "/", METRIC, "总体进度")  # the default page: /overview is only an alias on a fresh server
BOARD_PAGES = (
    Visit("板块", "/section", METRIC, "板块进度"),
    Visit("处室", "/unit", METRIC, "处室进度"),
    Visit("任务", "/task", METRIC, "任务进度"),
)
REVIEW = Visit("季度汇报", "/review", ".rv-asof, .rv-cover-asof", "数据截至")
UNTIMED = (Visit("上传更新", "/upload", "h1", "上传更新"), Visit("版本记录", "/versions", "h1", "版本记录"))
BARE = Visit("空白页", "/", "h1", "空白页")
ALL_PLANS = Visit("全部方案", "/plans", METRIC, "方案数")
NEW_PERIOD = "2026年第三季度"  # its end, a D the server has not computed yet: the change of D is a cache miss
NEW_D_CAPTION = f"数据截至 {chinese_date(dt.date(2026, 9, 30))}"  # as the page writes dates


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``streamlit run script`` on a free port, its log in ``folder``; memory sampled while it runs."""

    def __init__(self, script: Path, folder: Path, workbook: Path | None = None):
        self.port = free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "KANBAN_TODAY": TODAY.isoformat(),
               "KANBAN_ACCOUNTS": str(folder / "accounts.toml")}  # never the real data/accounts.toml
        if workbook is not None:
            env["KANBAN_WORKBOOK"] = str(workbook)
        self._log = (folder / f"streamlit-{self.port}.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none", "--server.runOnSave", "false"],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
        )
        self.peak_rss = 0
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        self._wait_healthy()

    def rss(self) -> int:
        """Resident bytes of the server and its children."""
        try:
            process = psutil.Process(self.process.pid)
            return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)])
        except psutil.Error:
            return 0

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            self.peak_rss = max(self.peak_rss, self.rss())

    def _wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}; see {self._log.name}")
            try:
                with urllib.request.urlopen(self.url("/_stcore/health"), timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)  # polling for the port to open, not a timing
        raise RuntimeError("streamlit did not become healthy in time")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self._stop.set()
        self._sampler.join()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


def launch(playwright):
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: run `make test` once (it installs Debian's chromium), "
                         "or pass --no-browser")
    # Playwright gives every launch a fresh temporary --user-data-dir of its own.
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def wait_ready(page, visit: Visit) -> None:
    page.wait_for_function(READY_JS, arg=[visit.selector, visit.text], polling="raf", timeout=TIMEOUT_MS)


def errors_on(page) -> int:
    """Exceptions and dialogs (Streamlit's "Page not found" is one) on the page: a timing of those is no timing."""
    return page.locator("[data-testid='stException'], [data-testid='stDialog']").count()


def open_timed(page, server: Server, visit: Visit) -> float:
    """Seconds from navigating to ``visit`` until it is ready."""
    began = time.perf_counter()
    page.goto(server.url(visit.path), wait_until="commit", timeout=TIMEOUT_MS)
    wait_ready(page, visit)
    seconds = time.perf_counter() - began
    if errors_on(page):
        raise RuntimeError(f"{visit.name} ({visit.path}) shows an exception or a dialog")
    return seconds


def bare_page(browser, folder: Path) -> tuple[float, float]:
    """The floor: a one-title Streamlit page opened warm, as the board pages are. Returns (seconds, server MB)."""
    script = folder / "bare.py"
    script.write_text(BARE_PAGE, encoding="utf-8")
    server = Server(script, folder)
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    try:
        page = context.new_page()
        open_timed(page, server, BARE)  # the first visit fetches Streamlit's JavaScript into the browser cache
        return open_timed(page, server, BARE), server.rss() / MB
    finally:
        context.close()
        server.stop()


def change_filter(page) -> float:
    """Seconds from picking the first 板块 in the sidebar filter until 总览 has redrawn."""
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_test_id("stMultiSelect").filter(has_text="板块").locator("input").click()
    option = page.get_by_role("option").first
    option.wait_for(timeout=TIMEOUT_MS)
    began = time.perf_counter()
    option.click()
    wait_ready(page, Visit("筛选", "", "[data-testid='stCaptionContainer']", "已筛选"))
    seconds = time.perf_counter() - began
    page.keyboard.press("Escape")
    return seconds


def change_date(page) -> float:
    """Seconds from picking the 报送周期末 2026年第三季度 (which sets 数据截至, D, to 2026-09-30) until 总览 has
    redrawn for it. The picker rather than typing: the date field is split into segments, each its own rerun."""
    page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(has_text="报送周期末").click()
    option = page.get_by_role("option", name=NEW_PERIOD)
    option.wait_for(timeout=TIMEOUT_MS)
    began = time.perf_counter()
    option.click()
    wait_ready(page, Visit("D", "", "[data-testid='stCaptionContainer']", NEW_D_CAPTION))
    return time.perf_counter() - began


def board_round(browser, workbook: Path, folder: Path) -> dict:
    """One repetition against a fresh server on ``workbook`` (a private copy): seconds per step, MB of RSS."""
    server = Server(ROOT / "app.py", folder, workbook)
    times: dict[str, float] = {}
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    try:
        page = context.new_page()
        times["总览 cold"] = open_timed(page, server, OVERVIEW)
        times["总览 warm"] = open_timed(page, server, OVERVIEW)
        # The smoke takes every step too (on the bundled workbook, seconds): a step the app has outgrown
        # fails in `make test`, not in the next full run.
        times["总览 change D"] = change_date(page)
        times["总览 filter"] = change_filter(page)
        for visit in BOARD_PAGES:
            open_timed(page, server, visit)  # the page's own cached frames filled, as after anyone's visit
            times[f"{visit.name} warm"] = open_timed(page, server, visit)
        times["季度汇报"] = open_timed(page, server, REVIEW)
        for visit in UNTIMED:  # "every page": their memory counts, their time is not a target
            open_timed(page, server, visit)
        rss_after = server.rss()
    finally:
        context.close()
        server.stop()
    return {"seconds": times, "server_rss_mb": rss_after / MB, "server_peak_rss_mb": server.peak_rss / MB}


def switch_plan(page, index: int, file_name: str) -> float:
    """Seconds from picking the ``index``-th plan in the sidebar's 方案 picker (the plans share a name, so by
    place) until 总览 has redrawn for it: ``file_name`` named in the sidebar's data source."""
    page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(has_text="方案").first.click()
    option = page.get_by_role("option").nth(index)
    option.wait_for(timeout=TIMEOUT_MS)
    began = time.perf_counter()
    option.click()
    wait_ready(page, Visit("切换方案", "", "[data-testid='stSidebar'] [data-testid='stCaptionContainer']", file_name))
    return time.perf_counter() - began


def plans_round(browser, workbook: Path, folder: Path, count: int) -> dict:
    """One repetition on ``count`` plans (the default workbook and ``plans/plan-NN.xlsx``): 全部方案 cold and
    warm, then 总览 switched to a plan it has not shown before, and back to the one it has."""
    server = Server(ROOT / "app.py", folder, workbook)
    times: dict[str, float] = {}
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    try:
        page = context.new_page()
        times["全部方案 cold"] = open_timed(page, server, ALL_PLANS)
        times["全部方案 warm"] = open_timed(page, server, ALL_PLANS)
        open_timed(page, server, OVERVIEW)
        times["切换方案 (first view)"] = switch_plan(page, count - 1, f"plan-{count:02d}.xlsx")
        times["切换方案 (back)"] = switch_plan(page, 0, workbook.name)
        rss_after = server.rss()
    finally:
        context.close()
        server.stop()
    return {"seconds": times, "server_rss_mb": rss_after / MB, "server_peak_rss_mb": server.peak_rss / MB}
