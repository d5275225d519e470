import datetime as dt

import pandas as pd
import pytest

from lib.dates import chinese_date, file_stamp, iso_date, iso_minute, parse_date, parse_deadline
from lib.periods import parse_period, period_of, periods_between


@pytest.mark.parametrize("value, expected", [
    ("2026-06-30", dt.date(2026, 6, 30)),
    ("2026/6/30", dt.date(2026, 6, 30)),
    ("2026年6月30日", dt.date(2026, 6, 30)),
    ("２０２６－０６－３０", dt.date(2026, 6, 30)),
    (46203.0, dt.date(2026, 6, 30)),  # Excel serial
    ("46203", dt.date(2026, 6, 30)),
    (dt.datetime(2026, 6, 30, 9, 0), dt.date(2026, 6, 30)),
    ("", None),
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["明天", "2026-02-30", 12.5, "6月底"])
def test_parse_date_rejects(value):
    with pytest.raises(ValueError):
        parse_date(value)


@pytest.mark.parametrize("value, expected", [
    ("2026年6月底前", (dt.date(2026, 6, 30), False)),
    ("2026年底前", (dt.date(2026, 12, 31), False)),
    ("2026年第三季度", (dt.date(2026, 9, 30), False)),
    ("2026年上半年", (dt.date(2026, 6, 30), False)),
    ("2026年2月底前完成", (dt.date(2026, 2, 28), False)),
    ("2026-06-30", (dt.date(2026, 6, 30), False)),
    ("长期坚持", (None, True)),
    ("常态化", (None, True)),
    ("以年度为单位", (None, True)),
    ("持续推进", (None, True)),
    (None, (None, False)),
])
def test_parse_deadline(value, expected):
    assert parse_deadline(value) == expected


def test_parse_deadline_rejects_nonsense():
    with pytest.raises(ValueError):
        parse_deadline("尽快")


def test_periods():
    q = period_of(dt.date(2026, 8, 15))
    assert (q.start, q.end, q.label, q.code) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30), "2026年第三季度", "2026Q3")
    assert q.previous().code == "2026Q2" and q.next().code == "2026Q4"
    m = period_of(dt.date(2026, 2, 10), "月度")
    assert (m.end, m.label) == (dt.date(2026, 2, 28), "2026年2月")
    assert [p.code for p in periods_between(dt.date(2025, 8, 26), dt.date(2026, 1, 5), "季度")] == [
        "2025Q3", "2025Q4", "2026Q1"]
    assert parse_period("2026Q3") == q


def test_dates_are_written_one_way_per_place():
    day = dt.date(2026, 9, 3)
    assert chinese_date(day) == "2026年9月3日"  # prose and headings: no zero padding
    assert iso_date(day) == "2026-09-03"  # tables and exports
    assert iso_date(pd.Timestamp("2026-09-03")) == "2026-09-03"
    assert iso_minute(dt.datetime(2026, 11, 20, 14, 5, 59)) == "2026-11-20 14:05"
    assert (file_stamp(day), file_stamp(dt.datetime(2026, 11, 20, 14, 5))) == ("20260903", "20261120-1405")
