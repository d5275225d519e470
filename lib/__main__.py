"""Command line: ``python -m lib <command>``. A thin layer over the same functions as the pages.

Everything a command prints passes through ``escape.for_terminal`` on its way out (see ``main``): sheet
text may hold ESC and other control characters, which a terminal would obey.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import re
import sys
from pathlib import Path
from typing import TextIO

from lib import metrics, plans, schema, validate
from lib.accounts import ROLE_ADMIN, Account, AccountError
from lib.cli import accounts, apply, options, remind, report, supervision, urge
from lib.cli.options import add_workbook_options, chosen_workbook
from lib.escape import for_terminal
from lib.model import Book

_LAYOUT = re.compile(r"([\n\t])")


class PrintableStream:
    """A text stream that writes its text through ``for_terminal``, keeping only line breaks and tabs.

    The one choke point for the CLI's output: every print of every command, including tables and
    messages that quote a cell, reaches stdout and stderr as printable text. Line breaks and tabs are
    the output's own layout (``user list`` is tab-separated); a cell's own ones are escaped before,
    by ``Problem.as_text``, the preview printer and pandas' ``to_string``.
    """

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write("".join(part if _LAYOUT.fullmatch(part) else for_terminal(part)
                                   for part in _LAYOUT.split(text)))
        return len(text)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)  # flush, encoding, isatty, fileno


def json_for_terminal(value: object) -> str:
    """``value`` as JSON, with any character ``for_terminal`` would escape written as a JSON ``\\u`` escape.

    ``json.dumps`` escapes C0 controls but not C1 ones (U+0080–U+009F) or bidi overrides; as ``\\u``
    escapes the output is still valid JSON, holds the same text, and passes ``PrintableStream`` unchanged.
    """
    text = json.dumps(value, ensure_ascii=False, indent=2)
    # A line break in the output is the indent's: json.dumps writes one inside a string as \n.
    return "".join(char if char.isprintable() or char == "\n" or for_terminal(char) == char
                   else json.dumps(char)[1:-1] for char in text)


def _as_of(text: str | None) -> dt.date:
    return dt.date.fromisoformat(text) if text else dt.date.today()


def cmd_validate(args: argparse.Namespace) -> int:
    result = validate.load(chosen_workbook(args))
    for problem in result.problems:
        print(problem.as_text())
    errors, warnings = len(result.errors), len(result.warnings)
    print(f"共 {errors} 个错误，{warnings} 个警告。" if result.problems else "校验通过，未发现问题。")
    return 1 if errors else 0


def _book_or_exit(path: Path) -> Book:
    result = validate.load(path)
    if result.book is None or not result.ok:
        for problem in result.errors:
            print(problem.as_text(), file=sys.stderr)
        print("工作簿存在错误，无法计算，请先修正（python -m lib validate 查看全部问题）。", file=sys.stderr)
        raise SystemExit(1)
    return result.book


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
    if options.workbook_named(args):
        raise options.NamedTwice("--all 与 --plan、--workbook、工作簿文件参数不能同时使用。")
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


def cmd_import_plan(args: argparse.Namespace) -> int:
    from lib.intake import IntakeError, import_notice
    from lib.plan_draft import draft_bytes, draft_from_import

    output = chosen_workbook(args)
    try:
        # Overwriting is an admin's 整体替换: refused before the notice is read, recorded under the admin's name.
        account = options.named_account(args, admin=True) if args.user else Account("import-plan", ROLE_ADMIN)
    except AccountError as error:
        print(str(error), file=sys.stderr)
        return 1
    try:
        imported = import_notice(Path(args.notice).read_bytes(), Path(args.notice).name)
    except IntakeError as error:
        print(error.message, file=sys.stderr)
        return 1
    except OSError as error:
        print(f"无法读取 {args.notice}：{error.strerror or error}。", file=sys.stderr)
        return 1
    for warning in imported.warnings:
        print(f"[提示] {warning}", file=sys.stderr)
    if imported.tasks.empty:
        print("未能从通知中识别出任何任务，请检查文本格式。", file=sys.stderr)
        return 1
    if output.exists() and not args.force:
        print(f"{output} 已存在；如需覆盖，请加 --force。", file=sys.stderr)
        return 1
    draft = draft_from_import(imported)
    data = draft_bytes(draft)
    done = draft.summary()
    if not output.exists():
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
        print(f"已写入 {output}：{done}。")
        return 0
    # Overwriting a workbook, possibly the shared one: the same locked, versioned,
    # audited save as an admin's 整体替换, so its 进展 rows are never lost.
    from lib import store

    change = store.Change(store.REPLACE, account, upload=data, filename=Path(args.notice).name,
                          label="方案导入（新方案）")
    result = store.apply(output, change)
    if not result.saved:
        print(f"未覆盖 {output}：{result.message}", file=sys.stderr)
        return 1
    print(f"已覆盖 {output}：{done}；原文件已保存到 {store.history_dir(output)}。")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lib", description="落实看板命令行工具")
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("validate", help="校验工作簿，有错误时退出码为 1")
    add_workbook_options(check, file_argument=True)
    check.set_defaults(handler=cmd_validate)

    summary = commands.add_parser("summary", help="按数据截至日期输出各项指标")
    add_workbook_options(summary, file_argument=True)
    summary.add_argument("--all", action="store_true", help="逐个方案输出总体指标（不含已归档方案）")
    summary.add_argument("--as-of", help="数据截至日期 YYYY-MM-DD，默认今天")
    summary.add_argument("--json", action="store_true", help="输出 JSON")
    summary.set_defaults(handler=cmd_summary)

    importer = commands.add_parser("import-plan", help="从分工方案通知（.docx/.pdf/.doc/.wps/.txt）生成工作簿")
    importer.add_argument("notice")
    # -o/--output was this command's name for the workbook before --workbook; both still work.
    add_workbook_options(importer, older_spellings=("-o", "--output"))
    importer.add_argument("--force", action="store_true", help="覆盖已有文件")
    options.add_user_options(importer, required=False,
                               help_text="覆盖已有工作簿时以哪个管理员账号记入版本记录，默认记为 import-plan")
    importer.set_defaults(handler=cmd_import_plan)

    # Each feature's commands live beside it, in a module with a register(subparsers) function.
    for feature in (apply, accounts, report, remind, urge, supervision):
        feature.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    with contextlib.redirect_stdout(PrintableStream(sys.stdout)), \
            contextlib.redirect_stderr(PrintableStream(sys.stderr)):
        args = build_parser().parse_args(argv)
        try:
            return args.handler(args)
        except plans.PlanError as error:
            # An unknown plan, or a workbook named twice: a sentence for the person, never a traceback.
            print(str(error), file=sys.stderr)
            return options.USAGE_ERROR if isinstance(error, options.NamedTwice) else 1


if __name__ == "__main__":
    raise SystemExit(main())
