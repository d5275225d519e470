"""Reporting periods: quarters (季度) or months (月度)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lib import schema
from lib.dates import month_end

_QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date
    cycle: str

    @property
    def code(self) -> str:
        """A short code: 2026Q3 or 2026-07."""
        if self.cycle == schema.CYCLE_MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"

    @property
    def label(self) -> str:
        """The period as the office writes it: 2026年第三季度 or 2026年7月."""
        if self.cycle == schema.CYCLE_MONTH:
            return f"{self.start.year}年{self.start.month}月"
        quarter = (self.start.month - 1) // 3 + 1
        return f"{self.start.year}年第{_QUARTER_NAMES[quarter]}季度"

    def previous(self) -> Period:
        return period_of(self.start - dt.timedelta(days=1), self.cycle)

    def next(self) -> Period:
        return period_of(self.end + dt.timedelta(days=1), self.cycle)

    def deadline(self, report_days: int) -> dt.date:
        """The period's 报送截止日: ``report_days`` days after its last day (0: the last day itself)."""
        return self.end + dt.timedelta(days=report_days)

    def report_window(self, report_days: int) -> tuple[dt.date, dt.date]:
        """First and last 填报日期 that count as this period's report: the day after the previous
        period's 报送截止日, and this period's own. With 0 days, the period itself."""
        return self.start + dt.timedelta(days=report_days), self.deadline(report_days)


def period_of(day: dt.date, cycle: str = schema.CYCLE_QUARTER) -> Period:
    """The reporting period that contains ``day``."""
    if cycle == schema.CYCLE_MONTH:
        return Period(dt.date(day.year, day.month, 1), month_end(day.year, day.month), cycle)
    first_month = (day.month - 1) // 3 * 3 + 1
    return Period(
        dt.date(day.year, first_month, 1), month_end(day.year, first_month + 2), cycle
    )


def reporting_period_of(day: dt.date, cycle: str, report_days: int) -> Period:
    """The period a report dated ``day`` counts for: reports due ``report_days`` after a period's end
    shift every period's window by that many days, so a report dated 2026-10-03 with 5 days counts for 2026Q3."""
    return period_of(day - dt.timedelta(days=report_days), cycle)


def periods_between(first: dt.date, last: dt.date, cycle: str) -> list[Period]:
    """Every period from the one containing ``first`` to the one containing ``last``."""
    periods = []
    current = period_of(first, cycle)
    while current.start <= last:
        periods.append(current)
        current = current.next()
    return periods


def parse_period(code: str, cycle: str = schema.CYCLE_QUARTER) -> Period:
    """``2026Q3`` or ``2026-07`` back to a Period. Raises ValueError."""
    text = code.strip().upper()
    if "Q" in text:
        year, quarter = text.split("Q")
        return period_of(dt.date(int(year), int(quarter) * 3, 1), schema.CYCLE_QUARTER)
    year, month = text.split("-")
    return period_of(dt.date(int(year), int(month), 1), schema.CYCLE_MONTH)
