"""The quarterly review (季度汇报) as data: one record per slide.

The page, the PowerPoint and the Excel exports all render these records, so
the projector, the filed .pptx and ``python -m lib summary`` show the same
numbers: every figure comes from ``metrics.compute(book, period.end)``, and
the 督办 part (``review_supervision.build``) from ``lib.supervision`` as of the
same day, with the 销号, 延期 and 退回 decisions dated within the period.

Long lists are split over several slides by a line budget rather than
shrunk: a projector several metres away needs the same type size on every
slide.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

import pandas as pd

from lib import review_supervision, schema
from lib.dates import chinese_date
from lib.detail import not_reported, task_problems
from lib.metrics import NO_RATE, Snapshot, compute
from lib.model import Book
from lib.periods import Period, parse_period, period_of, periods_between
from lib.tables import change_delta

COVER = "cover"
OVERVIEW = "overview"
SECTIONS = "sections"
UNITS = "units"
FOCUS = "focus"
SUPERVISION = "supervision"
OVERDUE = "overdue"
REPORTING = "reporting"
PLANS = "plans"
KINDS = (COVER, OVERVIEW, SECTIONS, UNITS, FOCUS, SUPERVISION, OVERDUE, REPORTING, PLANS)
TITLES = {
    COVER: "封面",
    OVERVIEW: "总体情况",
    SECTIONS: "板块进展",
    UNITS: "处室进展",
    FOCUS: "重点关注",
    SUPERVISION: "督办情况",
    OVERDUE: "逾期未办结",
    REPORTING: "报送情况",
    PLANS: "下步计划",
}
FOCUS_LIGHTS = (schema.LIGHT_RED, schema.LIGHT_YELLOW)

# The slide body is laid out for about this many characters per line at the
# room-scale type size, and this many lines per slide (see pages/review.py's CSS:
# body 28 px on a 1920-wide slide, scaled with the viewport, so the count holds
# at 1024×768 too).
CHARS_PER_LINE = 52
LINES_PER_SLIDE = 12
CHART_CATEGORIES_PER_SLIDE = 8
TASK_TITLE_CHARS = 30
PROBLEM_CHARS = 96  # two lines; the full text is in the Excel summary
PLAN_CHARS = 80


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]  # percent 0–100, or counts for the lights chart
    role: str = "current"  # previous | current | rate | count: picks the colour in every renderer
    labels: tuple[str, ...] = ()  # a printed value that is not a number (``无应报``), by category; "" = the value


@dataclass(frozen=True)
class Chart:
    """A bar chart: categories down the side, one bar per series, values printed."""

    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = "%"  # "%" for progress and rates, "项" for counts
    point_lights: tuple[str, ...] = ()  # when set, each category is a light and takes its colour
    horizontal: bool = True


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class Item:
    """One block of text on a list slide: a heading and labelled lines."""

    heading: str
    lines: tuple[tuple[str, str], ...] = ()  # (label, text)
    light: str | None = None  # schema light, shown as a coloured label

    def line_count(self) -> int:
        """Lines the block takes at CHARS_PER_LINE, heading included."""
        count = _lines(self.heading)
        for label, text in self.lines:
            count += _lines(f"{label}：{text}")
        return count


@dataclass
class Slide:
    kind: str
    title: str
    as_of: dt.date
    part: int = 1
    parts: int = 1
    kpis: list[Kpi] = field(default_factory=list)
    chart: Chart | None = None
    items: list[Item] = field(default_factory=list)
    note: str = ""  # one sentence under the title
    big_number: str = ""  # the cover's 总体进度
    big_note: str = ""
    columns: tuple[str, ...] = ()  # table headers when ``items`` are shown as a table (pptx)

    def rows(self) -> list[tuple[str, ...]]:
        """``items`` as table rows under ``columns``: the light label (when the slide has
        lights), the heading, then each line's text — prefixed by its label unless the
        label is the column header."""
        rows = []
        for item in self.items:
            cells = [schema.LIGHT_LABELS[item.light]] if item.light else []
            cells.append(item.heading)
            for label, text in item.lines:
                header = self.columns[len(cells)] if len(cells) < len(self.columns) else ""
                cells.append(text if label == header else f"{label}：{text}")
            rows.append(tuple(cells))
        return rows

    @property
    def label(self) -> str:
        """The slide's name in the slide picker: 封面 rather than the plan's long name."""
        return TITLES[COVER] if self.kind == COVER else self.heading

    @property
    def heading(self) -> str:
        """The title as shown, with （2/3） when a list runs over several slides."""
        return f"{self.title}（{self.part}/{self.parts}）" if self.parts > 1 else self.title


@dataclass
class Review:
    plan_name: str
    doc_no: str
    period: Period
    snapshot: Snapshot
    slides: list[Slide]
    supervision: review_supervision.SupervisionPart
    sample: bool = False

    @property
    def as_of(self) -> dt.date:
        return self.snapshot.as_of


# ---- periods -------------------------------------------------------------------


def review_periods(book: Book, today: dt.date) -> list[Period]:
    """Complete periods from the plan start to ``today``, newest first.

    When none has ended yet, the current period is offered so the page is never empty.
    """
    start = book.plan.schedule_start or today
    periods = [p for p in periods_between(start, today, book.plan.cycle) if p.end < today]
    return list(reversed(periods)) or [period_of(today, book.plan.cycle)]


def default_period(book: Book, today: dt.date) -> Period:
    """The last complete period before ``today``."""
    return review_periods(book, today)[0]


def period_from_code(code: str, book: Book) -> Period:
    """``2026Q3`` (or ``2026-07`` for a monthly plan). Raises ValueError."""
    try:
        return parse_period(code, book.plan.cycle)
    except (ValueError, KeyError) as exc:
        raise ValueError(f"无法识别的报送周期「{code}」，请写成 2026Q3 或 2026-07。") from exc


def auto_interval(param: str | None, env: str | None, default: float) -> float:
    """Seconds between slides when 轮播 is on: the ``?auto=`` value, else the environment's, else ``default``.

    Anything under half a second, or not a number, is ignored: a slide must stay long enough to read.
    """
    for text in (param, env):
        if text is None:
            continue
        try:
            seconds = float(text)
        except (TypeError, ValueError):
            continue
        if seconds >= 0.5:
            return seconds
    return default


# ---- text helpers ---------------------------------------------------------------


def _lines(text: str) -> int:
    return max(1, math.ceil(len(text) / CHARS_PER_LINE))


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis; the full text lives in the Excel summary."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def task_title(task_id: str, content: str) -> str:
    """``5 实现川渝两地地方志部门新媒体刊载信息…``: the number and the task's first clause."""
    clauses = [c for c in re.split(r"[，,。；;]", str(content)) if c.strip()]
    # Whole clauses read better than a cut, as long as the heading says enough.
    first = ""
    for clause in clauses:
        first = f"{first}，{clause}" if first else clause
        if len(first) >= 10:
            break
    return f"{task_id} {clip(first, TASK_TITLE_CHARS)}"


