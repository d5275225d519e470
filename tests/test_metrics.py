"""Every metric definition on a small hand-computed workbook.

Plan start 2026-01-01, quarterly, default thresholds (临近 30 天, 黄 10, 红 30).
D = 2026-04-15 is in 2026Q2; the previous period ended 2026-03-31.
Days from the start to D: 31 + 28 + 31 + 14 = 104.
"""

import datetime as dt

import pytest

from lib import metrics, validate
from tests.builders import write_book

D = dt.date(2026, 4, 15)
TASKS = [
    {"task_id": "1", "section": "一、甲板块，说明", "content": "t1", "units_text": "机关各处、丙社", "deadline_text": "长期"},
    {"task_id": "2", "section": "一、甲板块，说明", "content": "t2", "units_text": "乙处、甲处", "deadline_text": "2026-12-31"},
    {"task_id": "3", "section": "二、乙板块", "content": "t3", "units_text": "丙社", "deadline_text": "2026年6月底前"},
    {"task_id": "4", "section": "二、乙板块", "content": "t4", "units_text": "甲处", "deadline_text": "2026年5月10日"},
    {"task_id": "5", "section": "二、乙板块", "content": "t5", "units_text": "乙处", "deadline_text": "2026年第一季度"},
]
UPDATES = [
    (dt.date(2026, 2, 10), "1", "甲处", 40),
    (dt.date(2026, 2, 10), "1", "乙处", 20),
    (dt.date(2026, 3, 20), "1", "甲处", 60),
    (dt.date(2026, 4, 10), "1", "丙社", 50, "滞后"),
    (dt.date(2026, 2, 15), "2", "乙处", 30),
    (dt.date(2026, 4, 5), "2", "甲处", 10),
    (dt.date(2026, 3, 1), "3", "丙社", 100),
    (dt.date(2026, 3, 25), "4", "甲处", 80),
    (dt.date(2026, 4, 20), "4", "甲处", 95),  # after D: ignored
]


@pytest.fixture
def book(tmp_path):
    result = validate.load(write_book(tmp_path / "m.xlsx", TASKS, UPDATES), today=dt.date(2026, 12, 1))
    assert result.ok, [p.as_text() for p in result.problems]
    return result.book


@pytest.fixture
def snapshot(book):
    return metrics.compute(book, D)


def by(frame, key):
    return frame.set_index(key)


def test_assignments_expand_groups_and_mark_leads(book):
    pairs = {(r.task_id, r.unit): r.is_lead for r in book.assignments.itertuples()}
    # 机关各处、丙社: a list starting with a group, so every listed unit leads its own part.
    assert {k: v for k, v in pairs.items() if k[0] == "1"} == {("1", "甲处"): True, ("1", "乙处"): True, ("1", "丙社"): True}
    # 乙处、甲处: the first listed leads.
    assert pairs[("2", "乙处")] and not pairs[("2", "甲处")]


def test_explicit_lead(tmp_path):
    tasks = [{"task_id": "1", "section": "一、甲", "content": "x", "units_text": "乙处、甲处", "lead_text": "甲处"}]
    book = validate.load(write_book(tmp_path / "l.xlsx", tasks, [])).book
    assert dict(zip(book.assignments["unit"], book.assignments["is_lead"])) == {"乙处": False, "甲处": True}


def test_task_section_overall_progress(snapshot):
    tasks = by(snapshot.tasks, "task_id")["progress"]
    assert tasks["1"] == pytest.approx((60 + 20 + 50) / 3)  # 43.33
    assert tasks["2"] == pytest.approx((30 + 10) / 2)  # 20
    assert (tasks["3"], tasks["4"], tasks["5"]) == (100, 80, 0)  # t4's 95 is after D; t5 never reported
    sections = by(snapshot.sections, "section")["progress"]
    assert sections["一、甲板块，说明"] == pytest.approx((130 / 3 + 20) / 2)  # 31.67
    assert sections["二、乙板块"] == pytest.approx((100 + 80 + 0) / 3)  # 60
    assert snapshot.overall.progress == pytest.approx((130 / 3 + 20 + 100 + 80 + 0) / 5)  # 48.67
    assert (snapshot.overall.tasks, snapshot.overall.done) == (5, 1)
    assert list(snapshot.sections["label"]) == ["一、甲板块", "二、乙板块"]


