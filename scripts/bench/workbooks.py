"""The benchmark's workbooks: deterministic shapes, generated once and cached, and a 500-row upload.

A generated workbook follows the contract (``lib.schema``) and is valid: every report belongs to a
responsible unit, dates fall between the plan's start and "today", each (填报日期, 编号, 处室) is unique
and each assignment's progress only goes up, so the board shows it rather than its problems.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from lib import schema

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "data" / "tasks.xlsx"
TODAY = dt.date(2026, 11, 20)  # the bundled example data runs to mid-November 2026 (as tests/e2e)
PLAN_START = dt.date(2025, 1, 1)
QUIET_DAYS = 45  # no generated report in the last 45 days before TODAY: the upload's new rows go there
GENERATOR_VERSION = 1  # bump when the generated content changes, so the cache is not reused
SECTION_NAMES = ("联络机制", "资源共享", "志书编纂", "年鉴编纂", "地情研究", "数字方志", "队伍建设", "宣传推广",
                 "旧志整理", "史志馆建设", "理论研究", "交流合作", "督查考核", "经费保障", "制度建设", "应用开发")
NUMERALS = "一二三四五六七八九十"
NOTES = ("按计划推进，阶段性成果已报送审阅。", "召开专题会议，细化工作方案。", "完成资料收集和初稿撰写。",
         "组织开展线上交流，共享工作经验和成果资料。", "已完成年度目标任务。")
PROBLEMS = ("", "", "", "专项经费尚未落实，影响工作进度。", "人员力量不足。")
NEXT_STEPS = ("", "细化分工，压实责任，确保按时完成。", "下季度召开联席会议，协调解决存在问题。")
DEADLINES = ("2026年12月31日", "2026年6月底前", "2027年6月30日", "长期", "2026年9月底前", "2025年12月31日")


@dataclass(frozen=True)
class Shape:
    """A generated workbook: how many of each thing, and the seed that fixes everything else."""

    tasks: int
    sections: int
    units: int
    reports: int
    seed: int = 20261120

    def key(self) -> str:
        text = json.dumps({**asdict(self), "version": GENERATOR_VERSION}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


# ``None``: the bundled workbook. The growth sizes share the large shape and change only the reports.
SIZES: dict[str, Shape | None] = {
    "bundled": None,
    "medium": Shape(tasks=300, sections=8, units=20, reports=15_000),
    "large": Shape(tasks=2_000, sections=12, units=60, reports=100_000),
    "10k": Shape(tasks=2_000, sections=12, units=60, reports=10_000),
    "30k": Shape(tasks=2_000, sections=12, units=60, reports=30_000),
    "300k": Shape(tasks=2_000, sections=12, units=60, reports=300_000),
}
GROWTH_SIZES = ("10k", "30k", "large", "300k")  # the large shape with 10k → 300k reports
# Several plans: 20 workbooks of this shape, each its own seed; the first is the default workbook.
PLAN_SHAPE = Shape(tasks=200, sections=8, units=20, reports=10_000)
PLAN_COUNT = 20


def default_cache_dir() -> Path:
    return Path(os.environ.get("KANBAN_BENCH_CACHE", Path(tempfile.gettempdir()) / "kanban-bench-cache"))


def workbook_for(size: str, cache_dir: Path) -> Path:
    """The workbook of ``size``: the bundled file itself, or a generated one from the cache (built if missing).

    Callers copy it before anything may write beside it (a save, or the board recording a version).
    """
    shape = SIZES[size]
    if shape is None:
        return BUNDLED
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"{size}-{shape.key()}.xlsx"
    if not path.exists():
        partial = path.with_suffix(".partial")
        generate(partial, shape)
        partial.replace(path)  # a run stopped half-way never leaves a truncated workbook in the cache
    return path


def copy_into(source: Path, folder: Path) -> Path:
    """``folder/tasks.xlsx``, a private copy: saves and the board's history write next to the workbook."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "tasks.xlsx"
    shutil.copyfile(source, target)
    return target


