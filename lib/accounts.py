"""Accounts, roles, password hashing, login throttling, and the upload feature's settings.

Accounts live in a TOML file outside git (the setting ``KANBAN_ACCOUNTS``, default
``data/accounts.toml``). Passwords are stored only as scrypt hashes with a
random salt. Two roles: 管理员 (admin) and 处室填报 (reporter, own units only).

:func:`load_settings` gathers the settings this module uses (accounts file, login for
viewing, idle timeout, lockout) from :mod:`lib.settings`, where each is declared once.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
import tomllib
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock

from lib import settings as config

ROLE_ADMIN = "admin"
ROLE_REPORTER = "reporter"
ROLE_LABELS = {ROLE_ADMIN: "管理员", ROLE_REPORTER: "处室填报"}

# scrypt cost: 2^14 × 8 × 128 B = 16 MB of memory, about 50 ms per check. Not higher: every
# login attempt holds that memory, so a burst of tries must not exhaust the server, and
# OpenSSL refuses N = 2^15 with r = 8 under hashlib's default 32 MB memory limit.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MAX_LOCKOUT_SECONDS = 15 * 60
MAX_TRACKED_KEYS = 10_000  # failed-login records kept in memory per count; the oldest go first
MAX_KNOWN_CLIENTS = 100  # clients remembered per name as having logged in as it


@dataclass(frozen=True)
class Settings:
    accounts_path: Path
    require_login_to_view: bool = False
    session_idle_minutes: float = 30
    lockout_failures: int = 5
    lockout_seconds: float = 30
    lockout_name_failures: int = 50


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The upload feature's settings (see :mod:`lib.settings`); ``environ`` replaces the environment in tests."""
    return Settings(
        accounts_path=config.accounts_path(environ),
        require_login_to_view=config.value("KANBAN_REQUIRE_LOGIN", environ),
        session_idle_minutes=config.value("KANBAN_SESSION_IDLE_MINUTES", environ),
        lockout_failures=config.value("KANBAN_LOCKOUT_FAILURES", environ),
        lockout_seconds=config.value("KANBAN_LOCKOUT_SECONDS", environ),
        lockout_name_failures=config.value("KANBAN_LOCKOUT_NAME_FAILURES", environ),
    )