def test_unit_progress_and_counts(snapshot):
    units = by(snapshot.units, "unit")
    assert units.loc["甲处", "progress"] == pytest.approx((60 + 10 + 80) / 3)  # 50
    assert units.loc["乙处", "progress"] == pytest.approx((20 + 30 + 0) / 3)  # 16.67
    assert units.loc["丙社", "progress"] == pytest.approx((50 + 100) / 2)  # 75
    assert (units.loc["甲处", "lead"], units.loc["甲处", "cooperate"]) == (2, 1)
    assert (units.loc["乙处", "lead"], units.loc["乙处", "cooperate"]) == (3, 0)
    assert units.loc["丙社", "done"] == 1


def test_expected_progress(snapshot):
    expected = by(snapshot.tasks, "task_id")["expected"]
    assert expected["2"] == pytest.approx(104 / 364 * 100)  # 2026-01-01 → 12-31 is 364 days
    assert expected["4"] == pytest.approx(104 / 129 * 100)  # → 05-10 is 129 days
    assert expected["5"] == 100  # the deadline has passed: clipped
    assert expected.isna()["1"]  # ongoing: no 序时进度


def test_lights_and_reasons(snapshot):
    tasks = by(snapshot.tasks, "task_id")
    # t1 ongoing with 滞后 reported → 黄; t2 8.6 points behind → 绿; t3 done; t4 due in 25 days → 蓝; t5 overdue → 红
    assert tasks["light"].to_dict() == {"1": "黄", "2": "绿", "3": "已完成", "4": "蓝", "5": "红"}
    assert "滞后" in tasks.loc["1", "light_reason"]
    assert "2026-03-31" in tasks.loc["5", "light_reason"]
    assert tasks.loc["4", "light_reason"] == "距完成时限（2026-05-10）还有 25 天（临近天数 30）。"
    assert tasks.loc["2", "light_reason"] == "完成进度 20%，序时进度 29%，进度正常。"
    assert tasks.loc["3", "light_reason"] == "完成进度已达 100%。"
    assert snapshot.overall.lights == {"红": 1, "黄": 1, "蓝": 0 + 1, "绿": 1, "已完成": 1}


def test_gap_lights(book):
    # At 2026-06-01 (151 days of 364), t2 expects 41.5; progress 20 → 21.5 behind → 黄.
    # t4's deadline has passed → 红.
    tasks = by(metrics.compute(book, dt.date(2026, 6, 1)).tasks, "task_id")
    assert tasks.loc["2", "expected"] == pytest.approx(151 / 364 * 100)
    assert tasks.loc["2", "light"] == "黄"
    assert tasks.loc["4", "light"] == "红"  # 95 but overdue
    # At 2026-09-01 (243 days), t2 expects 66.8; 20 is 46.8 behind → 红.
    assert by(metrics.compute(book, dt.date(2026, 9, 1)).tasks, "task_id").loc["2", "light"] == "红"


def test_reporting_compliance(snapshot):
    units = by(snapshot.units, "unit")
    # Q2 so far: 甲处 required t1, t2, t4, reported t2 only; 乙处 required t1, t2, t5, none;
    # 丙社 required t1 (t3 was done before Q2), reported.
    assert (units.loc["甲处", "required"], units.loc["甲处", "reported"]) == (3, 1)
    assert (units.loc["乙处", "required"], units.loc["乙处", "reported"]) == (3, 0)
    assert (units.loc["丙社", "required"], units.loc["丙社", "reported"]) == (1, 1)
    assert units.loc["甲处", "rate"] == pytest.approx(100 / 3)
    assert (snapshot.overall.required, snapshot.overall.reported) == (7, 2)
    assert snapshot.period.label == "2026年第二季度"


def test_change_against_previous_period_end(snapshot):
    # At 2026-03-31: t1 (60+20+0)/3, t2 (30+0)/2, t3 100, t4 80, t5 0.
    previous = (80 / 3 + 15 + 100 + 80 + 0) / 5
    assert snapshot.overall.change == pytest.approx((130 / 3 + 20 + 180) / 5 - previous)
    assert by(snapshot.tasks, "task_id").loc["1", "change"] == pytest.approx(130 / 3 - 80 / 3)


