"""The board's figures with 督办, by hand: the effective deadline in 序时进度 and the lights, done after 销号,
逾期 and 按期办结率 in ``metrics.compute`` and ``summary --json``.

The workbook is ``test_supervision``'s: task 1 (甲处, 乙处, due 06-30), task 2 (乙处, due 09-30), task 3 (甲处,
长期); the plan starts 2026-01-01. Its LOOP: an extension of task 1 asked 06-10, approved 06-20 to 08-15; 甲处
signed off 07-12, 乙处 08-05. The reports below bring task 1 to 100 on 07-01 and task 2 to 50.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from lib import detail, metrics, schema
from tests.test_supervision import LOOP, REVIEW, load_book

REPORTS = [(dt.date(2026, 6, 1), "1", "甲处", 100), (dt.date(2026, 6, 15), "1", "乙处", 60),
           (dt.date(2026, 7, 1), "1", "乙处", 100), (dt.date(2026, 6, 1), "2", "乙处", 50)]


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    """销号审核 = 是."""
    return load_book(tmp_path_factory.mktemp("reviewed"), LOOP, REPORTS, plan=REVIEW)


@pytest.fixture(scope="module")
def unreviewed(tmp_path_factory):
    """销号审核 = 否 (the default), the same events."""
    return load_book(tmp_path_factory.mktemp("unreviewed"), LOOP, REPORTS)


def task(snapshot: metrics.Snapshot, task_id: str) -> pd.Series:
    return snapshot.tasks.set_index("task_id").loc[task_id]


def test_before_the_approval_the_original_deadline_counts(reviewed):
    """06-19: 序时进度 = 169 of 180 days = 93.9 %, progress (100 + 60) / 2 = 80: 13.9 behind, yellow."""
    one = task(metrics.compute(reviewed, dt.date(2026, 6, 19)), "1")
    assert (one["deadline"], one["deadline_original"], one["extensions"]) == (
        pd.Timestamp(2026, 6, 30), pd.Timestamp(2026, 6, 30), 0)
    assert (round(one["expected"], 1), one["light"]) == (93.9, schema.LIGHT_YELLOW)


def test_from_the_approval_on_the_approved_date_counts(reviewed):
    """06-20: 序时进度 = 170 of 226 days (to 08-15) = 75.2 %: 80 is ahead, 56 days left: green."""
    snapshot = metrics.compute(reviewed, dt.date(2026, 6, 20))
    one = task(snapshot, "1")
    assert (one["deadline"], one["deadline_original"], one["extensions"]) == (
        pd.Timestamp(2026, 8, 15), pd.Timestamp(2026, 6, 30), 1)
    assert (round(one["expected"], 1), one["light"]) == (75.2, schema.LIGHT_GREEN)


def test_overdue_is_against_the_effective_deadline(tmp_path, reviewed):
    """07-05, at 100 and not signed off: in time for 08-15 (green, 尚待销号); without the extension, red."""
    snapshot = metrics.compute(reviewed, dt.date(2026, 7, 5))
    assert (task(snapshot, "1")["light"], task(snapshot, "1")["done"], snapshot.overall.done) == (
        schema.LIGHT_GREEN, False, 0)
    assert snapshot.supervision.overdue == 0
    unextended = metrics.compute(load_book(tmp_path, LOOP[2:4], REPORTS, plan=REVIEW), dt.date(2026, 7, 5))
    assert task(unextended, "1")["light"] == schema.LIGHT_RED
    assert unextended.supervision.overdue == 1


def test_without_sign_off_review_a_100_report_is_done(unreviewed):
    """销号审核 = 否, 07-05: both units at 100 since 07-01: done, closed after 06-30 but by 08-15: 延期办结."""
    snapshot = metrics.compute(unreviewed, dt.date(2026, 7, 5))
    one = task(snapshot, "1")
    assert (one["light"], one["done"], one["outcome"], snapshot.overall.done) == (
        schema.LIGHT_DONE, True, "延期办结", 1)
    assert (snapshot.supervision.due, snapshot.supervision.closed_extended, snapshot.supervision.on_time_rate) == (
        1, 1, 0.0)


def test_with_sign_off_review_done_only_after_the_last_sign_off(reviewed):
    """销号审核 = 是: 甲处 is signed off 07-12, 乙处 08-05; the task is done from 08-05."""
    on_0804 = metrics.compute(reviewed, dt.date(2026, 8, 4))
    on_0805 = metrics.compute(reviewed, dt.date(2026, 8, 5))
    # 乙处 asked 08-01: 待销号; at 100 and waiting, the light is green (尚待销号), not blue for the 11 days left.
    assert (task(on_0804, "1")["state"], on_0804.overall.done, task(on_0804, "1")["light"]) == (
        schema.STATE_AWAITING, 0, schema.LIGHT_GREEN)
    units = on_0804.units.set_index("unit")
    assert (units.loc["甲处", "done"], units.loc["乙处", "done"]) == (1, 0)
    assert (task(on_0805, "1")["state"], on_0805.overall.done, task(on_0805, "1")["light"]) == (
        schema.STATE_SIGNED_OFF, 1, schema.LIGHT_DONE)


def test_pending_requests_are_counted_while_waiting(reviewed):
    assert metrics.compute(reviewed, dt.date(2026, 6, 19)).supervision.pending == 1  # D0001, asked 06-10
    assert metrics.compute(reviewed, dt.date(2026, 6, 20)).supervision.pending == 0
    units = metrics.compute(reviewed, dt.date(2026, 7, 11)).units.set_index("unit")  # D0003, 甲处's 销号申请
    assert (units.loc["甲处", "pending"], units.loc["乙处", "pending"]) == (1, 0)


def test_figures_after_every_deadline_overall_by_section_and_by_unit(reviewed):
    """10-01: task 1 延期办结, task 2 (乙处 at 50, due 09-30) 逾期未办结 and red, task 3 长期.

    By task: 2 due, none on time (0 %); 1 signed off, 1 extended, 1 overdue. By unit: 甲处 has 1 due (task 1,
    延期办结); 乙处 has 2 due (task 1 延期办结, task 2 overdue)."""
    snapshot = metrics.compute(reviewed, dt.date(2026, 10, 1))
    figures = snapshot.supervision
    assert (figures.due, figures.on_time, figures.closed_extended, figures.overdue, figures.signed_off,
            figures.extended, figures.on_time_rate) == (2, 0, 1, 1, 1, 1, 0.0)
    assert task(snapshot, "2")["light"] == schema.LIGHT_RED
    units = snapshot.units.set_index("unit")
    assert units.loc["甲处", ["due", "closed_extended", "overdue", "signed_off"]].tolist() == [1, 1, 0, 1]
    assert units.loc["乙处", ["due", "closed_extended", "overdue", "signed_off"]].tolist() == [2, 1, 1, 1]
    sections = snapshot.sections.set_index("section")
    assert sections.loc["一、甲", ["due", "overdue", "signed_off"]].tolist() == [2, 1, 1]
    assert sections.loc["二、乙", "due"] == 0 and pd.isna(sections.loc["二、乙", "on_time_rate"])


def test_summary_json_carries_the_supervision_keys(reviewed):
    summary = metrics.summary_json(metrics.compute(reviewed, dt.date(2026, 10, 1)))
    overall = summary["overall"]
    assert [overall[k] for k in ("pending", "signed_off", "extended", "overdue", "on_time_rate")] == [0, 1, 1, 1, 0.0]
    units = {u["name"]: u for u in summary["units"]}
    assert (units["乙处"]["overdue"], units["乙处"]["on_time_rate"], units["甲处"]["overdue"]) == (1, 0.0, 0)
    tasks = {t["id"]: t for t in summary["tasks"]}
    assert (tasks["1"]["deadline_original"], tasks["1"]["deadline_effective"], tasks["1"]["state"]) == (
        "2026-06-30", "2026-08-15", "已销号")
    assert (tasks["3"]["deadline_original"], tasks["3"]["deadline_effective"], tasks["3"]["state"]) == (
        None, None, "推进中")


def test_history_stays_honest_the_approval_does_not_reach_back(reviewed):
    """The trend's 06-19 figures, taken again after the approval, still use the original deadline."""
    assert task(metrics.compute(reviewed, dt.date(2026, 6, 19)), "1")["deadline"] == pd.Timestamp(2026, 6, 30)


def test_a_unit_filter_keeps_the_tasks_extension_and_drops_other_units_sign_offs(reviewed):
    """Filtered to 甲处, task 1 keeps its extension (asked by 甲处, applies to the task); 乙处's sign-off is gone,
    so 甲处's own share of task 1 is done on 07-12."""
    book = metrics.filter_book(reviewed, units=["甲处"])
    snapshot = metrics.compute(book, dt.date(2026, 7, 12))
    assert (task(snapshot, "1")["deadline"], task(snapshot, "1")["done"]) == (pd.Timestamp(2026, 8, 15), True)
    assert set(book.supervision["unit"]) == {"甲处"}


def test_the_task_pages_expected_line_uses_the_deadline_in_force_at_each_period_end(reviewed):
    """Task 1: 03-31 against 06-30 (89 of 180 days = 49.4 %); 06-30 against the 08-15 approved on 06-20 (180 of 226 =
    79.6 %); 09-30 past 08-15: 100 %."""
    line = detail.expected_trend(reviewed, "1", dt.date(2026, 9, 30))
    assert [round(v, 1) for v in line["expected"]] == [49.4, 79.6, 100.0]