# ---- hashing -------------------------------------------------------------------


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64 parts) for storing; never the password itself."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    encode = lambda raw: base64.b64encode(raw).decode()  # noqa: E731
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${encode(salt)}${encode(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                                dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# ---- the accounts file ---------------------------------------------------------


@dataclass
class Account:
    name: str
    role: str
    units: tuple[str, ...] = ()
    password_hash: str = field(default="", repr=False)
    created: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == ROLE_ADMIN

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    def may_report_for(self, unit: str) -> bool:
        return self.is_admin or unit in self.units

    @property
    def version(self) -> str:
        """A token that changes with the password, role, units or creation time (hex).

        A session keeps it from login and ends when it differs: a password change, a removal, or the
        name added again (a new salt and time) must not leave an old session with the new rights.
        """
        record = json.dumps([self.password_hash, self.role, list(self.units), self.created], ensure_ascii=False)
        return hashlib.sha256(record.encode()).hexdigest()


class AccountError(Exception):
    """A refused account operation; the message is Chinese and says what to do."""


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


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
    except (OSError, tomllib.TOMLDecodeError, ValueError) as exc:
        raise AccountError(f"账号文件 {path} 无法读取或格式有误（{type(exc).__name__}）。"
                           "请系统管理员检查该文件，或改名后用 python -m lib user add 重新创建账号。") from exc
    accounts = {}
    for name, record in users.items():
        accounts[name] = Account(name=name, role=record.get("role", ROLE_REPORTER), units=tuple(record.get("units", [])),
                                 password_hash=record.get("password", ""), created=record.get("created", ""))
    return accounts


def save_accounts(path: Path, accounts: dict[str, Account]) -> None:
    """Write the file atomically, readable by its owner only."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# 落实看板账号文件：由 python -m lib user … 维护，请勿提交到 git。", ""]
    for account in accounts.values():
        lines += [
            f"[users.{_quote(account.name)}]",
            f"role = {_quote(account.role)}",
            "units = [" + ", ".join(_quote(u) for u in account.units) + "]",
            f"password = {_quote(account.password_hash)}",
            f"created = {_quote(account.created)}",
            "",
        ]
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)


def _locked(path: Path) -> FileLock:
    return FileLock(str(Path(path).with_name(Path(path).name + ".lock")), timeout=30)


def add_user(path: Path, name: str, password: str, units: list[str] | None = None, admin: bool = False) -> Account:
    name = name.strip()
    if not name:
        raise AccountError("账号名称不能为空。")
    if len(password) < 8:
        raise AccountError("密码至少 8 位。")
    if not admin and not units:
        raise AccountError("处室填报账号须用 --units 指定处室，或用 --admin 创建管理员。")
    with _locked(path):
        accounts = load_accounts(path)
        if name in accounts:
            raise AccountError(f"账号「{name}」已存在；修改密码请用 user passwd。")
        account = Account(name, ROLE_ADMIN if admin else ROLE_REPORTER, tuple(units or ()), hash_password(password),
                          dt.datetime.now().isoformat(timespec="seconds"))
        accounts[name] = account
        save_accounts(path, accounts)
    return account


def remove_user(path: Path, name: str) -> None:
    with _locked(path):
        accounts = load_accounts(path)
        if name not in accounts:
            raise AccountError(f"账号「{name}」不存在。")
        del accounts[name]
        save_accounts(path, accounts)


def set_password(path: Path, name: str, password: str) -> None:
    if len(password) < 8:
        raise AccountError("密码至少 8 位。")
    with _locked(path):
        accounts = load_accounts(path)
        if name not in accounts:
            raise AccountError(f"账号「{name}」不存在。")
        accounts[name].password_hash = hash_password(password)
        save_accounts(path, accounts)


# ---- login and throttling ---------------------------------------------------------


class _Failures:
    """Failed tries by key: how many, and the time of the last. Bounded by ``MAX_TRACKED_KEYS``."""

    def __init__(self) -> None:
        self.records: dict[Hashable, tuple[int, float]] = {}

    def count(self, key: Hashable) -> int:
        return self.records.get(key, (0, 0.0))[0]

    def wait(self, key: Hashable, threshold: int, seconds: float, now: float) -> float:
        """Seconds left to wait: none below ``threshold`` failures, then ``seconds`` doubling per failure."""
        count, last = self.records.get(key, (0, 0.0))
        if count < threshold:
            return 0.0
        delay = min(seconds * 2 ** (count - threshold), MAX_LOCKOUT_SECONDS)
        return max(0.0, last + delay - now)

    def add(self, key: Hashable, now: float) -> None:
        self.records[key] = (self.count(key) + 1, now)
        if len(self.records) > MAX_TRACKED_KEYS:
            self._forget(now)

    def clear(self, key: Hashable) -> None:
        self.records.pop(key, None)

    def _forget(self, now: float) -> None:
        """Drop records older than the longest wait; if still too many, the oldest (a flood of keys)."""
        self.records = {k: v for k, v in self.records.items() if now - v[1] < MAX_LOCKOUT_SECONDS}
        if len(self.records) > MAX_TRACKED_KEYS:
            newest = sorted(self.records.items(), key=lambda item: item[1][1])[-(MAX_TRACKED_KEYS // 2):]
            self.records = dict(newest)


class LoginThrottle:
    """Slows password guessing without letting a guesser lock the real user out.

    Three counts, each waiting ``seconds`` once over its threshold and doubling per further failure
    (up to 15 minutes):

    - per client and name, threshold ``failures``: the client that guesses waits; the same name
      from any other client is not held back, so five wrong passwords cannot lock out 管理员.
    - per name from all clients, threshold ``name_failures`` (much higher): a client is cheap to
      change (a new session, another address), so guessing spread over many clients is still slowed.
      This count could again hold back the real user, so it is set high, and a client that has
      logged in as the name before (in this server process) is exempt from it.
    - per password across names, threshold ``failures`` distinct names (password spraying: one
      common password tried for many names). The password is kept only as an HMAC under a random
      key made for this process, never as itself.

    Kept in memory for the server process; ``clock`` is injectable for tests.
    """

    def __init__(self, failures: int = 5, seconds: float = 30, clock: Callable[[], float] = time.monotonic,
                 name_failures: int = 50):
        self.failures, self.seconds, self.clock, self.name_failures = failures, seconds, clock, name_failures
        self._by_client = _Failures()  # (client, name)
        self._by_name = _Failures()  # name
        self._by_password = _Failures()  # HMAC of the password, counting distinct names
        self._password_names = _Failures()  # (HMAC, name) pairs already counted
        self._known: dict[str, set[str]] = {}  # name → clients that logged in as it
        self._key = secrets.token_bytes(32)
        self._mutex = threading.Lock()

    def _digest(self, password: str) -> bytes:
        return hmac.new(self._key, password.encode(), hashlib.sha256).digest()

    def wait_seconds(self, name: str, client: str, password: str | None = None) -> float:
        """Seconds ``client`` must wait before trying ``name`` (with ``password``); 0 when a try is allowed now."""
        with self._mutex:
            now = self.clock()
            waits = [self._by_client.wait((client, name), self.failures, self.seconds, now)]
            if client not in self._known.get(name, ()):
                waits.append(self._by_name.wait(name, self.name_failures, self.seconds, now))
            if password is not None:
                waits.append(self._by_password.wait(self._digest(password), self.failures, self.seconds, now))
        return max(waits)

    def failed(self, name: str, client: str, password: str) -> None:
        with self._mutex:
            now = self.clock()
            self._by_client.add((client, name), now)
            self._by_name.add(name, now)
            digest = self._digest(password)
            if not self._password_names.count((digest, name)):
                self._by_password.add(digest, now)
            self._password_names.add((digest, name), now)

    def succeeded(self, name: str, client: str) -> None:
        with self._mutex:
            self._by_client.clear((client, name))
            if name not in self._known and len(self._known) >= MAX_TRACKED_KEYS:
                self._known.pop(next(iter(self._known)))
            clients = self._known.setdefault(name, set())
            if len(clients) < MAX_KNOWN_CLIENTS:
                clients.add(client)

    def tracked(self) -> tuple[dict, ...]:
        """The records kept, for tests: by client and name, by name, by password HMAC, (HMAC, name) pairs."""
        return (self._by_client.records, self._by_name.records, self._by_password.records,
                self._password_names.records)


@dataclass
class LoginResult:
    account: Account | None
    message: str = ""


def login(path: Path, name: str, password: str, throttle: LoginThrottle, *, client: str) -> LoginResult:
    """Check a name and password from ``client`` (an address or a session); refuses while throttled.

    Messages are Chinese. A refused try is not checked, so waiting cannot be skipped by guessing on.
    """
    name = name.strip()
    wait = throttle.wait_seconds(name, client, password)
    if wait > 0:
        return LoginResult(None, f"登录失败次数过多，请 {int(wait) + 1} 秒后再试。")
    account = load_accounts(path).get(name)
    # Hash even for an unknown name, so timing does not tell which names exist.
    stored = account.password_hash if account else hash_password("-", b"0" * 16)
    if account is None or not verify_password(password, stored):
        throttle.failed(name, client, password)
        return LoginResult(None, "账号或密码不正确。")
    throttle.succeeded(name, client)
    return LoginResult(account)


def first_admin_command(settings: Settings) -> str:
    """The command that creates the first admin, as the upload page shows it."""
    suffix = "" if settings.accounts_path == config.accounts_path({}) else f" --accounts {settings.accounts_path}"
    return f"python -m lib user add 管理员 --admin{suffix}"
