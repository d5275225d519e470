"""``python -m lib apply UPLOAD.xlsx --user NAME``: the upload page's pipeline from the shell; and the one way
every command names the workbook it reads or writes (``--plan`` / ``--workbook``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lib import accounts, plans, store, tables
from lib.escape import for_terminal as _t

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


def print_preview(preview: store.Preview) -> None:
    """The preview as the upload page shows it, one line per row or change; each cell's text on its
    own line's terms (``for_terminal``), so a multi-line 任务内容 stays on one line."""
    for problem in preview.problems:
        print(problem.as_text())
    counts = preview.counts
    print(f"进展记录：新增 {counts['added']} 条，修改 {counts['changed']} 条，未变 {preview.unchanged} 条，"
          f"删除 {counts['removed']} 条；任务/处室/方案改动 {counts['other']} 项。")
    for record in preview.changed.to_dict("records"):
        print(f"  修改 {record['date']:%Y-%m-%d} 编号{_t(record['task_id'])} {_t(record['unit'])}："
              f"完成进度 {record['progress_旧']} → {record['progress_新']}")
    for record in preview.removed.to_dict("records"):
        reason = f"（{_t(record['说明'])}）" if record.get("说明") else ""
        day = record["date"].strftime("%Y-%m-%d") if hasattr(record["date"], "strftime") else _t(record["date"])
        print(f"  删除 {day} 编号{_t(record['task_id'])} {_t(record['unit'])}{reason}")
    for record in preview.other_changes.to_dict("records"):
        print(f"  {record['工作表']} {record['改动']} {_t(record['键'])}：{_t(record['原值'])} → {_t(record['新值'])}")
    for note in preview.notes:
        print(note)
    for record in tables.moved_rows(preview.movement).to_dict("records"):
        print(f"  {record['范围']} {_t(record['名称'])}：{record['之前']} → {record['之后']}")


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


def cmd_apply(args: argparse.Namespace) -> int:
    workbook = chosen_workbook(args)
    try:
        account = named_account(args, admin=args.replace)
    except accounts.AccountError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    upload = Path(args.upload)
    change = store.Change(store.REPLACE if args.replace else store.MERGE, account, upload.read_bytes(), upload.name)
    if args.yes:
        result = store.apply(workbook, change)
        if result.preview is not None:
            print_preview(result.preview)
        print(result.message)
        unchanged = result.preview is not None and result.preview.ok and not result.preview.has_changes
        return 0 if result.saved or unchanged else 1
    while True:
        shown = store.preview(workbook.read_bytes() if workbook.exists() else None, change)
        print_preview(shown)
        if not shown.ok or not shown.has_changes:
            print("存在错误，未保存。" if not shown.ok else "没有需要保存的变化。")
            return 1 if not shown.ok else 0
        try:
            answer = input("确认保存？[y/N] ")
        except EOFError:
            print("没有收到确认（输入已关闭），未保存。如需不经确认直接保存，请加 --yes。", file=sys.stderr)
            return 1
        if answer.strip().lower() not in ("y", "yes", "是"):
            print("已取消，未保存。")
            return 1
        result = store.save(workbook, shown)
        print(result.message)
        if not result.stale:
            return 0 if result.saved else 1


def register(subparsers) -> None:
    apply = subparsers.add_parser("apply", help="校验并合并上传的工作簿（与上传页面相同的流程）")
    apply.add_argument("upload")
    add_user_options(apply, required=True, help_text="账号名称，决定填报权限")
    add_workbook_options(apply)
    apply.add_argument("--replace", action="store_true", help="整体替换（仅管理员）；预览会列出将删除的记录")
    apply.add_argument("--yes", action="store_true", help="不询问，直接保存")
    apply.set_defaults(handler=cmd_apply)
