"""``python -m scripts.bench``: time what people wait for, on workbooks of several sizes.

In process (a fresh interpreter per repetition, ``scripts.bench.inprocess``): load+validate, metrics, trend,
the preview of a 500-row upload and its save, with the RSS of each, beside pandas.read_excel with
calamine and with openpyxl on the same file. In Chromium against ``streamlit run`` (``scripts.bench.browser``):
总览 cold and warm, a change of D, a filter change, 板块 / 处室 / 任务 warm and 季度汇报, beside a bare
one-title Streamlit page; the server's peak RSS after every page.

Prints median, min and max with each ratio to its baseline, the targets (pass/fail, never enforced unless
``--strict``) and the growth curve; writes results.json and, for a full run into benchmarks/, the latest
table in benchmarks/README.md. Everything else happens in temporary folders: data/ is never written.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from scripts.bench import report
from scripts.bench.workbooks import (
    GROWTH_SIZES,
    PLAN_COUNT,
    PLAN_SHAPE,
    ROOT,
    SIZES,
    copy_into,
    default_cache_dir,
    plans_into,
    workbook_for,
)

BROWSER_SIZES = ("bundled", "medium", "large")  # the growth sizes are measured in process only
GROWTH_ONLY = ("10k", "30k", "300k")  # load, metrics and trend only: the points of the growth curve
# Several plans, in the browser only: (how many, the shape of each; None: copies of the bundled workbook).
PLAN_SIZES = {"plans": (PLAN_COUNT, PLAN_SHAPE), "plans-smoke": (3, None)}
DEFAULT_SIZES = "bundled,medium,large,10k,30k,300k,plans"
BENCHMARKS = ROOT / "benchmarks"


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class LoadAverage:
    """The 1-minute load average, sampled every 5 s while the run lasts: how busy the shared machine was."""

    def __init__(self) -> None:
        self.samples = [os.getloadavg()[0]]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(5):
            self.samples.append(os.getloadavg()[0])

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        self.samples.append(os.getloadavg()[0])
        return {"min": min(self.samples), "median": statistics.median(self.samples), "max": max(self.samples),
                "samples": len(self.samples)}


def in_process(workbook: Path, growth_only: bool) -> dict:
    """One repetition in a fresh interpreter; its JSON."""
    command = [sys.executable, "-m", "scripts.bench.inprocess", str(workbook)] + (["--growth-only"] if growth_only else [])
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_plans(size: str, args, browser, work: Path) -> dict:
    """全部方案 and switching plans on ``PLAN_SIZES[size]``, each repetition on a fresh server and fresh copies."""
    from scripts.bench import browser as web

    count, shape = PLAN_SIZES[size]
    found: dict = {"browser": [], "bare": [], "bare_rss_mb": [], "shape": {"plans": count, **(
        {"tasks": shape.tasks, "reports": shape.reports} if shape else {"bundled": True})}}
    for repetition in range(1, args.repeat + 1):
        began = time.perf_counter()
        folder = work / f"{size}-{repetition}"
        folder.mkdir()
        seconds, rss = web.bare_page(browser, folder)
        found["bare"].append(seconds)
        found["bare_rss_mb"].append(rss)
        workbook = plans_into(folder / "data", args.cache_dir, count, shape)
        found["browser"].append(web.plans_round(browser, workbook, folder, count))
        progress(f"[{size} {repetition}/{args.repeat}] browser: {time.perf_counter() - began:.0f} s")
    return found


def measure_size(size: str, workbook: Path, args, browser, work: Path) -> dict:
    if size in PLAN_SIZES:
        return measure_plans(size, args, browser, work)
    found: dict = {"inprocess": [], "browser": [], "bare": [], "bare_rss_mb": []}
    for repetition in range(1, args.repeat + 1):
        began = time.perf_counter()
        found["inprocess"].append(in_process(workbook, size in GROWTH_ONLY))
        progress(f"[{size} {repetition}/{args.repeat}] in process: {time.perf_counter() - began:.0f} s")
        if browser is None or size not in BROWSER_SIZES:
            continue
        from scripts.bench import browser as web

        began = time.perf_counter()
        folder = work / f"{size}-{repetition}"
        folder.mkdir()
        seconds, rss = web.bare_page(browser, folder)
        found["bare"].append(seconds)
        found["bare_rss_mb"].append(rss)
        found["browser"].append(web.board_round(browser, copy_into(workbook, folder / "data"), folder))
        progress(f"[{size} {repetition}/{args.repeat}] browser: {time.perf_counter() - began:.0f} s")
    found["shape"] = found["inprocess"][0]["shape"]
    return found


def run(args, sizes: list[str], work: Path) -> dict:
    measured: dict = {}
    workbooks = {}
    for size in sizes:
        if size in PLAN_SIZES:
            continue  # generated into each repetition's folder
        began = time.perf_counter()
        workbooks[size] = workbook_for(size, args.cache_dir)
        progress(f"[{size}] workbook {workbooks[size]} ({time.perf_counter() - began:.0f} s)")
    if args.no_browser or not set(sizes) & {*BROWSER_SIZES, *PLAN_SIZES}:
        for size in sizes:
            if size not in PLAN_SIZES:
                measured[size] = measure_size(size, workbooks[size], args, None, work)
        return measured
    from playwright.sync_api import sync_playwright

    from scripts.bench import browser as web

    with sync_playwright() as playwright:
        launched = web.launch(playwright)
        try:
            for size in sizes:
                measured[size] = measure_size(size, workbooks.get(size, Path()), args, launched, work)
        finally:
            launched.close()
    return measured


def parse_args(argv: list[str] | None):
    parser = argparse.ArgumentParser(prog="python -m scripts.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=DEFAULT_SIZES,
                        help=f"comma-separated, from {', '.join([*SIZES, *PLAN_SIZES])} (default: {DEFAULT_SIZES}); "
                             f"the browser part runs for {', '.join(BROWSER_SIZES)} and the plans sizes only")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions per size (default 3)")
    parser.add_argument("--no-browser", action="store_true", help="in-process steps only")
    parser.add_argument("--smoke", action="store_true",
                        help="quick check that the harness runs: bundled and 3 plans, repeat 1, every step in process "
                             "and in the browser; results go to a temporary folder unless --out is given")
    parser.add_argument("--out", type=Path, help="folder for results.json (default: benchmarks/)")
    parser.add_argument("--cache-dir", type=Path, default=default_cache_dir(),
                        help="generated workbooks, keyed by shape and seed (default: %(default)s)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.repeat = "bundled,plans-smoke", 1
    sizes = [size.strip() for size in args.sizes.split(",") if size.strip()]
    unknown = [size for size in sizes if size not in SIZES and size not in PLAN_SIZES]
    if unknown or args.repeat < 1:
        parser.error(f"unknown sizes {unknown}" if unknown else "--repeat must be at least 1")
    return args, sizes


def main(argv: list[str] | None = None) -> int:
    args, sizes = parse_args(argv)
    started = time.time()
    load = LoadAverage()
    with tempfile.TemporaryDirectory(prefix="kanban-bench-") as folder:
        measured = run(args, sizes, Path(folder))
        out = args.out or (Path(folder) / "out" if args.smoke else BENCHMARKS)
        load_average = load.stop()
        table = report.rows(measured)
        curve = report.growth(measured, GROWTH_SIZES)
        measured_sizes = [s for s in sizes if s not in PLAN_SIZES] or sizes
        target_size = "large" if "large" in measured else [
            s for s in measured_sizes if s not in GROWTH_ONLY or s == measured_sizes[-1]][-1]
        checks = report.targets(table, curve, target_size, "plans" if "plans" in measured else "plans-smoke")
        found_machine = report.machine()
        text = "\n\n".join(part for part in (
            report.table_text(table),
            f"growth (load+validate, large shape):\n{report.growth_text(curve)}" if len(curve) >= 2 else "",
            f"targets ({target_size}{', reported, not enforced' if not args.strict else ''}):\n"
            f"{report.targets_text(checks)}",
            f"machine: {report.machine_text(found_machine, load_average)}",
        ) if part)
        print(text)
        out.mkdir(parents=True, exist_ok=True)
        results = {"when": time.strftime("%Y-%m-%d %H:%M:%S %z", time.localtime(started)),
                   "wall_seconds": time.time() - started, "sizes_requested": sizes, "repeat": args.repeat,
                   "browser": not args.no_browser, "smoke": args.smoke, "machine": found_machine,
                   "load_average": load_average, "table": table, "growth": curve, "targets": checks,
                   "raw": measured}
        (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        if out.resolve() == BENCHMARKS.resolve() and not args.smoke:
            report.update_readme(BENCHMARKS / "README.md", f"Run of {results['when']}, "
                                 f"`--sizes {','.join(sizes)} --repeat {args.repeat}"
                                 f"{' --no-browser' if args.no_browser else ''}`, {results['wall_seconds'] / 60:.0f} min:"
                                 f"\n\n```\n{text}\n```")
        kept = "" if args.out or not args.smoke else ", in a temporary folder now removed (--out DIR keeps it)"
        progress(f"results: {out / 'results.json'}{kept} ({time.time() - started:.0f} s)")
    if args.strict and not all(check["pass"] for check in checks):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
