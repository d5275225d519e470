"""``python -m lib validate``: check a workbook and print every problem; exit code 1 when there are errors."""

from __future__ import annotations

import argparse

from lib import validate
from lib.cli.options import add_workbook_options, chosen_workbook


def cmd_validate(args: argparse.Namespace) -> int:
    result = validate.load(chosen_workbook(args))
    for problem in result.problems:
        print(problem.as_text())
    errors, warnings = len(result.errors), len(result.warnings)
    print(f"共 {errors} 个错误，{warnings} 个警告。" if result.problems else "校验通过，未发现问题。")
    return 1 if errors else 0


def register(subparsers) -> None:
    check = subparsers.add_parser("validate", help="校验工作簿，有错误时退出码为 1")
    add_workbook_options(check, file_argument=True)
    check.set_defaults(handler=cmd_validate)
