"""lib/accounts: hashing, the accounts file, roles, lockout, settings and the user CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lib import accounts, settings
from lib.accounts import throttle as login_throttle

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


def _throttle(now: list[float], **options) -> accounts.LoginThrottle:
    return accounts.LoginThrottle(failures=5, seconds=30, clock=lambda: now[0], **options)


def test_five_failures_make_the_name_wait_on_that_client(tmp_path: Path):
    path = tmp_path / "accounts.toml"
    accounts.add_user(path, "张三", "password1", ["甲处"])
    now = [1000.0]
    throttle = _throttle(now)
    for _ in range(5):
        assert accounts.login(path, "张三", "wrong-pass", throttle, client="A").account is None
    refused = accounts.login(path, "张三", "password1", throttle, client="A")  # right password, but must wait
    assert refused.account is None and "秒后再试" in refused.message
    assert throttle.wait_seconds("张三", "A") == 30
    assert accounts.login(path, "李四", "x", throttle, client="A").message == "账号或密码不正确。"  # other names unaffected
    now[0] += 31
    assert accounts.login(path, "张三", "password1", throttle, client="A").account.name == "张三"
    assert throttle.wait_seconds("张三", "A") == 0


def test_an_attacker_cannot_lock_the_real_user_out(tmp_path: Path):
    path = tmp_path / "accounts.toml"
    accounts.add_user(path, "管理员", "password1", admin=True)
    now = [1000.0]
    throttle = _throttle(now)
    for _ in range(5):
        accounts.login(path, "管理员", "guess-one", throttle, client="attacker")
    assert throttle.wait_seconds("管理员", "attacker") == 30
    # the real admin, from another client, is not held back: right password works at once
    assert throttle.wait_seconds("管理员", "office") == 0
    assert accounts.login(path, "管理员", "password1", throttle, client="office").account.name == "管理员"
    # ...while the attacker's waits keep doubling: 30 s after the 5th failure, 60 s after the 6th
    now[0] += 31
    accounts.login(path, "管理员", "guess-two", throttle, client="attacker")
    assert throttle.wait_seconds("管理员", "attacker") == 60
    assert accounts.login(path, "管理员", "password1", throttle, client="attacker").account is None


def test_many_clients_guessing_one_name_are_slowed_but_not_a_known_client(tmp_path: Path):
    path = tmp_path / "accounts.toml"
    accounts.add_user(path, "管理员", "password1", admin=True)
    now = [1000.0]
    throttle = _throttle(now, name_failures=20)
    assert accounts.login(path, "管理员", "password1", throttle, client="office").account is not None
    for i in range(20):  # one try from each of 20 clients: each stays under its own 5, the name reaches 20
        accounts.login(path, "管理员", f"guess-{i}", throttle, client=f"bot{i}")
    assert throttle.wait_seconds("管理员", "bot-new") == 30  # a fresh client must now wait too
    refused = accounts.login(path, "管理员", "password1", throttle, client="bot-new")
    assert refused.account is None and "秒后再试" in refused.message
    # the client that logged in as 管理员 before is not held back by the others' failures
    assert accounts.login(path, "管理员", "password1", throttle, client="office").account is not None


def test_one_password_sprayed_over_many_names_is_slowed(tmp_path: Path):
    path = tmp_path / "accounts.toml"
    accounts.add_user(path, "张三", "Spring2026", ["甲处"])
    now = [1000.0]
    throttle = _throttle(now)
    for i in range(5):  # the same password for five names, each from its own client
        accounts.login(path, f"用户{i}", "Spring2026", throttle, client=f"bot{i}")
    refused = accounts.login(path, "张三", "Spring2026", throttle, client="bot-new")  # would be right
    assert refused.account is None and "秒后再试" in refused.message
    assert accounts.login(path, "李四", "other-pass", throttle, client="bot-new").message == "账号或密码不正确。"
    now[0] += 31
    assert accounts.login(path, "张三", "Spring2026", throttle, client="bot-new").account is not None


def test_a_mistyped_password_repeated_for_one_name_is_not_spraying(tmp_path: Path):
    path = tmp_path / "accounts.toml"
    accounts.add_user(path, "张三", "password1", ["甲处"])
    now = [1000.0]
    throttle = _throttle(now)
    for client in ("home", "office", "phone", "laptop", "tablet"):  # 5 failures, but for one name only
        accounts.login(path, "张三", "passwrod1", throttle, client=client)
    assert throttle.wait_seconds("王五", "other", "passwrod1") == 0


def test_the_throttle_keeps_no_password(tmp_path: Path):
    path = tmp_path / "accounts.toml"
    now = [1000.0]
    throttle = _throttle(now)
    for i in range(5):
        accounts.login(path, f"用户{i}", "Sekrit-2026", throttle, client="bot")
    assert throttle.wait_seconds("用户9", "other", "Sekrit-2026") > 0  # it is remembered...
    kept = repr(throttle.tracked())
    assert "用户4" in kept and "Sekrit-2026" not in kept  # ...but only as a keyed hash


def test_settings_come_from_the_environment():
    defaults = accounts.load_settings({})
    assert defaults.accounts_path == Path("data/accounts.toml") and not defaults.require_login_to_view
    custom = accounts.load_settings({"KANBAN_ACCOUNTS": "/srv/board/accounts.toml", "KANBAN_REQUIRE_LOGIN": "1",
                                     "KANBAN_SESSION_IDLE_MINUTES": "5",
                                     "KANBAN_LOCKOUT_NAME_FAILURES": "200"})
    assert custom.accounts_path == Path("/srv/board/accounts.toml")
    assert custom.require_login_to_view and custom.session_idle_minutes == 5
    assert (defaults.lockout_name_failures, custom.lockout_name_failures) == (50, 200)
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
    changed = _cli("user", "--accounts", path, "passwd", "张三", stdin="password3\n")
    assert changed.returncode == 0 and "已登录的会话在下次操作时退出" in changed.stdout
    assert accounts.verify_password("password3", accounts.load_accounts(Path(path))["张三"].password_hash)
    assert _cli("user", "--accounts", path, "remove", "张三").returncode == 0
    missing = _cli("user", "--accounts", path, "remove", "张三")
    assert missing.returncode == 1 and "不存在" in missing.stderr


def test_user_cli_list_shows_disabled_and_must_change(tmp_path: Path):
    path = tmp_path / "accounts.toml"
    accounts.add_user(path, "管理员", "password1", admin=True)
    accounts.add_user(path, "张三", "password1", ["甲处"])
    accounts.add_user(path, "李四", "password1", ["乙处"])
    accounts.set_disabled(path, "张三", True, actor="管理员")
    accounts.reset_password(path, "李四", actor="管理员")
    rows = {line.split("\t")[0]: line.split("\t")[3] for line in _cli("user", "--accounts", str(path), "list").stdout.splitlines()}
    assert rows == {"管理员": "正常", "张三": "已停用", "李四": "须修改密码"}


def test_empty_variable_means_the_default():
    assert settings.workbook_path({"KANBAN_WORKBOOK": ""}) == Path("data/tasks.xlsx")
    assert settings.workbook_path({"KANBAN_WORKBOOK": "/srv/t.xlsx"}) == Path("/srv/t.xlsx")
    assert accounts.load_settings({"KANBAN_ACCOUNTS": " "}).accounts_path == Path("data/accounts.toml")


def test_damaged_accounts_file_is_a_clear_error(tmp_path: Path):
    path = tmp_path / "accounts.toml"
    path.write_text("[users.张三\nrole = ", encoding="utf-8")
    with pytest.raises(accounts.AccountError) as refused:
        accounts.load_accounts(path)
    assert refused.value.code == "damaged-file"
    listed = _cli("user", "--accounts", str(path), "list")
    assert listed.returncode == 1 and str(path) in listed.stderr and "Traceback" not in listed.stderr


def test_throttle_forgets_old_failures_and_stays_bounded(monkeypatch):
    monkeypatch.setattr(login_throttle, "MAX_TRACKED_KEYS", 100)  # the module that reads it
    now = [0.0]
    throttle = _throttle(now)
    for i in range(1000):  # a flood of made-up names and passwords from many clients, one a second
        now[0] += 1
        throttle.failed(f"guess{i}", f"bot{i}", f"pass{i}")
    assert all(len(records) <= 100 for records in throttle.tracked())
    assert throttle.wait_seconds("guess999", "bot999") == 0 and ("bot999", "guess999") in throttle.tracked()[0]
    now[0] += accounts.MAX_LOCKOUT_SECONDS + 1
    throttle.failed("late", "bot", "pass")
    assert all(len(records) <= 100 for records in throttle.tracked())


def test_cli_list_without_accounts_shows_the_first_admin_command(tmp_path: Path):
    path = tmp_path / "accounts.toml"
    listed = _cli("user", "--accounts", str(path), "list").stdout
    expected = accounts.first_admin_command(accounts.Settings(accounts_path=path))
    assert expected in listed and f"--accounts {path}" in expected


def test_account_version_changes_with_password_role_and_units(tmp_path: Path):
    path = tmp_path / "accounts.toml"
    accounts.add_user(path, "repA", "password1", ["甲处"])
    first = accounts.load_accounts(path)["repA"].version
    assert accounts.load_accounts(path)["repA"].version == first  # reading again changes nothing
    accounts.set_password(path, "repA", "password1")  # even the same password: a new salt
    after_passwd = accounts.load_accounts(path)["repA"].version
    accounts.remove_user(path, "repA")
    accounts.add_user(path, "repA", "password1", admin=True)
    readded = accounts.load_accounts(path)["repA"]
    assert len({first, after_passwd, readded.version}) == 3
    readded.units = ("甲处",)
    assert readded.version != accounts.load_accounts(path)["repA"].version
    assert "password1" not in readded.version and readded.password_hash not in readded.version


OLD_FORMAT = """# an accounts file written before disabled, must_change and revision existed
[users."管理员"]
role = "admin"
units = []
password = "{hash}"
created = "2026-01-05T09:00:00"

