"""One AppTest run of the whole app on the bundled workbook."""

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import metrics, validate

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture(autouse=True)
def fixed_today(tmp_path, monkeypatch):
    monkeypatch.setenv("KANBAN_TODAY", "2026-09-30")
    monkeypatch.setenv("KANBAN_WORKBOOK", "data/tasks.xlsx")
    monkeypatch.setenv("KANBAN_ACCOUNTS", str(tmp_path / "accounts.toml"))  # never the real data/accounts.toml


def test_app_runs_and_shows_overall_progress():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    expected = metrics.compute(validate.load("data/tasks.xlsx").book, dt.date(2026, 9, 30)).overall.progress
    overall = [m for m in at.metric if m.label == "总体进度"]
    assert overall and overall[0].value == f"{expected:.1f}%"
    assert any("示例数据" in i.value for i in at.info)


def test_login_required_to_view_when_configured(tmp_path, monkeypatch):
    from lib import accounts

    workbook = tmp_path / "tasks.xlsx"
    workbook.write_bytes(Path("data/tasks.xlsx").read_bytes())
    monkeypatch.setenv("KANBAN_WORKBOOK", str(workbook))
    monkeypatch.setenv("KANBAN_REQUIRE_LOGIN", "1")
    accounts.add_user(tmp_path / "accounts.toml", "王五", "password1", ["综合处"])

    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert not [m for m in at.metric if m.label == "总体进度"]  # nothing of the board before login
    assert [w.label for w in at.text_input] == ["账号", "密码"]
    # Logging in, a wrong password and the deep link kept after login are driven in a real browser
    # (tests/e2e/test_deep_link.py): AppTest does not submit a form drawn after st.navigation.


def test_login_required_without_accounts_names_the_command(tmp_path, monkeypatch):
    monkeypatch.setenv("KANBAN_WORKBOOK", str(tmp_path / "tasks.xlsx"))
    monkeypatch.setenv("KANBAN_REQUIRE_LOGIN", "1")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert any("python -m lib user add" in c.value and "--admin" in c.value for c in at.code)
