"""Every plotly figure of the app (the board and the review slides), in one colour scheme.

Functions take frames from ``lib.metrics`` / ``lib.detail`` and return a
``plotly.graph_objects.Figure``; pages only place them. Lights always carry a
text label, never colour alone; the palette is Okabe–Ito, which reads for
colour-blind viewers; progress axes are fixed to 0–100 so charts compare.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lib import schema
from lib.escape import for_plotly
from lib.metrics import NO_RATE, section_label
from lib.palette import (
    EXPECTED_COLOR,
    GHOST_COLOR,
    GRID_COLOR,
    LIGHT_COLORS,
    LINE_COLORS,
    PROGRESS_COLOR,
    PROGRESS_SCALE,
    RATE_COLOR,
    REVIEW_GRID_COLOR,
    REVIEW_ROLE_COLORS,
    REVIEW_TEXT_COLOR,
)

if TYPE_CHECKING:
    from lib.review import Chart, Series

FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
LINE_DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
PROGRESS_RANGE = [0, 100]
TICKS = [0, 20, 40, 60, 80, 100]
TICK_TEXT = [f"{tick}%" for tick in TICKS]  # ticksuffix is ignored when tickvals are given


def plotly_texts(texts: Iterable) -> list[str]:
    """``for_plotly`` of every item: for axis categories, trace names and customdata columns."""
    return [for_plotly(text) for text in texts]


def plotly_rows(frame: pd.DataFrame) -> list[list[str]]:
    """A frame's cells as ``for_plotly`` text rows, for ``customdata``."""
    return [plotly_texts(row) for row in frame.itertuples(index=False)]


def _layout(figure: go.Figure, height: int, **extra) -> go.Figure:
    settings = {
        "font": {"family": FONT_FAMILY, "size": 14},
        "height": height,
        "margin": {"l": 10, "r": 30, "t": 90, "b": 10},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0},
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
    }
    if isinstance(extra.get("title"), str):
        extra["title"] = {"text": extra["title"], "x": 0, "xanchor": "left", "y": 0.99, "yanchor": "top",
                          "pad": {"l": 8}}
    figure.update_layout(**(settings | extra))
    figure.update_yaxes(automargin=True)
    figure.update_xaxes(automargin=True)
    return figure


def for_phone(figure: go.Figure) -> go.Figure:
    """``figure`` sized for a 390-pixel-wide phone: smaller text and margins, legend entries in smaller type."""
    figure.update_layout(font={"size": 12}, margin={"l": 4, "r": 8}, legend={"font": {"size": 11}})
    figure.update_xaxes(title_standoff=6)  # a little air between the tick labels and the axis title
    entries = sum(1 for trace in figure.data if trace.showlegend is not False and trace.name)
    if figure.layout.showlegend is not False and entries > 2:
        # Above the plot, a long legend wraps up into the title: it goes to the foot, two entries a line.
        lines = (entries + 1) // 2
        figure.update_layout(legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0},
                             margin={"b": 10 + 22 * lines}, height=(figure.layout.height or 440) + 22 * lines)
    figure.update_annotations(font={"size": 13})
    figure.update_traces(textfont={"size": 11}, selector={"type": "bar"})
    if isinstance(figure.layout.title.text, str) and len(figure.layout.title.text) > 14:
        figure.update_layout(title={"font": {"size": 14}})
    return figure


def _signed(value: float) -> str:
    return "—" if pd.isna(value) else f"{value:+.1f}"


def section_bars(sections: pd.DataFrame, narrow: bool = False,
                 title: str = "各板块完成进度（浅色为上期末）") -> go.Figure:
    """Progress per section in plan order (first at the top), last period's value as a ghost bar.

    ``sections``: Snapshot.sections (section, label, progress, previous_progress, change, tasks).
    ``narrow`` (a phone): the value alone beside each bar, the change in the hover.
    """
    ordered = sections.iloc[::-1]
    figure = go.Figure()
    figure.add_bar(
        name="上期末", y=plotly_texts(ordered["label"]), x=ordered["previous_progress"], orientation="h",
        marker_color=GHOST_COLOR, customdata=plotly_rows(ordered[["section"]]),
        hovertemplate="%{customdata[0]}<br>上期末进度 %{x:.1f}%<extra></extra>",
    )
    figure.add_bar(
        name="当前", y=plotly_texts(ordered["label"]), x=ordered["progress"], orientation="h", width=0.5,
        marker_color=PROGRESS_COLOR,
        text=[f"{p:.1f}%" if narrow else f"{p:.1f}%（较上期 {_signed(c)}）"
              for p, c in zip(ordered["progress"], ordered["change"])],
        textposition="outside", cliponaxis=False,
        customdata=[[*row, _signed(c)] for row, c in zip(plotly_rows(ordered[["section", "tasks"]]), ordered["change"])],
        hovertemplate="%{customdata[0]}<br>进度 %{x:.1f}%（较上期 %{customdata[2]}），任务 %{customdata[1]} 项<extra></extra>",
    )
    # The axis reads 0–100; the room beyond 100 is for the printed values.
    figure.update_xaxes(range=[0, 125 if narrow else 135], tickvals=TICKS, ticktext=TICK_TEXT, title="完成进度（%）",
                        gridcolor=GRID_COLOR)
    return _layout(figure, 140 + 48 * len(sections), barmode="overlay", title=title)


