"""lib/accounts: hashing, the accounts file, roles, lockout, settings and the user CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lib import accounts, settings

ROOT = Path(__file__).resolve().parents[1]


def test_password_is_stored_as_salted_scrypt_hash(tmp_path: Path):
    path = tmp_path / "accounts.toml"
    accounts.add_user(path, "张三", "correct horse", ["甲处"])
    accounts.add_user(path, "李四", "correct horse", ["乙处"])
    text = path.read_text(encoding="utf-8")
    assert "correct horse" not in text and text.count("scrypt$") == 2
    stored = accounts.load_accounts(path)
    assert stored["张三"].password_hash != stored["李四"].password_hash  # same password, different salts
    assert accounts.verify_password("correct horse", stored["张三"].password_hash)
    assert not accounts.verify_password("correct horsE", stored["张三"].password_hash)
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_roles_and_rights(tmp_path: Path):
    path = tmp_path / "accounts.toml"
    accounts.add_user(path, "管理员", "password1", admin=True)
    accounts.add_user(path, "张三", "password1", ["甲处", "乙处"])
    found = accounts.load_accounts(path)
    assert found["管理员"].is_admin and found["管理员"].may_report_for("丙处")
    assert found["张三"].may_report_for("乙处") and not found["张三"].may_report_for("丙处")
    with pytest.raises(accounts.AccountError):
        accounts.add_user(path, "张三", "password1", ["甲处"])
    with pytest.raises(accounts.AccountError):
        accounts.add_user(path, "王五", "short", ["甲处"])
    accounts.remove_user(path, "张三")
    assert list(accounts.load_accounts(path)) == ["管理员"]


def test_five_failures_make_the_name_wait(tmp_path: Path):
    path = tmp_path / "accounts.toml"
    accounts.add_user(path, "张三", "password1", ["甲处"])
    now = [1000.0]
    throttle = accounts.LoginThrottle(failures=5, seconds=30, clock=lambda: now[0])
    for _ in range(5):
        assert accounts.login(path, "张三", "wrong-pass", throttle).account is None
    refused = accounts.login(path, "张三", "password1", throttle)  # right password, but must wait
    assert refused.account is None and "秒后再试" in refused.message
    assert throttle.wait_seconds("张三") == 30
    assert accounts.login(path, "李四", "x", throttle).message == "账号或密码不正确。"  # other names unaffected
    now[0] += 31
    assert accounts.login(path, "张三", "password1", throttle).account.name == "张三"
    assert throttle.wait_seconds("张三") == 0


def test_settings_come_from_the_environment():
    defaults = accounts.load_settings({})
    assert defaults.accounts_path == Path("data/accounts.toml") and not defaults.require_login_to_view
    custom = accounts.load_settings({"KANBAN_ACCOUNTS": "/srv/board/accounts.toml", "KANBAN_REQUIRE_LOGIN": "1",
                                     "KANBAN_SESSION_IDLE_MINUTES": "5"})
    assert custom.accounts_path == Path("/srv/board/accounts.toml")
    assert custom.require_login_to_view and custom.session_idle_minutes == 5
    assert accounts.first_admin_command(custom) == "python -m lib user add 管理员 --admin --accounts /srv/board/accounts.toml"
    assert accounts.first_admin_command(defaults) == "python -m lib user add 管理员 --admin"


def test_accounts_do_not_follow_the_workbook():
    moved = accounts.load_settings({"KANBAN_WORKBOOK": "/srv/board/tasks.xlsx"})
    assert moved.accounts_path == Path("data/accounts.toml")


def _cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lib", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)


def test_user_cli_add_list_passwd_remove(tmp_path: Path):
    path = str(tmp_path / "accounts.toml")
    assert _cli("user", "--accounts", path, "add", "管理员", "--admin", stdin="password1\n").returncode == 0
    assert _cli("user", "--accounts", path, "add", "张三", "--units", "甲处,乙处", stdin="password2\n").returncode == 0
    listed = _cli("user", "--accounts", path, "list").stdout
    assert "管理员\t管理员\t全部" in listed and "张三\t处室填报\t甲处、乙处" in listed
    assert _cli("user", "--accounts", path, "passwd", "张三", stdin="password3\n").returncode == 0
    assert accounts.verify_password("password3", accounts.load_accounts(Path(path))["张三"].password_hash)
    assert _cli("user", "--accounts", path, "remove", "张三").returncode == 0
    missing = _cli("user", "--accounts", path, "remove", "张三")
    assert missing.returncode == 1 and "不存在" in missing.stderr


def test_empty_variable_means_the_default():
    assert settings.workbook_path({"KANBAN_WORKBOOK": ""}) == Path("data/tasks.xlsx")
    assert settings.workbook_path({"KANBAN_WORKBOOK": "/srv/t.xlsx"}) == Path("/srv/t.xlsx")
    assert accounts.load_settings({"KANBAN_ACCOUNTS": " "}).accounts_path == Path("data/accounts.toml")


def test_damaged_accounts_file_is_a_clear_error(tmp_path: Path):
    path = tmp_path / "accounts.toml"
    path.write_text("[users.张三\nrole = ", encoding="utf-8")
    with pytest.raises(accounts.AccountError, match="账号文件 .* 无法读取或格式有误"):
        accounts.load_accounts(path)
    listed = _cli("user", "--accounts", str(path), "list")
    assert listed.returncode == 1 and "格式有误" in listed.stderr and "Traceback" not in listed.stderr


def test_throttle_forgets_old_failures_and_stays_bounded(monkeypatch):
    monkeypatch.setattr(accounts, "MAX_TRACKED_NAMES", 100)
    now = [0.0]
    throttle = accounts.LoginThrottle(failures=5, seconds=30, clock=lambda: now[0])
    for i in range(1000):  # a flood of made-up names, one a second
        now[0] += 1
        throttle.failed(f"guess{i}")
    assert len(throttle._state) <= 100
    assert "guess999" in throttle._state  # the newest are kept
    now[0] += accounts.MAX_LOCKOUT_SECONDS + 1
    throttle.failed("late")
    assert len(throttle._state) <= 100


def test_cli_list_without_accounts_shows_the_first_admin_command(tmp_path: Path):
    path = tmp_path / "accounts.toml"
    listed = _cli("user", "--accounts", str(path), "list").stdout
    expected = accounts.first_admin_command(accounts.Settings(accounts_path=path))
    assert expected in listed and f"--accounts {path}" in expected
