"""Plans: the folder, archiving, keys, and the figures across plans (hand-computed on the small workbook).

Two plans hold the same small workbook (``tests.builders.board_workbook``; see tests/test_pages_board.py for
its figures). At D = 2026-05-31 each plan: overall 45 (+30), 2 tasks, 0 done, task 1 绿, task 2 红, 2 of 3
reports due in. Across both plans: 甲处 leads task 1 twice, all reported; 乙处 leads task 2 (红) twice and
cooperates on task 1 twice, and misses task 1's report in each plan.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from lib import plans, portfolio, validate
from lib.store.persist import audit_path, history_dir
from tests.builders import board_workbook

D = dt.date(2026, 5, 31)


@pytest.fixture
def two_plans(tmp_path, monkeypatch) -> Path:
    default = board_workbook(tmp_path)
    monkeypatch.setenv("KANBAN_WORKBOOK", str(default))
    monkeypatch.delenv("KANBAN_PLANS_DIR", raising=False)
    (tmp_path / "plans").mkdir()
    shutil.copy(default, tmp_path / "plans" / "second.xlsx")
    (tmp_path / "plans" / "~$second.xlsx").write_bytes(b"Excel's owner file")  # never a plan
    return tmp_path


def figures_of(include_archived: bool = False) -> list[portfolio.PlanFigures]:
    listed = []
    for plan in plans.all_plans(include_archived):
        result = validate.load(plan.path, D)
        listed.append(portfolio.figures(plan, result.book if result.ok else None, D, result.problems))
    return listed


def test_the_default_workbook_comes_first_then_the_folder(two_plans) -> None:
    listed = plans.all_plans()
    assert [(p.key, p.default) for p in listed] == [("tasks", True), ("second", False)]
    assert plans.resolve(plan="second") == two_plans / "plans" / "second.xlsx"
    assert plans.resolve() == two_plans / "tasks.xlsx"
    with pytest.raises(plans.PlanError):
        plans.resolve(plan="nowhere")
    with pytest.raises(plans.PlanError):
        plans.resolve(plan="second", workbook="x.xlsx")


def test_an_archived_plan_leaves_the_list_with_its_history_and_comes_back(two_plans) -> None:
    second = plans.find("second")
    assert second is not None
    history_dir(second.path).mkdir()
    audit_path(second.path).write_text("{}\n")
    archived = plans.archive("second")
    assert archived.archived and archived.path.exists() and not second.path.exists()
    assert history_dir(archived.path).is_dir() and audit_path(archived.path).exists()
    assert [p.key for p in plans.all_plans()] == ["tasks"]
    assert [p.key for p in plans.all_plans(include_archived=True)] == ["tasks", "second"]
    assert plans.find("second").archived  # still readable by its key
    with pytest.raises(plans.PlanError):
        plans.archive("tasks")  # the default workbook stays
    restored = plans.unarchive("second")
    assert restored.path == second.path and not restored.archived and history_dir(second.path).is_dir()


def test_a_new_key_must_be_free_and_plain(two_plans) -> None:
    for bad in ("second", "tasks", "archive", "a/b", "", "x" * 41):
        with pytest.raises(plans.PlanError):
            plans.check_key(bad)
    assert plans.new_plan_path("工作要点") == two_plans / "plans" / "工作要点.xlsx"
    assert plans.suggest_key("关于印发《2026年工作要点》的通知") == "2026年工作要点"
    assert plans.suggest_key("second") == "second-2"


def test_headline_rows_equal_each_plans_own_figures(two_plans) -> None:
    rows = portfolio.headline_rows(figures_of())
    assert list(rows["方案"]) == ["tasks", "second"]
    first = rows.iloc[0]
    assert (first["总体进度"], first["较上期"], first["任务数"], first["已完成"]) == (45.0, 30.0, 2, 0)
    assert (first["红灯"], first["黄灯"], first["绿灯"]) == (1, 0, 1)
    assert (first["本期应报"], first["本期已报"], first["报送率"]) == (3, 2, 66.7)
    # 05-31: no original deadline has passed (task 2 is due 06-30): no rate yet, which is not 0 %, and nothing overdue.
    assert pd.isna(first["按期办结率"]) and (first["逾期未办结"], first["待审核"]) == (0, 0)
    later = portfolio.headline_rows([portfolio.figures(p, validate.load(p.path, D).book, dt.date(2026, 7, 1), [])
                                     for p in plans.all_plans()]).iloc[0]
    assert (later["按期办结率"], later["逾期未办结"]) == (0.0, 1)  # task 2 overdue: 0 of 1 on time


def test_units_across_plans_add_up_each_plans_assignments(two_plans) -> None:
    units = portfolio.units_across(figures_of()).set_index("处室")
    assert units.loc["乙处"].tolist() == [2, 2, 2, 2, 4, 2]  # plans, lead, cooperate, 红黄灯, due, missing
    assert units.loc["甲处"].tolist() == [2, 2, 0, 0, 2, 0]
    assert list(units.index) == ["乙处", "甲处"]  # the unit behind most first
    rows = portfolio.unit_in_every_plan(figures_of(), "乙处")
    assert len(rows) == 4 and set(rows["预警"]) == {"红灯", "绿灯"}
    assert list(rows["本期已报"]).count("否") == 2


def test_a_broken_plan_is_listed_not_counted(two_plans) -> None:
    (two_plans / "plans" / "second.xlsx").write_bytes(b"not a workbook")
    listed = figures_of()
    rows = portfolio.headline_rows(listed)
    assert rows.iloc[1]["状态"] and rows.iloc[1]["任务数"] != rows.iloc[1]["任务数"]  # NaN: not counted
    assert portfolio.units_across(listed).set_index("处室").loc["乙处", "涉及方案"] == 1


def test_unit_name_warnings_name_both_plans(two_plans) -> None:
    listed = figures_of()
    assert portfolio.unit_name_warnings(listed) == []
    second = listed[1].book
    assert second is not None
    second.units.loc[second.units["unit"] == "甲处", "short"] = "乙"  # one 简称 for two units
    listed[0].book.units.loc[listed[0].book.units["unit"] == "乙处", "short"] = "乙"
    warnings = portfolio.unit_name_warnings(listed)
    assert len(warnings) >= 1 and all(name in warnings[0] for name in ("甲处", "乙处"))
