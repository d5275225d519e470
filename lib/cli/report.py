"""``python -m lib export-pptx``, ``export-xlsx`` and ``export-docx``: the quarterly review as files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from lib.cli.options import add_workbook_options, chosen_workbook, valid_book

if TYPE_CHECKING:
    from lib.model import Book
    from lib.review import Review


def _review(args: argparse.Namespace) -> tuple[Review, Book] | None:
    """The review of ``--period`` and its book, or None once the reason is printed."""
    from lib import review

    book = valid_book(chosen_workbook(args), "生成汇报")
    if book is None:
        return None
    try:
        period = review.period_from_code(args.period, book)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return None
    return review.build_review(book, period), book


def _write(output: str, data: bytes, what: str) -> int:
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    print(f"已写入 {path}（{what}）。")
    return 0


def cmd_export_pptx(args: argparse.Namespace) -> int:
    from lib.exports import pptx

    loaded = _review(args)
    if loaded is None:
        return 1
    built, _ = loaded
    data = pptx.pptx_bytes(built)
    return _write(args.output, data, f"{built.period.label}汇报，数据截至 {built.as_of}")


def cmd_export_xlsx(args: argparse.Namespace) -> int:
    from lib.exports import xlsx

    loaded = _review(args)
    if loaded is None:
        return 1
    built, book = loaded
    return _write(args.output, xlsx.xlsx_bytes(built, book), f"{built.period.label}汇总，数据截至 {built.as_of}")


def cmd_export_docx(args: argparse.Namespace) -> int:
    from lib import settings
    from lib.exports import report_docx

    loaded = _review(args)
    if loaded is None:
        return 1
    built, book = loaded
    data = report_docx.docx_bytes(built, book, settings.today())
    return _write(args.output, data, f"{built.period.label}落实情况报告，数据截至 {built.as_of}")


def register(subparsers) -> None:
    for name, handler, help_text, default_output in (
        ("export-pptx", cmd_export_pptx, "导出季度汇报 PowerPoint（16:9）", "review.pptx"),
        ("export-xlsx", cmd_export_xlsx, "导出季度汇总 Excel", "汇总.xlsx"),
        ("export-docx", cmd_export_docx, "导出季度落实情况报告 Word 稿（公文格式）", "报告.docx"),
    ):
        command = subparsers.add_parser(name, help=help_text)
        command.add_argument("--period", required=True, help="报送周期，如 2026Q3（月度方案写 2026-07）")
        command.add_argument("-o", "--output", default=default_output)
        add_workbook_options(command)
        command.set_defaults(handler=handler)