def unit_bars(units: pd.DataFrame, narrow: bool = False) -> go.Figure:
    """Per unit: progress, tasks led / cooperated (in the label) and this period's reporting rate.

    ``units``: Snapshot.units (unit, label, progress, lead, cooperate, reported, required, rate).
    ``narrow`` (a phone): the two panels one above the other, labels without the task counts (in the hover).
    """
    ordered = units.iloc[::-1]
    labels = [for_plotly(r.label if narrow else f"{r.label}（牵头{r.lead}·配合{r.cooperate}）") for r in ordered.itertuples()]
    height = 200 + 2 * 36 * len(units) if narrow else 110 + 44 * len(units)
    if narrow:
        # room between the panels for the upper one's tick labels and the lower one's title
        figure = make_subplots(rows=2, cols=1, vertical_spacing=80 / height, subplot_titles=("处室完成进度", "本期报送率"))
    else:
        figure = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.06,
                               column_widths=[0.6, 0.4], subplot_titles=("处室完成进度", "本期报送率"))
    second = {"row": 2, "col": 1} if narrow else {"row": 1, "col": 2}
    figure.add_bar(
        name="完成进度", y=labels, x=ordered["progress"], orientation="h", marker_color=PROGRESS_COLOR,
        text=[f"{p:.1f}%" for p in ordered["progress"]], textposition="outside", cliponaxis=False,
        customdata=plotly_rows(ordered[["unit", "assignments", "done", "lead", "cooperate"]]),
        hovertemplate="%{customdata[0]}（牵头%{customdata[3]}·配合%{customdata[4]}）<br>进度 %{x:.1f}%，"
                      "分工 %{customdata[1]} 项，已完成 %{customdata[2]} 项<extra></extra>",
        row=1, col=1,
    )
    figure.add_bar(
        name="本期报送率", y=labels, x=ordered["rate"].fillna(0), orientation="h", marker_color=RATE_COLOR,
        text=[f"{r.reported}/{r.required}（{r.rate:.0f}%）" if r.required else NO_RATE for r in ordered.itertuples()],
        textposition="outside", cliponaxis=False, customdata=plotly_rows(ordered[["unit"]]),
        hovertemplate="%{customdata[0]}<br>本期报送率 %{x:.0f}%<extra></extra>",
        **second,
    )
    figure.update_xaxes(range=[0, 118], tickvals=TICKS, ticktext=TICK_TEXT, gridcolor=GRID_COLOR)
    figure.update_annotations(font={"family": FONT_FAMILY, "size": 16})
    return _layout(figure, height, showlegend=False, margin={"l": 10, "r": 30, "t": 40, "b": 10})


def light_bars(lights: dict[str, int]) -> go.Figure:
    """Number of tasks per warning light, each bar labelled with its name and count."""
    order = list(schema.LIGHTS)[::-1]
    counts = [lights.get(light, 0) for light in order]
    figure = go.Figure(go.Bar(
        y=[schema.light_label(light) for light in order], x=counts, orientation="h",
        marker_color=[LIGHT_COLORS[light] for light in order],
        text=[f"{schema.light_label(light)} {n} 项" for light, n in zip(order, counts)],
        textposition="outside", cliponaxis=False,
        hovertemplate="%{y}：%{x} 项<extra></extra>",
    ))
    figure.update_xaxes(range=[0, max(counts + [1]) * 1.3], title="任务数（项）", dtick=1 if max(counts + [1]) < 10 else None)
    return _layout(figure, 300, title="预警分布", showlegend=False)


