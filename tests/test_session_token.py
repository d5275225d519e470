"""Unit tests of lib/session_token.py: which tokens log in, and every way one is refused."""

from __future__ import annotations

import dataclasses
import os
import stat
from pathlib import Path

import pytest

from lib import accounts, session_token

IDLE = 30 * 60.0  # seconds
NOW = 1_800_000_000.0


@pytest.fixture
def accounts_file(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "accounts.toml"
    accounts.add_user(path, "张三", "password1", ["甲处"])
    return path


@pytest.fixture
def secret(accounts_file: Path) -> bytes:
    return session_token.load_secret(accounts_file)


def _token(secret: bytes, accounts_file: Path, now: float = NOW, login_id: str = "login-1") -> str:
    account = accounts.load_accounts(accounts_file)["张三"]
    return session_token.issue(secret, account, login_id, now, IDLE)


def _verify(secret: bytes, token: str, accounts_file: Path, now: float = NOW + 60) -> session_token.Verdict:
    return session_token.verify(secret, token, accounts.load_accounts(accounts_file), now, IDLE,
                                session_token.logged_out(accounts_file, now))


def test_a_fresh_token_logs_its_account_in(secret: bytes, accounts_file: Path):
    verdict = _verify(secret, _token(secret, accounts_file), accounts_file)
    assert verdict.ok and verdict.account is not None and verdict.account.name == "张三"
    assert verdict.claims is not None and verdict.claims.login_id == "login-1"
    assert verdict.claims.expires == NOW + IDLE


def test_the_secret_is_made_once_private_to_the_server_and_kept(accounts_file: Path):
    first = session_token.load_secret(accounts_file)
    path = session_token.secret_path(accounts_file)
    assert path.parent == accounts_file.parent and len(first) == session_token.SECRET_BYTES
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert session_token.load_secret(accounts_file) == first  # a restart keeps every login
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_changed_account_version_is_refused(secret: bytes, accounts_file: Path):
    token = _token(secret, accounts_file)
    accounts.set_password(accounts_file, "张三", "password2")
    assert _verify(secret, token, accounts_file).code == session_token.ACCOUNT_CHANGED


@pytest.mark.parametrize("change", [{"units": ("甲处", "乙处")}, {"role": accounts.ROLE_ADMIN}])
def test_a_role_or_unit_change_is_refused(secret: bytes, accounts_file: Path, change: dict):
    token = _token(secret, accounts_file)
    found = accounts.load_accounts(accounts_file)
    found["张三"] = dataclasses.replace(found["张三"], **change)
    accounts.save_accounts(accounts_file, found)
    assert _verify(secret, token, accounts_file).code == session_token.ACCOUNT_CHANGED


def test_a_removed_account_and_the_name_added_again_are_refused(secret: bytes, accounts_file: Path):
    token = _token(secret, accounts_file)
    accounts.remove_user(accounts_file, "张三")
    assert _verify(secret, token, accounts_file).code == session_token.UNKNOWN_ACCOUNT
    accounts.add_user(accounts_file, "张三", "password1", admin=True)  # same name and password, new salt
    assert _verify(secret, token, accounts_file).code == session_token.ACCOUNT_CHANGED


def test_an_expired_token_is_refused(secret: bytes, accounts_file: Path):
    token = _token(secret, accounts_file)
    assert _verify(secret, token, accounts_file, now=NOW + IDLE - 1).ok  # a second before the idle period ends
    assert _verify(secret, token, accounts_file, now=NOW + IDLE).code == session_token.EXPIRED


def test_a_token_longer_lived_than_the_idle_period_now_in_force_is_refused(secret: bytes, accounts_file: Path):
    account = accounts.load_accounts(accounts_file)["张三"]
    token = session_token.issue(secret, account, "login-1", NOW, 8 * 3600)  # issued before the setting was lowered
    assert _verify(secret, token, accounts_file).code == session_token.EXPIRED


def test_a_tampered_signature_is_refused(secret: bytes, accounts_file: Path):
    body, _, signature = _token(secret, accounts_file).partition(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert _verify(secret, f"{body}.{flipped}", accounts_file).code == session_token.BAD_SIGNATURE


def test_a_tampered_payload_is_refused(secret: bytes, accounts_file: Path):
    # The claims of another token, e.g. a longer expiry, under this token's signature.
    longer = session_token.issue(secret, accounts.load_accounts(accounts_file)["张三"], "login-1", NOW + 600, IDLE)
    _, _, signature = _token(secret, accounts_file).partition(".")
    forged = longer.partition(".")[0] + "." + signature
    assert _verify(secret, forged, accounts_file).code == session_token.BAD_SIGNATURE


def test_a_token_signed_with_another_servers_secret_is_refused(secret: bytes, accounts_file: Path, tmp_path: Path):
    other = session_token.load_secret(tmp_path / "elsewhere" / "accounts.toml")
    assert other != secret
    assert _verify(secret, _token(other, accounts_file), accounts_file).code == session_token.BAD_SIGNATURE


@pytest.mark.parametrize("token", ["", "abc", ".", "abc.", ".abc", "a.b.c", "中文.签名", "e30.!!!"])
def test_malformed_tokens_are_refused_without_an_exception(secret: bytes, accounts_file: Path, token: str):
    assert _verify(secret, token, accounts_file).code in (session_token.MALFORMED, session_token.BAD_SIGNATURE)


def test_a_logged_out_login_is_refused_for_every_copy_of_its_token(secret: bytes, accounts_file: Path):
    token = _token(secret, accounts_file, login_id="login-1")
    other_login = _token(secret, accounts_file, login_id="login-2")  # the same account in another browser
    session_token.end_login(accounts_file, "login-1", NOW + 30, IDLE)
    assert _verify(secret, token, accounts_file).code == session_token.LOGGED_OUT
    assert _verify(secret, other_login, accounts_file).ok
    path = session_token.logouts_path(accounts_file)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_logouts_are_forgotten_once_their_tokens_have_expired(accounts_file: Path):
    session_token.end_login(accounts_file, "old", NOW, IDLE)
    session_token.end_login(accounts_file, "new", NOW + IDLE + 60, IDLE)  # prunes what can no longer matter
    assert session_token.logged_out(accounts_file, NOW + IDLE + 60) == {"new"}
    assert "old" not in session_token.logouts_path(accounts_file).read_text(encoding="utf-8")


def test_a_damaged_logout_record_ends_every_login_rather_than_none(secret: bytes, accounts_file: Path):
    token = _token(secret, accounts_file)
    session_token.logouts_path(accounts_file).write_text("{not json", encoding="utf-8")
    assert _verify(secret, token, accounts_file).code == session_token.LOGGED_OUT
