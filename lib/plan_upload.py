"""One template, one upload, every plan: a reporter's 进展 rows split by their 方案 column, one change per plan.

The reporter's template (``lib.template``) covers their open assignments in every active plan, each row naming
its plan (the plan's key) in a 方案 column. An upload with that column is split by it:

1. the rows of each plan become that plan's own upload, a MERGE ``store.Change`` previewed against the plan's
   current workbook (``store.preview``, every check as for a one-plan upload);
2. each plan's rows keep their Excel row numbers in the file built for it (the rows of other plans are left
   blank), so every problem of a plan's preview names the row of the file the person uploaded;
3. a row whose 方案 is blank (with several plans) or names no active plan is an error of its own, and the
   upload is saved only when every plan's preview is ok;
4. the save writes every plan or none (``store.save_all``).

An upload without a 方案 column (a full workbook, the template of a one-plan office), any upload while only
one plan is active, and any change that is not a merge (replace, delete, restore), goes to the plan the page
is on, as before.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import pandas as pd

from lib import filecheck, plans, schema, settings, store, template, upload_columns, validate
from lib.accounts import Account
from lib.model import ERROR, ROW, Book, Problem, sort_problems
from lib.plans import Plan
from lib.supervision import upload_requests
from lib.workbook import HEADER_SEARCH_ROWS, RawSheet, WorkbookError, read_raw, set_cell

PLAN_HEADER = template.PLAN_HEADER


@dataclass
class PlanPreview:
    """One plan's part of an upload: its rows, previewed against its workbook."""

    plan: Plan
    name: str  # the plan's 方案名称, "" when its workbook does not say
    preview: store.Preview


@dataclass
class UploadPreview:
    """What an upload would do, plan by plan, in plan order; saved all together or not at all."""

    change: store.Change  # the request as made (the whole file)
    plans: list[PlanPreview]
    problems: list[Problem] = field(default_factory=list)  # the split's own: rows naming no plan
    split: bool = False  # the upload had a 方案 column: each plan is shown under its own heading

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def ok(self) -> bool:
        return bool(self.plans) and not self.errors and all(part.preview.ok for part in self.plans)

    @property
    def has_changes(self) -> bool:
        return any(part.preview.has_changes for part in self.plans)

    @property
    def all_problems(self) -> list[Problem]:
        """The split's problems and every plan's, errors first."""
        return sort_problems([*self.problems, *(p for part in self.plans for p in part.preview.problems)])

    def is_current(self) -> bool:
        """Every plan's workbook is still the one its preview was built on."""
        return all(_current_hash(part.plan) == part.preview.base_hash for part in self.plans)


def _current_hash(plan: Plan) -> str:
    return store.content_hash(plan.path.read_bytes()) if plan.path.exists() else ""


def _current(plan: Plan) -> bytes | None:
    return plan.path.read_bytes() if plan.path.exists() else None


# ---- the template -------------------------------------------------------------------------


def plan_books(today: dt.date) -> list[tuple[Plan, Book]]:
    """The active plans whose workbook loads, in plan order, with their books (through the store's cache)."""
    found = []
    for plan in plans.all_plans():
        book = store.load_file(plan.path, today).book
        if book is not None:
            found.append((plan, book))
    return found


def template_for(account: Account, today: dt.date) -> bytes:
    """``account``'s 填报模板: their open assignments in every active plan (an admin's: every unit's)."""
    books = plan_books(today)
    if account.is_admin:
        units = list(dict.fromkeys(unit for _, book in books for unit in book.units["unit"]))
    else:
        units = list(account.units)
    return template.reporter_template([(plan.key, book) for plan, book in books], units, account.name, today)


# ---- reading the 方案 column ----------------------------------------------------------------


def _has_plan_column(change: store.Change, active: list[Plan]) -> bool:
    """A merge, with several plans, of a file that may be read and whose 进展 sheet's first rows carry a 方案 header.

    With one plan nothing is split, so a one-plan office uploads exactly as before. Only the first rows are
    read here: a full workbook without the column is read once, by the preview.
    """
    if change.kind != store.MERGE or not change.upload or len(active) < 2:
        return False
    max_rows = None if change.account.is_admin else settings.value("KANBAN_MAX_REPORTER_ROWS")
    if filecheck.check_upload(change.upload, max_rows=max_rows) is not None:
        return False
    rows = upload_columns.updates_rows(change.upload, HEADER_SEARCH_ROWS) or []
    return any(schema.normalise_header(cell) == PLAN_HEADER for row in rows for cell in row)


def _plan_keys(data: bytes, sheet: RawSheet) -> pd.Series | None:
    """The 方案 cell of each row of ``sheet`` (by its index), as text; None when its header row has no 方案."""
    cells = upload_columns.cells_under(upload_columns.updates_rows(data) or [], sheet, {"plan": PLAN_HEADER})
    if "plan" not in cells.columns:
        return None
    return cells["plan"].map(lambda cell: validate.cell_text(cell).strip()).astype(object)


def _row_problem(row: int | None, value: str, message: str, code: str) -> Problem:
    return Problem(ERROR, schema.SHEET_UPDATES, row, PLAN_HEADER, value, message, code=code)


