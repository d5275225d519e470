"""AppTest of 账号管理 (pages/accounts.py) and 修改密码 (pages/password.py), and the forced change of a temporary password."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import accounts
from lib.ui import login
from tests import apptests
from tests.builders import TODAY, workbook_file

ROOT = Path(__file__).resolve().parents[1]
CHANGE_LABELS = ["原密码", f"新密码（至少 {accounts.MIN_PASSWORD_LENGTH} 位）", "再次输入新密码"]


@pytest.fixture
def accounts_file(tmp_path: Path, monkeypatch) -> Path:
    path = workbook_file(tmp_path / "data" / "tasks.xlsx")  # units 甲处 and 乙处
    monkeypatch.setenv("KANBAN_WORKBOOK", str(path))
    monkeypatch.setenv("KANBAN_TODAY", TODAY.isoformat())
    monkeypatch.setenv("KANBAN_ACCOUNTS", str(path.parent / "accounts.toml"))
    login._login_throttle.clear()
    accounts.add_user(path.parent / "accounts.toml", "管理员", "password1", admin=True)
    return path.parent / "accounts.toml"


def _page(name: str) -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / name), default_timeout=60)


def _upload_login(name: str, password: str) -> AppTest:
    at = _page("upload.py").run()
    at.text_input[0].set_value(name)
    at.text_input[1].set_value(password)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _logged_in_page(page: str, name: str = "管理员", password: str = "password1") -> AppTest:
    """``page`` (a file name) in a session logged in on 上传更新, carried over as a tab's cookie would."""
    at = apptests.logged_in(page.removesuffix(".py"), name, password).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _add(at: AppTest, name: str, units: list[str], role: str = accounts.ROLE_REPORTER) -> AppTest:
    at.text_input(key="acc_add_name").set_value(name)
    at.radio(key="acc_add_role").set_value(role)
    at.multiselect(key="acc_add_units").set_value(units)
    return _click(at, "新增账号")


def _pick(at: AppTest, name: str) -> AppTest:
    at.selectbox(key="acc_pick").set_value(name).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _change_password(at: AppTest, old: str, new: str, again: str | None = None) -> AppTest:
    inputs = {w.label: w for w in at.text_input}
    inputs[CHANGE_LABELS[0]].set_value(old)
    inputs[CHANGE_LABELS[1]].set_value(new)
    inputs[CHANGE_LABELS[2]].set_value(new if again is None else again)
    return _click(at, "修改密码")


def _forced_to_change(at: AppTest) -> bool:
    return [w.label for w in at.text_input] == CHANGE_LABELS and not at.get("file_uploader")


def test_an_added_account_gets_a_temporary_password_shown_once_and_changed_at_first_login(accounts_file: Path):
    at = _add(_logged_in_page("accounts.py"), " 张三 ", ["甲处"])
    added = accounts.load_accounts(accounts_file)["张三"]
    assert (added.role, added.units, added.must_change, added.disabled) == (accounts.ROLE_REPORTER, ("甲处",), True, False)
    temporary = at.code[-1].value
    assert len(temporary) >= 12 and accounts.verify_password(temporary, added.password_hash)
    at.run()
    assert temporary not in [c.value for c in at.code]  # shown once
    record = accounts.read_audit(accounts_file)[-1]
    assert (record["admin"], record["action"], record["account"]) == ("管理员", accounts.ADDED, "张三")
    assert temporary not in accounts.audit_path(accounts_file).read_text(encoding="utf-8")

    first = _upload_login("张三", temporary)
    assert _forced_to_change(first)
    _change_password(first, temporary, "new-password-1")
    assert first.get("file_uploader") and not first.error
    assert not accounts.load_accounts(accounts_file)["张三"].must_change
    assert _upload_login("张三", "new-password-1").get("file_uploader")


def test_a_duplicate_name_a_reporter_without_units_and_an_unknown_unit_are_refused(accounts_file: Path):
    at = _logged_in_page("accounts.py")
    before = accounts_file.read_bytes()
    for name, units in (("管理员", ["甲处"]), ("李四", [])):
        _add(at, name, units)
        assert at.error and not at.code
    assert accounts_file.read_bytes() == before
    with pytest.raises(accounts.AccountError) as refused:  # the form offers only the plans' units; the check is in lib
        accounts.add_user(accounts_file, "李四", "password1", ["丙处"], known_units=["甲处", "乙处"], actor="管理员")
    assert refused.value.code == "unknown-unit"


