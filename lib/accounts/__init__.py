"""Accounts, roles, password hashing, login throttling, and the upload feature's settings.

Accounts live in a TOML file outside git (the setting ``KANBAN_ACCOUNTS``, default
``data/accounts.toml``). Passwords are stored only as scrypt hashes with a
random salt. Two roles: 管理员 (admin) and 处室填报 (reporter, own units only). An account may be
disabled (no login) or carry a temporary password that its next login must change (``must_change``).

Accounts are managed from the shell (``python -m lib user``) and on the 账号管理 page. Every change is
made under the file's lock, saved atomically, appended to an audit log beside the file
(``accounts.audit.jsonl``: who, what, to which account; never a password or hash), and gives the account
a new :attr:`Account.version`, which ends its open sessions.

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
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
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

MIN_PASSWORD_LENGTH = 8
# Temporary passwords are read off a screen and typed or dictated: letters and digits only, without the
# look-alikes 0/o, 1/l/i; three groups of four (12 drawn characters, about 59 bits).
TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TEMPORARY_GROUPS, TEMPORARY_GROUP_LENGTH = 3, 4
CLI_ACTOR = "命令行"  # who the audit log names for a change made with python -m lib user …

# Audit actions, one per kind of change.
ADDED, REMOVED, PASSWORD_SET, PASSWORD_RESET, OWN_PASSWORD = "add", "remove", "passwd", "reset-password", "own-password"
DISABLED, ENABLED, ACCESS_CHANGED = "disable", "enable", "change-access"


@dataclass
class Account:
    name: str
    role: str
    units: tuple[str, ...] = ()
    password_hash: str = field(default="", repr=False)
    created: str = ""
    disabled: bool = False  # may not log in; set and cleared by an admin
    must_change: bool = False  # a temporary password: the next login must choose a new one first
    revision: int = 0  # counts the changes made to the record, so that no change ever gives back an old version

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
        """A token that changes with every change to the account (hex).

        A session keeps it from login and ends when it differs: a password change, a removal, the name
        added again (a new salt and time), a role or unit change, disabling, a reset must not leave an old
        session with the old rights. ``revision`` makes it differ even when a change is undone (units A → B
        → A). An account without the newer fields keeps the version it had before they existed, so
        upgrading ends no session.
        """
        fields: list = [self.password_hash, self.role, list(self.units), self.created]
        if self.disabled or self.must_change or self.revision:
            fields.append([self.disabled, self.must_change, self.revision])
        record = json.dumps(fields, ensure_ascii=False)
        return hashlib.sha256(record.encode()).hexdigest()


class AccountError(Exception):
    """A refused account operation; the message is Chinese and says what to do, ``code`` says what for tests."""

    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.code = code


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


def _locked(path: Path) -> FileLock:
    return FileLock(str(Path(path).with_name(Path(path).name + ".lock")), timeout=30)


# ---- the audit log: who changed which account, and how; never a password or a hash ------------


def audit_path(path: Path) -> Path:
    return Path(path).with_name(Path(path).stem + ".audit.jsonl")


def _audit(path: Path, actor: str, action: str, name: str, changes: dict) -> None:
    """Append one line; called under the accounts file's lock, after the change is saved."""
    line = json.dumps({"time": dt.datetime.now().isoformat(timespec="seconds"), "admin": actor, "action": action,
                       "account": name, "changes": changes}, ensure_ascii=False)
    descriptor = os.open(audit_path(path), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def read_audit(path: Path) -> list[dict]:
    """The audit log's records, oldest first; none when there is no log yet."""
    try:
        text = audit_path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# ---- checks shared by the shell and the 账号管理 page -----------------------------------


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少 {MIN_PASSWORD_LENGTH} 位。", "short-password")


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


def new_temporary_password() -> str:
    """A random password to hand over once, e.g. ``k7mp-x3qa-9rtw``."""
    groups = ("".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(TEMPORARY_GROUP_LENGTH))
              for _ in range(TEMPORARY_GROUPS))
    return "-".join(groups)


# ---- changes: each locked, saved atomically, audited, and giving the account a new version -----------


def add_user(path: Path, name: str, password: str, units: list[str] | None = None, admin: bool = False, *,
             must_change: bool = False, known_units: Collection[str] | None = None,
             actor: str = CLI_ACTOR) -> Account:
    name = name.strip()
    if not name:
        raise AccountError("账号名称不能为空。", "empty-name")
    _check_password(password)
    role = ROLE_ADMIN if admin else ROLE_REPORTER
    checked = _checked_units(role, units or (), known_units)
    with _locked(path):
        accounts = load_accounts(path)
        if name in accounts:
            raise AccountError(f"账号「{name}」已存在；如需重设密码，请在账号列表中操作或用 user passwd。", "duplicate")
        account = Account(name, role, checked, hash_password(password), dt.datetime.now().isoformat(timespec="seconds"),
                          must_change=must_change)
        accounts[name] = account
        save_accounts(path, accounts)
        _audit(path, actor, ADDED, name, {"role": role, "units": list(checked), "must_change": must_change})
    return account


def remove_user(path: Path, name: str, *, actor: str = CLI_ACTOR) -> None:
    with _locked(path):
        accounts = load_accounts(path)
        removed = _existing(accounts, name)
        del accounts[name]
        save_accounts(path, accounts)
        _audit(path, actor, REMOVED, name, {"role": removed.role, "units": list(removed.units)})


def _change(path: Path, name: str, actor: str, action: str, apply: Callable[[Account], dict]) -> Account:
    """Apply ``apply`` (which edits the account and returns what changed) under the lock, then save and audit.

    Refused when it would leave no enabled admin while there was one: nobody could then manage accounts in
    the browser. The shell (``user add --admin``) remains the way back.
    """
    with _locked(path):
        accounts = load_accounts(path)
        account = _existing(accounts, name)
        had_admin = bool(enabled_admins(accounts))
        changes = apply(account)
        if had_admin and not enabled_admins(accounts):
            raise AccountError("此项修改后将没有可用的管理员账号，已拒绝。请先为其他人设置管理员角色，再停用或调整本账号。",
                               "last-admin")
        account.revision += 1
        save_accounts(path, accounts)
        _audit(path, actor, action, name, changes)
    return account


def set_password(path: Path, name: str, password: str, *, actor: str = CLI_ACTOR) -> None:
    """Set a password chosen on the shell; it is no longer temporary."""
    _check_password(password)

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
    _check_password(new_password)
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


def first_admin_command(settings: Settings) -> str:
    """The command that creates the first admin, as the upload page shows it."""
    suffix = "" if settings.accounts_path == config.accounts_path({}) else f" --accounts {settings.accounts_path}"
    return f"python -m lib user add 管理员 --admin{suffix}"
