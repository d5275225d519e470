"""The options commands share, and the one way each reads them: which workbook (``--plan`` / ``--workbook`` /
FILE, by ``plans.resolve``'s rule) and which account acts (``--user`` / ``--accounts``).

Kept in one module so that every command names a workbook and a person the same way, with the same help
texts and the same refusals (``NamedTwice``, an unknown or disabled account).
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from lib import accounts, plans

if TYPE_CHECKING:
    from lib.model import Book

CLI_USER = "命令行"  # logged as a notice's author when neither --user nor a login name is known
USAGE_ERROR = 2  # argparse's exit code for a command line that cannot be obeyed as written


class NamedTwice(plans.PlanError):
    """The workbook named two ways at once: a usage error, exit code ``USAGE_ERROR``."""


def add_workbook_options(parser: argparse.ArgumentParser, file_argument: bool = False,
                         older_spellings: tuple[str, ...] = ()) -> None:
    """``--plan NAME`` and ``--workbook PATH`` (plus ``older_spellings`` of --workbook), and with
    ``file_argument`` an optional positional FILE meaning the same as --workbook."""
    if file_argument:
        parser.add_argument("file", nargs="?", help="工作簿文件，与 --workbook 相同")
    parser.add_argument("--plan", help="方案简称，即方案文件夹（KANBAN_PLANS_DIR）中的文件名，不含 .xlsx")
    parser.add_argument("--workbook", *older_spellings, dest="workbook",
                        help="工作簿文件路径；与 --plan 都不指定时为默认工作簿（KANBAN_WORKBOOK，默认 data/tasks.xlsx）")


def workbook_named(args: argparse.Namespace) -> bool:
    """Whether the command line names a workbook at all (--plan, --workbook or FILE)."""
    return any(getattr(args, name, None) is not None for name in ("plan", "workbook", "file"))


def chosen_workbook(args: argparse.Namespace) -> Path:
    """The workbook the command acts on, by ``plans.resolve``'s rule; FILE counts as --workbook.

    Raises ``NamedTwice`` when two of them are given, ``plans.PlanError`` for an unknown plan.
    """
    given = [value for value in (getattr(args, "file", None), args.workbook) if value is not None]
    if len(given) + (args.plan is not None) > 1:
        raise NamedTwice("--plan、--workbook 与工作簿文件参数只能指定其一。")
    return plans.resolve(plan=args.plan, workbook=given[0] if given else None)


def add_user_options(parser: argparse.ArgumentParser, required: bool, help_text: str) -> None:
    """``--user NAME`` for a command that acts for a person, and ``--accounts`` for where that account is kept."""
    parser.add_argument("--user", required=required, help=help_text)
    parser.add_argument("--accounts", help="账号文件，默认 data/accounts.toml（或 KANBAN_ACCOUNTS）")


def named_account(args: argparse.Namespace, admin: bool) -> accounts.Account:
    """The account ``--user`` names; raises AccountError when there is none, or when ``admin`` and it is not one."""
    path = Path(args.accounts) if args.accounts else accounts.load_settings().accounts_path
    account = accounts.load_accounts(path).get(args.user)
    if account is None:
        raise accounts.AccountError(f"账号「{args.user}」不存在，请先用 python -m lib user add 创建。")
    if account.disabled:  # as the browser refuses its login
        raise accounts.AccountError(f"账号「{args.user}」已停用，请联系管理员。", code="disabled")
    if admin and not account.is_admin:
        raise accounts.AccountError("只有管理员可以整体替换。")
    return account


def notice_user(args: argparse.Namespace) -> str:
    """The account ``--user`` names (it must exist), else the login name running the command."""
    if args.user:
        return named_account(args, admin=False).name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return CLI_USER


def valid_book(path: Path, purpose: str, today: dt.date | None = None) -> Book | None:
    """The workbook at ``path`` when it has no errors; else None, once its errors and that ``purpose`` (a verb
    phrase: 生成汇报, 计算 …) cannot go on are printed."""
    from lib import validate  # here, not at the top: ``python -m lib --help`` need not load pandas

    result = validate.load(path, today)
    if result.book is None or not result.ok:
        for problem in result.errors:
            print(problem.as_text(), file=sys.stderr)
        print(f"工作簿存在错误，无法{purpose}，请先修正（python -m lib validate 查看全部问题）。", file=sys.stderr)
        return None
    return result.book
