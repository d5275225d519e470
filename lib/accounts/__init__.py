"""Accounts: who may log in, and what each may change.

The account model:

- two roles: 管理员 (``ROLE_ADMIN``, may report for every unit and manage accounts) and 处室填报
  (``ROLE_REPORTER``, reports for its own ``units`` only, at least one);
- ``disabled``: may not log in (its password is still checked first, so only who knows it learns it is disabled);
- ``must_change``: the password is temporary (from a reset); the next login must choose a new one first;
- ``revision`` counts the changes to the record, and :attr:`Account.version` hashes the record with it: a
  session keeps the version from its login and ends when it differs, so every change ends the account's
  open sessions, even one that is undone.

Accounts live in a TOML file outside git (the setting ``KANBAN_ACCOUNTS``, default ``data/accounts.toml``),
with passwords stored only as scrypt hashes. They are managed from the shell (``python -m lib user``) and on
the 账号管理 page; every change is locked, saved atomically and audited.

The package, one job per module:

- ``records``: the ``Account`` record, the roles, and ``AccountError`` (a refusal with a ``code``);
- ``passwords``: hashing and checking (scrypt), the minimum length, temporary passwords;
- ``file``: reading and writing the accounts file (TOML), and its lock;
- ``audit``: the audit log beside the file (``accounts.audit.jsonl``) and its action names;
- ``admin``: the changes (add, remove, set or reset a password, disable, change access, change one's own
  password) and the checks they share;
- ``throttle``: ``LoginThrottle``, the in-memory count of failed tries that slows password guessing;
- ``login``: checking a name and password, throttled (``login``, ``LoginResult``, ``LOGIN_*`` codes);
- ``settings``: the accounts' settings from :mod:`lib.settings`, and the command that creates the first admin.

The names callers need are imported here, so pages, the store and the CLI say ``accounts.login`` and
``from lib.accounts import Account``.
"""

from lib.accounts.admin import (
    add_user,
    change_access,
    change_own_password,
    enabled_admins,
    remove_user,
    reset_password,
    set_disabled,
    set_password,
)
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
    audit_path,
    read_audit,
)
from lib.accounts.file import load_accounts, save_accounts
from lib.accounts.login import LOGIN_DISABLED, LOGIN_OK, LOGIN_THROTTLED, LOGIN_WRONG, LoginResult, login
from lib.accounts.passwords import (
    MIN_PASSWORD_LENGTH,
    TEMPORARY_ALPHABET,
    hash_password,
    new_temporary_password,
    verify_password,
)
from lib.accounts.records import ROLE_ADMIN, ROLE_LABELS, ROLE_REPORTER, Account, AccountError
from lib.accounts.settings import Settings, first_admin_command, load_settings
from lib.accounts.throttle import MAX_LOCKOUT_SECONDS, LoginThrottle

__all__ = [
    "ACCESS_CHANGED",
    "ADDED",
    "CLI_ACTOR",
    "DISABLED",
    "ENABLED",
    "LOGIN_DISABLED",
    "LOGIN_OK",
    "LOGIN_THROTTLED",
    "LOGIN_WRONG",
    "MAX_LOCKOUT_SECONDS",
    "MIN_PASSWORD_LENGTH",
    "OWN_PASSWORD",
    "PASSWORD_RESET",
    "PASSWORD_SET",
    "REMOVED",
    "ROLE_ADMIN",
    "ROLE_LABELS",
    "ROLE_REPORTER",
    "TEMPORARY_ALPHABET",
    "Account",
    "AccountError",
    "LoginResult",
    "LoginThrottle",
    "Settings",
    "add_user",
    "audit_path",
    "change_access",
    "change_own_password",
    "enabled_admins",
    "first_admin_command",
    "hash_password",
    "load_accounts",
    "load_settings",
    "login",
    "new_temporary_password",
    "read_audit",
    "remove_user",
    "reset_password",
    "save_accounts",
    "set_disabled",
    "set_password",
    "verify_password",
]
