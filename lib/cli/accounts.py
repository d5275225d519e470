"""``python -m lib user add|list|remove|passwd``: manage upload accounts from the shell."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import sys
from pathlib import Path

from lib import accounts


def read_password(confirm: bool = True) -> str:
    """From a prompt on a terminal (asked twice), or the first line of stdin for scripts."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码（至少 8 位）：")
    if confirm and getpass.getpass("再次输入密码：") != first:
        raise accounts.AccountError("两次输入的密码不一致。")
    return first


def _path(args: argparse.Namespace) -> Path:
    return Path(args.accounts) if args.accounts else accounts.load_settings().accounts_path


def account_status(account: accounts.Account) -> str:
    """停用 and 须改密码 as 账号管理 shows them; 正常 when neither."""
    marks = [text for flag, text in ((account.disabled, "已停用"), (account.must_change, "须修改密码")) if flag]
    return "、".join(marks) or "正常"


def cmd_user(args: argparse.Namespace) -> int:
    path = _path(args)
    try:
        if args.user_command == "add":
            units = [u.strip() for u in (args.units or "").replace("，", ",").split(",") if u.strip()]
            if not args.admin and not units:
                raise accounts.AccountError("处室填报账号须用 --units 指定处室，或用 --admin 创建管理员。")
            account = accounts.add_user(path, args.name, read_password(), units, admin=args.admin)
            scope = "全部" if account.is_admin else "、".join(account.units)
            print(f"已创建账号「{account.name}」（{account.role_label}，处室：{scope}），账号文件：{path}")
        elif args.user_command == "list":
            found = accounts.load_accounts(path)
            if not found:
                settings = dataclasses.replace(accounts.load_settings(), accounts_path=path)
                print(f"尚无账号（{path}）。创建第一个管理员：{accounts.first_admin_command(settings)}")
            for account in found.values():
                scope = "全部" if account.is_admin else "、".join(account.units)
                print(f"{account.name}\t{account.role_label}\t{scope}\t{account_status(account)}\t{account.created}")
        elif args.user_command == "remove":
            accounts.remove_user(path, args.name)
            print(f"已删除账号「{args.name}」；其已登录的会话在下次操作时退出。")
        elif args.user_command == "passwd":
            if args.name not in accounts.load_accounts(path):
                raise accounts.AccountError(f"账号「{args.name}」不存在。")
            accounts.set_password(path, args.name, read_password())
            print(f"已修改账号「{args.name}」的密码；其已登录的会话在下次操作时退出，须用新密码重新登录。")
    except accounts.AccountError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


def register(subparsers) -> None:
    user = subparsers.add_parser("user", help="管理上传账号（add / list / remove / passwd）")
    user.add_argument("--accounts", help="账号文件，默认 data/accounts.toml（或环境变量 KANBAN_ACCOUNTS）")
    actions = user.add_subparsers(dest="user_command", required=True)
    add = actions.add_parser("add", help="新增账号；密码从提示输入，非终端时从标准输入读取一行")
    add.add_argument("name")
    role = add.add_mutually_exclusive_group(required=True)
    role.add_argument("--units", help="处室填报账号负责的处室，逗号分隔")
    role.add_argument("--admin", action="store_true", help="管理员")
    actions.add_parser("list", help="列出账号")
    remove = actions.add_parser("remove", help="删除账号")
    remove.add_argument("name")
    passwd = actions.add_parser("passwd", help="修改密码")
    passwd.add_argument("name")
    for parser in (add, remove, passwd, actions.choices["list"]):
        parser.add_argument("--accounts", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    user.set_defaults(handler=cmd_user)