[users."张三"]
role = "reporter"
units = ["甲处"]
password = "{hash}"
created = "2026-01-05T09:01:00"
"""


def test_an_old_accounts_file_loads_and_keeps_its_versions(tmp_path: Path):
    path = tmp_path / "accounts.toml"
    path.write_text(OLD_FORMAT.format(hash=accounts.hash_password("password1")), encoding="utf-8")
    found = accounts.load_accounts(path)
    assert [(a.name, a.disabled, a.must_change, a.revision) for a in found.values()] == \
        [("管理员", False, False, 0), ("张三", False, False, 0)]
    before = {name: a.version for name, a in found.items()}
    accounts.save_accounts(path, found)  # written with the new fields at their defaults
    assert {name: a.version for name, a in accounts.load_accounts(path).items()} == before  # no session ends
    throttle = accounts.LoginThrottle()
    assert accounts.login(path, "张三", "password1", throttle, client="A").code == accounts.LOGIN_OK


def test_a_flag_of_the_wrong_type_makes_the_file_damaged(tmp_path: Path):
    path = tmp_path / "accounts.toml"
    accounts.add_user(path, "张三", "password1", ["甲处"])
    path.write_text(path.read_text(encoding="utf-8").replace("disabled = false", 'disabled = "yes"'), encoding="utf-8")
    with pytest.raises(accounts.AccountError) as damaged:
        accounts.load_accounts(path)
    assert damaged.value.code == "damaged-file"


def test_disable_refuses_login_and_enable_restores_it_with_a_new_version_each_time(tmp_path: Path):
    path = tmp_path / "accounts.toml"
    accounts.add_user(path, "管理员", "password1", admin=True)
    accounts.add_user(path, "张三", "password1", ["甲处"])
    versions = [accounts.load_accounts(path)["张三"].version]
    accounts.set_disabled(path, "张三", True, actor="管理员")
    versions.append(accounts.load_accounts(path)["张三"].version)
    throttle = accounts.LoginThrottle()
    assert accounts.login(path, "张三", "password1", throttle, client="A").code == accounts.LOGIN_DISABLED
    assert accounts.login(path, "张三", "wrong-pass", throttle, client="A").code == accounts.LOGIN_WRONG
    with pytest.raises(accounts.AccountError) as again:
        accounts.set_disabled(path, "张三", True, actor="管理员")
    assert again.value.code == "unchanged"
    accounts.set_disabled(path, "张三", False, actor="管理员")
    versions.append(accounts.load_accounts(path)["张三"].version)
    assert len(set(versions)) == 3  # enabled again is not the version before disabling: old cookies stay dead
    assert accounts.login(path, "张三", "password1", throttle, client="A").account is not None


def test_role_and_unit_changes_each_give_a_new_version_even_when_undone(tmp_path: Path):
    path = tmp_path / "accounts.toml"
    accounts.add_user(path, "管理员", "password1", admin=True)
    accounts.add_user(path, "张三", "password1", ["甲处"])
    known = ["甲处", "乙处"]
    versions = [accounts.load_accounts(path)["张三"].version]
    for role, units in ((accounts.ROLE_REPORTER, ["乙处"]), (accounts.ROLE_REPORTER, ["甲处"]),
                        (accounts.ROLE_ADMIN, ["甲处"])):
        accounts.change_access(path, "张三", role, units, actor="管理员", known_units=known)
        versions.append(accounts.load_accounts(path)["张三"].version)
    assert len(set(versions)) == 4
    promoted = accounts.load_accounts(path)["张三"]
    assert promoted.is_admin and promoted.units == ()  # an admin reports for every unit
    refusals = {}
    for role, units, known_units in ((accounts.ROLE_REPORTER, [], known), (accounts.ROLE_REPORTER, ["丙处"], known),
                                     ("owner", ["甲处"], known), (accounts.ROLE_ADMIN, [], known)):
        with pytest.raises(accounts.AccountError) as refused:
            accounts.change_access(path, "张三", role, units, actor="管理员", known_units=known_units)
        refusals[(role, tuple(units))] = refused.value.code
    assert list(refusals.values()) == ["no-units", "unknown-unit", "unknown-role", "unchanged"]


def test_a_unit_no_plan_lists_any_more_may_be_kept(tmp_path: Path):
    path = tmp_path / "accounts.toml"
    accounts.add_user(path, "张三", "password1", ["旧处"])  # from the shell, which takes units as typed
    accounts.change_access(path, "张三", accounts.ROLE_REPORTER, ["旧处", "甲处"], actor="管理员", known_units=["甲处"])
    assert accounts.load_accounts(path)["张三"].units == ("旧处", "甲处")


def test_a_reset_gives_a_readable_temporary_password_that_must_be_changed(tmp_path: Path):
    path = tmp_path / "accounts.toml"
    accounts.add_user(path, "张三", "password1", ["甲处"])
    before = accounts.load_accounts(path)["张三"].version
    temporary = accounts.reset_password(path, "张三", actor="管理员")
    assert len(temporary.replace("-", "")) >= 12 and set(temporary) <= set(accounts.TEMPORARY_ALPHABET + "-")
    assert temporary != accounts.reset_password(path, "张三", actor="管理员")  # random each time
    temporary = accounts.reset_password(path, "张三", actor="管理员")
    reset = accounts.load_accounts(path)["张三"]
    assert reset.must_change and reset.version != before
    throttle = accounts.LoginThrottle()
    assert accounts.login(path, "张三", "password1", throttle, client="A").account is None
    assert accounts.login(path, "张三", temporary, throttle, client="A").account.must_change
    changed = accounts.change_own_password(path, "张三", temporary, "new-password", throttle, client="A")
    assert not changed.must_change and changed.version == accounts.load_accounts(path)["张三"].version
    assert changed.version != reset.version


def test_changing_ones_own_password_checks_the_old_one_and_the_rules(tmp_path: Path):
    path = tmp_path / "accounts.toml"
    accounts.add_user(path, "张三", "password1", ["甲处"])
    throttle = accounts.LoginThrottle()
    codes = []
    for old, new in (("wrong-pass", "new-password"), ("password1", "short"), ("password1", "password1")):
        with pytest.raises(accounts.AccountError) as refused:
            accounts.change_own_password(path, "张三", old, new, throttle, client="A")
        codes.append(refused.value.code)
    assert codes == [accounts.LOGIN_WRONG, "short-password", "same-password"]
    assert accounts.verify_password("password1", accounts.load_accounts(path)["张三"].password_hash)
    accounts.set_disabled(path, "张三", True, actor="管理员")
    with pytest.raises(accounts.AccountError) as disabled:
        accounts.change_own_password(path, "张三", "password1", "new-password", throttle, client="A")
    assert disabled.value.code == accounts.LOGIN_DISABLED


def test_the_last_enabled_admin_cannot_be_disabled_or_demoted(tmp_path: Path):
    path = tmp_path / "accounts.toml"
    accounts.add_user(path, "管理员", "password1", admin=True)
    accounts.add_user(path, "副管理员", "password1", admin=True)
    accounts.set_disabled(path, "副管理员", True, actor="管理员")
    codes = []
    for attempt in (lambda: accounts.set_disabled(path, "管理员", True, actor="管理员"),
                    lambda: accounts.change_access(path, "管理员", accounts.ROLE_REPORTER, ["甲处"], actor="管理员")):
        with pytest.raises(accounts.AccountError) as refused:
            attempt()
        codes.append(refused.value.code)
    assert codes == ["last-admin", "last-admin"] and accounts.load_accounts(path)["管理员"].is_admin
    accounts.set_disabled(path, "副管理员", False, actor="管理员")
    accounts.set_disabled(path, "管理员", True, actor="管理员")  # another admin is enabled now: allowed
    assert accounts.enabled_admins(accounts.load_accounts(path)) == ["副管理员"]


def test_every_change_is_audited_without_a_password_or_hash(tmp_path: Path):
    path = tmp_path / "accounts.toml"
    accounts.add_user(path, "管理员", "password1", admin=True)
    accounts.add_user(path, "张三", "first-password", ["甲处"], actor="管理员", must_change=True)
    temporary = accounts.reset_password(path, "张三", actor="管理员")
    accounts.change_own_password(path, "张三", temporary, "second-password", accounts.LoginThrottle(), client="A")
    accounts.change_access(path, "张三", accounts.ROLE_REPORTER, ["乙处"], actor="管理员")
    accounts.set_disabled(path, "张三", True, actor="管理员")
    accounts.set_password(path, "张三", "third-password")
    accounts.remove_user(path, "张三")
    records = accounts.read_audit(path)
    assert [(r["admin"], r["action"], r["account"]) for r in records] == [
        (accounts.CLI_ACTOR, accounts.ADDED, "管理员"), ("管理员", accounts.ADDED, "张三"),
        ("管理员", accounts.PASSWORD_RESET, "张三"), ("张三", accounts.OWN_PASSWORD, "张三"),
        ("管理员", accounts.ACCESS_CHANGED, "张三"), ("管理员", accounts.DISABLED, "张三"),
        (accounts.CLI_ACTOR, accounts.PASSWORD_SET, "张三"), (accounts.CLI_ACTOR, accounts.REMOVED, "张三")]
    assert records[4]["changes"] == {"units": [["甲处"], ["乙处"]]} and all(r["time"] for r in records)
    text = accounts.audit_path(path).read_text(encoding="utf-8")
    for secret in ("password1", "first-password", temporary, "second-password", "third-password", "scrypt$"):
        assert secret not in text
    assert oct(accounts.audit_path(path).stat().st_mode & 0o777) == "0o600"


def test_the_cli_keeps_working_with_the_new_fields(tmp_path: Path):
    path = tmp_path / "accounts.toml"
    accounts.add_user(path, "张三", "password1", ["甲处"], must_change=True)
    accounts.set_disabled(path, "张三", True, actor="管理员")
    listed = _cli("user", "--accounts", str(path), "list")
    assert listed.returncode == 0 and "张三\t处室填报\t甲处" in listed.stdout
    assert _cli("user", "--accounts", str(path), "passwd", "张三", stdin="password2\n").returncode == 0
    kept = accounts.load_accounts(path)["张三"]
    assert kept.disabled and not kept.must_change  # a password set on the shell is not temporary
    assert accounts.verify_password("password2", kept.password_hash)
