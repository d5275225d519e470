"""The 方案 sheet: the plan's name, dates, 报送周期, thresholds, 报送截止日 and 销号审核, as ``PlanSettings``.

The sheet is optional and every setting has a default, so a bad value is reported and the default kept.
"""

from __future__ import annotations

import re

from lib import dates, schema
from lib.dates import parse_date
from lib.model import ORIGIN, ROW, PlanSettings, Problem
from lib.validate.cells import Collector, cell_text, is_blank, parse_progress
from lib.workbook import RawSheet


def parse_plan(sheet: RawSheet | None, problems: list[Problem]) -> PlanSettings:
    plan = PlanSettings()
    if sheet is None or "key" not in sheet.frame.columns:
        return plan
    out = Collector(schema.SHEET_PLAN, problems)
    value_header = schema.header_of(schema.SHEET_PLAN, "value")
    deadline_cell: tuple[int, object, str | None] | None = None  # checked against 报送周期 once every row is read
    for record in sheet.frame.itertuples(index=False):
        out.origin = getattr(record, ORIGIN, "")
        key = schema.normalise_header(getattr(record, "key", ""))
        value = getattr(record, "value", "")
        row = getattr(record, ROW)
        if is_blank(value):
            continue
        try:
            if key == schema.PLAN_NAME:
                plan.name = cell_text(value)
            elif key == schema.PLAN_DOC_NO:
                plan.doc_no = cell_text(value)
            elif key in (schema.PLAN_ISSUED, schema.PLAN_START):
                day = parse_date(value)
                if day is not None and not dates.storable(day):
                    raise ValueError(value)
                if key == schema.PLAN_ISSUED:
                    plan.issued = day
                else:
                    plan.start = day
            elif key == schema.PLAN_CYCLE:
                text = cell_text(value)
                if text not in schema.CYCLES:
                    out.error("unknown-cycle", row, value_header, value, "报送周期只能填写「季度」或「月度」。")
                else:
                    plan.cycle = text
            elif key == schema.PLAN_SOON_DAYS:
                plan.soon_days = int(parse_progress(value))
            elif key == schema.PLAN_YELLOW_GAP:
                plan.yellow_gap = parse_progress(value)
            elif key == schema.PLAN_RED_GAP:
                plan.red_gap = parse_progress(value)
            elif key == schema.PLAN_SAMPLE:
                plan.sample = cell_text(value) == schema.YES
            elif key == schema.PLAN_REPORT_DEADLINE:
                deadline_cell = _report_deadline(out, row, value, plan)
            elif key == schema.PLAN_SIGN_OFF_REVIEW:
                _sign_off_review(out, row, value, plan)
        except ValueError:
            is_date = key in (schema.PLAN_ISSUED, schema.PLAN_START)
            out.error("bad-date" if is_date else "bad-number", row, value_header, value,
                      f"「{key}」无法识别为{'日期' if is_date else '数字'}，请检查。")
    if deadline_cell is not None:
        _check_report_deadline(out, plan, *deadline_cell)
    return plan


_REPORT_DEADLINE = re.compile(r"(?:(季度末|月末|周期末)(?:后(\d+)[日天]?)?|(\d+)[日天]?)")
_DEADLINE_SCOPES = {"季度末": schema.CYCLE_QUARTER, "月末": schema.CYCLE_MONTH, "周期末": None}
REPORT_DEADLINE_FORMS = "「季度末后5日」「月末后5日」「周期末后5日」或天数「5」"


def parse_report_deadline(value: object) -> tuple[int, str | None]:
    """报送截止日 as (days after the period's end, the cycle its wording names or None). Raises ValueError.

    ``季度末后5日`` → (5, 季度); ``月末后3天`` → (3, 月度); ``周期末后5日``, ``5``, ``5日`` → (5, None);
    ``季度末`` → (0, 季度). Full-width digits and spaces are folded first.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value != value or not float(value).is_integer() or value < 0:
            raise ValueError(value)
        return int(value), None
    text = schema.normalise_header(value)
    match = _REPORT_DEADLINE.fullmatch(text)
    if match is None:
        raise ValueError(value)
    scope, after, days = match.groups()
    return int(after or days or 0), _DEADLINE_SCOPES.get(scope or "周期末")


def _report_deadline(out: Collector, row: int, value: object, plan: PlanSettings) -> tuple[int, object, str | None] | None:
    try:
        plan.report_days, scope = parse_report_deadline(value)
    except ValueError:
        out.error("bad-report-deadline", row, schema.header_of(schema.SHEET_PLAN, "value"), value,
                  f"「{schema.PLAN_REPORT_DEADLINE}」无法识别，请填写{REPORT_DEADLINE_FORMS}（周期末后的天数，0 为周期最后一日）。")
        return None
    return row, value, scope


def _sign_off_review(out: Collector, row: int, value: object, plan: PlanSettings) -> None:
    text = schema.normalise_header(value)
    if text not in (schema.YES, schema.NO):
        out.error("bad-yes-no", row, schema.header_of(schema.SHEET_PLAN, "value"), value,
                  f"「{schema.PLAN_SIGN_OFF_REVIEW}」只能填写「是」或「否」。")
        return
    plan.sign_off_review = text == schema.YES


def _check_report_deadline(out: Collector, plan: PlanSettings, row: int, value: object, scope: str | None) -> None:
    """The wording must fit 报送周期, and the deadline must come before the next period ends."""
    column = schema.header_of(schema.SHEET_PLAN, "value")
    limit = schema.REPORT_DAYS_LIMIT[plan.cycle]
    if scope is not None and scope != plan.cycle:
        out.error("report-deadline-cycle", row, column, value,
                  f"「{schema.PLAN_REPORT_DEADLINE}」写的是{'季度末' if scope == schema.CYCLE_QUARTER else '月末'}，"
                  f"而报送周期为{plan.cycle}；请改为「周期末后N日」或与报送周期一致的写法。")
        plan.report_days = 0
    elif plan.report_days > limit:
        out.error("report-deadline-too-late", row, column, value,
                  f"「{schema.PLAN_REPORT_DEADLINE}」不能晚于周期末后 {limit} 日（报送周期为{plan.cycle}），"
                  "否则截止日将落在下一周期结束之后。")
        plan.report_days = 0