def test_trend(book):
    trend = metrics.trend(book, D)
    overall = trend[trend["scope"] == metrics.OVERALL]
    assert list(overall.date) == [dt.date(2026, 3, 31), D]
    assert list(overall.progress) == pytest.approx([(80 / 3 + 15 + 180) / 5, (130 / 3 + 20 + 180) / 5])
    section_two = trend[trend["scope"] == "二、乙板块"]
    assert list(section_two["progress"]) == pytest.approx([60, 60])


def test_same_date_later_row_wins(tmp_path):
    tasks = [{"task_id": "1", "section": "一、甲", "content": "x", "units_text": "甲处"}]
    updates = [(dt.date(2026, 2, 1), "1", "甲处", 20), (dt.date(2026, 2, 1), "1", "甲处", 70)]
    book = validate.load(write_book(tmp_path / "s.xlsx", tasks, updates)).book
    assert metrics.compute(book, D).overall.progress == 70


def test_filters(book):
    only_jia = metrics.compute(metrics.filter_book(book, units=["甲处"]), D)
    assert list(only_jia.tasks["task_id"]) == ["1", "2", "4"]
    assert only_jia.overall.progress == pytest.approx((60 + 10 + 80) / 3)
    section_two = metrics.compute(metrics.filter_book(book, sections=["二、乙板块"]), D)
    assert section_two.overall.progress == pytest.approx(60)


def test_monthly_cycle(tmp_path):
    tasks = [{"task_id": "1", "section": "一、甲", "content": "x", "units_text": "甲处"}]
    updates = [(dt.date(2026, 3, 20), "1", "甲处", 20)]
    book = validate.load(write_book(tmp_path / "m.xlsx", tasks, updates, plan={"报送周期": "月度"})).book
    snapshot = metrics.compute(book, D)
    assert snapshot.period.label == "2026年4月"
    assert (snapshot.overall.required, snapshot.overall.reported) == (1, 0)  # nothing in April yet


def test_summary_json_shape(snapshot):
    summary = metrics.summary_json(snapshot)
    assert set(summary) == {"as_of", "overall", "sections", "units", "tasks"}
    assert summary["as_of"] == "2026-04-15"
    supervision_keys = {"pending", "signed_off", "extended", "overdue", "on_time_rate"}
    assert set(summary["overall"]) == {"progress", "tasks", "done", *supervision_keys}
    assert set(summary["units"][0]) == {"name", "progress", "assignments", "lead", "done", "reported", "required",
                                        *supervision_keys}
    task_one = summary["tasks"][0]
    assert task_one == {"id": "1", "section": "一、甲板块，说明", "progress": 43.33, "expected": None,
                        "light": "黄", "units": {"甲处": 60.0, "乙处": 20.0, "丙社": 50.0},
                        "deadline_original": None, "deadline_effective": None, "state": "推进中"}


# ---- 报送截止日: a report after a period's end, up to its deadline, counts for that period ----------------
# 季度末后5日: 2026Q2's window is 04-06 … 07-05, Q3's 07-06 … 10-05, Q4's 10-06 … 2027-01-05.
GRACE_TASKS = [
    {"task_id": "1", "section": "一、甲", "content": "t1", "units_text": "甲处", "deadline_text": "2026-12-31"},
    {"task_id": "2", "section": "一、甲", "content": "t2", "units_text": "乙处", "deadline_text": "2026-12-31"},
    {"task_id": "3", "section": "一、甲", "content": "t3", "units_text": "丙社", "deadline_text": "2026-12-31"},
]
GRACE_UPDATES = [
    (dt.date(2026, 10, 3), "1", "甲处", 50),  # Q3's report, not Q4's
    (dt.date(2026, 7, 3), "2", "乙处", 30),  # Q2's report, not Q3's
    (dt.date(2026, 9, 20), "2", "乙处", 40),  # Q3
    (dt.date(2026, 10, 6), "2", "乙处", 50),  # the first day of Q4's window
    (dt.date(2026, 10, 5), "3", "丙社", 100),  # Q3's deadline itself: Q3, and done before Q4 is due
]


def grace_book(tmp_path, deadline="季度末后5日"):
    plan = {} if deadline is None else {"报送截止日": deadline}
    result = validate.load(write_book(tmp_path / "g.xlsx", GRACE_TASKS, GRACE_UPDATES, plan=plan),
                           today=dt.date(2026, 12, 1))
    assert result.ok, [p.as_text() for p in result.problems]
    return result.book


