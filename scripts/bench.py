"""Benchmarks, printed as ratios against baselines measured in the same run.

Machines here are noisy, so absolute seconds mean little; each figure is
"ours ÷ baseline" on the same data in the same process:

- read: our calamine reader (lib.workbook.read_raw) vs pandas.read_excel with openpyxl;
- validate: lib.validate.parse vs the raw read it follows (how much checking adds);
- metrics: lib.metrics.compute vs a plain Python loop over the updates (the naive way).

Run: ``make bench`` or ``python -m scripts.bench --updates 50000``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
from pathlib import Path

import openpyxl
import pandas as pd

from lib import metrics, schema, validate
from lib.workbook import read_raw

UNITS = [f"第{i}处" for i in range(1, 9)]


def synthetic_workbook(path: Path, tasks: int, updates: int, seed: int = 7) -> None:
    """A large workbook in the contract's layout, written row by row (write-only mode)."""
    rng = random.Random(seed)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(schema.SHEET_UNITS)
    sheet.append([c.header for c in schema.UNIT_COLUMNS])
    for unit in UNITS:
        sheet.append([unit, "", schema.ALL_DIVISIONS_GROUP])
    sheet = workbook.create_sheet(schema.SHEET_TASKS)
    sheet.append([c.header for c in schema.TASK_COLUMNS])
    responsible = {}
    for task in range(1, tasks + 1):
        units = rng.sample(UNITS, 2)
        responsible[str(task)] = units
        sheet.append([str(task), f"{'一二三四五六'[task % 6]}、板块", f"任务{task}", "、".join(units), "", None,
                      "2026年12月31日", ""])
    sheet = workbook.create_sheet(schema.SHEET_UPDATES)
    sheet.append([c.header for c in schema.UPDATE_COLUMNS])
    start = dt.date(2025, 9, 1)
    for _ in range(updates):
        task = str(rng.randint(1, tasks))
        sheet.append([start + dt.timedelta(days=rng.randint(0, 440)), task, rng.choice(responsible[task]),
                      rng.randint(0, 100), "推进中", "进展", "", "", "bench"])
    workbook.save(path)


def best_of(function, repeat: int = 3) -> float:
    """The fastest of ``repeat`` runs, in seconds (the least disturbed by noise)."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        function()
        times.append(time.perf_counter() - began)
    return min(times)


def naive_task_progress(book, day: dt.date) -> dict[str, float]:
    """The baseline: latest update per assignment found by a Python loop over rows."""
    latest: dict[tuple[str, str], tuple] = {}
    cutoff = pd.Timestamp(day)
    for row in book.updates.itertuples(index=False):
        if row.date <= cutoff:
            key = (row.task_id, row.unit)
            if key not in latest or (row.date, row.row) >= latest[key][:2]:
                latest[key] = (row.date, row.row, row.progress)
    sums: dict[str, list[float]] = {}
    for assignment in book.assignments.itertuples(index=False):
        value = latest.get((assignment.task_id, assignment.unit), (None, None, 0.0))[2]
        sums.setdefault(assignment.task_id, []).append(value)
    return {task: statistics.fmean(values) for task, values in sums.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=300)
    parser.add_argument("--updates", type=int, default=30000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.xlsx"
        synthetic_workbook(path, args.tasks, args.updates)
        print(f"workbook: {args.tasks} tasks, {args.updates} updates, {path.stat().st_size / 1e6:.1f} MB")

        ours_read = best_of(lambda: read_raw(path))
        baseline_read = best_of(lambda: pd.read_excel(path, sheet_name=None, engine="openpyxl"), repeat=1)
        raw = read_raw(path)
        parse_time = best_of(lambda: validate.parse(raw, today=dt.date(2026, 11, 25)))
        book = validate.parse(raw, today=dt.date(2026, 11, 25)).book
        day = dt.date(2026, 9, 30)
        ours_metrics = best_of(lambda: metrics.compute(book, day))
        baseline_metrics = best_of(lambda: naive_task_progress(book, day))
        ours = metrics.compute(book, day).tasks.set_index("task_id")["progress"]
        naive = pd.Series(naive_task_progress(book, day))
        assert (ours.reindex(naive.index) - naive).abs().max() < 1e-9, "compute disagrees with the baseline"

    print(f"read     calamine reader ÷ pandas+openpyxl : {ours_read / baseline_read:6.2f}  (lower is better)")
    print(f"validate parse ÷ raw read                  : {parse_time / ours_read:6.2f}")
    print(f"metrics  compute (all metrics) ÷ naive loop (task progress only): {ours_metrics / baseline_metrics:6.2f}")


if __name__ == "__main__":
    main()
