"""The bundled workbook: the real plan, plainly marked example updates, rebuilt identically."""

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pandas as pd

from lib import validate

ROOT = Path(__file__).resolve().parents[1]


def test_bundled_workbook_is_valid_and_marked_as_example():
    result = validate.load(ROOT / "data" / "tasks.xlsx", today=dt.date(2026, 11, 25))
    assert result.ok and result.problems == [], [p.as_text() for p in result.problems]
    book = result.book
    assert book.plan.sample and len(book.tasks) == 16 and len(book.sections) == 6
    updates = book.updates
    assert set(updates["reporter"]) == {"示例"}
    assert updates["date"].min() >= pd.Timestamp("2025-07-01")
    assert updates["date"].max() <= pd.Timestamp("2026-11-15")
    quarters = set(updates["date"].dt.to_period("Q").astype(str))
    assert {"2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3", "2026Q4"} <= quarters
    # Varied: some tasks done, some units behind, some not reporting this quarter.
    assert (updates["progress"] == 100).any() and (updates["status"] == "滞后").any()


def test_rebuild_gives_the_same_workbook(tmp_path):
    output = tmp_path / "rebuilt.xlsx"
    subprocess.run([sys.executable, "scripts/build_sample.py", "-o", str(output)], cwd=ROOT, check=True,
                   capture_output=True)
    bundled = validate.load(ROOT / "data" / "tasks.xlsx").book
    rebuilt = validate.load(output).book
    for name in ("tasks", "units", "updates"):
        pd.testing.assert_frame_equal(getattr(bundled, name), getattr(rebuilt, name))
    assert bundled.plan == rebuilt.plan
