"""AppTest of the login adapter (lib/ui/login.py): who is throttled, and sessions that end when the account changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import accounts
from lib.ui import login
from tests.builders import TODAY, workbook_file

ROOT = Path(__file__).resolve().parents[1]


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