def plans_into(folder: Path, cache_dir: Path, count: int = PLAN_COUNT, shape: Shape | None = PLAN_SHAPE) -> Path:
    """``folder/tasks.xlsx`` and ``folder/plans/plan-02.xlsx`` … : ``count`` plans (of ``shape``, each its own seed;
    ``None``: copies of the bundled workbook). Returns the default workbook's path."""
    (folder / "plans").mkdir(parents=True, exist_ok=True)
    for number in range(1, count + 1):
        if shape is None:
            source = BUNDLED
        else:
            seeded = Shape(shape.tasks, shape.sections, shape.units, shape.reports, shape.seed + number)
            source = cache_dir / f"plan-{seeded.key()}.xlsx"
            if not source.exists():
                cache_dir.mkdir(parents=True, exist_ok=True)
                generate(source.with_suffix(".partial"), seeded)
                source.with_suffix(".partial").replace(source)
        target = folder / "tasks.xlsx" if number == 1 else folder / "plans" / f"plan-{number:02d}.xlsx"
        shutil.copyfile(source, target)
    return folder / "tasks.xlsx"


# ---- generation ------------------------------------------------------------------------------


def _assignments(shape: Shape, rng: np.random.Generator) -> tuple[list[list[str]], list[str], list[str]]:
    """Per task the responsible units (2–4, never more than exist), the unit names and the section names."""
    units = [f"第{i}处" for i in range(1, shape.units + 1)]
    sections = [f"{NUMERALS[i % 10] if i < 10 else '十' + NUMERALS[i % 10]}、{SECTION_NAMES[i % len(SECTION_NAMES)]}，"
                f"推动第{i + 1}项重点工作" for i in range(shape.sections)]
    responsible = []
    for _ in range(shape.tasks):
        count = int(rng.integers(2, min(4, shape.units) + 1))
        responsible.append([units[i] for i in rng.choice(shape.units, size=count, replace=False)])
    return responsible, units, sections


def _reports(shape: Shape, pairs: list[tuple[int, str]], rng: np.random.Generator) -> pd.DataFrame:
    """``shape.reports`` rows on distinct days per assignment, progress rising over each assignment's reports."""
    days = (TODAY - PLAN_START).days - QUIET_DAYS + 1
    counts = np.bincount(rng.integers(0, len(pairs), size=shape.reports), minlength=len(pairs))
    counts = np.minimum(counts, days)  # one report per day at most; never binding at these sizes
    frames = []
    for index, count in enumerate(counts):
        if count == 0:
            continue
        offsets = np.sort(rng.choice(days, size=count, replace=False))
        steps = rng.random(count)
        final = rng.uniform(20, 100)
        progress = np.round(np.cumsum(steps) / steps.sum() * final)
        frames.append((index, offsets, progress))
    index = np.concatenate([np.full(len(o), i) for i, o, _ in frames])
    offsets = np.concatenate([o for _, o, _ in frames])
    progress = np.concatenate([p for _, _, p in frames])
    order = np.argsort(offsets, kind="stable")  # the sheet in date order, as people append to it
    task_numbers = np.array([task for task, _ in pairs])[index[order]]
    unit_names = np.array([unit for _, unit in pairs])[index[order]]
    return pd.DataFrame({
        "date": [PLAN_START + dt.timedelta(days=int(d)) for d in offsets[order]],
        "task_id": task_numbers.astype(str), "unit": unit_names, "progress": progress[order].astype(int),
        "status": np.where(progress[order] >= 100, schema.STATUS_DONE, schema.STATUS_IN_PROGRESS),
        "progress_note": rng.choice(NOTES, size=len(order)), "problems": rng.choice(PROBLEMS, size=len(order)),
        "next_steps": rng.choice(NEXT_STEPS, size=len(order)), "reporter": "测试",
    })