def reported_pairs(snapshot):
    rows = snapshot.assignments
    return (int(rows["required"].sum()), int(rows["reported"].sum()),
            set(rows.loc[rows["reported"], "task_id"]), set(rows.loc[rows["required"], "task_id"]))


def test_report_inside_the_deadline_counts_for_the_ended_period(tmp_path):
    book = grace_book(tmp_path)
    # D = 10-03 is before Q3's deadline: 本期报送 is still Q3's. Required: all three (each < 100 at Q2's
    # deadline 07-05). Reported in 07-06 … 10-03: t1 (10-03), t2 (09-20); t3's 10-05 is after D.
    snapshot = metrics.compute(book, dt.date(2026, 10, 3))
    assert (snapshot.period.code, snapshot.reporting.code) == ("2026Q4", "2026Q3")
    assert reported_pairs(snapshot) == (3, 2, {"1", "2"}, {"1", "2", "3"})
    # Progress as of D still takes every report dated up to D, the 10-03 one included.
    assert dict(zip(snapshot.assignments["task_id"], snapshot.assignments["progress"])) == {"1": 50, "2": 40, "3": 0}


def test_report_inside_the_deadline_does_not_count_for_the_next_period(tmp_path):
    book = grace_book(tmp_path)
    # D = 10-10: 本期 is Q4. Required at Q3's deadline 10-05: t1 (50), t2 (40); t3 reached 100 on 10-05.
    # Reported in 10-06 … 10-10: t2 only; t1's 10-03 report was Q3's.
    snapshot = metrics.compute(book, dt.date(2026, 10, 10))
    assert snapshot.reporting.code == "2026Q4"
    assert reported_pairs(snapshot) == (2, 1, {"2"}, {"1", "2"})
    units = by(snapshot.units, "unit")
    assert (units.loc["甲处", "required"], units.loc["甲处", "reported"]) == (1, 0)
    # Q3 asked for explicitly: its window 07-06 … 10-05 holds a report of each.
    q3 = metrics.compute(book, dt.date(2026, 10, 10), reporting=snapshot.reporting.previous())
    assert reported_pairs(q3) == (3, 3, {"1", "2", "3"}, {"1", "2", "3"})


def test_report_in_the_previous_deadline_is_not_this_periods(tmp_path):
    book = grace_book(tmp_path)
    # D = 07-04: 本期 is Q2 (window 04-06 … 07-05); t2's 07-03 report is Q2's.
    assert reported_pairs(metrics.compute(book, dt.date(2026, 7, 4))) == (3, 1, {"2"}, {"1", "2", "3"})
    # At Q3's end, reports up to Q3's deadline: 07-03 is not Q3's, 09-20 is; t1 and t3 report after 09-30.
    at_end = metrics.compute(book, dt.date(2026, 9, 30))
    assert reported_pairs(at_end) == (3, 1, {"2"}, {"1", "2", "3"})
    review = metrics.compute(book, dt.date(2026, 9, 30), reported_by=dt.date(2026, 10, 5))
    assert reported_pairs(review) == (3, 3, {"1", "2", "3"}, {"1", "2", "3"})
    assert review.overall.progress == at_end.overall.progress == pytest.approx(40 / 3)


def test_without_a_deadline_the_period_is_the_window(tmp_path):
    book = grace_book(tmp_path, deadline=None)
    assert book.plan.report_days == 0
    # Q4 = 10-01 … 10-10: all three report in it, and all were < 100 on 09-30.
    snapshot = metrics.compute(book, dt.date(2026, 10, 10))
    assert snapshot.reporting == snapshot.period
    assert reported_pairs(snapshot) == (3, 3, {"1", "2", "3"}, {"1", "2", "3"})


def test_reporting_period_of_shifts_windows_by_the_deadline():
    from lib.periods import parse_period, reporting_period_of

    q3 = parse_period("2026Q3")
    assert q3.report_window(5) == (dt.date(2026, 7, 6), dt.date(2026, 10, 5))
    assert [reporting_period_of(dt.date(2026, 10, day), "季度", 5).code for day in (3, 5, 6)] == ["2026Q3", "2026Q3", "2026Q4"]
    assert reporting_period_of(dt.date(2026, 10, 1), "季度", 0).code == "2026Q4"
    assert reporting_period_of(dt.date(2026, 3, 2), "月度", 3).code == "2026-02"
