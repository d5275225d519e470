"""Every plan at once: a headline per plan, the units across plans, and one unit's work in every plan.

A unit is the same unit in every plan whose 处室 sheet gives the same full name; 简称 only label it.
All figures come from ``metrics.compute`` of each plan at one date, so a plan's row here says what that
plan's own 总览 and ``summary --json --plan`` say.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from lib import metrics, schema
from lib.metrics import Snapshot
from lib.model import Book, Problem
from lib.plans import Plan


@dataclass
class PlanFigures:
    """One plan's book and figures at a date; ``book`` is None when the plan does not load."""

    plan: Plan
    name: str  # 方案名称, else the key
    book: Book | None
    snapshot: Snapshot | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.snapshot is not None


def figures(plan: Plan, book: Book | None, as_of: dt.date, problems: list[Problem] | None = None) -> PlanFigures:
    snapshot = metrics.compute(book, as_of) if book is not None else None
    name = (book.plan.name if book is not None else "") or plan.key
    return PlanFigures(plan, name, book, snapshot, list(problems or []))


HEADLINE_COLUMNS = ["方案", "方案名称", "总体进度", "较上期", "任务数", "已完成", "红灯", "黄灯", "蓝灯", "绿灯",
                    "本期应报", "本期已报", "报送率", "按期办结率", "逾期未办结", "待审核", "状态"]


def headline_rows(all_figures: list[PlanFigures]) -> pd.DataFrame:
    """One row per plan: progress, change, tasks, done, each light, reporting, its 督办 figures (按期办结率,
    逾期未办结, 待审核; by task), and whether it loaded."""
    rows = []
    for item in all_figures:
        row: dict[str, object] = {"方案": item.plan.key, "方案名称": item.name}
        if item.snapshot is None:
            rows.append({**row, "状态": "工作簿有错误，未计入"})
            continue
        overall = item.snapshot.overall
        rows.append({
            **row, "总体进度": round(overall.progress, 1), "较上期": round(overall.change, 1),
            "任务数": overall.tasks, "已完成": overall.done,
            **{schema.light_label(light): overall.lights[light] for light in schema.LIGHTS if light != schema.LIGHT_DONE},
            "本期应报": overall.required, "本期已报": overall.reported,
            "报送率": None if not overall.required else round(overall.rate, 1),
            "按期办结率": item.snapshot.supervision.on_time_rate, "逾期未办结": item.snapshot.supervision.overdue,
            "待审核": item.snapshot.supervision.pending,
            "状态": "已归档" if item.plan.archived else "",
        })
    return pd.DataFrame(rows, columns=HEADLINE_COLUMNS)


BEHIND = (schema.LIGHT_RED, schema.LIGHT_YELLOW)


def _unit_rows(item: PlanFigures) -> pd.DataFrame:
    """One row per assignment of one plan, with its task's light and whether it is due and reported."""
    assert item.snapshot is not None
    snapshot = item.snapshot
    light = snapshot.tasks.set_index("task_id")["light"]
    content = snapshot.tasks.set_index("task_id")["content"]
    rows = snapshot.assignments.assign(
        plan=item.plan.key, plan_name=item.name, light=snapshot.assignments["task_id"].map(light),
        content=snapshot.assignments["task_id"].map(content))
    return rows


def assignments_across(all_figures: list[PlanFigures]) -> pd.DataFrame:
    """Every assignment of every plan that loads: plan, plan_name, task_id, unit, is_lead, progress, light,
    content, required, reported (the columns of ``Snapshot.assignments`` and these)."""
    frames = [_unit_rows(item) for item in all_figures if item.ok]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["plan", "plan_name", "task_id", "unit", "is_lead", "progress", "light", "content", "required", "reported"])


UNIT_COLUMNS = ["处室", "涉及方案", "牵头任务", "配合任务", "红黄灯任务", "本期应报", "本期未报"]


