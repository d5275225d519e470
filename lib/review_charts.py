"""Projector-scale plotly figures of the review slides (``lib.review.Chart``).

The board's colours come from ``lib.charts``; only the type sizes differ: a
room several metres away needs chart text of 20 px and more.
"""

from __future__ import annotations

import plotly.graph_objects as go

from lib import charts
from lib.review import Chart, Series

CHART_HEIGHT = 430  # px; fits under the title and controls at 1024×768 as well as 1920×1080
CHART_HEIGHT_UNDER_KPIS = 350  # px, when a row of KPI cards sits above the chart
TICK_SIZE = 22  # px, axis labels and legend
VALUE_SIZE = 24  # px, the printed values
TEXT_COLOR = "#111111"
# Last period paler than this period's progress blue (opaque: a washed-out projector
# loses transparency); the reporting rate in the board's green.
PREVIOUS_COLOR = "#8DB6DB"  # charts.BLUE, lightened
ROLE_COLORS = {"previous": PREVIOUS_COLOR, "current": charts.PROGRESS_COLOR, "rate": charts.RATE_COLOR,
               "count": charts.PROGRESS_COLOR}
GRID_COLOR = "#D0D0D0"  # darker than the board's: a projector washes light grey out


def series_colors(chart: Chart, series: Series) -> list[str]:
    """One hex colour per category: the light's colour on the lights chart, else the series' role colour."""
    if chart.point_lights:
        return [charts.LIGHT_COLORS[light] for light in chart.point_lights]
    return [ROLE_COLORS.get(series.role, charts.PROGRESS_COLOR)] * len(chart.categories)


def _value_text(value: float, unit: str) -> str:
    return f"{value:.0f} {unit}" if unit == "项" else f"{value:.1f}%"


def value_texts(chart: Chart, series: Series) -> list[str]:
    """The printed value of each category, in category order: the series' own label (``无应报``) where it has one."""
    labels = series.labels or ("",) * len(series.values)
    return [label or _value_text(value, chart.unit) for value, label in zip(series.values, labels)]


def figure(chart: Chart, under_kpis: bool = False) -> go.Figure:
    """The slide's bar chart with every value printed beside its bar."""
    fig = go.Figure()
    top = max([max(s.values, default=0) for s in chart.series] + [1])
    for series in chart.series:
        categories, values, color = charts.plain_all(chart.categories), list(series.values), series_colors(chart, series)
        texts = value_texts(chart, series)
        if chart.horizontal:
            # Plotly draws the first category at the bottom; a slide reads from the top.
            categories, values, color, texts = categories[::-1], values[::-1], color[::-1], texts[::-1]
        fig.add_bar(
            name=charts.plain(series.name),
            x=values if chart.horizontal else categories,
            y=categories if chart.horizontal else values,
            orientation="h" if chart.horizontal else "v",
            marker_color=color,
            text=texts,
            textposition="outside", cliponaxis=False, constraintext="none",  # never shrink the printed values
            textfont={"size": VALUE_SIZE, "color": TEXT_COLOR},
            hovertemplate="%{y}：%{x}<extra></extra>" if chart.horizontal else "%{x}：%{y}<extra></extra>",
        )
    value_axis = {"range": [0, 125] if chart.unit == "%" else [0, top * 1.3], "tickfont": {"size": TICK_SIZE},
                  "gridcolor": GRID_COLOR, "ticksuffix": "%" if chart.unit == "%" else ""}
    if chart.unit == "%":
        value_axis["tickvals"] = [0, 25, 50, 75, 100]
    category_axis = {"tickfont": {"size": TICK_SIZE, "color": TEXT_COLOR}, "automargin": True}
    if chart.horizontal:
        fig.update_xaxes(**value_axis)
        fig.update_yaxes(**category_axis)
    else:
        fig.update_yaxes(**value_axis)
        fig.update_xaxes(**category_axis)
    fig.update_layout(
        height=CHART_HEIGHT_UNDER_KPIS if under_kpis else CHART_HEIGHT,
        barmode="group",
        bargap=0.25,
        font={"family": charts.FONT_FAMILY, "size": TICK_SIZE, "color": TEXT_COLOR},
        margin={"l": 10, "r": 20, "t": 50 if len(chart.series) > 1 else 10, "b": 10},
        showlegend=len(chart.series) > 1,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "font": {"size": TICK_SIZE},
                "traceorder": "normal"},
        plot_bgcolor="white",
        paper_bgcolor="white",
        hoverlabel={"font": {"family": charts.FONT_FAMILY, "size": TICK_SIZE}},
    )
    return fig
