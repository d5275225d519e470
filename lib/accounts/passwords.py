"""Passwords: stored only as salted scrypt hashes, checked in constant time, and temporary ones made to hand over.

Kept apart from the accounts file so that what a password must be (length, hashing cost) is read in one place.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from lib.accounts.records import AccountError

# scrypt cost: 2^14 × 8 × 128 B = 16 MB of memory, about 50 ms per check. Not higher: every
# login attempt holds that memory, so a burst of tries must not exhaust the server, and
# OpenSSL refuses N = 2^15 with r = 8 under hashlib's default 32 MB memory limit.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


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


MIN_PASSWORD_LENGTH = 8
# Temporary passwords are read off a screen and typed or dictated: letters and digits only, without the
# look-alikes 0/o, 1/l/i; three groups of four (12 drawn characters, about 59 bits).
TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TEMPORARY_GROUPS, TEMPORARY_GROUP_LENGTH = 3, 4


def check_password(password: str) -> None:
    """Refuse a password a person chose (on the shell, the 账号管理 page or their own change) that is too short."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少 {MIN_PASSWORD_LENGTH} 位。", "short-password")


def new_temporary_password() -> str:
    """A random password to hand over once, e.g. ``k7mp-x3qa-9rtw``."""
    groups = ("".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(TEMPORARY_GROUP_LENGTH))
              for _ in range(TEMPORARY_GROUPS))
    return "-".join(groups)
