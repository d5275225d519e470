"""Check a raw workbook against the contract and normalise it into a Book.

Problems are values (``model.Problem``), never exceptions: the UI and the CLI
render the same list. Rows with errors are left out of the Book, so a caller
may still look at the rest; whether to *use* a Book with errors is the
caller's choice (the board keeps showing the last valid version).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import partial

import pandas as pd

from lib import dates, schema, supervision
from lib.dates import parse_date, parse_deadline
from lib.model import (
    CLEANED,
    ERROR,
    ORIGIN,
    ROW,
    SUPERVISION_FRAME_COLUMNS,
    WARNING,
    Book,
    PlanSettings,
    Problem,
    empty_supervision,
    row_label,
    sort_problems,
)
from lib.workbook import RawSheet, RawWorkbook, Source, WorkbookError, read_raw


@dataclass
class LoadResult:
    book: Book | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return self.book is not None and not self.errors


def load(source: Source, today: dt.date | None = None) -> LoadResult:
    """Read, check and normalise a workbook file (path or bytes)."""
    return load_raw(source, today)[1]


def load_raw(source: Source, today: dt.date | None = None) -> tuple[RawWorkbook | None, LoadResult]:
    """:func:`load`, with the workbook as read (None when it could not be read)."""
    try:
        raw = read_raw(source)
    except WorkbookError as exc:
        return None, LoadResult(None, [Problem(ERROR, "", None, "", "", str(exc), code=exc.code)])
    except OSError as exc:
        return None, LoadResult(None, [Problem(ERROR, "", None, "", "", f"无法打开文件：{exc.strerror or exc}",
                                               code="unreadable-file")])
    return raw, parse(raw, today=today)


# ---- cell helpers -------------------------------------------------------------


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def cell_text(value: object) -> str:
    """A cell as display text, for messages and text fields."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def normalise_id(value: object) -> str:
    """A task number as text: 3.0 → '3', ' 3.2 ' → '3.2', '３' → '3'."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    return unicodedata.normalize("NFKC", cell_text(value)).strip()


def parse_progress(value: object) -> float:
    """完成进度 as percent 0–100. Accepts 60, '60', '60%'. Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        if value != value:
            raise ValueError(value)
        return float(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    if text.endswith("%"):
        return float(text[:-1])
    return float(text)


class _Collector:
    """Problems for one sheet, so each call site says only what differs."""

    def __init__(self, sheet: str, problems: list[Problem]):
        self.sheet = sheet
        self.problems = problems
        self.origin = ""  # of the row being checked, for checks that go row by row

    def error(self, code: str, row: int | None, column: str, value: object, message: str,
              origin: str | None = None) -> None:
        self.problems.append(Problem(ERROR, self.sheet, row, column, cell_text(value), message, code=code,
                                     origin=self.origin if origin is None else origin))

    def warning(self, code: str, row: int | None, column: str, value: object, message: str,
                origin: str | None = None) -> None:
        self.problems.append(Problem(WARNING, self.sheet, row, column, cell_text(value), message, code=code,
                                     origin=self.origin if origin is None else origin))


def _header(sheet: str, field_name: str) -> str:
    return schema.header_of(sheet, field_name)


def _check_structure(raw: RawWorkbook, problems: list[Problem]) -> bool:
    """Missing sheets and required columns. True when parsing can go on."""
    fine = True
    for sheet_name in schema.REQUIRED_SHEETS:
        if sheet_name not in raw.sheets:
            problems.append(Problem(ERROR, sheet_name, None, "", "", f"缺少「{sheet_name}」工作表，请按模板补充。",
                                    code="missing-sheet"))
            fine = False
    for sheet_name, sheet in raw.sheets.items():
        for header in sheet.missing:
            problems.append(
                Problem(ERROR, sheet_name, sheet.header_row, header, "",
                        f"缺少必填列「{header}」，请在前{10}行内的表头中补充该列。", code="missing-column")
            )
            fine = False
    return fine


# ---- 方案 -----------------------------------------------------------------------


def _parse_plan(sheet: RawSheet | None, problems: list[Problem]) -> PlanSettings:
    plan = PlanSettings()
    if sheet is None or "key" not in sheet.frame.columns:
        return plan
    out = _Collector(schema.SHEET_PLAN, problems)
    value_header = _header(schema.SHEET_PLAN, "value")
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


def _report_deadline(out: _Collector, row: int, value: object, plan: PlanSettings) -> tuple[int, object, str | None] | None:
    try:
        plan.report_days, scope = parse_report_deadline(value)
    except ValueError:
        out.error("bad-report-deadline", row, _header(schema.SHEET_PLAN, "value"), value,
                  f"「{schema.PLAN_REPORT_DEADLINE}」无法识别，请填写{REPORT_DEADLINE_FORMS}（周期末后的天数，0 为周期最后一日）。")
        return None
    return row, value, scope


def _sign_off_review(out: _Collector, row: int, value: object, plan: PlanSettings) -> None:
    text = schema.normalise_header(value)
    if text not in (schema.YES, schema.NO):
        out.error("bad-yes-no", row, _header(schema.SHEET_PLAN, "value"), value,
                  f"「{schema.PLAN_SIGN_OFF_REVIEW}」只能填写「是」或「否」。")
        return
    plan.sign_off_review = text == schema.YES


def _check_report_deadline(out: _Collector, plan: PlanSettings, row: int, value: object, scope: str | None) -> None:
    """The wording must fit 报送周期, and the deadline must come before the next period ends."""
    column = _header(schema.SHEET_PLAN, "value")
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


# ---- 处室 -----------------------------------------------------------------------


def _parse_units(sheet: RawSheet, problems: list[Problem]) -> pd.DataFrame:
    out = _Collector(schema.SHEET_UNITS, problems)
    header = _header(schema.SHEET_UNITS, "unit")
    frame = sheet.frame
    records = []
    seen: dict[str, str] = {}
    for record in frame.itertuples(index=False):
        row, origin = getattr(record, ROW), getattr(record, ORIGIN, "")
        name = cell_text(getattr(record, "unit", ""))
        if not name:
            out.error("missing-value", row, header, "", "处室名称为空，请填写处室全称或删除该行。", origin)
            continue
        if name in seen:
            out.error("duplicate-unit", row, header, name, f"处室「{name}」与{seen[name]}重复，处室名称必须唯一。", origin)
            continue
        seen[name] = row_label(row, origin)
        records.append(
            {
                "unit": name,
                "short": cell_text(getattr(record, "short", "")),
                "groups": schema.split_unit_list(cell_text(getattr(record, "groups", ""))),
                ROW: row,
            }
        )
    return pd.DataFrame(records, columns=["unit", "short", "groups", ROW])


# ---- 任务 -----------------------------------------------------------------------


@dataclass
class UnitDirectory:
    """Which names are units and which are groups, looked up once per workbook instead of per task."""

    names: set[str]
    members: dict[str, list[str]]  # group name → its units, in 处室 order

    @classmethod
    def of(cls, units: pd.DataFrame) -> UnitDirectory:
        members: dict[str, list[str]] = {}
        for unit, groups in zip(units["unit"], units["groups"]):
            for group in groups:
                members.setdefault(group, []).append(unit)
        return cls(set(units["unit"]), members)

    def expand(self, names: list[str]) -> list[str]:
        """Unit names with group names replaced by their members, order kept, each once."""
        expanded: dict[str, None] = {}
        for name in names:
            for unit in [name] if name in self.names else self.members.get(name, [name]):
                expanded.setdefault(unit)
        return list(expanded)


TASK_FRAME_COLUMNS = ["task_id", "section", "content", "units_text", "lead_text", "start",
                      "deadline_text", "deadline", "ongoing", "note", ROW]


def _parse_tasks(sheet: RawSheet, units: pd.DataFrame, problems: list[Problem]):
    """The 任务 rows and their assignments; rows with errors are left out.

    Returns (tasks, assignments, sections in plan order, units), where ``units``
    gains a row for each unit named in 任务 but missing from 处室.
    """
    out = _Collector(schema.SHEET_TASKS, problems)
    directory = UnitDirectory.of(units)
    task_records: list[dict] = []
    assignment_records: list[dict] = []
    seen: dict[str, str] = {}
    unknown_units: list[str] = []
    for record in sheet.frame.itertuples(index=False):
        values = record._asdict()
        row = values[ROW]
        out.origin = values.get(ORIGIN, "")
        task_id = normalise_id(values.get("task_id", ""))
        cells_ok = _check_task_cells(out, values, row, task_id, seen)
        dates = _task_dates(out, values, row)
        if not cells_ok or dates is None:
            continue
        seen[task_id] = row_label(row, out.origin)
        listed = schema.split_unit_list(cell_text(values["units_text"]))
        _note_unknown_units(out, row, listed, directory, unknown_units)
        responsible = directory.expand(listed)
        leads = _leads(out, row, values, listed, responsible, directory)
        task_records.append(_task_record(values, task_id, row, *dates))
        assignment_records.extend(
            {"task_id": task_id, "unit": unit, "is_lead": unit in leads, "order": order}
            for order, unit in enumerate(responsible)
        )
    tasks = _task_frame(task_records)
    sections = list(dict.fromkeys(tasks["section"]))
    tasks["section_order"] = tasks["section"].map({s: i for i, s in enumerate(sections)}).astype(int)
    assignments = pd.DataFrame(assignment_records, columns=["task_id", "unit", "is_lead", "order"])
    return tasks, assignments, sections, _with_unknown_units(units, unknown_units)


def _check_task_cells(out: _Collector, values: dict, row: int, task_id: str, seen: dict[str, str]) -> bool:
    """Required cells filled and the 编号 not used above. True when the row may be kept."""
    fine = True
    for name in ("task_id", "section", "content", "units_text"):
        if is_blank(values.get(name, "")):
            header = _header(schema.SHEET_TASKS, name)
            out.error("missing-value", row, header, "", f"「{header}」为必填项，请补充。")
            fine = False
    if task_id and task_id in seen:
        out.error("duplicate-task-id", row, _header(schema.SHEET_TASKS, "task_id"), task_id,
                  f"编号「{task_id}」与{seen[task_id]}重复，任务编号必须唯一。")
        fine = False
    return fine


def _task_dates(out: _Collector, values: dict, row: int) -> tuple[dt.date | None, dt.date | None, bool] | None:
    """(start, deadline, ongoing) of a 任务 row, or None when a date does not parse."""
    start = deadline = None
    ongoing = False
    fine = True
    try:
        start = parse_date(values.get("start"))
    except ValueError:
        out.error("bad-date", row, _header(schema.SHEET_TASKS, "start"), values.get("start"),
                  "开始日期无法识别，请填写日期，例如 2026-01-01。")
        fine = False
    if start is not None and not dates.storable(start):
        out.error("date-out-of-range", row, _header(schema.SHEET_TASKS, "start"), values.get("start"),
                  "开始日期早于1900年，Excel 无法保存，请核对年份。")
        fine = False
    deadline_raw = values.get("deadline_text")
    try:
        deadline, ongoing = parse_deadline(None if is_blank(deadline_raw) else deadline_raw)
    except ValueError:
        out.error("bad-deadline", row, _header(schema.SHEET_TASKS, "deadline_text"), deadline_raw,
                  "完成时限无法识别，请填写日期（如 2026-06-30）、「2026年6月底前」「2026年第三季度」或「长期」等。")
        fine = False
    return (start, deadline, ongoing) if fine else None


def _note_unknown_units(out: _Collector, row: int, listed: list[str], directory: UnitDirectory,
                        unknown_units: list[str]) -> None:
    """Warn once per name in 责任处室 that is neither a unit nor a group; add it to ``unknown_units``."""
    for name in listed:
        if name not in directory.names and name not in directory.members and name not in unknown_units:
            unknown_units.append(name)
            out.warning("unknown-unit", row, _header(schema.SHEET_TASKS, "units_text"), name,
                        f"「{name}」不在处室表中，已按单独处室计入，请在处室表中补充。")


def _with_unknown_units(units: pd.DataFrame, unknown_units: list[str]) -> pd.DataFrame:
    """``units`` plus a row (no short name, no group, no Excel row) for each unknown name."""
    if not unknown_units:
        return units
    extra = pd.DataFrame({"unit": unknown_units, "short": "", "groups": [[] for _ in unknown_units], ROW: None})
    return pd.concat([units, extra], ignore_index=True)


def _leads(out: _Collector, row: int, values: dict, listed: list[str], responsible: list[str],
           directory: UnitDirectory) -> list[str]:
    """The lead units of a task, among ``responsible``."""
    lead_listed = schema.split_unit_list(cell_text(values.get("lead_text", "")))
    if lead_listed:
        leads = directory.expand(lead_listed)
        outside = [u for u in leads if u not in responsible]
        if outside:
            out.warning("lead-not-responsible", row, _header(schema.SHEET_TASKS, "lead_text"), "、".join(outside),
                        "牵头处室不在责任处室之内，已忽略这些处室的牵头标记。")
        return [u for u in leads if u in responsible] or responsible[:1]
    if listed and listed[0] in directory.members:
        # 机关各处、四川年鉴社: each listed unit leads its own part of the work.
        return responsible
    return responsible[:1]  # 列第一位的为牵头单位


def _task_record(values: dict, task_id: str, row: int, start: dt.date | None, deadline: dt.date | None,
                 ongoing: bool) -> dict:
    return {
        "task_id": task_id,
        "section": cell_text(values["section"]),
        "content": cell_text(values["content"]),
        "units_text": cell_text(values["units_text"]),
        "lead_text": cell_text(values.get("lead_text", "")),
        "start": pd.Timestamp(start) if start else pd.NaT,
        "deadline_text": cell_text(values.get("deadline_text")),
        "deadline": pd.Timestamp(deadline) if deadline else pd.NaT,
        "ongoing": ongoing,
        "note": cell_text(values.get("note", "")),
        ROW: row,
    }


def _task_frame(task_records: list[dict]) -> pd.DataFrame:
    tasks = pd.DataFrame(task_records, columns=TASK_FRAME_COLUMNS)
    tasks["start"] = pd.to_datetime(tasks["start"])
    tasks["deadline"] = pd.to_datetime(tasks["deadline"])
    return tasks


# ---- 进展 -----------------------------------------------------------------------



def map_distinct(values: pd.Series, function) -> pd.Series:
    """``function`` of each cell, computed once per distinct value: a column of 100,000 reports holds
    a few hundred dates, ids and units."""
    cells = values.to_numpy(dtype=object)
    try:
        distinct = pd.unique(cells)
    except TypeError:  # an unhashable cell: no sharing
        return pd.Series([function(value) for value in cells], index=values.index, dtype=object)
    if any(isinstance(value, bool) for value in distinct):  # True == 1 as a key: keep them apart
        return pd.Series([function(value) for value in cells], index=values.index, dtype=object)
    lookup = dict(zip(distinct, map(function, distinct), strict=True))
    # NaN is not equal to itself: a NaN cell misses the lookup and is computed on its own
    mapped = [lookup[value] if value in lookup else function(value) for value in cells]
    return pd.Series(mapped, index=values.index, dtype=object)


def texts(values: pd.Series) -> pd.Series:
    """``cell_text`` of each cell; plain strings, nearly every cell of a text column, only stripped."""
    return pd.Series([value.strip() if type(value) is str else cell_text(value) for value in values.to_numpy(dtype=object)],
                     index=values.index, dtype=object)


def blanks(values: pd.Series) -> pd.Series:
    """``is_blank`` of each cell, as a bool Series."""
    return pd.Series([is_blank(value) for value in values.to_numpy(dtype=object)], index=values.index, dtype=bool)


def _parsed(values: pd.Series, parser) -> pd.Series:
    """``parser`` applied to each distinct cell; None where the cell does not parse."""

    def attempt(value):
        try:
            return parser(value)
        except (ValueError, TypeError, OverflowError):
            return None

    return map_distinct(values, attempt)


def _report(out: _Collector, level: str, code: str, mask: pd.Series, frame: pd.DataFrame, column: str,
            values: pd.Series, message) -> None:
    """One problem per row in ``mask``; ``message`` is a text or a function of the value."""
    add = out.error if level == ERROR else out.warning
    for row, origin, value in zip(frame.loc[mask, ROW], _column(frame, ORIGIN)[mask], values[mask]):
        add(code, row, column, value, message(value) if callable(message) else message, origin)


def _parse_updates(sheet: RawSheet, assignments: pd.DataFrame, problems: list[Problem], today: dt.date,
                   window: tuple[dt.date, dt.date]):
    """The 进展 rows, checked column by column; rows with errors are left out.

    Only the rows that have a problem are visited one by one, to write their
    messages: a sheet of 100,000 clean reports is checked with column operations.
    """
    out = _Collector(schema.SHEET_UPDATES, problems)
    cells = _UpdateCells.of(sheet.frame)
    bad = _check_update_dates(out, cells, window)
    bad |= _check_update_keys(out, cells, assignments)
    bad |= _check_update_progress(out, cells)
    good = ~bad
    status = _update_status(out, cells, good)
    future = good & cells.dates.map(lambda day: day is not None and day > today).astype(bool)
    _report(out, WARNING, "future-date", future, cells.frame, _header(schema.SHEET_UPDATES, "date"), cells.dates,
            "填报日期晚于今天，请核对。")
    updates = pd.DataFrame(
        {
            "date": pd.to_datetime(cells.dates[good]),
            "task_id": cells.task_ids[good],
            "unit": cells.units[good],
            "progress": cells.progress[good].astype(float),
            "status": status[good],
            **{name: texts(cells.column(name)[good])
               for name in ("progress_note", "problems", "next_steps", "reporter")},
            ROW: cells.frame.loc[good, ROW],
            **({ORIGIN: cells.frame.loc[good, ORIGIN]} if ORIGIN in cells.frame.columns else {}),
        },
    )
    updates["date"] = pd.to_datetime(updates["date"])
    updates["progress"] = updates["progress"].astype(float)
    return _dedupe_and_check_trend(updates.reset_index(drop=True), out)


@dataclass
class _UpdateCells:
    """The 进展 sheet's columns as read, and as parsed (None or NaN where a cell does not parse)."""

    frame: pd.DataFrame
    dates: pd.Series  # dt.date or None
    task_ids: pd.Series  # normalised, '' when blank
    units: pd.Series  # text, '' when blank
    progress: pd.Series  # float, NaN when blank or not a number

    @classmethod
    def of(cls, frame: pd.DataFrame) -> _UpdateCells:
        return cls(
            frame,
            dates=_parsed(_column(frame, "date"), parse_date),
            task_ids=map_distinct(_column(frame, "task_id"), normalise_id),
            units=map_distinct(_column(frame, "unit"), cell_text),
            progress=pd.to_numeric(_parsed(_column(frame, "progress"), parse_progress), errors="coerce"),
        )

    def column(self, name: str) -> pd.Series:
        return _column(self.frame, name)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A raw column; blank cells when the sheet does not have it."""
    if name in frame.columns:
        return frame[name]
    return pd.Series("", index=frame.index, dtype=object)


def _check_update_dates(out: _Collector, cells: _UpdateCells, window: tuple[dt.date, dt.date]) -> pd.Series:
    """Blank, unreadable or implausible 填报日期 (outside ``window``). Returns the rows with an error."""
    header, raw_date = _header(schema.SHEET_UPDATES, "date"), cells.column("date")
    date_blank = blanks(raw_date)
    date_bad = ~date_blank & cells.dates.isna()
    first, last = window
    outside = cells.dates.map(lambda day: day is not None and not first <= day <= last).astype(bool)
    _report(out, ERROR, "missing-value", date_blank, cells.frame, header, raw_date, "填报日期为必填项，请补充。")
    _report(out, ERROR, "bad-date", date_bad, cells.frame, header, raw_date, "填报日期无法识别，请填写日期，例如 2026-06-30。")
    _report(out, ERROR, "date-out-of-range", outside, cells.frame, header, raw_date,
            f"填报日期不在合理范围内（应在 {first:%Y-%m-%d} 至 {last:%Y-%m-%d} 之间，即方案起始前一年至今后一年），"
            "请核对年份。")
    return date_blank | date_bad | outside


def _check_update_keys(out: _Collector, cells: _UpdateCells, assignments: pd.DataFrame) -> pd.Series:
    """Blank or unknown 编号, blank 处室, and a 处室 not responsible for the task. Returns the rows with an error."""
    frame, task_ids, units = cells.frame, cells.task_ids, cells.units
    id_header, unit_header = _header(schema.SHEET_UPDATES, "task_id"), _header(schema.SHEET_UPDATES, "unit")
    known_tasks = set(assignments["task_id"])
    units_of_task = assignments.groupby("task_id")["unit"].agg("、".join).to_dict()
    responsible = pd.MultiIndex.from_frame(assignments[["task_id", "unit"]])
    id_blank = task_ids == ""
    id_unknown = ~id_blank & ~task_ids.isin(known_tasks)
    unit_blank = units == ""
    not_responsible = (
        ~unit_blank & task_ids.isin(known_tasks) & ~pd.MultiIndex.from_arrays([task_ids, units]).isin(responsible)
    )
    _report(out, ERROR, "missing-value", id_blank, frame, id_header, task_ids, "编号为必填项，请填写任务表中的编号。")
    _report(out, ERROR, "unknown-task-id", id_unknown, frame, id_header, task_ids,
            lambda value: f"编号「{value}」在任务表中不存在，请核对编号。")
    _report(out, ERROR, "missing-value", unit_blank, frame, unit_header, units, "处室为必填项，请填写处室全称。")
    for row, origin, task_id, unit in zip(frame.loc[not_responsible, ROW], _column(frame, ORIGIN)[not_responsible],
                                          task_ids[not_responsible], units[not_responsible]):
        out.error("unit-not-responsible", row, unit_header, unit,
                  f"「{unit}」不是任务「{task_id}」的责任处室（责任处室：{units_of_task[task_id]}），请核对。", origin)
    return id_blank | id_unknown | unit_blank | not_responsible


def _check_update_progress(out: _Collector, cells: _UpdateCells) -> pd.Series:
    """Blank, non-numeric or out-of-range 完成进度. Returns the rows with an error."""
    header, raw_progress, progress = _header(schema.SHEET_UPDATES, "progress"), cells.column("progress"), cells.progress
    progress_blank = blanks(raw_progress)
    progress_bad = ~progress_blank & progress.isna()
    out_of_range = progress.notna() & ~progress.between(0, 100)
    _report(out, ERROR, "missing-value", progress_blank, cells.frame, header, raw_progress, "完成进度为必填项，请填写 0 到 100 之间的数字。")
    _report(out, ERROR, "bad-progress", progress_bad, cells.frame, header, raw_progress,
            "完成进度不是数字，请填写 0 到 100 之间的数字，如 60 或 60%。")
    _report(out, ERROR, "progress-out-of-range", out_of_range, cells.frame, header, raw_progress, "完成进度应在 0 到 100 之间，请修改。")
    return progress_blank | progress_bad | out_of_range


def _update_status(out: _Collector, cells: _UpdateCells, good: pd.Series) -> pd.Series:
    """The 状态 of each row: synonyms mapped, unknown or blank ones inferred from 完成进度.

    Warns (on ``good`` rows only) about mapped and unknown values and about 100% not marked 已完成.
    """
    header, raw_status, progress = _header(schema.SHEET_UPDATES, "status"), cells.column("status"), cells.progress
    normalised = map_distinct(raw_status, schema.normalise_status)
    status = pd.Series([pair[0] for pair in normalised], index=normalised.index, dtype=object)
    mapped = pd.Series([bool(pair[1]) for pair in normalised], index=normalised.index, dtype=bool) & good
    unknown = status.notna() & ~status.isin(schema.STATUSES) & good
    _report(out, WARNING, "status-synonym", mapped, cells.frame, header, raw_status,
            lambda value: f"状态「{cell_text(value)}」已按「{schema.normalise_status(value)[0]}」处理。")
    _report(out, WARNING, "unknown-status", unknown, cells.frame, header, status,
            "状态不在「未启动、推进中、已完成、滞后」之内，已按完成进度推定。")
    status = status.where(status.isin(schema.STATUSES))
    derived = progress.map(lambda p: schema.status_from_progress(p) if p == p else None)
    status = status.fillna(derived)
    not_done = good & (progress >= 100) & (status != schema.STATUS_DONE)
    _report(out, WARNING, "status-not-done", not_done, cells.frame, header, status, "完成进度为 100，但状态不是「已完成」，请核对。")
    return status


def _dedupe_and_check_trend(updates: pd.DataFrame, out: _Collector) -> pd.DataFrame:
    """Drop earlier duplicates of (填报日期, 编号, 处室); warn on progress going down."""
    key = ["date", "task_id", "unit"]
    duplicated = updates.duplicated(subset=key, keep="last")
    origins = _column(updates, ORIGIN)
    if duplicated.any():
        # the row kept is the last of its key in sheet order (a merge puts the upload after the saved rows)
        later_row = updates.groupby(key)[ROW].transform("last")
        later_origin = origins.groupby([updates[k] for k in key]).transform("last")
        for row, origin, later, later_from in zip(updates.loc[duplicated, ROW], origins[duplicated],
                                                  later_row[duplicated], later_origin[duplicated]):
            out.warning("duplicate-update", row, schema.header_of(schema.SHEET_UPDATES, "date"), "",
                        f"与{row_label(later, later_from)}的填报日期、编号、处室相同，以后面一行为准。", origin)
    updates = updates[~duplicated].sort_values(["date", ROW]).reset_index(drop=True)
    previous = updates.groupby(["task_id", "unit"])["progress"].shift()
    went_down = updates["progress"] < previous
    origins = _column(updates, ORIGIN)
    for row, origin, now, before in zip(updates.loc[went_down, ROW], origins[went_down],
                                        updates.loc[went_down, "progress"], previous[went_down]):
        out.warning("progress-decreased", row, schema.header_of(schema.SHEET_UPDATES, "progress"), now,
                    f"完成进度由上次的 {before:g} 降为 {now:g}，请核对。", origin)
    return updates


# ---- 督办 -----------------------------------------------------------------------

_EVENT_DATES = ("date", "requested_until", "approved_until")


def _parse_supervision(sheet: RawSheet | None, tasks: pd.DataFrame, assignments: pd.DataFrame,
                       problems: list[Problem]) -> pd.DataFrame:
    """The 督办 events, in sheet order; a row with an error is left out, and later rows are checked without it.

    A row is checked cell by cell, then against the events above it (``supervision.relation_problem``).
    """
    if sheet is None:
        return empty_supervision()
    out = _Collector(schema.SHEET_SUPERVISION, problems)
    originals = {task_id: (None if pd.isna(day) else day.date()) for task_id, day in zip(tasks["task_id"], tasks["deadline"])}
    responsible = set(zip(assignments["task_id"], assignments["unit"]))
    accepted: list[supervision.Event] = []
    origins: list[str] = []
    seen: dict[str, str] = {}
    for values in sheet.frame.to_dict("records"):
        out.origin = values.get(ORIGIN, "")
        event = _event_cells(out, values, originals, responsible, seen)
        if event is None:
            continue
        finding = supervision.relation_problem(event, accepted, originals[event.task_id])
        if finding is not None:
            code, field_name, message = finding
            out.error(code, event.row, _header(schema.SHEET_SUPERVISION, field_name), values.get(field_name, ""), message)
            continue
        seen[event.event_id] = row_label(values[ROW], out.origin)
        accepted.append(event)
        origins.append(out.origin)
    frame = pd.DataFrame([e.as_record() for e in accepted], columns=SUPERVISION_FRAME_COLUMNS)
    if ORIGIN in sheet.frame.columns:
        frame[ORIGIN] = origins
    return frame.astype({name: "datetime64[ns]" for name in _EVENT_DATES})


def _event_cells(out: _Collector, values: dict, originals: dict, responsible: set, seen: dict[str, str]):
    """The row as a ``supervision.Event``, or None (with the errors reported) when a cell is wrong."""
    row, before = values[ROW], len(out.problems)
    header = partial(_header, schema.SHEET_SUPERVISION)
    for column in schema.SUPERVISION_COLUMNS:
        if column.required and is_blank(values.get(column.field, "")):
            out.error("missing-value", row, column.header, "", f"「{column.header}」为必填项，请补充。")
    event_id, kind = normalise_id(values.get("event_id", "")), schema.normalise_header(values.get("kind", ""))
    task_id, unit = normalise_id(values.get("task_id", "")), cell_text(values.get("unit", ""))
    if event_id and event_id in seen:
        out.error("duplicate-event-id", row, header("event_id"), event_id, f"编号「{event_id}」与{seen[event_id]}重复，编号必须唯一。")
    if kind and kind not in schema.SUPERVISION_KINDS:
        out.error("unknown-event-kind", row, header("kind"), kind, f"事项只能为「{'、'.join(schema.SUPERVISION_KINDS)}」之一。")
    if task_id and task_id not in originals:
        out.error("unknown-task-id", row, header("task_id"), task_id, f"任务编号「{task_id}」在任务表中不存在，请核对。")
    elif task_id and unit and (task_id, unit) not in responsible:
        out.error("unit-not-responsible", row, header("unit"), unit, f"「{unit}」不是任务「{task_id}」的责任处室，请核对。")
    days = {name: _event_date(out, row, values.get(name, ""), header(name)) for name in _EVENT_DATES}
    if len(out.problems) > before or days["date"] is None:
        return None
    return supervision.Event(
        event_id=event_id, kind=kind, task_id=task_id, unit=unit, date=days["date"], account=cell_text(values["account"]),
        text=cell_text(values.get("text", "")), evidence=cell_text(values.get("evidence", "")),
        requested_until=days["requested_until"], approved_until=days["approved_until"],
        answers=normalise_id(values.get("answers", "")), row=row)


def _event_date(out: _Collector, row: int, value: object, header: str) -> dt.date | None:
    try:
        day = parse_date(value)
    except (ValueError, TypeError, OverflowError):
        day = None
        out.error("bad-date", row, header, value, f"「{header}」无法识别为日期，请填写日期，例如 2026-06-30。")
    if day is not None and not dates.storable(day):
        out.error("bad-date", row, header, value, f"「{header}」不在合理范围内，请核对年份。")
        return None
    return day


def _report_cleaned(raw: RawWorkbook, problems: list[Problem]) -> None:
    """A warning for each cell the reader removed characters from (``workbook.ILLEGAL_CHARACTERS``)."""
    for name, sheet in raw.sheets.items():
        if CLEANED not in sheet.frame.columns:
            continue
        out = _Collector(name, problems)
        touched = sheet.frame[sheet.frame[CLEANED].map(bool).astype(bool)]
        for row, origin, fields in zip(touched[ROW], _column(touched, ORIGIN), touched[CLEANED]):
            for field_name in fields:
                out.warning("illegal-character", row, _header(name, field_name), "",
                            "含有 Excel 无法保存的控制字符（多见于从 Word 等处粘贴的文字），已自动删除，请核对该单元格。",
                            origin)


def parse(raw: RawWorkbook, today: dt.date | None = None) -> LoadResult:
    """Check every sheet and build the Book. Problems are sorted, errors first."""
    today = today or dt.date.today()
    problems: list[Problem] = []
    if not _check_structure(raw, problems):
        return LoadResult(None, sort_problems(problems))
    _report_cleaned(raw, problems)
    plan = _parse_plan(raw.sheets.get(schema.SHEET_PLAN), problems)
    units = _parse_units(raw.sheets[schema.SHEET_UNITS], problems)
    tasks, assignments, sections, units = _parse_tasks(raw.sheets[schema.SHEET_TASKS], units, problems)
    window = dates.report_date_window(plan.schedule_start, today)
    updates = _parse_updates(raw.sheets[schema.SHEET_UPDATES], assignments, problems, today, window)
    if plan.schedule_start is None:
        first = updates["date"].min() if len(updates) else pd.NaT
        plan.start = first.date() if not pd.isna(first) else today
    supervision = _parse_supervision(raw.sheets.get(schema.SHEET_SUPERVISION), tasks, assignments, problems)
    book = Book(plan=plan, units=units, tasks=tasks, updates=updates, assignments=assignments, sections=sections,
                supervision=supervision)
    return LoadResult(book, sort_problems(problems))


def empty_updates():
    """An empty 进展 frame with the contract's columns, for a new workbook."""
    return pd.DataFrame(columns=[c.field for c in schema.UPDATE_COLUMNS])
