"""``python -m lib summary``: a workbook's figures as of a date, as tables or JSON; with ``--all``, every
active plan's headline, one line (or JSON object) each."""

from __future__ import annotations

import argparse
import datetime as dt
import math
from pathlib import Path

from lib import metrics, plans, schema, validate
from lib.cli.options import NamedTwice, add_workbook_options, chosen_workbook, valid_book, workbook_named
from lib.cli.output import json_for_terminal
from lib.model import Book


def _as_of(text: str | None) -> dt.date:
    return dt.date.fromisoformat(text) if text else dt.date.today()


def _book_or_exit(path: Path) -> Book:
    book = valid_book(path, "计算")
    if book is None:
        raise SystemExit(1)
    return book


def _number(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 2)


def plan_summary_json(key: str, book: Book, snapshot: metrics.Snapshot) -> dict:
    """What ``summary --json`` prints for one plan, and ``summary --all --json`` for each: the plan's key (the
    file's stem) and 方案名称, then ``metrics.summary_json`` with the board's other headline figures in ``overall``."""
    summary = metrics.summary_json(snapshot)
    overall = snapshot.overall
    summary["overall"] |= {"change": _number(overall.change), "lights": dict(overall.lights),
                           "reported": overall.reported, "required": overall.required}
    return {"plan": key, "name": book.plan.name, **summary}


def _headline(summary: dict) -> str:
    overall = summary["overall"]
    change = "—" if overall["change"] is None else f"{overall['change']:+.1f}"
    lights = "、".join(f"{schema.light_label(light)} {count}" for light, count in overall["lights"].items())
    return (f"{summary['plan']}　{summary['name'] or '（未填方案名称）'}　数据截至 {summary['as_of']}　"
            f"总体进度 {overall['progress'] or 0:.1f}%（较上期 {change}）　任务 {overall['tasks']} 项，"
            f"已完成 {overall['done']} 项　{lights}　本期报送 {overall['reported']}/{overall['required']}")


def cmd_summary_all(args: argparse.Namespace) -> int:
    """Every active plan's headline, one line (or JSON object) each; a broken plan says so and the rest follow."""
    if workbook_named(args):
        raise NamedTwice("--all 与 --plan、--workbook、工作簿文件参数不能同时使用。")
    listed, broken = [], 0
    for plan in plans.all_plans():
        result = validate.load(plan.path)
        if result.book is None or not result.ok:
            broken += 1
            listed.append(({"plan": plan.key, "name": None, "errors": len(result.errors)},
                           f"{plan.key}　工作簿存在 {len(result.errors)} 个错误，无法计算"
                           f"（python -m lib validate --plan {plan.key} 查看）。"))
            continue
        summary = plan_summary_json(plan.key, result.book, metrics.compute(result.book, _as_of(args.as_of)))
        listed.append((summary, _headline(summary)))
    if args.json:
        print(json_for_terminal([summary for summary, _ in listed]))
    else:
        print("\n".join(line for _, line in listed) if listed else "尚无方案。")
    return 1 if broken else 0


def cmd_summary(args: argparse.Namespace) -> int:
    if args.all:
        return cmd_summary_all(args)
    path = chosen_workbook(args)
    book = _book_or_exit(path)
    snapshot = metrics.compute(book, _as_of(args.as_of))
    if args.json:
        print(json_for_terminal(plan_summary_json(path.stem, book, snapshot)))
        return 0
    overall = snapshot.overall
    print(f"数据截至 {snapshot.as_of}（{snapshot.period.label}）")
    print(f"总体进度 {overall.progress:.1f}%（较上期 {overall.change:+.1f}），任务 {overall.tasks} 项，已完成 {overall.done} 项，"
          f"本期报送 {overall.reported}/{overall.required}")
    print("\n板块进度")
    print(snapshot.sections[["label", "progress", "tasks", "done", "change"]]
          .rename(columns={"label": "板块", "progress": "进度", "tasks": "任务数", "done": "已完成", "change": "较上期"})
          .round(1).to_string(index=False))
    print("\n处室进度")
    print(snapshot.units[["unit", "progress", "assignments", "lead", "cooperate", "done", "reported", "required"]]
          .rename(columns={"unit": "处室", "progress": "进度", "assignments": "分工数", "lead": "牵头", "cooperate": "配合",
                           "done": "已完成", "reported": "本期已报", "required": "本期应报"})
          .round(1).to_string(index=False))
    print("\n任务进度")
    print(snapshot.tasks[["task_id", "progress", "expected", "light"]]
          .rename(columns={"task_id": "编号", "progress": "进度", "expected": "序时进度", "light": "预警"})
          .round(1).to_string(index=False))
    return 0


def register(subparsers) -> None:
    summary = subparsers.add_parser("summary", help="按数据截至日期输出各项指标")
    add_workbook_options(summary, file_argument=True)
    summary.add_argument("--all", action="store_true", help="逐个方案输出总体指标（不含已归档方案）")
    summary.add_argument("--as-of", help="数据截至日期 YYYY-MM-DD，默认今天")
    summary.add_argument("--json", action="store_true", help="输出 JSON")
    summary.set_defaults(handler=cmd_summary)
