"""pages/review.py under AppTest: every slide renders, with the metrics' numbers, and paging works."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import metrics, review, validate
from tests.builders import write_known

ROOT = Path(__file__).resolve().parents[1]


def _app(monkeypatch, workbook: Path, slide: int | None = None) -> AppTest:
    monkeypatch.setenv("KANBAN_WORKBOOK", str(workbook))
    monkeypatch.setenv("KANBAN_TODAY", "2026-11-20")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("pages/review.py")
    if slide is not None:
        at.query_params["slide"] = str(slide)
    return at.run()


def _slide_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown if 'class="rv-slide' in m.value)


def _chart_values(at: AppTest) -> list[list[float]]:
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return [trace["x"][::-1] if trace.get("orientation") == "h" else trace["y"] for trace in spec["data"]]


def test_every_bundled_slide_renders_with_its_numbers(monkeypatch):
    book = validate.load(ROOT / "data" / "tasks.xlsx").book
    built = review.build_review(book, review.default_period(book, review.dt.date(2026, 11, 20)))
    snapshot = metrics.compute(book, built.as_of)
    for number, slide in enumerate(built.slides, start=1):
        at = _app(monkeypatch, ROOT / "data" / "tasks.xlsx", number)
        assert not at.exception, at.exception
        text = _slide_text(at)
        assert "数据截至 2026年9月30日" in text and f"{number} / {len(built.slides)}" in text
        assert (len(at.get("plotly_chart")) == 1) == (slide.chart is not None)
        if slide.kind == review.SECTIONS:
            assert _chart_values(at)[1] == [round(v, 1) for v in snapshot.sections["progress"]]
        if slide.kind == review.COVER:
            assert f"{snapshot.overall.progress:.1f}%" in text


def test_known_workbook_numbers_and_paging(monkeypatch, tmp_path):
    at = _app(monkeypatch, write_known(tmp_path / "data" / "tasks.xlsx"))
    assert not at.exception
    assert "63.3%" in _slide_text(at) and "1 / 9" in _slide_text(at)  # (40 + 50 + 100) / 3
    at.button(key="rv_next").click().run()
    assert at.query_params["slide"] == ["2"] or at.query_params["slide"] == "2"
    assert "50.0%" in _slide_text(at)  # 本期报送率 2 / 4
    at.button(key="rv_next").click().run()
    assert _chart_values(at) == [[40.0, 0.0], [45.0, 100.0]]  # sections: previous, current
    at.button(key="rv_next").click().run()
    assert _chart_values(at) == [[80.0, 35.0], [100.0, 0.0]]  # units: progress, rate
    at.button(key="rv_prev").click().run().button(key="rv_prev").click().run().button(key="rv_prev").click().run()
    at.button(key="rv_prev").click().run()
    assert "9 / 9" in _slide_text(at)  # wraps from the first slide to the last
    assert "&lt;b&gt;加快" in _slide_text(at)  # workbook text escaped, not markup
    at.selectbox(key="rv_pick").set_value(5).run()
    assert "重点关注" in _slide_text(at) and "红灯" in _slide_text(at)


@pytest.mark.parametrize(("given", "shown"), [("0", "1 / 9"), ("99", "9 / 9"), ("abc", "1 / 9")])
def test_a_bad_slide_in_the_url_falls_back_to_a_real_slide(monkeypatch, tmp_path, given, shown):
    monkeypatch.setenv("KANBAN_WORKBOOK", str(write_known(tmp_path / "data" / "tasks.xlsx")))
    monkeypatch.setenv("KANBAN_TODAY", "2026-11-20")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("pages/review.py")
    at.query_params["slide"] = given
    at.run()
    assert not at.exception
    assert shown in _slide_text(at)