def percent(value: float) -> str:
    return "—" if pd.isna(value) else f"{value:.1f}%"


def paginate(items: list[Item], budget: int = LINES_PER_SLIDE) -> list[list[Item]]:
    """Items split into slides of at most ``budget`` lines; an item is never split."""
    pages: list[list[Item]] = []
    current: list[Item] = []
    used = 0
    for item in items:
        cost = item.line_count()
        if current and used + cost > budget:
            pages.append(current)
            current, used = [], 0
        current.append(item)
        used += cost
    if current or not pages:
        pages.append(current)
    return pages


def _chunks(count: int, size: int) -> list[range]:
    return [range(i, min(i + size, count)) for i in range(0, count, size)] or [range(0)]


# ---- the slides -----------------------------------------------------------------


def build_review(book: Book, period: Period) -> Review:
    """The review of ``period``: every figure as of the period's last day; 本期报送 counts the period's reports
    up to its 报送截止日 (which may fall after that day)."""
    snapshot = compute(book, period.end, reporting=period, reported_by=period.deadline(book.plan.report_days))
    supervised = review_supervision.build(book, period)
    slides = [
        _cover(book, snapshot),
        _overview(snapshot),
        *_sections(snapshot),
        *_units(snapshot),
        *_focus(book, snapshot),
        *_supervision(book, snapshot, supervised),
        *_overdue(book, snapshot, supervised),
        *_reporting(book, snapshot),
        *_plans(book, snapshot),
    ]
    return Review(book.plan.name, book.plan.doc_no, snapshot.period, snapshot, slides, supervised, book.plan.sample)


def _cover(book: Book, snapshot: Snapshot) -> Slide:
    overall = snapshot.overall
    subtitle = f"{snapshot.period.label}工作进展汇报"
    return Slide(
        COVER, book.plan.name or "落实情况汇报", snapshot.as_of,
        note=" ".join(t for t in (book.plan.doc_no, subtitle) if t),
        big_number=percent(overall.progress),
        big_note=f"总体进度，{change_delta(overall.change).text}",
    )


