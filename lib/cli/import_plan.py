"""``python -m lib import-plan NOTICE``: a new plan workbook read from a 分工方案 notice (.docx/.pdf/.doc/.wps/.txt).

Writing a new file is plain; overwriting one (``--force``) is an admin's 整体替换 through ``lib.store``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lib.accounts import ROLE_ADMIN, Account, AccountError
from lib.cli.options import add_user_options, add_workbook_options, chosen_workbook, named_account


def cmd_import_plan(args: argparse.Namespace) -> int:
    from lib.intake import IntakeError, import_notice
    from lib.plan_draft import draft_bytes, draft_from_import

    output = chosen_workbook(args)
    try:
        # Overwriting is an admin's 整体替换: refused before the notice is read, recorded under the admin's name.
        account = named_account(args, admin=True) if args.user else Account("import-plan", ROLE_ADMIN)
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


def register(subparsers) -> None:
    importer = subparsers.add_parser("import-plan", help="从分工方案通知（.docx/.pdf/.doc/.wps/.txt）生成工作簿")
    importer.add_argument("notice")
    # -o/--output was this command's name for the workbook before --workbook; both still work.
    add_workbook_options(importer, older_spellings=("-o", "--output"))
    importer.add_argument("--force", action="store_true", help="覆盖已有文件")
    add_user_options(importer, required=False,
                     help_text="覆盖已有工作簿时以哪个管理员账号记入版本记录，默认记为 import-plan")
    importer.set_defaults(handler=cmd_import_plan)
