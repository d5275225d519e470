"""One AppTest run of the whole app on the bundled workbook."""

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import metrics, validate

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv("KANBAN_TODAY", "2026-09-30")
    monkeypatch.setenv("KANBAN_WORKBOOK", "data/tasks.xlsx")


def test_app_runs_and_shows_overall_progress():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    expected = metrics.compute(validate.load("data/tasks.xlsx").book, dt.date(2026, 9, 30)).overall["progress"]
    overall = [m for m in at.metric if m.label == "总体进度"]
    assert overall and overall[0].value == f"{expected:.1f}%"
    assert any("示例数据" in i.value for i in at.info)