def units_across(all_figures: list[PlanFigures]) -> pd.DataFrame:
    """One row per unit over every plan: plans, tasks led and cooperated, tasks behind (红灯 or 黄灯),
    and this period's reports due and missing; the units behind most first."""
    rows = assignments_across(all_figures)
    if rows.empty:
        return pd.DataFrame(columns=UNIT_COLUMNS)
    rows = rows.assign(lead=rows["is_lead"].astype(int), cooperate=(~rows["is_lead"].astype(bool)).astype(int),
                       behind=rows["light"].isin(BEHIND).astype(int), due=rows["required"].astype(int),
                       missing=(rows["required"] & ~rows["reported"]).astype(int))
    grouped = rows.groupby("unit", sort=False).agg(
        plans=("plan", "nunique"), lead=("lead", "sum"), cooperate=("cooperate", "sum"),
        behind=("behind", "sum"), due=("due", "sum"), missing=("missing", "sum"))
    grouped = grouped.sort_values(["behind", "missing"], ascending=False, kind="stable").reset_index()
    grouped.columns = UNIT_COLUMNS
    return grouped


UNIT_PLAN_COLUMNS = ["方案", "方案名称", "编号", "任务内容", "分工", "完成进度", "预警", "本期应报", "本期已报"]


def unit_in_every_plan(all_figures: list[PlanFigures], unit: str) -> pd.DataFrame:
    """``unit``'s assignments from every plan, in plan order, with their lights and what is due this period."""
    rows = assignments_across(all_figures)
    rows = rows[rows["unit"] == unit]
    return pd.DataFrame({
        "方案": rows["plan"], "方案名称": rows["plan_name"], "编号": rows["task_id"], "任务内容": rows["content"],
        "分工": rows["is_lead"].map({True: "牵头", False: "配合"}), "完成进度": rows["progress"].round(1),
        "预警": rows["light"].map(schema.light_label),
        "本期应报": rows["required"].map({True: "是", False: "否"}),
        "本期已报": [("是" if reported else "否") if required else "—"
                 for required, reported in zip(rows["required"], rows["reported"])],
    }, columns=UNIT_PLAN_COLUMNS).reset_index(drop=True)


def unit_name_warnings(all_figures: list[PlanFigures]) -> list[str]:
    """Where plans disagree about a unit: one 简称 for two units, or two 简称 for one unit; each names both plans."""
    seen_short: dict[str, tuple[str, str]] = {}  # 简称 → (unit, plan)
    seen_unit: dict[str, tuple[str, str]] = {}  # unit → (简称, plan)
    warnings: list[str] = []
    for item in all_figures:
        if item.book is None:
            continue
        for unit, short in zip(item.book.units["unit"], item.book.units["short"]):
            short = short.strip() if isinstance(short, str) else ""
            if not short:
                continue
            other_unit, other_plan = seen_short.setdefault(short, (unit, item.name))
            if other_unit != unit:
                warnings.append(f"简称“{short}”在《{other_plan}》中指“{other_unit}”，在《{item.name}》中指“{unit}”。")
            other_short, other_plan = seen_unit.setdefault(unit, (short, item.name))
            if other_short != short:
                warnings.append(f"“{unit}”在《{other_plan}》中简称“{other_short}”，在《{item.name}》中简称“{short}”。")
    return warnings


def plan_progress(all_figures: list[PlanFigures]) -> pd.DataFrame:
    """The plans as ``charts.section_bars`` draws sections: section (the name), label (the key), progress,
    previous_progress, change, tasks."""
    loaded = [item for item in all_figures if item.snapshot is not None]
    return pd.DataFrame({
        "section": [item.name for item in loaded], "label": [item.plan.key for item in loaded],
        "progress": [item.snapshot.overall.progress for item in loaded if item.snapshot is not None],
        "previous_progress": [item.snapshot.overall.previous_progress for item in loaded if item.snapshot is not None],
        "change": [item.snapshot.overall.change for item in loaded if item.snapshot is not None],
        "tasks": [item.snapshot.overall.tasks for item in loaded if item.snapshot is not None],
    })


def summary_frames(all_figures: list[PlanFigures]) -> dict[str, pd.DataFrame]:
    """The combined Excel summary: a sheet of plans, and a sheet of units across plans."""
    return {"各方案": headline_rows(all_figures), "各处室（全部方案）": units_across(all_figures)}


def summary_xlsx(all_figures: list[PlanFigures]) -> bytes:
    from lib.workbook import tables_bytes

    return tables_bytes(summary_frames(all_figures))