def trend_lines(trend: pd.DataFrame, title: str = "进度趋势（各报送周期末）") -> go.Figure:
    """One line per scope (总体 first, thick and black) over period ends; y fixed 0–100.

    ``trend``: long frame with date, period, scope, label, progress (``metrics.trend`` or ``detail.unit_trend``).
    """
    figure = go.Figure()
    for i, (scope, points) in enumerate(trend.groupby("scope", sort=False)):
        overall = scope == "总体"
        figure.add_scatter(
            x=points["period"], y=points["progress"], name=for_plotly(points["label"].iloc[0]), mode="lines+markers",
            cliponaxis=False,
            line={"color": EXPECTED_COLOR if overall else LINE_COLORS[(i - 1) % len(LINE_COLORS)],
                  "width": 4 if overall else 2, "dash": "solid" if overall else LINE_DASHES[(i - 1) % len(LINE_DASHES)]},
            customdata=plotly_rows(points[["scope"]]),
            hovertemplate="%{customdata[0]}<br>%{x}：%{y:.1f}%<extra></extra>",
        )
    figure.update_yaxes(range=PROGRESS_RANGE, title="完成进度（%）", ticksuffix="%", gridcolor=GRID_COLOR)
    figure.update_xaxes(title="报送周期")
    return _layout(figure, 440, title=for_plotly(title))


def heatmap(assignments: pd.DataFrame, tasks: pd.DataFrame, units: pd.DataFrame) -> go.Figure:
    """Tasks × units: a cell is the assignment's progress, blank where the unit is not responsible; ★ marks the lead.

    ``assignments``/``tasks``/``units``: the Snapshot frames.
    """
    grid = assignments.pivot(index="task_id", columns="unit", values="progress")
    lead = assignments.pivot(index="task_id", columns="unit", values="is_lead")
    task_order = [t for t in tasks["task_id"] if t in grid.index]
    unit_order = [u for u in units["unit"] if u in grid.columns]
    grid = grid.reindex(index=task_order, columns=unit_order)
    # Without gaps the pivot is numpy bool, with gaps object with NaN: compare, never test identity.
    lead = lead.reindex(index=task_order, columns=unit_order).eq(True).to_numpy()
    text = [
        ["" if pd.isna(v) else ("★" if lead[i, j] else "") + f"{v:.0f}" for j, v in enumerate(row)]
        for i, row in enumerate(grid.to_numpy())
    ]
    content = plotly_texts(tasks.set_index("task_id")["content"].reindex(task_order).fillna("").str.slice(0, 40))
    hover = [[content[i] for _ in unit_order] for i in range(len(task_order))]
    figure = go.Figure(go.Heatmap(
        z=grid.to_numpy(dtype=float), x=plotly_texts(units.set_index("unit")["label"].get(u, u) for u in unit_order),
        y=[f"任务{t}" for t in task_order], text=text, texttemplate="%{text}", textfont={"size": 13},
        customdata=hover, colorscale=PROGRESS_SCALE, zmin=0, zmax=100, xgap=2, ygap=2,
        colorbar={"title": {"text": "进度%"}, "ticksuffix": "%"},
        hovertemplate="%{y}：%{customdata}<br>%{x}：%{z:.0f}%<extra></extra>", hoverongaps=False,
    ))
    figure.update_yaxes(autorange="reversed", showgrid=False)
    figure.update_xaxes(side="top", showgrid=False)
    return _layout(figure, 120 + 30 * len(task_order), title="任务 × 处室 完成进度（★为牵头处室，空白为非责任处室）",
                   margin={"l": 10, "r": 30, "t": 110, "b": 10})


# Past this many task rows a task × unit grid is a wall of cells that no one reads and that costs the
# browser seconds to draw (2,000 × 60 is 22 MB of JSON): 板块 × 处室 is shown instead.
HEATMAP_MAX_TASKS = 100


