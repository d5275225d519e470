"""Signed, expiring login tokens, so a login outlives one browser session: a reload, a second tab.

A token is ``<payload>.<signature>``, both base64url: the payload is JSON naming the account, its
:attr:`~lib.accounts.Account.version` at login, the login's id (shared by every tab it reaches) and
when the token was issued and expires; the signature is an HMAC-SHA256 of the payload under a secret
that never leaves the server (a file beside the accounts file, created 0600).

A token is refused when it is malformed or its signature does not match, when it has expired or
claims to live longer than the idle period, when its account is gone or no longer the account it was
(a password, role or unit change, or the name removed and added again), and when its login was ended
by logging out: the login's id is then kept in a small file beside the accounts file until every
token of that login has expired, so a copied cookie dies with the logout. Deleting the secret file
ends every login at once.

Refusals are values (:class:`Verdict` with a stable ``code``), never exceptions.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from lib.accounts import Account

COOKIE = "kanban_session"
SECRET_BYTES = 32
# Clocks of the processes that issue and check a token may differ by this much.
CLOCK_SKEW_SECONDS = 5.0

OK = "ok"
MALFORMED = "malformed"
BAD_SIGNATURE = "bad-signature"
EXPIRED = "expired"
LOGGED_OUT = "logged-out"
UNKNOWN_ACCOUNT = "unknown-account"
ACCOUNT_CHANGED = "account-changed"


@dataclass(frozen=True)
class Claims:
    """What a token says: whose login, which version of the account, which login, and its lifetime (unix seconds)."""

    name: str
    version: str
    login_id: str
    issued: float
    expires: float


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`verify`: ``code`` is :data:`OK` with the account and claims, else a refusal code."""

    code: str
    account: Account | None = None
    claims: Claims | None = None

    @property
    def ok(self) -> bool:
        return self.code == OK


# ---- the server's secret and its logouts ------------------------------------------


def secret_path(accounts_path: Path) -> Path:
    return Path(accounts_path).with_name(Path(accounts_path).stem + ".session-key")


def logouts_path(accounts_path: Path) -> Path:
    return Path(accounts_path).with_name(Path(accounts_path).stem + ".logouts.json")


def load_secret(accounts_path: Path) -> bytes:
    """The signing secret beside the accounts file, created (0600, random) on first use."""
    path = secret_path(accounts_path)
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole under a temporary name, then linked into place: two servers starting at once
    # never read a half-written secret, and the one that loses the race uses the winner's.
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(SECRET_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temp, path)
    except FileExistsError:
        pass
    finally:
        temp.unlink(missing_ok=True)
    return _read_secret(path)


def _read_secret(path: Path) -> bytes:
    secret = path.read_bytes()
    if len(secret) < SECRET_BYTES:
        raise ValueError(f"{path}: a session secret must hold at least {SECRET_BYTES} bytes")
    return secret


def logged_out(accounts_path: Path, now: float) -> frozenset[str]:
    """The ids of logins ended by logging out whose tokens may not have expired yet."""
    return frozenset(login_id for login_id, until in _read_logouts(logouts_path(accounts_path)).items() if until > now)


def end_login(accounts_path: Path, login_id: str, now: float, max_age: float) -> None:
    """Record that login ``login_id`` was logged out; kept until its longest-lived token has expired."""
    path = logouts_path(accounts_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path.with_name(path.name + ".lock")), timeout=30):
        kept = {key: until for key, until in _read_logouts(path).items() if until > now}
        kept[login_id] = now + max_age + CLOCK_SKEW_SECONDS
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(kept, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)


def _read_logouts(path: Path) -> dict[str, float]:
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        # A damaged record must not let logged-out tokens back in: every login then ends.
        return {"*": float("inf")}
    if not isinstance(records, dict):
        return {"*": float("inf")}
    return {str(key): float(until) for key, until in records.items() if isinstance(until, int | float)}


# ---- tokens -------------------------------------------------------------------------


def new_login_id() -> str:
    return secrets.token_urlsafe(16)


def issue(secret: bytes, account: Account, login_id: str, now: float, max_age: float) -> str:
    """A token for ``account``'s login ``login_id``, valid for ``max_age`` seconds from ``now``."""
    payload = json.dumps({"n": account.name, "v": account.version, "l": login_id, "i": now, "e": now + max_age},
                         separators=(",", ":")).encode()
    body = _encode(payload)
    return f"{body}.{_encode(_sign(secret, body))}"


def read(secret: bytes, token: str) -> Claims | str:
    """The token's claims if its signature is the server's; else :data:`MALFORMED` or :data:`BAD_SIGNATURE`."""
    body, dot, signature = token.partition(".")
    if not dot or not body or not signature:
        return MALFORMED
    try:
        given = _decode(signature)
    except ValueError:
        return MALFORMED
    if not hmac.compare_digest(given, _sign(secret, body)):
        return BAD_SIGNATURE
    try:
        record = json.loads(_decode(body))
        return Claims(str(record["n"]), str(record["v"]), str(record["l"]), float(record["i"]), float(record["e"]))
    except (ValueError, KeyError, TypeError):
        return MALFORMED


def verify(secret: bytes, token: str, accounts: Mapping[str, Account], now: float, max_age: float,
           ended: frozenset[str] = frozenset()) -> Verdict:
    """Whether ``token`` still logs its account in at ``now``, with the account when it does.

    ``max_age`` is the idle period in force: a token issued for longer (the setting lowered since) is
    refused as expired. ``ended`` holds the ids of logins ended by logging out (:func:`logged_out`).
    """
    claims = read(secret, token)
    if isinstance(claims, str):
        return Verdict(claims)
    if now >= claims.expires or claims.expires - claims.issued > max_age + CLOCK_SKEW_SECONDS \
            or claims.issued > now + CLOCK_SKEW_SECONDS:
        return Verdict(EXPIRED, claims=claims)
    if claims.login_id in ended or "*" in ended:
        return Verdict(LOGGED_OUT, claims=claims)
    account = accounts.get(claims.name)
    if account is None:
        return Verdict(UNKNOWN_ACCOUNT, claims=claims)
    if not hmac.compare_digest(account.version.encode(), claims.version.encode()):
        return Verdict(ACCOUNT_CHANGED, claims=claims)
    return Verdict(OK, account, claims)


def _sign(secret: bytes, body: str) -> bytes:
    return hmac.new(secret, body.encode(), hashlib.sha256).digest()


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError(text) from exc
