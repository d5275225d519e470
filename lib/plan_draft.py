"""A plan read from a notice, as the admin corrects it before it is saved, and the workbook it becomes.

- ``draft_from_import(imported)`` → ``PlanDraft`` (方案 keys, units, tasks in the contract's fields);
- ``task_table`` / ``tasks_from_table`` and ``unit_table`` / ``units_from_table``: the same frames
  with the contract's Chinese headers, for an editor, and back;
- ``with_known_shorts``: the 简称 the current workbook already gives a unit of the same name;
- ``unit_renames`` and ``rename_units``: a unit renamed in the unit table follows into every task;
- ``plan_values`` / ``plan_from_values``: the 方案 settings as typed values, and back as sheet cells;
- ``skipped_lines``: what the importer left out, with its reason;
- ``draft_bytes``: the contract workbook of a draft, with the reports given.

The CLI (``import-plan``) and the 方案导入 page build the workbook through ``draft_bytes``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from lib import dates, schema, validate
from lib.intake import ImportedPlan
from lib.model import PlanSettings, Problem
from lib.workbook import workbook_bytes

TASK_FIELDS = ["section", "task_id", "content", "units_text", "lead_text", "deadline_text", "note"]
UNIT_FIELDS = ["unit", "short", "groups"]
GROUP_SEPARATOR = "、"
# Problems of the importer that are a line of the notice left out, rather than a remark on a task.
SKIPPED_LINE_CODES = ("unplaced-line", "task-without-units")
SKIPPED, REMARK = "未导入的行", "识别提示"


@dataclass
class PlanDraft:
    """A plan ready to be written: ``plan`` holds 方案 sheet cells by key; frames use ``schema`` fields."""

    plan: dict[str, object]
    units: pd.DataFrame  # unit, short, groups (list of str)
    tasks: pd.DataFrame  # schema.TASK_COLUMNS fields

    @property
    def sections(self) -> int:
        return int(self.tasks["section"].nunique())

    def summary(self) -> str:
        """How big the plan is, in words: 6 个板块，16 项任务，6 个处室."""
        return f"{self.sections} 个板块，{len(self.tasks)} 项任务，{len(self.units)} 个处室"


def _text(value: object) -> str:
    return "" if validate.is_blank(value) else str(value).strip()


def draft_from_import(imported: ImportedPlan) -> PlanDraft:
    """The importer's result as a draft, unchanged."""
    tasks = imported.tasks[[c.field for c in schema.TASK_COLUMNS]].copy()
    return PlanDraft(dict(imported.plan), imported.units[UNIT_FIELDS].copy(), tasks)


def task_table(tasks: pd.DataFrame) -> pd.DataFrame:
    """Tasks for an editor: 板块, 编号, 任务内容, 责任处室, 牵头处室, 完成时限, 备注, all text."""
    shown = tasks[TASK_FIELDS].map(_text)
    return shown.rename(columns={f: schema.header_of(schema.SHEET_TASKS, f) for f in TASK_FIELDS})


def tasks_from_table(table: pd.DataFrame) -> pd.DataFrame:
    """The editor's tasks in the contract's fields; rows left wholly blank (added, never filled) are dropped."""
    tasks = table.rename(columns={schema.header_of(schema.SHEET_TASKS, f): f for f in TASK_FIELDS})
    tasks = tasks.reindex(columns=TASK_FIELDS).map(_text)
    tasks = tasks[(tasks != "").any(axis=1)].reset_index(drop=True)
    return tasks.assign(start=None)[[c.field for c in schema.TASK_COLUMNS]]


def unit_table(units: pd.DataFrame) -> pd.DataFrame:
    """Units for an editor: 处室, 简称, 分组 (groups written as the sheet writes them, joined by 、)."""
    shown = pd.DataFrame({
        "unit": units["unit"].map(_text),
        "short": units["short"].map(_text),
        "groups": units["groups"].map(lambda groups: GROUP_SEPARATOR.join(groups) if isinstance(groups, list)
                                      else _text(groups)),
    }, index=units.index)
    return shown.rename(columns={f: schema.header_of(schema.SHEET_UNITS, f) for f in UNIT_FIELDS})


def units_from_table(table: pd.DataFrame) -> pd.DataFrame:
    """The editor's units in the contract's fields; a row without a unit name is dropped."""
    units = table.rename(columns={schema.header_of(schema.SHEET_UNITS, f): f for f in UNIT_FIELDS})
    units = units.reindex(columns=UNIT_FIELDS)
    units = units.assign(unit=units["unit"].map(_text), short=units["short"].map(_text),
                         groups=units["groups"].map(lambda text: schema.split_unit_list(_text(text))))
    return units[units["unit"] != ""].reset_index(drop=True)


def with_known_shorts(units: pd.DataFrame, known: pd.DataFrame | None) -> pd.DataFrame:
    """``units`` with a blank 简称 filled from ``known`` (the current workbook's units) for the same 处室.

    A notice never states short names, and the board's charts are labelled with them: the office
    should not have to type them again for each plan.
    """
    if known is None or known.empty:
        return units
    shorts = {name: _text(short) for name, short in zip(known["unit"], known["short"]) if _text(short)}
    filled = [_text(short) or shorts.get(name, "") for name, short in zip(units["unit"], units["short"])]
    return units.assign(short=filled)


