"""``python -m lib urge``: the 催办通知 of the tasks overdue as of a date, as a .docx (``-o``) or as one message per unit."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from lib import settings
from lib.accounts import AccountError
from lib.cli.options import add_user_options, add_workbook_options, chosen_workbook, notice_user, valid_book


def _as_of(text: str | None) -> dt.date:
    if not text:
        return settings.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"日期「{text}」无法识别，请写作 2026-12-31。") from None


def cmd_urge(args: argparse.Namespace) -> int:
    from lib.supervision import urge

    path = chosen_workbook(args)
    book = valid_book(path, "生成催办通知", settings.today())
    if book is None:
        return 1
    try:
        user = notice_user(args)
        as_of = _as_of(args.as_of)
        units = [args.unit] if args.unit else None
        if args.unit and args.unit not in set(book.assignments["unit"]):
            raise ValueError(f"处室「{args.unit}」在该方案中没有责任分工。")
    except (AccountError, ValueError) as error:
        print(str(error), file=sys.stderr)
        return 1
    nothing = f"截至{as_of:%Y-%m-%d}，{args.unit or '各处室'}没有逾期未办结的任务，无需催办。"
    if args.output:
        data = urge.issue_docx(path, book, as_of, user, units, settings.today())
        if not data:
            print(nothing)
            return 0
        output = Path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
        print(f"已写入 {output}（{urge.notice_title(book)}），已记入催办记录。")
        return 0
    messages = urge.issue_messages(path, book, as_of, user, units)
    print("\n\n".join(messages.values()) if messages else nothing)
    return 0


def register(subparsers) -> None:
    command = subparsers.add_parser("urge", help="生成逾期未办结任务的催办通知：-o 写 .docx 公文，否则逐个处室输出催办消息")
    command.add_argument("--unit", help="只催办该处室，默认全部有逾期任务的处室")
    command.add_argument("--as-of", help="按哪一天计算逾期 YYYY-MM-DD，默认今天")
    command.add_argument("-o", "--output", "--docx", dest="output",
                         help="写出催办通知 .docx 的路径；不写则输出文本消息")
    add_workbook_options(command)
    add_user_options(command, required=False,
                     help_text="以哪个账号记入催办记录，默认为运行命令的系统用户名")
    command.set_defaults(handler=cmd_urge)