def _overview(snapshot: Snapshot) -> Slide:
    overall = snapshot.overall
    lights = overall.lights
    kpis = [
        Kpi("总体进度", percent(overall.progress), change_delta(overall.change).text),
        Kpi("任务总数", f"{overall.tasks} 项", f"已完成 {overall.done} 项"),
        Kpi("本期报送率", percent(overall.rate), f"已报 {overall.reported} / 应报 {overall.required}"),
        Kpi("红灯 / 黄灯", f"{lights[schema.LIGHT_RED]} / {lights[schema.LIGHT_YELLOW]}", "项任务需重点关注"),
    ]
    chart = Chart(
        categories=tuple(schema.LIGHT_LABELS[light] for light in schema.LIGHTS),
        series=(Series("任务数", tuple(float(lights[light]) for light in schema.LIGHTS), "count"),),
        unit="项", point_lights=schema.LIGHTS, horizontal=False,
    )
    return Slide(OVERVIEW, TITLES[OVERVIEW], snapshot.as_of, kpis=kpis, chart=chart,
                 note="各预警等级的任务数")


def _series(name: str, values: pd.Series, role: str) -> Series:
    """A chart series; a missing value (a rate with nothing due) is a zero bar printed ``无应报``."""
    values = values.astype(float)
    missing = values.isna()
    labels = tuple(NO_RATE if m else "" for m in missing) if missing.any() else ()
    return Series(name, tuple(values.fillna(0.0).round(1)), role, labels)


def _chart_slides(kind: str, snapshot: Snapshot, frame: pd.DataFrame, labels: str,
                  series: list[tuple[str, str, str]], note: str) -> list[Slide]:
    pages = _chunks(len(frame), CHART_CATEGORIES_PER_SLIDE)
    slides = []
    for number, rows in enumerate(pages, start=1):
        part = frame.iloc[list(rows)]
        chart = Chart(
            categories=tuple(part[labels].astype(str)),
            series=tuple(_series(name, part[column], role) for name, column, role in series),
        )
        slides.append(Slide(kind, TITLES[kind], snapshot.as_of, part=number, parts=len(pages),
                            chart=chart, note=note))
    return slides


def _sections(snapshot: Snapshot) -> list[Slide]:
    previous = snapshot.previous_end
    return _chart_slides(
        SECTIONS, snapshot, snapshot.sections, "label",
        [(f"上期末（{chinese_date(previous)}）", "previous_progress", "previous"),
         (f"本期末（{chinese_date(snapshot.as_of)}）", "progress", "current")],
        "各板块完成进度：本期末与上期末对比",
    )


def _units(snapshot: Snapshot) -> list[Slide]:
    return _chart_slides(
        UNITS, snapshot, snapshot.units, "label",
        [("完成进度", "progress", "current"), ("本期报送率", "rate", "rate")],
        "各处室责任分工的平均完成进度与本期报送率",
    )


def focus_tasks(book: Book, snapshot: Snapshot) -> pd.DataFrame:
    """The 红 and 黄 tasks, red first, each with its units and latest 存在问题.

    Columns: task_id, light, content, progress, expected, units (short labels,
    、-joined), problems (``detail.task_problems`` with short labels).
    """
    tasks = snapshot.tasks[snapshot.tasks["light"].isin(FOCUS_LIGHTS)].copy()
    tasks["light_rank"] = tasks["light"].map({light: i for i, light in enumerate(FOCUS_LIGHTS)})
    tasks = tasks.sort_values("light_rank", kind="stable")
    assignments = snapshot.assignments
    focus = assignments[assignments["task_id"].isin(tasks["task_id"])]
    labels = {unit: book.unit_label(unit) for unit in focus["unit"].unique()}
    units = focus["unit"].map(labels).groupby(focus["task_id"], sort=False).agg("、".join)
    tasks["units"] = tasks["task_id"].map(units).fillna("")
    tasks["problems"] = task_problems(tasks["task_id"], focus, labels)
    return tasks[["task_id", "light", "content", "progress", "expected", "units", "problems"]].reset_index(drop=True)


