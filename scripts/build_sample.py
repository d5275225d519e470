"""Build the bundled data/tasks.xlsx: the real plan plus illustrative updates.

The plan (sections, tasks, units) comes from the shipped notice through the
importer. The 进展 rows are invented for demonstration, marked 填报人=示例 and
示例数据=是, and are the same on every run (fixed random seed), so anyone can
rebuild the file: ``python scripts/build_sample.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lib import schema  # noqa: E402
from lib.intake import parse_notice  # noqa: E402
from lib.periods import periods_between  # noqa: E402
from lib.workbook import write_workbook  # noqa: E402

NOTICE = ROOT.parent / "shared" / "plan" / "sichuan-chongqing-fangzhi-plan-2025.txt"
BUNDLED_NOTICE = ROOT / "data" / "plan-notice.txt"
SEED = 20250826
LAST_DAY = dt.date(2026, 11, 15)  # example data stops mid-November 2026
FIRST_DAY = dt.date(2025, 9, 1)
SAMPLE_REPORTER = "示例"

# Illustrative deadlines so that every warning light can be seen; the notice itself sets none.
EXAMPLE_DEADLINES = {
    "3": "2026年第四季度",
    "5": "2026年6月底前",
    "7": "2026年底前",
    "8": "2026年9月30日",
    "9": "2027年上半年",
    "10": "2026年12月20日",
    "13": "2026年上半年",
    "16": "2026年11月30日",
}
# How fast each assignment moves, in points per quarter, by task; a few units lag on purpose.
SLOW_UNITS = {"市县志工作处": 0.45, "政策法规宣传处": 0.8}
SKIPPING_UNITS = {"市县志工作处": 0.45, "综合处": 0.2}  # chance of not reporting in a quarter

PROGRESS_NOTES = [
    "已与重庆市地方志办公室对口处室建立工作联系，明确联络人。",
    "召开专题推进会，细化工作清单和时间节点。",
    "完成资料收集和前期调研，形成初步工作方案。",
    "按计划推进，阶段性成果已报送办领导审阅。",
    "组织开展线上交流，共享工作经验和成果资料。",
    "联合编纂工作有序推进，完成部分篇目初稿。",
]
PROBLEMS = [
    "两地工作节奏不一致，对接时间难以统一。",
    "专项经费尚未落实，影响工作进度。",
    "人员力量不足，相关工作推进较慢。",
    "合作高校场地协调尚未完成。",
    "",
    "",
    "",
]
NEXT_STEPS = [
    "加强与重庆方面沟通，推动形成阶段性成果。",
    "下季度召开联席会议，协调解决存在问题。",
    "完成初稿审核并报送办领导。",
    "细化分工，压实责任，确保按时完成。",
    "总结经验，形成常态化工作机制。",
]


def short_label(unit: str) -> str:
    """省志工作处 → 省志处: the office's own shorthand for chart labels."""
    return unit.replace("工作处", "处")


def build(output: Path, notice: Path) -> None:
    imported = parse_notice(notice.read_text(encoding="utf-8-sig"))
    units = imported.units.copy()
    units["short"] = units["unit"].map(short_label)
    tasks = imported.tasks.copy()
    tasks["deadline_text"] = tasks["task_id"].map(EXAMPLE_DEADLINES).fillna(tasks["deadline_text"])
    tasks.loc[tasks["task_id"].isin(EXAMPLE_DEADLINES), "note"] = "完成时限为示例"
    plan = dict(imported.plan)
    plan.update({
        schema.PLAN_START: plan.get(schema.PLAN_ISSUED, "2025-08-26"),
        schema.PLAN_CYCLE: schema.CYCLE_QUARTER,
        schema.PLAN_SOON_DAYS: schema.DEFAULT_SOON_DAYS,
        schema.PLAN_YELLOW_GAP: schema.DEFAULT_YELLOW_GAP,
        schema.PLAN_RED_GAP: schema.DEFAULT_RED_GAP,
        schema.PLAN_SAMPLE: schema.YES,
    })
    write_workbook(output, plan, units, tasks, sample_updates(tasks, units))


def _responsible(tasks: pd.DataFrame, units: pd.DataFrame) -> list[tuple[str, str]]:
    members = {g: [u for u, gs in zip(units["unit"], units["groups"]) if g in gs]
               for gs in units["groups"] for g in gs}
    pairs = []
    for task_id, listed in zip(tasks["task_id"], tasks["units_text"]):
        for name in schema.split_unit_list(listed):
            for unit in members.get(name, [name]):
                if (task_id, unit) not in pairs:
                    pairs.append((task_id, unit))
    return pairs


def sample_updates(tasks: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Quarterly example reports from 2025Q3 to mid-November 2026."""
    rng = random.Random(SEED)
    rows = []
    quarters = periods_between(FIRST_DAY, LAST_DAY, schema.CYCLE_QUARTER)
    for task_id, unit in _responsible(tasks, units):
        progress = 0
        pace = rng.uniform(7, 17) * SLOW_UNITS.get(unit, 1.0)
        if task_id in ("3", "4", "9"):
            pace = 30  # the 年鉴 and two others finish early: a few tasks done
        for quarter in quarters:
            if rng.random() < SKIPPING_UNITS.get(unit, 0.05) and quarter is not quarters[-1]:
                continue
            last = min(quarter.end, LAST_DAY)
            day = last - dt.timedelta(days=rng.randint(3, 12 if last == quarter.end else 5))
            if day < FIRST_DAY:
                day = FIRST_DAY
            if quarter is quarters[-1] and rng.random() < 0.4:
                continue  # the current quarter: not everyone has reported yet
            progress = min(100, progress + round(pace * rng.uniform(0.6, 1.4)))
            lagging = unit in SLOW_UNITS and progress < 60 and rng.random() < 0.5
            status = (schema.STATUS_DONE if progress >= 100 else
                      schema.STATUS_LAGGING if lagging else
                      schema.STATUS_IN_PROGRESS if progress > 0 else schema.STATUS_NOT_STARTED)
            rows.append({
                "date": day,
                "task_id": task_id,
                "unit": unit,
                "progress": progress,
                "status": status,
                "progress_note": rng.choice(PROGRESS_NOTES),
                "problems": "" if progress >= 100 else rng.choice(PROBLEMS),
                "next_steps": "" if progress >= 100 else rng.choice(NEXT_STEPS),
                "reporter": SAMPLE_REPORTER,
            })
            if progress >= 100:
                break
    updates = pd.DataFrame(rows)
    return updates.sort_values(["date", "task_id", "unit"], key=lambda c: c.map(_sort_key) if c.name == "task_id" else c)


def _sort_key(task_id: str) -> tuple:
    return tuple(int(p) for p in task_id.split(".") if p.isdigit())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-o", "--output", default=str(ROOT / "data" / "tasks.xlsx"))
    parser.add_argument("--notice", default=str(BUNDLED_NOTICE))
    args = parser.parse_args()
    build(Path(args.output), Path(args.notice))
    print(f"已生成 {args.output}")


if __name__ == "__main__":
    main()
