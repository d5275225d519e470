"""Fill-in templates (填报模板): a reporter's 进展 sheet, and an admin's empty workbook.

The reporter's sheet has the contract's 进展 columns in contract order (so the
data validation of ``workbook.add_update_validation`` lines up), then, when the
office runs several plans, a 方案 column naming each row's plan (read by
``lib.plan_upload``), then the optional request columns 申请事项 / 申请完成时限 /
佐证材料 (read by ``lib.supervision.upload_requests``), then a read-only 任务内容 column the
reader ignores, and a 说明 sheet. With one plan there is no 方案 column: the
sheet is the plan's own.

It lists the assignments a unit still has to act on, returned ones (退回) first:
every one not at 100 and not signed off, and one at 100 that is not signed off
when 销号 is still the unit's to ask for (销号审核 = 是) or its 督办 is under way
(returned, or a 销号申请 waiting).
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from lib import metrics, schema, supervision, validate
from lib.model import Book
from lib.workbook import HEADER_FILL, add_update_validation, contract_workbook, print_setup, write_contract_sheet

SHEET_GUIDE = "说明"
CONTENT_HEADER = "任务内容（仅供参考，请勿修改）"
PLAN_HEADER = "方案"  # the plan's key (its file's stem), as ``lib.plans.Plan.key``
SPARE_ROWS = 200  # empty rows that still carry the dropdowns

GUIDE_LINES = [
    "填报说明",
    "",
    "1. 本表为「进展」填报表，每行为一个处室对一项任务的一次进展报告，已按本处室尚未完成的责任分工预填。",
    "2. 请逐行核对并填写「完成进度」（0 至 100 的整数）、「状态」（下拉选择：未启动、推进中、已完成、滞后）和「进展情况」；如有「存在问题」「下步计划」一并填写。",
    "3. 「填报日期」默认为今天，如按季度末报送请改为相应日期；同一填报日期、编号、处室的记录，再次上传会覆盖原记录。",
    "4. 「编号」「处室」请勿修改；灰色的「任务内容」列仅供参考，上传时不读取。",
    "5. 本期无进展的任务可整行删除；不要增删或改动表头。",
    "6. 填好后，登录落实看板「上传更新」页面上传本文件，核对预览无误后点击「确认保存」。",
    "7. 上传只会新增或更新记录，不会删除已有记录。如需删除，请联系管理员。",
    "8. 「申请事项」「申请完成时限」「佐证材料」三列可选填。已办结、申请销号的，在「申请事项」下拉选择「销号」，"
    "「进展情况」即办结说明，「佐证材料」填写文号、链接或文件名；不能按期完成、申请延期的，选择「延期」，"
    "「进展情况」填写延期理由及目前进展，「申请完成时限」填写申请延至的日期（须晚于现完成时限）。"
    "上传保存后，申请转入「督办审核」，由管理员审核；被退回的分工列在本表最前面。",
    "9. 方案设定「销号审核」为「是」的，完成进度填报为 100 的分工在保存时自动提出销号申请"
    "（「进展情况」即办结说明），经管理员销号后方计为已完成。",
]
PLANS_GUIDE_LINE = ("10. 本表包含各项方案的任务，「方案」列标明每行所属方案，请勿修改；新增行请在「方案」列下拉选择。"
                    "上传后按方案分别核对，确认后各方案一并保存。")


def _guide_sheet(workbook, lines: list[str]) -> None:
    from openpyxl.styles import Alignment, Font

    sheet = workbook.create_sheet(SHEET_GUIDE)
    sheet.column_dimensions["A"].width = 110
    for index, line in enumerate(lines, start=1):
        cell = sheet.cell(row=index, column=1, value=line)
        cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if index == 1:
            cell.font = Font(bold=True, size=14)
    print_setup(sheet, title_rows=None)  # a page of prose: no header row to repeat


def open_assignments(book: Book, units: list[str], as_of: dt.date) -> pd.DataFrame:
    """The assignments of ``units`` the template lists on ``as_of`` (see the module's note), with their latest
    progress and status and their 督办 state: returned ones first, then by unit and in task order."""
    snapshot = metrics.compute(book, as_of)
    rows = snapshot.assignments[snapshot.assignments["unit"].isin(units)]
    states = supervision.assignment_table(book, as_of).set_index(["task_id", "unit"])["state"]
    state = pd.Series([states.get((t, u), schema.STATE_OPEN) for t, u in zip(rows["task_id"], rows["unit"])],
                      index=rows.index, dtype=object)
    listed = (state != schema.STATE_SIGNED_OFF) & (
        (rows["progress"] < 100) | (state != schema.STATE_OPEN) | book.plan.sign_off_review)
    rows = rows[listed].assign(state=state[listed])
    content = book.tasks.set_index("task_id")["content"]
    order = book.tasks.reset_index().set_index("task_id")["index"]
    return (
        rows.assign(content=rows["task_id"].map(content), position=rows["task_id"].map(order),
                    _later=rows["state"] != schema.STATE_RETURNED)
        .sort_values(["_later", "unit", "position"], kind="stable")
        .drop(columns="_later")
        .reset_index(drop=True)
    )


def _grey_column(sheet, column: int, header: str, note: str, values: list[object], width: int) -> None:
    """A column the reporter should leave as it is: grey, with a note on its header."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    grey = PatternFill("solid", fgColor="E7E6E6")
    cell = sheet.cell(row=1, column=column, value=header)
    cell.font = Font(bold=True, color="7F7F7F")
    cell.fill = grey
    cell.comment = Comment(note, "落实看板")
    sheet.column_dimensions[get_column_letter(column)].width = width
    for row, text in enumerate(values, start=2):
        cell = sheet.cell(row=row, column=column, value=validate.cell_text(text))
        cell.data_type = "s"
        cell.fill = grey
        cell.font = Font(color="595959")


REQUEST_NOTES = {
    "request": "选填。申请销号或延期时下拉选择；本行「进展情况」即办结说明或延期理由及目前进展。",
    "requested_until": "申请延期时必填：申请延至的日期，须晚于现完成时限，例如 2026-12-31。",
    "evidence": "选填。申请销号时的佐证材料：文号、链接或文件名。",
}


def _request_columns(sheet, first: int, last_row: int) -> None:
    """The optional 申请事项, 申请完成时限 and 佐证材料 columns from column ``first``: headed like the contract's,
    a dropdown of 销号 / 延期 and a date check, left blank for the reporter."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    letters = {}
    for column, spec in enumerate(schema.REQUEST_COLUMNS, start=first):
        cell = sheet.cell(row=1, column=column, value=spec.header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.comment = Comment(REQUEST_NOTES[spec.field], "落实看板")
        letters[spec.field] = get_column_letter(column)
        sheet.column_dimensions[letters[spec.field]].width = spec.width
    header = schema.REQUEST_COLUMNS[0].header
    words = DataValidation(type="list", formula1='"' + ",".join(supervision.REQUEST_WORDS) + '"', allow_blank=True,
                           errorTitle=header, error="请从下拉列表中选择：销号、延期；不申请请留空。", showErrorMessage=True)
    until = DataValidation(type="date", operator="between", formula1="36526", formula2="73051", allow_blank=True,
                           errorTitle=schema.REQUEST_COLUMNS[1].header, error="请填写日期，例如 2026-12-31。",
                           showErrorMessage=True)
    for validation, name in ((words, "request"), (until, "requested_until")):
        validation.add(f"{letters[name]}2:{letters[name]}{last_row}")
        sheet.add_data_validation(validation)
    sheet.column_dimensions[letters["requested_until"]].number_format = "yyyy-mm-dd"  # no cells: rows stay as filled


def _plan_validation(sheet, column: int, keys: list[str], last_row: int) -> None:
    """A dropdown of the plans' keys, so a row added by hand names a plan the reader knows."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    letter = get_column_letter(column)
    # Keys are file stems of word characters and hyphens (``lib.plans.KEY_PATTERN``): never a comma or quote.
    validation = DataValidation(type="list", formula1='"' + ",".join(keys) + '"', allow_blank=False,
                                errorTitle=PLAN_HEADER, error="请从下拉列表中选择方案。", showErrorMessage=True)
    validation.add(f"{letter}2:{letter}{last_row}")
    sheet.add_data_validation(validation)


def reporter_template(books: list[tuple[str, Book]], units: list[str], reporter: str, today: dt.date) -> bytes:
    """The 进展 sheet pre-filled for ``units`` in each plan of ``books`` ((plan key, book), in plan order), with
    data validation and a 说明 sheet, as xlsx bytes. With more than one plan, a 方案 column names each row's plan."""
    import openpyxl

    several = len(books) > 1
    assignments = pd.concat([open_assignments(book, units, today).assign(plan=key) for key, book in books],
                            ignore_index=True)
    updates = pd.DataFrame({
        "date": [today] * len(assignments),
        "task_id": assignments["task_id"],
        "unit": assignments["unit"],
        "progress": assignments["progress"].round().astype(int),
        "status": assignments["status"].where(assignments["status"].notna(),
                                              assignments["progress"].map(schema.status_from_progress)),
        "progress_note": "", "problems": "", "next_steps": "",
        "reporter": reporter,
    })
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = schema.SHEET_UPDATES
    write_contract_sheet(sheet, schema.UPDATE_COLUMNS, updates)
    column = len(schema.UPDATE_COLUMNS) + 1
    last_row = len(updates) + SPARE_ROWS + 1
    if several:  # after the contract's columns, so their data validation stays where the reader expects them
        _grey_column(sheet, column, PLAN_HEADER, "本行所属方案，上传时据此分方案保存，请勿修改。",
                     list(assignments["plan"]), 16)
        _plan_validation(sheet, column, [key for key, _ in books], last_row)
        column += 1
    _request_columns(sheet, column, last_row)
    column += len(schema.REQUEST_COLUMNS)
    _grey_column(sheet, column, CONTENT_HEADER, "本列仅供填报时参考，上传时不读取，修改无效。",
                 list(assignments["content"]), 60)
    add_update_validation(sheet, list(units), last_row=last_row)
    _guide_sheet(workbook, [*GUIDE_LINES, PLANS_GUIDE_LINE] if several else GUIDE_LINES)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def empty_template() -> bytes:
    """Every sheet of the contract with headers only (and the 方案 keys), plus 说明, as xlsx bytes."""
    empty = {name: pd.DataFrame(columns=[c.field for c in schema.SHEETS[name]])
             for name in (schema.SHEET_UNITS, schema.SHEET_TASKS)}
    workbook = contract_workbook({key: None for key in schema.PLAN_KEYS}, empty[schema.SHEET_UNITS],
                                 empty[schema.SHEET_TASKS], validate.empty_updates())
    _guide_sheet(workbook, [
        "空白模板说明", "",
        "本模板包含方案、处室、任务、进展四张工作表，表头须保持不变，列的含义见看板说明或 README「工作簿填写说明」。",
        "管理员可在此基础上整理完整工作簿，在「上传更新」页面以「合并」或「整体替换」方式上传。",
    ])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