def generate(path: Path, shape: Shape) -> None:
    """Write a workbook of ``shape`` to ``path`` (openpyxl write-only mode: rows streamed, not held)."""
    rng = np.random.default_rng(shape.seed)
    responsible, units, sections = _assignments(shape, rng)
    pairs = [(task, unit) for task, names in enumerate(responsible, start=1) for unit in names]
    reports = _reports(shape, pairs, rng)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(schema.SHEET_PLAN)
    sheet.append([c.header for c in schema.PLAN_COLUMNS])
    for key, value in ((schema.PLAN_NAME, f"基准测试方案（{shape.tasks}项任务）"), (schema.PLAN_DOC_NO, "测〔2025〕1号"),
                       (schema.PLAN_START, PLAN_START), (schema.PLAN_CYCLE, schema.CYCLE_QUARTER)):
        sheet.append([key, value])
    sheet = workbook.create_sheet(schema.SHEET_UNITS)
    sheet.append([c.header for c in schema.UNIT_COLUMNS])
    for number, unit in enumerate(units, start=1):
        sheet.append([unit, f"{number}处", schema.ALL_DIVISIONS_GROUP])
    sheet = workbook.create_sheet(schema.SHEET_TASKS)
    sheet.append([c.header for c in schema.TASK_COLUMNS])
    for task, names in enumerate(responsible, start=1):
        section = sections[(task - 1) * shape.sections // shape.tasks]  # tasks numbered section by section
        sheet.append([str(task), section, f"任务{task}：围绕{section[2:6]}开展专项工作，形成阶段性成果并报送。",
                      "、".join(names), names[0], None, DEADLINES[task % len(DEADLINES)], ""])
    sheet = workbook.create_sheet(schema.SHEET_UPDATES)
    sheet.append([c.header for c in schema.UPDATE_COLUMNS])
    for row in reports.itertuples(index=False):
        sheet.append(list(row))
    workbook.save(path)


# ---- the upload ------------------------------------------------------------------------------


def upload_rows(book, rows: int = 500) -> tuple[str, list[dict]]:
    """A 500-row 进展 upload by the unit with the most assignments: new reports on its tasks.

    Each row is on a day that assignment has no report yet (counting back from TODAY), with progress a
    little above its latest, so the preview adds every row. Returns (unit, rows).
    """
    assignments = book.assignments
    unit = assignments["unit"].value_counts().index[0]
    tasks = list(assignments.loc[assignments["unit"] == unit, "task_id"])
    updates = book.updates[book.updates["unit"] == unit]
    taken = {(task, day.date()) for task, day in zip(updates["task_id"], updates["date"])}
    latest = updates.sort_values("date").groupby("task_id")["progress"].last().to_dict()
    out: list[dict] = []
    day = TODAY
    while len(out) < rows:
        for task in tasks:
            if len(out) == rows:
                break
            if (task, day) in taken:
                continue
            latest[task] = min(100.0, latest.get(task, 0.0) + 1)
            out.append({"date": day, "task_id": task, "unit": unit, "progress": latest[task],
                        "status": schema.STATUS_IN_PROGRESS, "progress_note": "基准测试上传。", "problems": "",
                        "next_steps": "", "reporter": "测试"})
        day -= dt.timedelta(days=1)
    # The progress rises with the date, so the earliest day gets the smallest value.
    for task in tasks:
        mine = sorted((r for r in out if r["task_id"] == task), key=lambda r: r["date"])
        values = sorted(r["progress"] for r in mine)
        for record, value in zip(mine, values):
            record["progress"] = value
    return unit, out


def upload_bytes(rows: list[dict]) -> bytes:
    """The rows as a reporter's upload: one 进展 sheet, headers in contract order."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = schema.SHEET_UPDATES
    sheet.append([c.header for c in schema.UPDATE_COLUMNS])
    for row in rows:
        sheet.append([row.get(c.field, "") for c in schema.UPDATE_COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
