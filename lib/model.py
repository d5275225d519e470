"""Small records shared by every module: the parsed workbook and a problem."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from lib import schema
from lib.escape import for_terminal

ROW = "row"  # the Excel row number column every raw and parsed frame carries

ERROR = "错误"
WARNING = "警告"
# When a change merges an upload into the shared workbook, every row carries where it comes from
# in the column ORIGIN, so a problem can name the row as Excel shows it in that file.
ORIGIN = "origin"
# The fields of a raw row from which characters XML cannot hold were removed on reading (a tuple, () when none).
CLEANED = "cleaned"
ORIGIN_UPLOAD = "upload"  # a row of the file being uploaded
ORIGIN_SAVED = "saved"  # a row already in the shared workbook


def row_label(row: int, origin: str = "") -> str:
    """How a message names another row: 第5行, or 第5行（已保存） for a row of the shared workbook."""
    return f"第{row}行（已保存）" if origin == ORIGIN_SAVED else f"第{row}行"


@dataclass(frozen=True)
class Problem:
    """One finding about a workbook, addressed to the person who fills it in.

    ``row`` is the row number as Excel shows it (1-based), or None when the
    problem concerns the whole sheet or file.
    """

    level: str  # ERROR or WARNING
    sheet: str
    row: int | None
    column: str
    value: str
    message: str
    code: str = ""  # stable English identifier, e.g. "unknown-task-id"; code matches on this, never on message
    origin: str = ""  # ORIGIN_UPLOAD or ORIGIN_SAVED when a change merges two workbooks; "" otherwise

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    def as_text(self) -> str:
        """One printable line for a terminal or a log: a quoted cell's ESC or line break shows as ``\\x1b``, ``\\n``."""
        where = self.sheet or "文件"
        if self.row is not None:
            where += f" 第{self.row}行"
        if self.column:
            where += f" 「{self.column}」列"
        return for_terminal(f"[{self.level}] {where}：{self.message}")


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Errors first, then by sheet order and row."""
    sheet_order = {name: i for i, name in enumerate(schema.CONTRACT_SHEETS)}
    return sorted(
        problems,
        key=lambda p: (not p.is_error, sheet_order.get(p.sheet, -1), p.row or 0),
    )


SUPERVISION_FRAME_COLUMNS = [c.field for c in schema.SUPERVISION_COLUMNS] + [ROW]
SUPERVISION_DATES = ("date", "requested_until", "approved_until")


def empty_supervision() -> pd.DataFrame:
    """A 督办 frame without events, with the columns and date types of a parsed one."""
    frame = pd.DataFrame(columns=SUPERVISION_FRAME_COLUMNS)
    return frame.astype({name: "datetime64[ns]" for name in SUPERVISION_DATES})


@dataclass
class PlanSettings:
    """The 方案 sheet, with defaults filled in."""

    name: str = ""
    doc_no: str = ""
    issued: dt.date | None = None
    start: dt.date | None = None  # the schedule's start; defaults to issued
    cycle: str = schema.CYCLE_QUARTER
    soon_days: int = schema.DEFAULT_SOON_DAYS
    yellow_gap: float = schema.DEFAULT_YELLOW_GAP
    red_gap: float = schema.DEFAULT_RED_GAP
    sample: bool = False
    report_days: int = 0  # 报送截止日: reports are due this many days after a period's end
    sign_off_review: bool = False  # 销号审核: a 100 report counts as done only once the admin signs it off

    @property
    def schedule_start(self) -> dt.date | None:
        return self.start or self.issued


@dataclass
class Book:
    """A workbook that has been read and normalised.

    Frames (one meaning each; English column names from ``schema``):

    - ``units``: unit, short, groups (list of str), row
    - ``tasks``: task_id (str), section, content, units_text, lead_text,
      start (datetime64), deadline_text, deadline (datetime64, NaT when none
      or ongoing), ongoing (bool), note, section_order (int), row
    - ``updates``: date (datetime64), task_id, unit, progress (float 0–100),
      status, progress_note, problems, next_steps, reporter, row
    - ``assignments``: task_id, unit, is_lead (bool), order (int); one row per
      (task, unit) after groups are expanded.
    - ``supervision``: the 督办 events, in sheet order: event_id, kind, task_id, unit, date (datetime64),
      account, text, evidence, requested_until, approved_until (datetime64, NaT when blank), answers, row.
      Empty when the workbook has no 督办 sheet.

    ``row`` is the Excel row number, kept so later messages can point at it.
    """

    plan: PlanSettings
    units: pd.DataFrame
    tasks: pd.DataFrame
    updates: pd.DataFrame
    assignments: pd.DataFrame
    sections: list[str] = field(default_factory=list)  # in plan order
    supervision: pd.DataFrame = field(default_factory=lambda: empty_supervision())

    @cached_property
    def updates_by_date(self) -> pd.DataFrame:
        """``updates`` in the order reports count: by date, and on one date the later row last.

        Sorted once per book: the trend asks for the reports up to each of two dozen period ends.
        """
        return self.updates.sort_values(["date", ROW], kind="stable")

    def unit_label(self, unit: str) -> str:
        """The short label of a unit for charts, or its full name."""
        return self.unit_labels.get(unit, unit)

    @cached_property
    def unit_labels(self) -> dict[str, str]:
        """Unit → its short label, for the units that have one (the first row of a name counts).

        Once per book: a lookup in the frame per call cost seconds when charts label 60 units per rerun.
        """
        labels: dict[str, str] = {}
        for unit, short in zip(self.units["unit"], self.units["short"]):
            if unit not in labels and isinstance(short, str) and short.strip():
                labels[unit] = short.strip()
            labels.setdefault(unit, unit)
        return labels