def section_heatmap(assignments: pd.DataFrame, tasks: pd.DataFrame, units: pd.DataFrame) -> go.Figure:
    """板块 × 处室: a cell is the mean progress of the unit's assignments in the section, blank where it has none.

    For plans too large for :func:`heatmap`; ``assignments``/``tasks``/``units``: the Snapshot frames.
    """
    sections = assignments[["task_id", "unit", "progress"]].merge(tasks[["task_id", "section"]], on="task_id")
    grouped = sections.groupby(["section", "unit"], sort=False)["progress"].agg(["mean", "size"]).reset_index()
    section_order = list(dict.fromkeys(tasks["section"]))
    unit_order = [u for u in units["unit"] if u in set(grouped["unit"])]
    grid = grouped.pivot(index="section", columns="unit", values="mean").reindex(index=section_order, columns=unit_order)
    count = grouped.pivot(index="section", columns="unit", values="size").reindex(index=section_order, columns=unit_order)
    text = [["" if pd.isna(v) else f"{v:.0f}" for v in row] for row in grid.to_numpy()]
    counts = [["" if pd.isna(n) else f"{n:.0f}" for n in row] for row in count.to_numpy()]
    figure = go.Figure(go.Heatmap(
        z=grid.to_numpy(dtype=float), x=plotly_texts(units.set_index("unit")["label"].get(u, u) for u in unit_order),
        y=plotly_texts(map(section_label, section_order)), text=text, texttemplate="%{text}", textfont={"size": 12},
        customdata=counts, colorscale=PROGRESS_SCALE, zmin=0, zmax=100, xgap=2, ygap=2,
        colorbar={"title": {"text": "进度%"}, "ticksuffix": "%"},
        hovertemplate="%{y}<br>%{x}：%{customdata} 项任务，平均进度 %{z:.0f}%<extra></extra>", hoverongaps=False,
    ))
    figure.update_yaxes(autorange="reversed", showgrid=False)
    figure.update_xaxes(side="top", showgrid=False, tickangle=-60)
    return _layout(figure, 160 + 36 * len(section_order), title="板块 × 处室 平均完成进度（空白为该处室在此板块无任务）",
                   margin={"l": 10, "r": 30, "t": 150, "b": 10})


def unit_lines(points: pd.DataFrame, expected: pd.DataFrame | None = None, title: str = "各责任处室进度") -> go.Figure:
    """One line per unit over period ends (``detail.assignment_trend`` rows of one task); y fixed 0–100.

    ``expected``: optional frame of period, expected — 序时进度 drawn as a dotted black line.
    """
    figure = go.Figure()
    for i, (unit, rows) in enumerate(points.groupby("unit", sort=False)):
        lead = bool(rows["is_lead"].iloc[0]) if "is_lead" in rows else False
        figure.add_scatter(
            x=rows["period"], y=rows["progress"], name=for_plotly(("★" if lead else "") + unit), mode="lines+markers",
            cliponaxis=False,
            line={"color": LINE_COLORS[i % len(LINE_COLORS)], "dash": LINE_DASHES[i % len(LINE_DASHES)], "width": 2},
            customdata=[[for_plotly(unit)]] * len(rows),  # never in the template itself: %{…} in a name would be read
            hovertemplate="%{customdata[0]}<br>%{x}：%{y:.0f}%<extra></extra>",
        )
    if expected is not None and len(expected):
        figure.add_scatter(
            x=expected["period"], y=expected["expected"], name="序时进度", mode="lines", cliponaxis=False,
            line={"color": EXPECTED_COLOR, "dash": "dot", "width": 2},
            hovertemplate="序时进度<br>%{x}：%{y:.0f}%<extra></extra>",
        )
    figure.update_yaxes(range=PROGRESS_RANGE, title="完成进度（%）", ticksuffix="%", gridcolor=GRID_COLOR)
    figure.update_xaxes(title="报送周期")
    return _layout(figure, 400, title=for_plotly(title), showlegend=True)


def task_bars(tasks: pd.DataFrame, title: str = "各任务完成进度与序时进度") -> go.Figure:
    """Progress per task (bar, labelled with value and light name), 序时进度 as a black tick where a deadline exists.

    ``tasks``: rows of Snapshot.tasks (task_id, content, progress, expected, light).
    """
    ordered = tasks.iloc[::-1]
    labels = [f"任务{t}" for t in ordered["task_id"]]
    figure = go.Figure()
    figure.add_bar(
        name="完成进度", y=labels, x=ordered["progress"], orientation="h",
        marker_color=PROGRESS_COLOR,
        text=[f"{p:.1f}%　{schema.light_label(light)}" for p, light in zip(ordered["progress"], ordered["light"])],
        textposition="outside", cliponaxis=False,
        customdata=plotly_rows(ordered[["content"]].apply(lambda c: c.str.slice(0, 40))),
        hovertemplate="%{y}：%{customdata[0]}<br>完成进度 %{x:.1f}%<extra></extra>",
    )
    with_deadline = ordered[ordered["expected"].notna()]
    figure.add_scatter(
        name="序时进度", y=[f"任务{t}" for t in with_deadline["task_id"]], x=with_deadline["expected"],
        mode="markers", marker={"symbol": "line-ns", "size": 22, "line": {"width": 3, "color": EXPECTED_COLOR}},
        hovertemplate="%{y}<br>序时进度 %{x:.1f}%<extra></extra>",
    )
    figure.update_xaxes(range=[0, 125], tickvals=TICKS, ticktext=TICK_TEXT, gridcolor=GRID_COLOR)
    return _layout(figure, 120 + 42 * len(tasks), title=for_plotly(title))


