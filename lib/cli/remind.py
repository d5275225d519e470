"""``python -m lib remind``: the 催报通知 of a period, as a .docx (``-o``) or as one message per unit."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lib import settings
from lib.accounts import AccountError
from lib.cli.options import add_user_options, add_workbook_options, chosen_workbook, notice_user, valid_book


def cmd_remind(args: argparse.Namespace) -> int:
    from lib import remind, review

    path = chosen_workbook(args)
    book = valid_book(path, "生成催报通知")
    if book is None:
        return 1
    try:
        user = notice_user(args)
        period = review.period_from_code(args.period, book)
        units = [args.unit] if args.unit else None
        if args.unit and args.unit not in set(book.assignments["unit"]):
            raise ValueError(f"处室「{args.unit}」在该方案中没有责任分工。")
        snapshot = remind.period_snapshot(book, period, settings.today())
    except (AccountError, ValueError) as error:
        print(str(error), file=sys.stderr)
        return 1
    if args.output:
        data = remind.issue_docx(path, book, snapshot, user, units)
        if not data:
            print(f"{period.label}应报送的分工均已报送，无需催报。")
            return 0
        output = Path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
        print(f"已写入 {output}（{remind.notice_title(book, period)}），已记入催报记录。")
        return 0
    messages = remind.issue_messages(path, book, snapshot, user, units)
    print("\n\n".join(messages.values()) if messages else f"{period.label}应报送的分工均已报送，无需催报。")
    return 0


def register(subparsers) -> None:
    command = subparsers.add_parser("remind", help="生成本期催报通知：-o 写 .docx 公文，否则逐个处室输出催报消息")
    command.add_argument("--period", required=True, help="报送周期，如 2026Q4（月度方案写 2026-07）")
    command.add_argument("--unit", help="只催报该处室，默认全部未报送的处室")
    command.add_argument("-o", "--output", help="写出催报通知 .docx 的路径；不写则输出文本消息")
    add_workbook_options(command)
    add_user_options(command, required=False,
                     help_text="以哪个账号记入催报记录，默认为运行命令的系统用户名")
    command.set_defaults(handler=cmd_remind)
