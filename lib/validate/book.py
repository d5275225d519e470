"""The whole workbook: read it, check its structure, then every sheet in order, and build the ``Book``.

Problems are values (``model.Problem``), never exceptions: the UI and the CLI render the same list. Rows with
errors are left out of the Book, so a caller may still look at the rest; whether to *use* a Book with errors is
the caller's choice (the board keeps showing the last valid version).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from lib import dates, schema
from lib.model import CLEANED, ERROR, ORIGIN, ROW, Book, Problem, sort_problems
from lib.validate.cells import Collector
from lib.validate.columns import column_of
from lib.validate.events import parse_events
from lib.validate.plan import parse_plan
from lib.validate.tasks import parse_tasks
from lib.validate.units import parse_units
from lib.validate.updates import parse_updates
from lib.workbook import RawWorkbook, Source, WorkbookError, read_raw


@dataclass
class LoadResult:
    """The Book (None when the workbook could not be read or lacks a sheet or column) and every problem found."""

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


def _report_cleaned(raw: RawWorkbook, problems: list[Problem]) -> None:
    """A warning for each cell the reader removed characters from (``workbook.ILLEGAL_CHARACTERS``)."""
    for name, sheet in raw.sheets.items():
        if CLEANED not in sheet.frame.columns:
            continue
        out = Collector(name, problems)
        touched = sheet.frame[sheet.frame[CLEANED].map(bool).astype(bool)]
        for row, origin, fields in zip(touched[ROW], column_of(touched, ORIGIN), touched[CLEANED]):
            for field_name in fields:
                out.warning("illegal-character", row, schema.header_of(name, field_name), "",
                            "含有 Excel 无法保存的控制字符（多见于从 Word 等处粘贴的文字），已自动删除，请核对该单元格。",
                            origin)


def parse(raw: RawWorkbook, today: dt.date | None = None) -> LoadResult:
    """Check every sheet and build the Book. Problems are sorted, errors first."""
    today = today or dt.date.today()
    problems: list[Problem] = []
    if not _check_structure(raw, problems):
        return LoadResult(None, sort_problems(problems))
    _report_cleaned(raw, problems)
    plan = parse_plan(raw.sheets.get(schema.SHEET_PLAN), problems)
    units = parse_units(raw.sheets[schema.SHEET_UNITS], problems)
    tasks, assignments, sections, units = parse_tasks(raw.sheets[schema.SHEET_TASKS], units, problems)
    window = dates.report_date_window(plan.schedule_start, today)
    updates = parse_updates(raw.sheets[schema.SHEET_UPDATES], assignments, problems, today, window)
    if plan.schedule_start is None:
        first = updates["date"].min() if len(updates) else pd.NaT
        plan.start = first.date() if not pd.isna(first) else today
    supervision = parse_events(raw.sheets.get(schema.SHEET_SUPERVISION), tasks, assignments, problems)
    book = Book(plan=plan, units=units, tasks=tasks, updates=updates, assignments=assignments, sections=sections,
                supervision=supervision)
    return LoadResult(book, sort_problems(problems))
