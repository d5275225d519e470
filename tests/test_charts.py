"""lib.charts: one colour scheme, labelled lights, fixed 0–100 progress axes, CJK font, blanks in the heatmap."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from lib import charts, metrics, palette, schema


@pytest.fixture(scope="module")
def snapshot(board_book):
    return board_book, metrics.compute(board_book, dt.date(2026, 5, 31))


def all_figures(book, snap):
    return [
        charts.section_bars(snap.sections),
        charts.unit_bars(snap.units),
        charts.light_bars(snap.overall.lights),
        charts.trend_lines(metrics.trend(book, snap.as_of)),
        charts.heatmap(snap.assignments, snap.tasks, snap.units),
        charts.task_bars(snap.tasks),
    ]


def test_every_figure_uses_the_cjk_font_and_automargins(snapshot):
    for figure in all_figures(*snapshot):
        assert figure.layout.font.family.split(",")[0] == "Noto Sans CJK SC"
        assert figure.layout.yaxis.automargin is True  # long labels push the margin, never get cut


def test_lights_have_distinct_colours_and_text_labels(snapshot):
    _book, snap = snapshot
    assert len(set(palette.LIGHT_COLORS.values())) == len(schema.LIGHTS)
    assert set(palette.LIGHT_COLORS) == set(schema.LIGHTS)
    bar = charts.light_bars(snap.overall.lights).data[0]
    assert list(bar.y) == ["已完成", "绿灯", "蓝灯", "黄灯", "红灯"]
    assert list(bar.x) == [0, 1, 0, 0, 1]  # task 1 green, task 2 red (hand-computed in test_pages_board)
    assert list(bar.marker.color) == ["#999999", "#009E73", "#56B4E9", "#E69F00", "#D55E00"]
    assert all(text.startswith(name) for text, name in zip(bar.text, bar.y))  # never colour alone


def test_progress_axes_are_fixed_from_0_to_100(snapshot):
    book, snap = snapshot
    trend = charts.trend_lines(metrics.trend(book, snap.as_of))
    assert list(trend.layout.yaxis.range) == [0, 100]
    sections = charts.section_bars(snap.sections)
    assert sections.layout.xaxis.range[0] == 0 and max(sections.layout.xaxis.tickvals) == 100
    heat = charts.heatmap(snap.assignments, snap.tasks, snap.units).data[0]
    assert (heat.zmin, heat.zmax) == (0, 100)


def test_section_bars_show_value_and_change_with_full_heading_in_hover(snapshot):
    _book, snap = snapshot
    ghost, current = charts.section_bars(snap.sections).data
    assert list(current.y) == ["二、第二板块", "一、测试板块"]
    assert list(current.text) == ["50.0%（较上期 +50.0）", "40.0%（较上期 +10.0）"]
    assert list(ghost.x) == [0.0, 30.0]
    assert current.customdata[1][0] == "一、测试板块，建立机制"  # the full heading, for the hover


def test_heatmap_blank_where_not_responsible_and_lead_marked(snapshot):
    _book, snap = snapshot
    heat = charts.heatmap(snap.assignments, snap.tasks, snap.units).data[0]
    assert heat.z[0].tolist() == [60.0, 20.0]
    assert math.isnan(heat.z[1][0]) and heat.z[1][1] == 50.0
    assert [list(row) for row in heat.text] == [["★60", "20"], ["", "★50"]]


def test_unit_bars_without_required_reports_say_so():
    units = pd.DataFrame({
        "unit": ["甲处"], "label": ["甲"], "progress": [100.0], "lead": [1], "cooperate": [0],
        "assignments": [1], "done": [1], "reported": [0], "required": [0], "rate": [float("nan")],
    })
    progress, rate = charts.unit_bars(units).data
    assert list(progress.y) == ["甲（牵头1·配合0）"]
    assert list(rate.text) == ["无应报"] and list(rate.x) == [0]


def test_unit_lines_mark_the_lead_and_draw_expected():
    points = pd.DataFrame({"period": ["Q1", "Q2"] * 2, "unit": ["甲处", "甲处", "乙处", "乙处"],
                           "is_lead": [True, True, False, False], "progress": [10.0, 20.0, 0.0, 5.0]})
    expected = pd.DataFrame({"period": ["Q1", "Q2"], "expected": [50.0, 100.0]})
    figure = charts.unit_lines(points, expected)
    assert [t.name for t in figure.data] == ["★甲处", "乙处", "序时进度"]
    assert list(figure.data[2].y) == [50.0, 100.0]
    assert list(figure.layout.yaxis.range) == [0, 100]


def test_heatmap_keeps_lead_marks_when_every_cell_is_filled(snapshot):
    """Without blanks the pivot is numpy bool, not Python bool: ★ must still mark the lead."""
    book, snap = snapshot
    only_jia = metrics.compute(metrics.filter_book(book, units=["甲处"]), snap.as_of)
    cells = charts.heatmap(only_jia.assignments, only_jia.tasks, only_jia.units).data[0]
    assert [list(row) for row in cells.text] == [["★60"]]  # task 1, 甲处 leads at 60


EVIL = "<b>粗</b><a href='http://evil.example'>链</a>&amp;"
ESCAPED = "&lt;b&gt;粗&lt;/b&gt;&lt;a href='http://evil.example'&gt;链&lt;/a&gt;&amp;amp;"


def test_workbook_text_reaches_plotly_as_text_never_markup(snapshot):
    """Plotly reads <b>, <a href> and entities in labels, names, customdata and hovers: one helper escapes them."""
    import json

    from lib import charts, review

    book, snap = snapshot
    sections = snap.sections.assign(section=EVIL + "，全称", label=EVIL)
    units = snap.units.assign(unit=[EVIL + "甲", EVIL + "乙"], label=[EVIL + "甲", EVIL + "乙"])
    tasks = snap.tasks.assign(content=EVIL)
    assignments = snap.assignments.assign(unit=snap.assignments["unit"].map({"甲处": EVIL + "甲", "乙处": EVIL + "乙"}))
    trend = metrics.trend(book, snap.as_of).assign(label=EVIL, scope=EVIL)
    lines = assignments.assign(period="2026年第二季度")
    figures = [
        charts.section_bars(sections), charts.unit_bars(units), charts.trend_lines(trend, title=EVIL),
        charts.heatmap(assignments, tasks, units), charts.unit_lines(lines, title=EVIL),
        charts.task_bars(tasks, title=EVIL),
        charts.review_figure(review.Chart((EVIL,), (review.Series(EVIL, (50.0,)),))),
    ]
    for figure in figures:
        spec = json.loads(figure.to_json())
        text = json.dumps(spec, ensure_ascii=False)
        assert "<b>粗" not in text and "<a href" not in text, text[:300]
        assert ESCAPED in text  # the text itself survives, shown literally
    unit_lines = figures[4]
    assert all(EVIL not in trace.hovertemplate for trace in unit_lines.data)  # a unit's name is data, not template


def test_section_heatmap_averages_each_units_assignments_per_section(snapshot):
    _book, snap = snapshot
    heat = charts.section_heatmap(snap.assignments, snap.tasks, snap.units).data[0]
    # 一、 task 1: 甲处 60, 乙处 20; 二、 task 2: 乙处 50 alone (甲处 has nothing there: blank)
    assert list(heat.y) == ["一、测试板块", "二、第二板块"]  # short labels, as the section bars
    assert heat.z[0].tolist() == [60.0, 20.0]
    assert math.isnan(heat.z[1][0]) and heat.z[1][1] == 50.0
    assert heat.customdata[1] == ["", "1"]  # one task behind each average
    assert (heat.zmin, heat.zmax) == (0, 100)


def test_the_heatmap_note_names_the_task_limit():
    note = dict(metrics.METRIC_NOTES)["板块 × 处室"]
    assert f"任务超过 {charts.HEATMAP_MAX_TASKS} 项" in note


def test_on_a_phone_the_unit_panels_stack_and_bars_carry_the_value_alone(snapshot):
    _book, snap = snapshot
    progress, rate = charts.unit_bars(snap.units, narrow=True).data
    assert (progress.xaxis, progress.yaxis, rate.xaxis, rate.yaxis) == ("x", "y", "x2", "y2")
    wide_progress, wide_rate = charts.unit_bars(snap.units).data
    assert wide_rate.yaxis == "y2" and wide_rate.xaxis == "x2"
    assert charts.unit_bars(snap.units, narrow=True).layout.yaxis2.domain[1] < charts.unit_bars(
        snap.units, narrow=True).layout.yaxis.domain[0]  # one above the other, not side by side
    assert "牵头" not in "".join(progress.y) and "牵头" in "".join(wide_progress.y)
    _ghost, current = charts.section_bars(snap.sections, narrow=True).data
    assert list(current.text) == ["50.0%", "40.0%"]  # the change moves to the hover
    assert current.customdata[1][2] == "+10.0"


def test_for_phone_moves_a_long_legend_under_the_plot(snapshot):
    book, snap = snapshot
    figure = charts.for_phone(charts.trend_lines(metrics.trend(book, snap.as_of)))
    assert figure.layout.legend.yref == "container" and figure.layout.legend.y == 0
    assert figure.layout.font.size == 12