def unit_renames(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, str]:
    """Old name → new name of each unit renamed in an editor; rows are matched on the editor's index.

    ``st.data_editor`` keeps the index of the rows it was given, so a renamed row is one whose
    index is in both frames with another 处室; an added or deleted row is not a rename.
    """
    header = schema.header_of(schema.SHEET_UNITS, "unit")
    common = before.index.intersection(after.index)
    old, new = before.loc[common, header].map(_text), after.loc[common, header].map(_text)
    return {o: n for o, n in zip(old, new) if o and n and o != n}


def _renamed_list(text: str, renames: dict[str, str]) -> str:
    names = schema.split_unit_list(text)
    if not any(name in renames for name in names):
        return text  # kept as written, separators included
    return GROUP_SEPARATOR.join(renames.get(name, name) for name in names)


def rename_units(tasks: pd.DataFrame, renames: dict[str, str]) -> pd.DataFrame:
    """``tasks`` with each renamed unit renamed in 责任处室 and 牵头处室."""
    if not renames:
        return tasks
    return tasks.assign(units_text=tasks["units_text"].map(lambda t: _renamed_list(_text(t), renames)),
                        lead_text=tasks["lead_text"].map(lambda t: _renamed_list(_text(t), renames)))


# ---- 方案 settings ----------------------------------------------------------------------


def _day(value: object) -> dt.date | None:
    try:
        return dates.parse_date(value)
    except (ValueError, TypeError):
        return None


def plan_values(found: dict[str, object], current: PlanSettings | None = None) -> dict[str, object]:
    """The 方案 settings to offer in a form: what the notice states, else the current plan's, else the defaults.

    Values are typed: text, ``datetime.date`` or None, the cycle, whole days and percentage points.
    """
    base = current or PlanSettings()
    name = _text(found.get(schema.PLAN_NAME)) or base.name
    doc_no = _text(found.get(schema.PLAN_DOC_NO)) or base.doc_no
    issued = _day(found.get(schema.PLAN_ISSUED)) or base.issued
    # A revised notice restarts nothing: the schedule keeps the current start unless the notice gives one.
    start = _day(found.get(schema.PLAN_START)) or (base.start if current is not None else None)
    return {
        schema.PLAN_NAME: name, schema.PLAN_DOC_NO: doc_no, schema.PLAN_ISSUED: issued, schema.PLAN_START: start,
        schema.PLAN_CYCLE: base.cycle, schema.PLAN_SOON_DAYS: int(base.soon_days),
        schema.PLAN_YELLOW_GAP: float(base.yellow_gap), schema.PLAN_RED_GAP: float(base.red_gap),
        schema.PLAN_REPORT_DEADLINE: int(base.report_days), schema.PLAN_SIGN_OFF_REVIEW: base.sign_off_review,
        schema.PLAN_SAMPLE: base.sample,
    }


def plan_from_values(values: dict[str, object]) -> dict[str, object]:
    """The 方案 sheet's cells for typed settings: dates as ISO text, blanks left out, 示例数据 as 是/否."""
    cells: dict[str, object] = {}
    for key in schema.PLAN_KEYS:
        value = values.get(key)
        if key in (schema.PLAN_SAMPLE, schema.PLAN_SIGN_OFF_REVIEW):
            if value:  # 否, the default, is left out like a blank
                cells[key] = schema.YES
        elif key == schema.PLAN_REPORT_DEADLINE:
            if value:  # 0, the default, is the period's end: left out like a blank
                cells[key] = f"周期末后{value}日"
        elif isinstance(value, dt.date):
            cells[key] = value.isoformat()
        elif isinstance(value, str):
            if value.strip():
                cells[key] = value.strip()
        elif value is not None:
            cells[key] = value
    return cells


# ---- what was left out ----------------------------------------------------------------


def skipped_lines(problems: list[Problem]) -> pd.DataFrame:
    """类型, 原文, 说明: each line the importer left out (类型 未导入的行), then its other remarks (识别提示)."""
    rows = [{"类型": SKIPPED if p.code in SKIPPED_LINE_CODES else REMARK, "原文": p.value, "说明": p.message}
            for p in problems]
    frame = pd.DataFrame(rows, columns=["类型", "原文", "说明"])
    return frame.sort_values("类型", key=lambda kind: kind != SKIPPED, kind="stable").reset_index(drop=True)


# ---- the workbook ---------------------------------------------------------------------


def draft_bytes(draft: PlanDraft, updates: pd.DataFrame | None = None) -> bytes:
    """The contract workbook of ``draft`` with ``updates`` (contract fields) as its 进展; none when None."""
    reports = validate.empty_updates() if updates is None else updates
    return workbook_bytes(draft.plan, draft.units, draft.tasks, reports)
