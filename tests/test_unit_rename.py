"""lib/unit_rename: a unit renamed, or merged into another, across every plan in one set of saves."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from lib import store, validate
from lib.accounts import ROLE_ADMIN, ROLE_REPORTER, Account
from lib.plans import PlanError
from lib.unit_rename import rename_label, rename_previews, renamed_list

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 30)
ADMIN = Account("管理员", ROLE_ADMIN)
OLD = "省志工作处"  # in the bundled workbook: responsible alone for task 3, and in the group 机关各处 (task 1)


@pytest.fixture
def two_plans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    plans = tmp_path / "data" / "plans"
    plans.mkdir(parents=True)
    first, second = tmp_path / "data" / "tasks.xlsx", plans / "川渝合作.xlsx"
    for path in (first, second):
        shutil.copyfile(ROOT / "data" / "tasks.xlsx", path)
    monkeypatch.setenv("KANBAN_WORKBOOK", str(first))
    monkeypatch.setenv("KANBAN_PLANS_DIR", str(plans))
    return first, second


def book(path: Path):
    result = validate.load(path, today=TODAY)
    assert result.ok, [p.as_text() for p in result.errors]
    return result.book


def reports(updates: pd.DataFrame, unit: str) -> set[tuple]:
    rows = updates[updates["unit"] == unit]
    return set(zip(rows["date"], rows["task_id"], rows["progress"], rows["progress_note"], strict=True))


def test_renamed_list_replaces_names_not_substrings_and_keeps_each_once():
    assert renamed_list("省志工作处、市县志工作处", "志工作处", "新处") == "省志工作处、市县志工作处"
    assert renamed_list("省志工作处，综合处", "省志工作处", "综合处") == "综合处"
    assert renamed_list("综合处；省志工作处", "省志工作处", "方志处") == "综合处、方志处"
    assert renamed_list(None, "省志工作处", "方志处") is None


def test_a_rename_reaches_every_plan_and_carries_the_reports_over(two_plans):
    before = book(two_plans[0])
    new = "方志编纂处"
    previews = rename_previews(OLD, new, ADMIN, TODAY)
    assert [path for path, _ in previews] == list(two_plans)
    assert all(shown.ok for _, shown in previews)
    result = store.save_all(previews)
    assert result.saved, result.message
    for path in two_plans:
        after = book(path)
        assert OLD not in set(after.units["unit"]) and new in set(after.units["unit"])
        assert reports(after.updates, new) == reports(before.updates, OLD) and reports(after.updates, OLD) == set()
        assert after.tasks.set_index("task_id").loc["3", "units_text"] == new
        assignments = set(zip(after.assignments["task_id"], after.assignments["unit"]))
        assert ("1", new) in assignments  # still a member of 机关各处
        assert store.read_audit(path)[-1]["label"] == rename_label(OLD, new)


def test_a_rename_into_an_existing_unit_merges_the_two(two_plans):
    before = book(two_plans[0])
    into = "综合处"
    previews = rename_previews(OLD, into, ADMIN, TODAY)
    assert store.save_all(previews).saved
    after = book(two_plans[1])
    assert list(after.units["unit"]).count(into) == 1 and OLD not in set(after.units["unit"])
    assert len(after.units) == len(before.units) - 1
    kept = reports(after.updates, into)
    assert reports(before.updates, into) <= kept  # the unit's own reports stay as they were
    moved_keys = {(d, t) for d, t, *_ in reports(before.updates, OLD)}
    assert moved_keys <= {(d, t) for d, t, *_ in kept}  # every report of the old unit now has one of the new
    assert after.tasks.set_index("task_id").loc["3", "units_text"] == into


def test_a_rename_is_refused_when_no_plan_knows_the_unit_or_the_names_are_the_same(two_plans):
    with pytest.raises(PlanError):
        rename_previews("不存在的处", "方志编纂处", ADMIN, TODAY)
    with pytest.raises(PlanError):
        rename_previews(OLD, OLD, ADMIN, TODAY)
    with pytest.raises(PlanError):
        rename_previews(OLD, "甲处、乙处", ADMIN, TODAY)  # would read as two units


def test_a_reporter_cannot_rename(two_plans):
    previews = rename_previews(OLD, "方志编纂处", Account("张三", ROLE_REPORTER, (OLD,)), TODAY)
    assert all("admin-only" in [p.code for p in shown.errors] for _, shown in previews)
    before = [path.read_bytes() for path in two_plans]
    assert not store.save_all(previews).saved
    assert [path.read_bytes() for path in two_plans] == before


def test_a_rename_carries_the_supervision_events_over(tmp_path, monkeypatch):
    import datetime as dt

    from lib import store, validate
    from lib.accounts import ROLE_ADMIN, Account
    from lib.unit_rename import rename_previews
    from tests.test_supervision import TODAY, event, supervision_workbook

    path = supervision_workbook(tmp_path / "data" / "tasks.xlsx",
                                [event("D0001", "销号申请", "1", "甲处", dt.date(2026, 7, 1), "甲处填报", "已完成")],
                                [(dt.date(2026, 3, 31), "1", "甲处", 50)])
    monkeypatch.setenv("KANBAN_WORKBOOK", str(path))
    monkeypatch.delenv("KANBAN_PLANS_DIR", raising=False)
    result = store.save_all(rename_previews("甲处", "丁处", Account("管理员", ROLE_ADMIN), TODAY))
    assert result.saved, result.message
    book = validate.load(path, today=TODAY).book
    assert list(book.supervision["unit"]) == ["丁处"] and list(book.supervision["event_id"]) == ["D0001"]
