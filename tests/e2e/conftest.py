"""Browser-test harness, after Streamlit's own e2e_playwright/conftest.py.

``board_server`` starts a real ``streamlit run app.py`` on a free port with a
workbook of the test's choosing and waits for /_stcore/health; ``browser``
is Debian's /usr/bin/chromium driven by Playwright (its own browser download
does not work on these machines). Screenshots go to test-artifacts/, which
git ignores, for a human to look at.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("KANBAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
FIXED_TODAY = "2026-11-20"  # the bundled example data runs to mid-November 2026


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BoardServer:
    """A running ``streamlit run app.py``; ``url(path)`` builds page addresses."""

    def __init__(self, workbook: Path, env: dict[str, str] | None = None, cwd: Path = ROOT):
        self.port = free_port()
        self.workbook = workbook
        self.log_path = ARTIFACTS / f"streamlit-{self.port}.log"
        ARTIFACTS.mkdir(exist_ok=True)
        full_env = {**os.environ, "KANBAN_WORKBOOK": str(workbook), "KANBAN_TODAY": FIXED_TODAY,
                    "KANBAN_ACCOUNTS": str(workbook.parent / "accounts.toml"),  # never the real data/accounts.toml
                    "PYTHONPATH": str(ROOT), **(env or {})}
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
             "--server.port", str(self.port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=cwd, env=full_env, stdout=self._log, stderr=subprocess.STDOUT,
        )
        self._wait_healthy()

    def _wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited: {self.log_path.read_text()}")
            try:
                with urllib.request.urlopen(self.url("/_stcore/health"), timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                with contextlib.suppress(subprocess.TimeoutExpired):  # waits on the process: a crash shows at once
                    self.process.wait(timeout=0.3)
        raise RuntimeError("streamlit did not become healthy in time")

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


def bundled_copy(folder: Path) -> Path:
    """A private copy of the bundled workbook in ``folder/data/``, so tests never touch data/tasks.xlsx."""
    target = folder / "data" / "tasks.xlsx"
    target.parent.mkdir()
    shutil.copy(ROOT / "data" / "tasks.xlsx", target)
    return target


@contextlib.contextmanager
def bundled_server(folder: Path, browser) -> Iterator[BoardServer]:
    """A server on a private copy of the bundled workbook, for a module's tests to share.

    A fresh server that is first asked for a page by its own address (/overview) runs that file alone, with
    the legacy pages/ navigation and no page config, until app.py has run once (a Streamlit quirk): the
    root is opened once first.
    """
    running = BoardServer(bundled_copy(folder))
    try:
        open_page(browser, running.url("/")).context.close()
        yield running
    finally:
        running.stop()


@pytest.fixture
def board_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled workbook, so tests never touch data/tasks.xlsx."""
    return bundled_copy(tmp_path)


@pytest.fixture
def board_server(board_copy: Path) -> Iterator[BoardServer]:
    server = BoardServer(board_copy)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium package")
    with sync_playwright() as playwright:
        # Playwright gives every launch a fresh temporary --user-data-dir of its own.
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def open_page(browser, url: str, width: int = 1920, height: int = 1080):
    """A new page at ``url``, waited on until the script has finished running."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    wait_for_app(page)
    return page


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished the current run."""
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)
    # Plotly draws after the run has ended: wait until every chart on the page has its SVG.
    page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')]"
                           ".every(chart => chart.querySelector('.main-svg'))", timeout=timeout)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)


def log_in(page, name: str, password: str = "password1") -> None:
    """Log in on the page's login form (上传更新 and every page that asks for one), and wait for the page after it."""
    page.get_by_label("账号", exact=True).fill(name)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name="退出登录").wait_for()
    wait_for_app(page)


def open_logged_in(browser, server: BoardServer, name: str, password: str = "password1"):
    """A new page logged in as ``name`` on 上传更新; its session cookie then opens every page of the board."""
    page = open_page(browser, server.url("/upload"))
    log_in(page, name, password)
    return page


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def exception_count(page) -> int:
    return page.locator("[data-testid='stException']").count()
