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


# ---- errors at the page boundary --------------------------------------------------------------


def test_an_error_in_a_page_shows_an_id_not_a_traceback(monkeypatch, caplog):
    import re

    from lib.ui import board, errors

    def broken():
        raise RuntimeError("/srv/secret/path 内部细节")

    monkeypatch.setattr(board, "load_board", broken)
    errors.LOG.addHandler(caplog.handler)  # Streamlit's loggers do not propagate to the root
    try:
        at = AppTest.from_file(APP, default_timeout=60).run()
    finally:
        errors.LOG.removeHandler(caplog.handler)
    assert not at.exception  # no traceback box
    (shown,) = at.error
    match = re.fullmatch(r"系统出现错误，请联系管理员（错误编号：([0-9a-f]{8})）。", shown.value)
    assert match, shown.value
    assert "secret" not in shown.value
    (record,) = [r for r in caplog.records if r.name == "kanban.pages"]
    assert match.group(1) in record.getMessage() and record.exc_info[0] is RuntimeError  # the log has the details


def test_stop_and_rerun_pass_through_the_boundary():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/upload.py").run()  # no accounts yet: the page explains and calls st.stop()
    assert not at.exception and not at.error
    assert any("尚未设置任何账号" in w.value for w in at.warning)


def test_no_error_details_reach_the_browser():
    import tomllib

    from streamlit import config

    with open(Path(APP).parent / ".streamlit" / "config.toml", "rb") as handle:
        shown = tomllib.load(handle)["client"]["showErrorDetails"]
    assert shown == config.ShowErrorDetailsConfigOptions.NONE  # "false" would still show the stack trace
