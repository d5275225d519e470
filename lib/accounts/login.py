"""Login: a name and password checked against the accounts file, throttled, with a code saying why it failed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lib.accounts.file import load_accounts
from lib.accounts.passwords import hash_password, verify_password
from lib.accounts.records import Account
from lib.accounts.throttle import LoginThrottle

LOGIN_OK, LOGIN_THROTTLED, LOGIN_WRONG, LOGIN_DISABLED = "ok", "throttled", "wrong-password", "disabled"


@dataclass
class LoginResult:
    account: Account | None
    message: str = ""
    code: str = LOGIN_OK


def login(path: Path, name: str, password: str, throttle: LoginThrottle, *, client: str) -> LoginResult:
    """Check a name and password from ``client`` (an address or a session); refuses while throttled.

    Messages are Chinese. A refused try is not checked, so waiting cannot be skipped by guessing on.
    A disabled account is refused after its password is checked: only who knows it learns it is disabled.
    """
    name = name.strip()
    wait = throttle.wait_seconds(name, client, password)
    if wait > 0:
        return LoginResult(None, f"登录失败次数过多，请 {int(wait) + 1} 秒后再试。", LOGIN_THROTTLED)
    account = load_accounts(path).get(name)
    # Hash even for an unknown name, so timing does not tell which names exist.
    stored = account.password_hash if account else hash_password("-", b"0" * 16)
    if account is None or not verify_password(password, stored):
        throttle.failed(name, client, password)
        return LoginResult(None, "账号或密码不正确。", LOGIN_WRONG)
    if account.disabled:
        return LoginResult(None, "该账号已停用，请联系管理员。", LOGIN_DISABLED)
    throttle.succeeded(name, client)
    return LoginResult(account)
