"""Dates as office spreadsheets write them: Excel serials, text, Chinese."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from lib import schema

# Excel's day zero for the 1900 date system (it counts a 29 Feb 1900 that never was).
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serials outside this range are more likely ordinary numbers than dates.
_SERIAL_MIN, _SERIAL_MAX = 20000, 80000  # 1954 .. 2119

_YMD_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_YMD_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YEAR_MONTH_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")
_YEAR_RE = re.compile(r"(\d{4})\s*年")
_QUARTER_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_QUARTER_RE = re.compile(r"(\d{4})\s*年\s*第?\s*([一二三四1234])\s*季度")


# Excel counts days from 1900: an earlier date cannot be stored as a date, and reads back as something else.
EARLIEST_STORABLE = dt.date(1900, 3, 1)  # before it, Excel's phantom 1900-02-29 shifts serials by a day
REPORT_DATE_MARGIN = dt.timedelta(days=365)  # a 填报日期 may lie this far before the plan starts or after today


def storable(day: dt.date) -> bool:
    """True when Excel can hold ``day`` as a date."""
    return day >= EARLIEST_STORABLE


def report_date_window(plan_start: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The plausible 填报日期 of a plan: from a year before it starts to a year after today.

    A report records when something happened, so a date outside this window is a typo
    (0206 for 2026), not a plan; deadlines years ahead are a different matter.
    """
    first = (plan_start - REPORT_DATE_MARGIN) if plan_start else EARLIEST_STORABLE
    return max(first, EARLIEST_STORABLE), today + REPORT_DATE_MARGIN


# ---- dates as we write them: one style per place ------------------------------------------------


def chinese_date(day: dt.date) -> str:
    """``2026年9月30日``: a date in prose and headings, as an office writes it (no zero padding)."""
    return f"{day.year}年{day.month}月{day.day}日"


def iso_date(day: dt.date) -> str:
    """``2026-09-30``: a date in a table cell or an export."""
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def iso_minute(moment: dt.datetime) -> str:
    """``2026-11-20 14:05``: a moment (a saved version, a file's last change) in a table or a caption."""
    return f"{iso_date(moment)} {moment.hour:02d}:{moment.minute:02d}"


def file_stamp(moment: dt.date) -> str:
    """``20261120`` for a day, ``20261120-1405`` for a moment: a date in a download's file name."""
    stamp = f"{moment.year:04d}{moment.month:02d}{moment.day:02d}"
    return f"{stamp}-{moment.hour:02d}{moment.minute:02d}" if isinstance(moment, dt.datetime) else stamp


def month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def parse_date(value: object) -> dt.date | None:
    """A cell as a date, or None when it is blank.

    Raises ValueError when the cell is filled but is not a date.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        if value != value:  # NaN
            return None
        if _SERIAL_MIN <= value <= _SERIAL_MAX:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueError(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    text = text.split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2} \d", text) else text
    for pattern in (_YMD_RE, _YMD_COMPACT_RE):
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return dt.date(year, month, day)  # ValueError on 2026-02-30
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return parse_date(float(text))
    raise ValueError(value)


def parse_deadline(value: object) -> tuple[dt.date | None, bool]:
    """A 完成时限 cell as (deadline, ongoing).

    Ongoing phrases (长期, 常态化 …) give (None, True). A blank cell gives
    (None, False). Deadline phrases are read as the last day they allow:
    2026年6月底前 → 2026-06-30, 2026年上半年 → 2026-06-30, 2026年底前 → 2026-12-31.
    Raises ValueError when the text is neither.
    """
    if value is None:
        return None, False
    if not isinstance(value, str):
        return parse_date(value), False
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        return None, False
    if any(word in text for word in schema.ONGOING_WORDS):
        return None, True
    try:
        return parse_date(text), False
    except ValueError:
        pass
    match = re.search(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})", text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return dt.date(year, month, day), False
    match = _QUARTER_RE.search(text)
    if match:
        quarter = _QUARTER_WORDS[match.group(2)]
        return month_end(int(match.group(1)), quarter * 3), False
    match = _YEAR_MONTH_RE.search(text)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if "上旬" in text:
            return dt.date(year, month, 10), False
        if "中旬" in text:
            return dt.date(year, month, 20), False
        return month_end(year, month), False
    match = _YEAR_RE.search(text)
    if match:
        year = int(match.group(1))
        if "上半年" in text:
            return dt.date(year, 6, 30), False
        return dt.date(year, 12, 31), False  # 2026年底前, 2026年内, 2026年下半年
    raise ValueError(value)