def _assign_rows(keys: pd.Series, rows: pd.DataFrame, active: list[Plan]) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Each active plan's ``rows`` (the 进展 rows as read; plans without rows left out), and an error for each
    row naming no active plan."""
    keys_known = {plan.key for plan in active}
    known = "、".join(plan.key for plan in active)
    problems = []
    for row, key in zip(rows[ROW], keys):
        if not key:
            problems.append(_row_problem(int(row), "", f"未填写「{PLAN_HEADER}」，无法确定本行所属方案。请在下拉列表中选择"
                                         f"（现有方案：{known}）。", "plan-blank"))
        elif key not in keys_known:
            problems.append(_row_problem(int(row), key, f"「{key}」不是现有方案（现有方案：{known}），本行无法保存。"
                                         f"请核对「{PLAN_HEADER}」列，或重新下载填报模板。", "plan-unknown"))
    return {plan.key: rows[keys == plan.key] for plan in active if (keys == plan.key).any()}, problems


# ---- one plan's upload ----------------------------------------------------------------------


def _plan_upload(sheet: RawSheet, rows: pd.DataFrame) -> bytes:
    """A 进展 sheet holding only ``rows``, each on its Excel row, under the header on its row: the problems
    of the plan's preview name the rows of the uploaded file. Request cells (``schema.REQUEST_COLUMNS``) among
    ``rows``' columns go along, after the contract's columns."""
    import openpyxl

    workbook = openpyxl.Workbook()
    target = workbook.active
    target.title = schema.SHEET_UPDATES
    columns = (*schema.UPDATE_COLUMNS, *schema.REQUEST_COLUMNS)
    present = [(position, column) for position, column in enumerate(columns, start=1)
               if column.field in rows.columns]
    header_row = sheet.header_row or 1
    for position, column in present:
        set_cell(target.cell(row=header_row, column=position), column.header)
    for record in rows.to_dict("records"):
        for position, column in present:
            value = record[column.field]
            if not (isinstance(value, str) and value == ""):
                set_cell(target.cell(row=int(record[ROW]), column=position), value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _plan_name(plan: Plan, today: dt.date) -> str:
    book = store.load_file(plan.path, today).book if plan.path.exists() else None
    return book.plan.name if book is not None else ""


def _preview_plan(plan: Plan, change: store.Change, today: dt.date,
                  progress: Callable[[str], None] | None) -> PlanPreview:
    return PlanPreview(plan, _plan_name(plan, today), store.preview(_current(plan), change, today, progress=progress))


# ---- the upload, plan by plan ---------------------------------------------------------------


def _other_sheets(sheets: set[str]) -> list[Problem]:
    """An upload split by plan carries 进展 rows only: 处室, 任务 and 方案 sheets belong to one plan each."""
    others = sorted(sheets - {schema.SHEET_UPDATES})
    if not others:
        return []
    return [_row_problem(None, "", f"按方案分别保存的上传只能包含「进展」工作表，请删除「{'」「'.join(others)}」工作表；"
                         f"或删除「进展」表的「{PLAN_HEADER}」列，只向当前方案上传。", "plan-column-other-sheets")]


def _split(change: store.Change, active: list[Plan], today: dt.date,
           progress: Callable[[str], None] | None) -> UploadPreview | None:
    """The upload split by its 方案 column and previewed plan by plan; None when there is nothing to split."""
    assert change.upload is not None
    try:
        raw = read_raw(change.upload)
    except WorkbookError:
        return None  # the preview refuses it, with the reader's message
    sheet = raw.sheets.get(schema.SHEET_UPDATES)
    keys = _plan_keys(change.upload, sheet) if sheet is not None else None
    if sheet is None or keys is None or sheet.frame.empty:
        return None  # no 方案 column in the header row, or no rows: the preview says what is missing
    result = UploadPreview(change, [], _other_sheets(set(raw.sheets)), split=True)
    if result.problems:
        return result
    asked = upload_requests.read_cells(change.upload, sheet).drop(columns=ROW)
    rows_by_plan, result.problems = _assign_rows(keys, sheet.frame.join(asked), active)
    for plan in active:
        if plan.key in rows_by_plan:
            part = replace(change, upload=_plan_upload(sheet, rows_by_plan[plan.key]))
            told = (lambda text, key=plan.key: progress(f"{key}：{text}")) if progress else None
            result.plans.append(_preview_plan(plan, part, today, told))
    return result


def preview_upload(change: store.Change, target: Plan, today: dt.date,
                   progress: Callable[[str], None] | None = None) -> UploadPreview:
    """What ``change`` would do: split by plan when its 进展 sheet has a 方案 column, else to ``target`` alone.

    ``progress`` is told each step (prefixed with the plan's key when the upload is split).
    """
    active = plans.all_plans()
    if _has_plan_column(change, active):
        split = _split(change, active, today, progress)
        if split is not None:
            return split
    return UploadPreview(change, [_preview_plan(target, change, today, progress)])


def save_upload(upload: UploadPreview, timeout: float | None = None,
                progress: Callable[[str], None] | None = None) -> store.SaveResult | store.MultiSaveResult:
    """Save every plan's preview that has changes, all or none (``store.save_all``); a change to one plan alone
    is an ordinary ``store.save``. The result's ``saved``, ``message`` (Chinese) and ``stale`` say what happened.
    """
    if not upload.ok:
        return store.SaveResult(False, "存在错误，未保存。")
    changed = [part for part in upload.plans if part.preview.has_changes]
    if len(changed) <= 1:
        part = (changed or upload.plans)[0]  # none changed: the store says there is nothing to save
        return store.save(part.plan.path, part.preview, timeout=timeout, progress=progress)
    return store.save_all([(part.plan.path, part.preview) for part in changed], timeout=timeout, progress=progress)