# ---- the quarterly review's slides, at room scale ------------------------------------
# Same colours as the board; only the type sizes differ: a room several metres
# away needs chart text of 20 px and more.

REVIEW_HEIGHT = 430  # px; fits under the title and controls at 1024×768 as well as 1920×1080
REVIEW_HEIGHT_UNDER_KPIS = 350  # px, when a row of KPI cards sits above the chart
REVIEW_TICK_SIZE = 22  # px, axis labels and legend
REVIEW_VALUE_SIZE = 24  # px, the printed values


def review_series_colors(chart: Chart, series: Series) -> list[str]:
    """One hex colour per category: the light's colour on the lights chart, else the series' role colour."""
    if chart.point_lights:
        return [LIGHT_COLORS[light] for light in chart.point_lights]
    return [REVIEW_ROLE_COLORS.get(series.role, PROGRESS_COLOR)] * len(chart.categories)


def _review_value_text(value: float, unit: str) -> str:
    return f"{value:.0f} {unit}" if unit == "项" else f"{value:.1f}%"


def review_value_texts(chart: Chart, series: Series) -> list[str]:
    """The printed value of each category, in category order: the series' own label (``无应报``) where it has one."""
    labels = series.labels or ("",) * len(series.values)
    return [label or _review_value_text(value, chart.unit) for value, label in zip(series.values, labels)]


def review_figure(chart: Chart, under_kpis: bool = False) -> go.Figure:
    """The slide's bar chart with every value printed beside its bar."""
    fig = go.Figure()
    top = max([max(s.values, default=0) for s in chart.series] + [1])
    for series in chart.series:
        categories, values, color = plotly_texts(chart.categories), list(series.values), review_series_colors(chart, series)
        texts = review_value_texts(chart, series)
        if chart.horizontal:
            # Plotly draws the first category at the bottom; a slide reads from the top.
            categories, values, color, texts = categories[::-1], values[::-1], color[::-1], texts[::-1]
        fig.add_bar(
            name=for_plotly(series.name),
            x=values if chart.horizontal else categories,
            y=categories if chart.horizontal else values,
            orientation="h" if chart.horizontal else "v",
            marker_color=color,
            text=texts,
            textposition="outside", cliponaxis=False, constraintext="none",  # never shrink the printed values
            textfont={"size": REVIEW_VALUE_SIZE, "color": REVIEW_TEXT_COLOR},
            hovertemplate="%{y}：%{x}<extra></extra>" if chart.horizontal else "%{x}：%{y}<extra></extra>",
        )
    value_axis: dict[str, object] = {
        "range": [0, 125] if chart.unit == "%" else [0, top * 1.3], "tickfont": {"size": REVIEW_TICK_SIZE},
        "gridcolor": REVIEW_GRID_COLOR, "ticksuffix": "%" if chart.unit == "%" else ""}
    if chart.unit == "%":
        value_axis.update(tickvals=[0, 25, 50, 75, 100], ticktext=["0%", "25%", "50%", "75%", "100%"])
    category_axis = {"tickfont": {"size": REVIEW_TICK_SIZE, "color": REVIEW_TEXT_COLOR}, "automargin": True}
    if chart.horizontal:
        fig.update_xaxes(**value_axis)
        fig.update_yaxes(**category_axis)
    else:
        fig.update_yaxes(**value_axis)
        fig.update_xaxes(**category_axis)
    fig.update_layout(
        height=REVIEW_HEIGHT_UNDER_KPIS if under_kpis else REVIEW_HEIGHT,
        barmode="group",
        bargap=0.25,
        font={"family": FONT_FAMILY, "size": REVIEW_TICK_SIZE, "color": REVIEW_TEXT_COLOR},
        margin={"l": 10, "r": 20, "t": 50 if len(chart.series) > 1 else 10, "b": 10},
        showlegend=len(chart.series) > 1,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "font": {"size": REVIEW_TICK_SIZE},
                "traceorder": "normal"},
        plot_bgcolor="white",
        paper_bgcolor="white",
        hoverlabel={"font": {"family": FONT_FAMILY, "size": REVIEW_TICK_SIZE}},
    )
    return fig
