"""What the uploading account may do with a change: the rows and sheets it may change, and whose name its rows carry.

An admin may change anything and report for others; a reporter may merge reports of its own units only, and its
rows are saved under its own name whatever the file says.
"""

from __future__ import annotations

import pandas as pd

from lib import schema, validate
from lib.accounts import Account
from lib.model import ERROR, ORIGIN_UPLOAD, ROW, WARNING, Book, Problem
from lib.store.change import Change, Preview, file_error, uploaded_rows
from lib.store.persist import MERGE, SUPERVISE


def rights_problems(change: Change, added: pd.DataFrame, changed: pd.DataFrame, removed: pd.DataFrame,
                    other: pd.DataFrame, rows_by_key: dict) -> list[Problem]:
    """Rows a reporter may not add or change: the message names the row and why."""
    account = change.account
    if account.is_admin:
        return []
    problems: list[Problem] = []
    if change.kind not in (MERGE, SUPERVISE):
        problems.append(file_error("只有管理员可以整体替换、删除或恢复版本。", "admin-only"))
    for sheet in other["工作表"].unique() if len(other) else []:
        problems.append(file_error(f"您的账号为处室填报，不能修改「{sheet}」表；该表的改动未采用，请联系管理员。", "sheet-admin-only", sheet))
    unit_header = schema.header_of(schema.SHEET_UPDATES, "unit")
    own = "、".join(account.units) or "无"
    for frame in (added, changed):
        for record in frame.to_dict("records"):
            if not account.may_report_for(record["unit"]):
                key = (record["date"], record["task_id"], record["unit"])
                problems.append(Problem(ERROR, schema.SHEET_UPDATES, rows_by_key.get(key), unit_header, record["unit"],
                                        f"「{record['unit']}」不在您的填报范围（{own}）内，本行不予保存。", code="unit-outside-account"))
    return problems


def set_reporters(book: Book, account: Account, result: Preview) -> list[Problem]:
    """填报人 of the uploaded rows: a reporter's rows are theirs, whatever the file says; an admin may
    enter reports for others, so the file's names stay and the preview says so. Blank means the uploader.

    Saved rows stay as they are. Returns a warning per row whose 填报人 was changed.
    """
    updates = book.updates
    uploaded = uploaded_rows(updates)
    blank = validate.blanks(updates["reporter"]) & uploaded
    named = uploaded & ~blank
    other = named & (validate.texts(updates["reporter"]) != account.name)
    updates.loc[blank, "reporter"] = account.name
    if account.is_admin:
        if other.any():
            result.notes.append(f"{int(other.sum())} 行进展的填报人按文件所填保留（管理员代为上传）；"
                                f"填报人为空的记为「{account.name}」。")
        return []
    header = schema.header_of(schema.SHEET_UPDATES, "reporter")
    warnings = [Problem(WARNING, schema.SHEET_UPDATES, row, header, validate.cell_text(name),
                        f"填报人按上传账号记为「{account.name}」（文件中填的是「{validate.cell_text(name)}」）。",
                        code="reporter-set-to-account", origin=ORIGIN_UPLOAD)
                for row, name in zip(updates.loc[other, ROW], updates.loc[other, "reporter"])]
    updates.loc[other, "reporter"] = account.name
    return warnings
