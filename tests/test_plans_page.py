"""AppTests of 全部方案 and of the 处室 page's 全部方案 view, on two plans holding the small workbook
(figures in tests/test_plans.py), and of the switcher's ``?plan=``."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests import apptests
from tests.builders import board_workbook

ROOT = Path(__file__).resolve().parents[1]
D = dt.date(2026, 5, 31)


@pytest.fixture
def two_plans(tmp_path, monkeypatch) -> Path:
    default = board_workbook(tmp_path)
    monkeypatch.setenv("KANBAN_WORKBOOK", str(default))
    monkeypatch.setenv("KANBAN_TODAY", "2026-06-15")
    monkeypatch.setenv("KANBAN_ACCOUNTS", str(tmp_path / "accounts.toml"))
    (tmp_path / "plans").mkdir()
    shutil.copy(default, tmp_path / "plans" / "second.xlsx")
    return tmp_path


def run(page: str, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_all_plans_page_lists_each_plan_with_its_figures(two_plans) -> None:
    at = run("plans", d=D.isoformat())
    headline = at.dataframe[0].value
    assert list(headline["方案"]) == ["tasks", "second"]
    assert list(headline["总体进度"]) == [45.0, 45.0] and list(headline["红灯"]) == [1, 1]
    assert headline["查看"].iloc[1] == "overview?plan=second&d=2026-05-31"
    assert {m.label: m.value for m in at.metric}["任务数"] == "4 项"
    assert "plans_archive" not in [b.key for b in at.button]  # admins only: not drawn for a viewer


def test_the_unit_page_shows_a_unit_in_every_plan(two_plans) -> None:
    at = run("unit", d=D.isoformat(), unit="乙处")
    at.segmented_control(key="unit_scope").set_value("全部方案").run()
    assert not at.exception, [e.value for e in at.exception]
    cards = {m.label: m.value for m in at.metric}
    assert cards["涉及方案"] == "2 个" and cards["红灯、黄灯任务"] == "2 项" and cards["本期未报送"] == "2 项"
    assert len(at.subheader) >= 2  # one heading per plan


def test_a_plan_in_the_address_is_the_plan_shown(two_plans) -> None:
    import openpyxl

    from lib import schema

    path = two_plans / "plans" / "second.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book[schema.SHEET_PLAN]
    for row in sheet.iter_rows():
        if row[0].value == schema.PLAN_NAME:
            row[1].value = "第二个方案"
    book.save(path)
    at = run("versions", plan="second")
    assert any("第二个方案" in caption.value for caption in at.caption)


def admin_on_plans(folder: Path) -> AppTest:
    from lib import accounts

    accounts.add_user(folder / "accounts.toml", "管理员", "password1", admin=True)
    at = apptests.logged_in("plans", "管理员", d=D.isoformat()).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_an_admin_renames_a_unit_in_every_plan_at_once(two_plans) -> None:
    from lib import plans, store, validate

    at = admin_on_plans(two_plans)
    at.selectbox(key="rename_old").set_value("乙处")
    at.text_input(key="rename_new").set_value("丙处").run()
    assert at.button(key="rename_go").disabled  # not before the box is ticked
    at.checkbox(key="rename_ok").check().run()
    at.button(key="rename_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    for plan in plans.all_plans():
        book = validate.load(plan.path).book
        assert book is not None and "丙处" in set(book.units["unit"]) and "乙处" not in set(book.updates["unit"])
        assert store.read_audit(plan.path)[-1]["label"] == "处室更名：乙处→丙处"


def test_an_admin_archives_a_plan_and_brings_it_back(two_plans) -> None:
    from lib import plans

    at = admin_on_plans(two_plans)
    at.selectbox(key="plans_archive_pick").set_value("second").run()
    at.button(key="plans_archive").click().run()
    assert [p.key for p in plans.all_plans()] == ["tasks"]
    assert list(at.dataframe[0].value["方案"]) == ["tasks"]
    at.selectbox(key="plans_restore_pick").set_value("second").run()
    at.button(key="plans_restore").click().run()
    assert [p.key for p in plans.all_plans()] == ["tasks", "second"]


def test_plans_sharing_a_name_are_told_apart_in_the_switcher(two_plans) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception, [e.value for e in at.exception]
    picker = at.selectbox(key="plan")
    assert picker.options == [f"{picker.options[0].rsplit('（', 1)[0]}（{key}）" for key in ("tasks", "second")]
    picker.set_value("second").run()
    assert "second" in str(at.query_params["plan"])
