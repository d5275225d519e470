"""One in-process repetition, in a fresh interpreter: ``python -m scripts.bench.inprocess WORKBOOK [--skip-openpyxl]``.

A fresh process per repetition keeps every cache cold (the preview's base cache, pandas' and the
allocator's), as after a server restart or a save, and gives each repetition its own memory figures.
Steps run in the order a person meets them: the board loads, computes, draws the trend; someone
previews a 500-row upload (against the version the board has loaded, as on a running server) and saves it. The baselines (pandas.read_excel) run last, on the same file.
Prints one JSON object: per step seconds, RSS after and peak RSS during, in MB.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
import psutil

from lib import accounts, metrics, store
from scripts.bench.workbooks import TODAY, copy_into, upload_bytes, upload_rows

MB = 1024 * 1024


class Sampler:
    """Peak resident memory of this process while a step runs, sampled every 5 ms."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.peak = 0

    def __enter__(self) -> Sampler:
        self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


def measure(results: dict, name: str, function):
    """Run ``function`` once as step ``name``; its seconds and memory go into ``results``."""
    with Sampler() as sampler:
        began = time.perf_counter()
        value = function()
        seconds = time.perf_counter() - began
    results[name] = {"seconds": seconds, "rss_mb": sampler.process.memory_info().rss / MB,
                     "peak_rss_mb": sampler.peak / MB}
    return value


def run(workbook: Path, growth_only: bool) -> dict:
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="kanban-bench-") as folder:
        path = copy_into(workbook, Path(folder))
        path.read_bytes()  # in the page cache before the first timed read, as on a server that has run a while
        # As the board loads it: read and validated once per content, in the cache the previews share.
        loaded = measure(results, "load", lambda: store.load_file(path, TODAY))
        if not loaded.ok or loaded.book is None:
            raise SystemExit(f"{workbook} does not load: {[p.message for p in loaded.errors[:3]]}")
        book = loaded.book
        measure(results, "metrics", lambda: metrics.compute(book, TODAY))
        measure(results, "trend", lambda: metrics.trend(book, TODAY))
        if not growth_only:
            preview_and_save(results, path, book)
        measure(results, "read_excel_calamine", lambda: pd.read_excel(workbook, sheet_name=None, engine="calamine"))
        if not growth_only:
            measure(results, "read_excel_openpyxl", lambda: pd.read_excel(workbook, sheet_name=None, engine="openpyxl"))
    results["shape"] = {"tasks": len(book.tasks), "sections": len(book.sections), "units": len(book.units),
                        "assignments": len(book.assignments), "reports": len(book.updates),
                        "file_mb": workbook.stat().st_size / MB}
    return results


def preview_and_save(results: dict, path: Path, book) -> None:
    """Preview a 500-row upload by one unit against the file at ``path``, then save it there."""
    unit, rows = upload_rows(book)
    change = store.Change(store.MERGE, accounts.Account(f"{unit}管理员", accounts.ROLE_ADMIN),
                          upload_bytes(rows), "u.xlsx")
    current = path.read_bytes()
    preview = measure(results, "preview", lambda: store.preview(current, change, TODAY))
    if not preview.ok or preview.counts["added"] != len(rows):
        raise SystemExit(f"the upload's preview is not a clean {len(rows)}-row merge: {preview.counts}, "
                         f"{[p.message for p in preview.errors[:3]]}")
    saved = measure(results, "save", lambda: store.save(path, preview))
    if not saved.saved:
        raise SystemExit(f"save failed: {saved.message}")
    results["preview"]["warnings"] = len(preview.problems)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("workbook", type=Path)
    parser.add_argument("--growth-only", action="store_true",
                        help="a point of the growth curve: load, metrics, trend and the calamine baseline only")
    args = parser.parse_args()
    print(json.dumps(run(args.workbook, args.growth_only)))


if __name__ == "__main__":
    main()
