"""The accounts file: a TOML file outside git, read into :class:`Account` records and written back whole.

Written atomically and readable by its owner only; every change holds the file's lock (:func:`locked`) from
reading to writing, so two admins cannot undo each other's change. TOML is written here by hand (the standard
library only reads it), so :func:`_quote` escapes what a name or unit may contain.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from filelock import FileLock

from lib.accounts.records import ROLE_REPORTER, Account, AccountError


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _account(name: str, record: dict) -> Account:
    """One ``[users.NAME]`` table; files written before ``disabled``, ``must_change`` and ``revision`` lack them."""
    disabled, must_change = record.get("disabled", False), record.get("must_change", False)
    revision = record.get("revision", 0)
    # A hand-edited "disabled = 'yes'" must not quietly mean enabled: a wrong type makes the file damaged.
    if not isinstance(disabled, bool) or not isinstance(must_change, bool) or type(revision) is not int:
        raise ValueError(name)
    return Account(name=name, role=record.get("role", ROLE_REPORTER), units=tuple(record.get("units", [])),
                   password_hash=record.get("password", ""), created=record.get("created", ""),
                   disabled=disabled, must_change=must_change, revision=revision)


def load_accounts(path: Path) -> dict[str, Account]:
    """Accounts by name; an absent file means no accounts yet. A damaged file raises AccountError."""
    path = Path(path)
    if not path.exists():
        return {}
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        users = data.get("users", {})
        if not isinstance(users, dict) or not all(isinstance(r, dict) for r in users.values()):
            raise ValueError("users")
        return {name: _account(name, record) for name, record in users.items()}
    except (OSError, tomllib.TOMLDecodeError, ValueError) as exc:
        raise AccountError(f"账号文件 {path} 无法读取或格式有误（{type(exc).__name__}）。"
                           "请系统管理员检查该文件，或改名后用 python -m lib user add 重新创建账号。",
                           "damaged-file") from exc


def save_accounts(path: Path, accounts: dict[str, Account]) -> None:
    """Write the file atomically, readable by its owner only."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# 落实看板账号文件：由 python -m lib user … 或「账号管理」页维护，请勿提交到 git。", ""]
    for account in accounts.values():
        lines += [
            f"[users.{_quote(account.name)}]",
            f"role = {_quote(account.role)}",
            "units = [" + ", ".join(_quote(u) for u in account.units) + "]",
            f"password = {_quote(account.password_hash)}",
            f"created = {_quote(account.created)}",
            f"disabled = {'true' if account.disabled else 'false'}",
            f"must_change = {'true' if account.must_change else 'false'}",
            f"revision = {account.revision}",
            "",
        ]
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)


def locked(path: Path) -> FileLock:
    return FileLock(str(Path(path).with_name(Path(path).name + ".lock")), timeout=30)
