"""轮播 soak: the auto-advancing review in headless Chromium for a few hundred slide changes.

The server's RSS (streamlit and its children, via psutil) is sampled throughout; it must level off:
median of the last third ≤ median of the first third × 1.3 + 30 MB. The figures are printed (-s).
"""

from __future__ import annotations

import shutil
import statistics
import time

import psutil
import pytest

from tests.e2e.conftest import ROOT, BoardServer, wait_for_app

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
]

INTERVAL = 0.5  # seconds per slide: the shortest review.auto_interval accepts
DURATION = 150  # seconds of rotation
MIN_CHANGES = 200  # of at most 300; a loaded 2-core machine may miss some ticks

COUNT_JS = """() => {
  window.__changes = 0; window.__last = '';
  new MutationObserver(() => {
    const el = document.querySelector('.rv-asof, .rv-cover-asof');
    const now = el ? el.parentElement.textContent : '';
    if (now && now !== window.__last) { window.__changes++; window.__last = now; }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def _rss(process: psutil.Process) -> int:
    return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)])


def test_auto_advance_keeps_server_memory_flat(browser, tmp_path):
    target = tmp_path / "data" / "tasks.xlsx"
    target.parent.mkdir()
    shutil.copy(ROOT / "data" / "tasks.xlsx", target)
    server = BoardServer(target, env={"KANBAN_REVIEW_SECONDS": str(INTERVAL)})
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN")
    try:
        process = psutil.Process(server.process.pid)
        page = context.new_page()
        page.goto(server.url(f"/review?auto={INTERVAL}&embed=true"), wait_until="domcontentloaded")
        wait_for_app(page)
        page.evaluate(COUNT_JS)
        samples = []
        start = time.time()
        while time.time() - start < DURATION:
            samples.append(_rss(process))
            # One sample per slide change: wait for the page to advance, not for a fixed time.
            seen = page.evaluate("window.__changes")
            page.wait_for_function(f"window.__changes > {seen}", timeout=60_000)  # an upper bound only
        changes = page.evaluate("window.__changes")
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        context.close()
        server.stop()
    third = len(samples) // 3
    first, last = statistics.median(samples[:third]), statistics.median(samples[-third:])
    mb = 1024 * 1024
    print(f"\nsoak: {changes} slide changes in {DURATION}s; server RSS first-third median {first / mb:.1f} MB, "
          f"last-third median {last / mb:.1f} MB, min {min(samples) / mb:.1f}, max {max(samples) / mb:.1f} MB")
    assert changes >= MIN_CHANGES
    assert last <= first * 1.3 + 30 * mb
