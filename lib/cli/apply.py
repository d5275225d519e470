"""``python -m lib apply UPLOAD.xlsx --user NAME``: the upload page's pipeline from the shell, with the same
preview, the same checks and the same locked, versioned save (``lib.store``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lib import accounts, store, tables
from lib.cli.options import add_user_options, add_workbook_options, chosen_workbook, named_account
from lib.escape import for_terminal as _t


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