def _focus(book: Book, snapshot: Snapshot) -> list[Slide]:
    items = []
    for row in focus_tasks(book, snapshot).itertuples():
        measure = f"进度 {percent(row.progress)}"
        if not pd.isna(row.expected):
            measure += f"，序时 {percent(row.expected)}"
        items.append(Item(
            heading=f"{task_title(row.task_id, row.content)}　{measure}",
            lines=(("责任处室", row.units), ("存在问题", clip(row.problems, PROBLEM_CHARS) or "（未填写）")),
            light=row.light,
        ))
    if not items:
        return [Slide(FOCUS, TITLES[FOCUS], snapshot.as_of, note="本期没有红灯、黄灯任务。")]
    pages = paginate(items)
    return [Slide(FOCUS, TITLES[FOCUS], snapshot.as_of, part=i, parts=len(pages), items=page,
                  note="红灯、黄灯任务及其最近一次填报的存在问题", columns=("预警", "任务", "责任处室", "存在问题"))
            for i, page in enumerate(pages, start=1)]


def supervision_kpis(part: review_supervision.SupervisionPart) -> list[Kpi]:
    """按期办结率 and the 督办 counts at the period's end, by task."""
    figures = part.figures
    rate = "—" if figures.on_time_rate is None else f"{figures.on_time_rate:.1f}%"
    return [
        Kpi("按期办结率", rate, f"按期办结 {figures.on_time} / 应办结 {figures.due}"),
        Kpi("已销号", f"{figures.signed_off} 项", f"本期销号 {len(part.signed_off)} 项"),
        Kpi("延期", f"{figures.extended} 项", f"本期批准 {len(part.extensions)} 项"),
        Kpi("逾期未办结", f"{figures.overdue} 项", f"待审核申请 {figures.pending} 项"),
    ]


def deadline_change(before: dt.date | None, after: dt.date | None) -> str:
    """``完成时限由2026年6月30日调整为2026年8月15日``."""
    was = chinese_date(before) if before else "未定"
    return f"完成时限由{was}调整为{chinese_date(after) if after else '未定'}"


def supervision_items(book: Book, part: review_supervision.SupervisionPart) -> list[Item]:
    """The period's decisions as list items: 销号, then 同意延期, then requests sent back, each by date."""
    items = [Item(task_title(s.task_id, s.content), (("事项", f"{book.unit_label(s.unit)} {chinese_date(s.date)}销号"),
                                                     ("办结说明", clip(s.note, PROBLEM_CHARS) or "（未填写）")))
             for s in part.signed_off]
    items += [Item(task_title(e.task_id, e.content),
                   (("事项", f"{book.unit_label(e.unit)}申请，{chinese_date(e.date)}同意延期，"
                             f"{deadline_change(e.before, e.after)}"),
                    ("延期理由", clip(e.reason, PROBLEM_CHARS) or "（未填写）")))
              for e in part.extensions]
    items += [Item(task_title(r.task_id, r.content),
                   (("事项", f"{book.unit_label(r.unit)} {chinese_date(r.date)}{_returned_words(r.kind)}"),
                    ("意见", clip(r.comment, PROBLEM_CHARS) or "（未填写）")))
              for r in part.returned]
    return items


def _returned_words(kind: str) -> str:
    return "退回销号申请" if kind == schema.KIND_RETURN else "不同意延期"


def supervision_note(part: review_supervision.SupervisionPart) -> str:
    """One sentence: the period's counts, or that nothing was decided."""
    if not part.has_decisions:
        return f"{part.period.label}无销号、延期和退回事项。"
    return (f"{part.period.label}销号 {len(part.signed_off)} 项、批准延期 {len(part.extensions)} 项、"
            f"退回 {len(part.returned)} 项")


def _supervision(book: Book, snapshot: Snapshot, part: review_supervision.SupervisionPart) -> list[Slide]:
    kpis = supervision_kpis(part)
    items = supervision_items(book, part)
    if not items:
        return [Slide(SUPERVISION, TITLES[SUPERVISION], snapshot.as_of, kpis=kpis, note=supervision_note(part))]
    pages = paginate(items, LINES_PER_SLIDE - 3)  # the KPI row takes about three lines
    return [Slide(SUPERVISION, TITLES[SUPERVISION], snapshot.as_of, part=i, parts=len(pages), kpis=kpis, items=page,
                  note=supervision_note(part), columns=("任务", "事项", "说明"))
            for i, page in enumerate(pages, start=1)]


def overdue_deadline(task: review_supervision.Overdue) -> str:
    """The effective deadline, with the original when an extension moved it."""
    text = chinese_date(task.effective)
    if task.extensions and task.original:
        text += f"（原定{chinese_date(task.original)}，延期 {task.extensions} 次）"
    return text


