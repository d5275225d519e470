"""lib.review: the slide records, their numbers and their pagination."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from lib import metrics, review, review_view, schema, validate
from tests.builders import KNOWN_PERIOD, write_known

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def known_book(tmp_path_factory):
    result = validate.load(write_known(tmp_path_factory.mktemp("known") / "tasks.xlsx"))
    assert result.ok, result.problems
    return result.book


@pytest.fixture(scope="module")
def bundled_book():
    return validate.load(ROOT / "data" / "tasks.xlsx").book


def _slide(built: review.Review, kind: str) -> review.Slide:
    return next(s for s in built.slides if s.kind == kind)


def test_known_workbook_slides_carry_the_hand_computed_numbers(known_book):
    built = review.build_review(known_book, review.period_from_code(KNOWN_PERIOD, known_book))
    assert [s.kind for s in built.slides] == list(review.KINDS)
    assert built.as_of == dt.date(2026, 9, 30)
    cover = _slide(built, review.COVER)
    assert cover.big_number == "63.3%"  # (40 + 50 + 100) / 3
    assert cover.big_note == "总体进度，较上期提高 36.7 个百分点"  # 63.3 − 26.7
    overview = _slide(built, review.OVERVIEW)
    assert overview.kpis[0].note == "较上期提高 36.7 个百分点"
    assert [k.value for k in overview.kpis] == ["63.3%", "3 项", "50.0%", "1 / 0"]  # 2 of 4 reported
    assert overview.chart.series[0].values == (1.0, 0.0, 0.0, 1.0, 1.0)  # 红 黄 蓝 绿 已完成
    sections = _slide(built, review.SECTIONS).chart
    assert [s.name for s in sections.series] == ["上期末（2026年6月30日）", "本期末（2026年9月30日）"]
    assert sections.categories == ("一、联络机制", "二、资源共享")
    assert [s.values for s in sections.series] == [(40.0, 0.0), (45.0, 100.0)]  # previous, current
    units = _slide(built, review.UNITS).chart
    assert units.categories == ("甲", "乙")
    assert [s.values for s in units.series] == [(80.0, 35.0), (100.0, 0.0)]  # progress, rate
    focus = _slide(built, review.FOCUS)
    assert [i.light for i in focus.items] == [schema.LIGHT_RED]
    assert focus.items[0].lines == (("责任处室", "甲、乙"), ("存在问题", "甲：=SUM(A1)"))  # detail.task_problems, short labels
    reporting = _slide(built, review.REPORTING)
    assert reporting.note == "2026年第三季度（2026年7月1日至2026年9月30日）未报送的处室与任务"
    assert [i.heading for i in reporting.items] == ["乙：2 项未报送"]
    assert reporting.items[0].lines == (("任务编号", "1、2"),)
    plans = _slide(built, review.PLANS)
    assert [(i.heading, i.lines) for i in plans.items] == [("一、联络机制", (("甲 2026年8月10日", "<b>加快</b>推进"),))]


def test_bundled_review_matches_the_summary_numbers(bundled_book):
    period = review.period_from_code("2026Q3", bundled_book)
    built = review.build_review(bundled_book, period)
    summary = metrics.summary_json(metrics.compute(bundled_book, period.end))
    assert _slide(built, review.COVER).big_number == f"{summary['overall']['progress']:.1f}%"
    chart = _slide(built, review.SECTIONS).chart
    assert list(chart.series[1].values) == [round(s["progress"], 1) for s in summary["sections"]]
    red_yellow = [t["id"] for t in summary["tasks"] if t["light"] in ("红", "黄")]
    focus = [s for s in built.slides if s.kind == review.FOCUS]
    shown = [i.heading.split(" ")[0] for s in focus for i in s.items]
    assert sorted(shown) == sorted(red_yellow)  # 9 tasks, none lost between slides
    assert len(focus) > 1 and [s.heading for s in focus][0] == f"重点关注（1/{len(focus)}）"
    assert all(sum(i.line_count() for i in s.items) <= review.LINES_PER_SLIDE for s in focus)


@pytest.mark.parametrize(("change", "words"), [
    (-3.04, "较上期下降 3.0 个百分点"), (0.0, "与上期持平"), (-0.04, "与上期持平"), (2.5, "较上期提高 2.5 个百分点"),
])
def test_the_slides_say_a_drop_is_a_drop(known_book, monkeypatch, change, words):
    """The cover and the 总体情况 card state the change in words: 下降 / 持平 / 提高, never a bare sign."""
    period = review.period_from_code(KNOWN_PERIOD, known_book)
    snapshot = metrics.compute(known_book, period.end)
    changed = dataclasses.replace(snapshot, overall=dataclasses.replace(snapshot.overall, change=change))
    monkeypatch.setattr(review, "compute", lambda *_, **__: changed)
    built = review.build_review(known_book, period)
    assert _slide(built, review.COVER).big_note == f"总体进度，{words}"
    assert _slide(built, review.OVERVIEW).kpis[0].note == words


def test_paginate_keeps_order_never_splits_an_item_and_respects_the_budget():
    items = [review.Item(f"事项{i}", (("说明", "字" * (i * 20)),)) for i in range(12)]
    pages = review.paginate(items, budget=6)
    assert [i for page in pages for i in page] == items
    for page in pages:
        assert sum(i.line_count() for i in page) <= 6 or len(page) == 1
    assert review.paginate([]) == [[]]


def test_default_period_is_the_last_complete_quarter(bundled_book):
    assert review.default_period(bundled_book, dt.date(2026, 11, 20)).code == "2026Q3"
    assert review.default_period(bundled_book, dt.date(2026, 10, 1)).code == "2026Q3"
    codes = [p.code for p in review.review_periods(bundled_book, dt.date(2026, 11, 20))]
    assert codes[0] == "2026Q3" and "2026Q4" not in codes and codes[-1] == "2025Q3"
    with pytest.raises(ValueError, match="2026Q3"):
        review.period_from_code("下季度", bundled_book)


def test_auto_interval_prefers_the_url_then_the_environment():
    assert review.auto_interval("5", "0.5", 20) == 5
    assert review.auto_interval(None, "0.5", 20) == 0.5
    assert review.auto_interval("abc", None, 20) == 20
    assert review.auto_interval("0.1", None, 20) == 20  # too fast to read


def test_slide_html_escapes_workbook_text(known_book):
    built = review.build_review(known_book, review.period_from_code(KNOWN_PERIOD, known_book))
    html = review_view.slide_html(_slide(built, review.PLANS), "7 / 7")
    assert "&lt;b&gt;加快&lt;/b&gt;推进" in html and "<b>加快" not in html
    assert "数据截至 2026年9月30日" in html and "7 / 7" in html
    focus = review_view.slide_html(_slide(built, review.FOCUS))
    assert 'class="rv-light rv-light-0">红灯</span>' in focus  # colour and its label


def test_a_unit_with_nothing_due_shows_no_rate_not_zero(tmp_path):
    """丙处's one task was done in Q2, so nothing is due in Q3: 无应报, as on the board, never 0.0%."""
    import io

    import pandas as pd
    from pptx import Presentation

    from lib import charts
    from lib.exports import pptx
    from lib.workbook import write_workbook
    from tests.builders import REVIEW_PLAN, REVIEW_TASKS, REVIEW_UNITS, REVIEW_UPDATES

    units = pd.concat([REVIEW_UNITS, pd.DataFrame({"unit": ["丙处"], "short": ["丙"], "groups": [""]})], ignore_index=True)
    tasks = pd.concat([REVIEW_TASKS, REVIEW_TASKS.iloc[[2]].assign(task_id="4", units_text="丙处")], ignore_index=True)
    updates = pd.concat([REVIEW_UPDATES, REVIEW_UPDATES.iloc[[4]].assign(date=dt.date(2026, 5, 1), task_id="4", unit="丙处")],
                        ignore_index=True)
    path = tmp_path / "tasks.xlsx"
    write_workbook(path, REVIEW_PLAN, units, tasks, updates)
    book = validate.load(path).book
    built = review.build_review(book, review.period_from_code(KNOWN_PERIOD, book))
    chart = _slide(built, review.UNITS).chart
    assert chart.categories == ("甲", "乙", "丙")
    rate = chart.series[1]
    assert rate.values == (100.0, 0.0, 0.0) and rate.labels == ("", "", metrics.NO_RATE)
    assert charts.review_value_texts(chart, rate) == ["100.0%", "0.0%", "无应报"]  # 乙 0 of 2 is a true 0%
    bars = charts.review_figure(chart).data[1]
    assert list(bars.text) == ["无应报", "0.0%", "100.0%"]  # horizontal: drawn bottom-up
    presentation = Presentation(io.BytesIO(pptx.pptx_bytes(built)))
    plot = next(shape.chart for s in presentation.slides for shape in s.shapes
                if shape.has_chart and len(shape.chart.plots[0].categories) == 3).plots[0]
    assert plot.series[1].points[2].data_label.text_frame.text == "无应报"


def test_slide_html_keeps_workbook_text_in_one_html_block():
    """A blank line in a cell would end st.markdown's HTML block and hand the rest to Markdown."""
    slide = review.Slide(review.FOCUS, "重点关注", dt.date(2026, 9, 30), note="第一行\n\n**粗** [链](http://x)",
                         items=[review.Item("1 任务\r\n\r\n<b>粗</b>", (("存在问题", "甲\n\n\n    代码块"),), "红")])
    html = review_view.slide_html(slide, "1 / 1")
    assert "\n" not in html and "\r" not in html
    assert "第一行 **粗** [链](http://x)" in html  # one line inside a <div>: Markdown is not parsed there
    assert "1 任务 &lt;b&gt;粗&lt;/b&gt;" in html and "<b>" not in html
    assert "甲 代码块" in html
    cover = review.Slide(review.COVER, "方案\n\n# 标题", dt.date(2026, 9, 30), note="文号\n\n- 列表")
    assert "\n" not in review_view.slide_html(cover)
