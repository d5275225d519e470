"""Changes to accounts, from the shell (``python -m lib user``) and the 账号管理 page: add, remove, set or reset a
password, disable or enable, change role and units, and a user's change of their own password.

Each change is made under the accounts file's lock, saved atomically, appended to the audit log, and gives the
account a new :attr:`Account.version`, which ends its open sessions. The checks (role, units, that an enabled
admin remains) live here so that the shell and the page refuse the same things with the same codes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path

from lib.accounts.audit import (
    ACCESS_CHANGED,
    ADDED,
    CLI_ACTOR,
    DISABLED,
    ENABLED,
    OWN_PASSWORD,
    PASSWORD_RESET,
    PASSWORD_SET,
    REMOVED,
    append_audit,
)
from lib.accounts.file import load_accounts, locked, save_accounts
from lib.accounts.login import LOGIN_WRONG, login
from lib.accounts.passwords import check_password, hash_password, new_temporary_password
from lib.accounts.records import ROLE_ADMIN, ROLE_LABELS, ROLE_REPORTER, Account, AccountError
from lib.accounts.throttle import LoginThrottle

# ---- checks shared by the shell and the 账号管理 page -----------------------------------


def _checked_units(role: str, units: Iterable[str], known_units: Collection[str] | None) -> tuple[str, ...]:
    """The units to store: none for an admin (who may report for all); at least one, each known, for a reporter.

    ``known_units`` (the units of every plan) is None from the shell, which has always taken units as typed.
    """
    if role not in ROLE_LABELS:
        raise AccountError(f"角色「{role}」无效，应为管理员或处室填报。", "unknown-role")
    if role == ROLE_ADMIN:
        return ()
    cleaned = tuple(dict.fromkeys(unit.strip() for unit in units if unit.strip()))
    if not cleaned:
        raise AccountError("处室填报账号须至少指定一个处室。", "no-units")
    unknown = [unit for unit in cleaned if known_units is not None and unit not in known_units]
    if unknown:
        raise AccountError(f"处室「{'、'.join(unknown)}」不在任何方案的分工中。请核对名称，或先导入含该处室的方案。",
                           "unknown-unit")
    return cleaned


def _existing(found: dict[str, Account], name: str) -> Account:
    if name not in found:
        raise AccountError(f"账号「{name}」不存在。", "unknown-account")
    return found[name]


def enabled_admins(found: Mapping[str, Account]) -> list[str]:
    return [account.name for account in found.values() if account.is_admin and not account.disabled]


# ---- changes: each locked, saved atomically, audited, and giving the account a new version -----------


def add_user(path: Path, name: str, password: str, units: list[str] | None = None, admin: bool = False, *,
             must_change: bool = False, known_units: Collection[str] | None = None,
             actor: str = CLI_ACTOR) -> Account:
    name = name.strip()
    if not name:
        raise AccountError("账号名称不能为空。", "empty-name")
    check_password(password)
    role = ROLE_ADMIN if admin else ROLE_REPORTER
    checked = _checked_units(role, units or (), known_units)
    with locked(path):
        accounts = load_accounts(path)
        if name in accounts:
            raise AccountError(f"账号「{name}」已存在；如需重设密码，请在账号列表中操作或用 user passwd。", "duplicate")
        account = Account(name, role, checked, hash_password(password), dt.datetime.now().isoformat(timespec="seconds"),
                          must_change=must_change)
        accounts[name] = account
        save_accounts(path, accounts)
        append_audit(path, actor, ADDED, name, {"role": role, "units": list(checked), "must_change": must_change})
    return account


def remove_user(path: Path, name: str, *, actor: str = CLI_ACTOR) -> None:
    with locked(path):
        accounts = load_accounts(path)
        removed = _existing(accounts, name)
        del accounts[name]
        save_accounts(path, accounts)
        append_audit(path, actor, REMOVED, name, {"role": removed.role, "units": list(removed.units)})


def _change(path: Path, name: str, actor: str, action: str, apply: Callable[[Account], dict]) -> Account:
    """Apply ``apply`` (which edits the account and returns what changed) under the lock, then save and audit.

    Refused when it would leave no enabled admin while there was one: nobody could then manage accounts in
    the browser. The shell (``user add --admin``) remains the way back.
    """
    with locked(path):
        accounts = load_accounts(path)
        account = _existing(accounts, name)
        had_admin = bool(enabled_admins(accounts))
        changes = apply(account)
        if had_admin and not enabled_admins(accounts):
            raise AccountError("此项修改后将没有可用的管理员账号，已拒绝。请先为其他人设置管理员角色，再停用或调整本账号。",
                               "last-admin")
        account.revision += 1
        save_accounts(path, accounts)
        append_audit(path, actor, action, name, changes)
    return account


def set_password(path: Path, name: str, password: str, *, actor: str = CLI_ACTOR) -> None:
    """Set a password chosen on the shell; it is no longer temporary."""
    check_password(password)

    def apply(account: Account) -> dict:
        account.password_hash, account.must_change = hash_password(password), False
        return {"password": "set"}

    _change(path, name, actor, PASSWORD_SET, apply)


def reset_password(path: Path, name: str, *, actor: str) -> str:
    """Give ``name`` a new temporary password, returned to be shown once; its next login must change it."""
    temporary = new_temporary_password()

    def apply(account: Account) -> dict:
        account.password_hash, account.must_change = hash_password(temporary), True
        return {"password": "temporary", "must_change": True}

    _change(path, name, actor, PASSWORD_RESET, apply)
    return temporary


def set_disabled(path: Path, name: str, disabled: bool, *, actor: str) -> Account:
    """Disable (no login; its sessions end) or enable an account."""

    def apply(account: Account) -> dict:
        if account.disabled == disabled:
            raise AccountError(f"账号「{name}」已是{'停用' if disabled else '启用'}状态。", "unchanged")
        account.disabled = disabled
        return {"disabled": [not disabled, disabled]}

    return _change(path, name, actor, DISABLED if disabled else ENABLED, apply)


def change_access(path: Path, name: str, role: str, units: Iterable[str], *, actor: str,
                  known_units: Collection[str] | None = None) -> Account:
    """Change the account's role and units; a unit it already has stays allowed even when no plan lists it now."""

    def apply(account: Account) -> dict:
        known = None if known_units is None else {*known_units, *account.units}
        checked = _checked_units(role, units, known)
        changes: dict[str, list] = {}
        if role != account.role:
            changes["role"] = [account.role, role]
        if checked != account.units:
            changes["units"] = [list(account.units), list(checked)]
        if not changes:
            raise AccountError(f"账号「{name}」的角色和处室没有变化。", "unchanged")
        account.role, account.units = role, checked
        return changes

    return _change(path, name, actor, ACCESS_CHANGED, apply)


def change_own_password(path: Path, name: str, old_password: str, new_password: str, throttle: LoginThrottle, *,
                        client: str) -> Account:
    """A user's own change: the old password is checked like a login (throttled), then the new one is set.

    Returns the account as saved, for the session to carry on with its new version.
    """
    check_password(new_password)
    if new_password == old_password:
        raise AccountError("新密码不能与原密码相同。", "same-password")
    checked = login(path, name, old_password, throttle, client=client)
    if checked.account is None:
        raise AccountError("原密码不正确。" if checked.code == LOGIN_WRONG else checked.message, checked.code)
    verified = checked.account.password_hash

    def apply(account: Account) -> dict:
        if account.password_hash != verified:  # changed by someone else since the check
            raise AccountError("账号信息刚刚发生变更，请重新登录后再修改密码。", "changed-meanwhile")
        account.password_hash, account.must_change = hash_password(new_password), False
        return {"password": "changed"}

    return _change(path, name, name, OWN_PASSWORD, apply)
