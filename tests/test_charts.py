"""lib.charts: one colour scheme, labelled lights, fixed 0–100 progress axes, CJK font, blanks in the heatmap."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from lib import charts, metrics, schema
from tests.test_pages_board import _frames


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    from lib.validate import load
    from lib.workbook import write_workbook

    path = tmp_path_factory.mktemp("charts") / "tasks.xlsx"
    write_workbook(path, *_frames())
    book = load(path, today=dt.date(2026, 6, 15)).book
    return book, metrics.compute(book, dt.date(2026, 5, 31))


def all_figures(book, snap):
    return [
        charts.section_bars(snap.sections),
        charts.unit_bars(snap.units),
        charts.light_bars(snap.overall["lights"]),
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
    assert len(set(charts.LIGHT_COLORS.values())) == len(schema.LIGHTS)
    assert set(charts.LIGHT_COLORS) == set(schema.LIGHTS)
    bar = charts.light_bars(snap.overall["lights"]).data[0]
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