def test_a_reset_ends_the_session_and_the_temporary_password_must_be_changed(accounts_file: Path):
    accounts.add_user(accounts_file, "repA", "password1", ["甲处"])
    reporter = _upload_login("repA", "password1")
    assert reporter.get("file_uploader")
    admin = _click(_pick(_logged_in_page("accounts.py"), "repA"), "重设密码")
    temporary = admin.code[-1].value
    assert accounts.load_accounts(accounts_file)["repA"].must_change
    reporter.run()
    assert not reporter.get("file_uploader")  # the open session ended
    assert not _upload_login("repA", "password1").get("file_uploader")  # the old password no longer works
    again = _upload_login("repA", temporary)
    assert _forced_to_change(again)
    _change_password(again, temporary, "new-password-1", again="new-password-2")  # the two do not match
    assert again.error and _forced_to_change(again)
    _change_password(again, temporary, "short")
    assert again.error and accounts.load_accounts(accounts_file)["repA"].must_change
    _change_password(again, temporary, "new-password-1")
    assert again.get("file_uploader")


def test_a_disabled_account_cannot_log_in_until_enabled(accounts_file: Path):
    accounts.add_user(accounts_file, "repA", "password1", ["甲处"])
    reporter = _upload_login("repA", "password1")
    admin = _click(_pick(_logged_in_page("accounts.py"), "repA"), "停用账号")
    assert accounts.load_accounts(accounts_file)["repA"].disabled
    reporter.run()
    assert not reporter.get("file_uploader")
    refused = _upload_login("repA", "password1")
    assert refused.error and not refused.get("file_uploader")
    _click(admin, "启用账号")
    assert _upload_login("repA", "password1").get("file_uploader")
    actions = [r["action"] for r in accounts.read_audit(accounts_file)]
    assert actions[-2:] == [accounts.DISABLED, accounts.ENABLED]


def test_units_and_role_change_and_the_last_admin_cannot_demote_themselves(accounts_file: Path):
    accounts.add_user(accounts_file, "repA", "password1", ["甲处"])
    at = _pick(_logged_in_page("accounts.py"), "repA")
    at.multiselect(key="acc_units_repA").set_value(["甲处", "乙处"])
    _click(at, "保存角色与处室")
    assert accounts.load_accounts(accounts_file)["repA"].units == ("甲处", "乙处")
    _pick(at, "管理员")
    at.radio(key="acc_role_管理员").set_value(accounts.ROLE_REPORTER)
    at.multiselect(key="acc_units_管理员").set_value(["甲处"])
    _click(at, "保存角色与处室")
    assert at.error and accounts.load_accounts(accounts_file)["管理员"].is_admin
    _click(at, "停用账号")
    assert at.error and not accounts.load_accounts(accounts_file)["管理员"].disabled


def test_a_reporter_is_refused_the_accounts_page(accounts_file: Path):
    accounts.add_user(accounts_file, "repA", "password1", ["甲处"])
    at = _logged_in_page("accounts.py", "repA")
    assert at.warning and not at.dataframe and not at.text_input
    assert [b.label for b in at.button] == ["退出登录"]  # nothing to add, reset or disable with


def test_every_user_changes_their_own_password(accounts_file: Path):
    accounts.add_user(accounts_file, "repA", "password1", ["甲处"])
    at = _logged_in_page("password.py", "repA")
    _change_password(at, "wrong-password", "new-password-1")
    assert at.error and accounts.verify_password("password1", accounts.load_accounts(accounts_file)["repA"].password_hash)
    _change_password(at, "password1", "new-password-1")
    assert at.success and not at.error and [w.label for w in at.text_input] == CHANGE_LABELS  # still logged in
    assert accounts.verify_password("new-password-1", accounts.load_accounts(accounts_file)["repA"].password_hash)
    assert accounts.read_audit(accounts_file)[-1]["action"] == accounts.OWN_PASSWORD
