"""AppTest of the login adapter (lib/ui/login.py): who is throttled, and sessions that end when the account changes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import accounts, session_token
from lib.ui import login
from tests.builders import TODAY, update, updates_upload, workbook_file

ROOT = Path(__file__).resolve().parents[1]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def accounts_file(tmp_path: Path, monkeypatch) -> Path:
    path = workbook_file(tmp_path / "data" / "tasks.xlsx")
    monkeypatch.setenv("KANBAN_WORKBOOK", str(path))
    monkeypatch.setenv("KANBAN_TODAY", TODAY.isoformat())
    monkeypatch.setenv("KANBAN_ACCOUNTS", str(path.parent / "accounts.toml"))
    login._login_throttle.clear()  # one throttle per process: start each test with a fresh one
    return path.parent / "accounts.toml"


def _try_login(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input[0].set_value(name)
    at.text_input[1].set_value(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def _upload_page() -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / "upload.py"), default_timeout=60).run()


def test_wrong_passwords_in_one_session_do_not_lock_out_another(accounts_file: Path):
    accounts.add_user(accounts_file, "管理员", "password1", admin=True)
    attacker = _upload_page()
    for _ in range(5):
        _try_login(attacker, "管理员", "wrong-password")
    _try_login(attacker, "管理员", "password1")
    assert any("秒后再试" in e.value for e in attacker.error)  # the guessing session waits
    assert not attacker.get("file_uploader")

    office = _try_login(_upload_page(), "管理员", "password1")  # the real admin, in their own session
    assert not office.error and office.get("file_uploader")


def _reporter_logged_in(accounts_file: Path) -> AppTest:
    accounts.add_user(accounts_file, "repA", "password1", ["甲处"])
    at = _try_login(_upload_page(), "repA", "password1")
    assert at.get("file_uploader") and not at.text_input  # logged in, may upload
    return at


def _logged_out(at: AppTest) -> bool:
    """The page asks for a login again and offers no upload, and says why."""
    return (not at.get("file_uploader") and [w.label for w in at.text_input] == ["账号", "密码"]
            and "账号信息已变更，请重新登录。" in [i.value for i in at.info])


def test_a_session_survives_reruns_while_the_account_is_unchanged(accounts_file: Path):
    at = _reporter_logged_in(accounts_file)
    at.run()
    assert at.get("file_uploader") and not _logged_out(at)


def test_a_password_change_ends_the_open_session(accounts_file: Path):
    at = _reporter_logged_in(accounts_file)
    accounts.set_password(accounts_file, "repA", "password2")  # as `python -m lib user passwd repA` does
    at.run()
    assert not at.exception and _logged_out(at)
    _try_login(at, "repA", "password2")  # the new password logs in again
    assert at.get("file_uploader")


def test_a_removed_name_added_again_as_admin_does_not_inherit_the_session(accounts_file: Path):
    at = _reporter_logged_in(accounts_file)
    accounts.remove_user(accounts_file, "repA")
    accounts.add_user(accounts_file, "repA", "password1", admin=True)  # same name, same password, now admin
    at.run()
    assert not at.exception and _logged_out(at)
    assert not at.get("radio")  # nothing of the admin's page either


def test_a_change_of_units_ends_the_open_session(accounts_file: Path):
    at = _reporter_logged_in(accounts_file)
    found = accounts.load_accounts(accounts_file)
    found["repA"].units = ("甲处", "乙处")
    accounts.save_accounts(accounts_file, found)
    at.run()
    assert not at.exception and _logged_out(at)


def test_a_preview_shown_before_a_password_change_is_not_saved_after_it(accounts_file: Path):
    at = _reporter_logged_in(accounts_file)
    workbook = accounts_file.parent / "tasks.xlsx"
    upload = updates_upload([update(TODAY, "1", "甲处", 100, "已完成")])
    at.get("file_uploader")[0].set_value(("进展.xlsx", upload, XLSX))
    at.run()
    assert not at.button(key="upload_go").disabled
    saved = workbook.read_bytes()
    accounts.set_password(accounts_file, "repA", "password2")
    at.button(key="upload_go").click().run()
    assert workbook.read_bytes() == saved and _logged_out(at)


# ---- a login kept in a cookie (lib/session_token.py): reloads, other tabs, logout ------------------


def _cookie_scripts(at: AppTest) -> list[str]:
    return [h.value for h in at.html if session_token.COOKIE in h.value]


def _cookie_written(at: AppTest) -> str:
    """The token the page's script writes into the login cookie ('' when it deletes the cookie)."""
    [script] = _cookie_scripts(at)
    return re.search(rf"{session_token.COOKIE}=([^;]*);", script).group(1)


def _opened_with_cookie(monkeypatch, token: str) -> AppTest:
    """A new session, as after a reload or in another tab, whose browser sends ``token`` in the cookie."""
    monkeypatch.setattr(login, "_cookie_token", lambda: token)
    return _upload_page()


def test_a_login_writes_a_cookie_that_a_reload_or_another_tab_logs_in_with(accounts_file: Path, monkeypatch):
    at = _reporter_logged_in(accounts_file)
    token = _cookie_written(at)
    [script] = _cookie_scripts(at)
    assert "SameSite=Strict" in script and "Path=/" in script and "Max-Age=1800" in script  # 30 idle minutes
    at.run()
    assert not _cookie_scripts(at)  # written once, not on every click

    reloaded = _opened_with_cookie(monkeypatch, token)
    assert reloaded.get("file_uploader") and not reloaded.text_input  # logged in without a password
    assert reloaded.session_state["_kanban_login_id"] == at.session_state["_kanban_login_id"]  # the same login


def test_a_session_refuses_a_tampered_or_stale_cookie_without_an_error(accounts_file: Path, monkeypatch):
    at = _reporter_logged_in(accounts_file)
    token = _cookie_written(at)
    body, _, signature = token.partition(".")
    for bad in (body + "." + signature[::-1], "garbage", body):
        opened = _opened_with_cookie(monkeypatch, bad)
        assert not opened.exception and not opened.get("file_uploader")
        assert [w.label for w in opened.text_input] == ["账号", "密码"]
    accounts.set_password(accounts_file, "repA", "password2")
    changed = _opened_with_cookie(monkeypatch, token)
    assert not changed.exception and not changed.get("file_uploader")


def test_logout_ends_the_login_in_every_tab_and_deletes_the_cookie(accounts_file: Path, monkeypatch):
    at = _reporter_logged_in(accounts_file)
    token = _cookie_written(at)
    other_tab = _opened_with_cookie(monkeypatch, token)
    assert other_tab.get("file_uploader")

    at.button(key="logout").click().run()
    assert not at.get("file_uploader") and _cookie_written(at) == ""  # the browser's cookie is deleted
    other_tab.run()  # its next click
    assert not other_tab.exception and not other_tab.get("file_uploader")
    copied = _opened_with_cookie(monkeypatch, token)  # the cookie as copied before the logout
    assert not copied.get("file_uploader")


def test_logout_in_one_browser_leaves_the_same_account_logged_in_elsewhere(accounts_file: Path):
    at = _reporter_logged_in(accounts_file)
    elsewhere = _try_login(_upload_page(), "repA", "password1")  # another computer: its own login
    at.button(key="logout").click().run()
    elsewhere.run()
    assert elsewhere.get("file_uploader")


def test_the_first_admin_command_is_shown_without_syntax_colours(accounts_file: Path):
    # Streamlit's highlighting colours fall to 2.76:1 and cannot be themed (issue 11, item 14).
    at = _upload_page()
    [command] = at.code
    assert "--admin" in command.value and command.proto.language == "plaintext"  # not "bash"