def _overdue(book: Book, snapshot: Snapshot, part: review_supervision.SupervisionPart) -> list[Slide]:
    items = [Item(task_title(t.task_id, t.content),
                  (("未办结处室", "、".join(book.unit_label(u) for u in t.units)), ("完成时限", overdue_deadline(t)),
                   ("逾期天数", f"{t.days} 天")))
             for t in part.overdue]
    if not items:
        return [Slide(OVERDUE, TITLES[OVERDUE], snapshot.as_of, note="截至期末没有逾期未办结的任务。")]
    pages = paginate(items)
    return [Slide(OVERDUE, TITLES[OVERDUE], snapshot.as_of, part=i, parts=len(pages), items=page,
                  note="已过完成时限（含批准延期后的时限）仍未办结的任务",
                  columns=("任务", "未办结处室", "完成时限", "逾期天数"))
            for i, page in enumerate(pages, start=1)]


def missing_reports(book: Book, snapshot: Snapshot) -> pd.DataFrame:
    """未报送 assignments of the period: unit, label, task_id, content, progress, latest_date."""
    missing = not_reported(snapshot.assignments)
    content = book.tasks.set_index("task_id")["content"]
    return pd.DataFrame({
        "unit": missing["unit"],
        "label": missing["unit"].map(book.unit_label),
        "task_id": missing["task_id"],
        "content": missing["task_id"].map(content),
        "progress": missing["progress"],
        "latest_date": missing["latest_date"],
    }).reset_index(drop=True)


def _reporting(book: Book, snapshot: Snapshot) -> list[Slide]:
    overall = snapshot.overall
    kpis = [
        Kpi("本期应报", f"{overall.required} 项"),
        Kpi("已报送", f"{overall.reported} 项"),
        Kpi("未报送", f"{overall.required - overall.reported} 项"),
        Kpi("报送率", percent(overall.rate)),
    ]
    missing = missing_reports(book, snapshot)
    order = {u: i for i, u in enumerate(book.units["unit"])}
    items = []
    for unit, rows in sorted(missing.groupby("unit", sort=False), key=lambda pair: order.get(pair[0], 0)):
        tasks = "、".join(rows["task_id"])
        items.append(Item(heading=f"{book.unit_label(unit)}：{len(rows)} 项未报送",
                          lines=(("任务编号", tasks),)))
    note = f"{snapshot.period.label}（{chinese_date(snapshot.period.start)}至{chinese_date(snapshot.as_of)}）"
    if not items:
        return [Slide(REPORTING, TITLES[REPORTING], snapshot.as_of, kpis=kpis, note=note + "：各处室均已报送。")]
    # The KPI row takes about three lines of the slide.
    pages = paginate(items, LINES_PER_SLIDE - 3)
    return [Slide(REPORTING, TITLES[REPORTING], snapshot.as_of, part=i, parts=len(pages), kpis=kpis,
                  items=page, note=note + "未报送的处室与任务", columns=("处室", "任务编号"))
            for i, page in enumerate(pages, start=1)]


def latest_plans(book: Book, snapshot: Snapshot) -> pd.DataFrame:
    """The latest non-empty 下步计划 per section as of D: section, label, unit, task_id, date, text."""
    assignments = snapshot.assignments.assign(text=snapshot.assignments["next_steps"].fillna("").astype(str).str.strip())
    filled = assignments[assignments["text"] != ""]
    section_of = book.tasks.set_index("task_id")["section"]
    filled = filled.assign(section=filled["task_id"].map(section_of))
    # A stable sort keeps plan order within a date, so the later assignment wins a tie.
    latest = filled.sort_values("latest_date", kind="stable").drop_duplicates("section", keep="last")
    order = {s: i for i, s in enumerate(book.sections)}
    latest = latest.sort_values("section", key=lambda c: c.map(order))
    labels = snapshot.sections.set_index("section")["label"]
    return pd.DataFrame({
        "section": latest["section"],
        "label": latest["section"].map(labels),
        "unit": latest["unit"],
        "task_id": latest["task_id"],
        "date": latest["latest_date"],
        "text": latest["text"],
    }).reset_index(drop=True)


def _plans(book: Book, snapshot: Snapshot) -> list[Slide]:
    items = [
        Item(heading=row.label,
             lines=((f"{book.unit_label(row.unit)} {chinese_date(row.date)}", clip(row.text, PLAN_CHARS)),))
        for row in latest_plans(book, snapshot).itertuples()
    ]
    if not items:
        return [Slide(PLANS, TITLES[PLANS], snapshot.as_of, note="各板块尚未填报下步计划。")]
    pages = paginate(items)
    return [Slide(PLANS, TITLES[PLANS], snapshot.as_of, part=i, parts=len(pages), items=page,
                  note="各板块最近一次填报的下步计划", columns=("板块", "下步计划"))
            for i, page in enumerate(pages, start=1)]
