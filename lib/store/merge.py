"""A change applied to the saved workbook: an upload read and merged in (or, for 整体替换 and 恢复版本, put in its
place), or saved rows deleted.

Every merged row says where it comes from (``ORIGIN``), so a problem names the row as Excel shows it in the upload
or in the shared workbook; the saved 督办 events are carried through whatever the upload holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd

from lib import filecheck, schema, settings, validate
from lib.model import ORIGIN, ORIGIN_SAVED, ORIGIN_UPLOAD, ROW, Book, Problem, sort_problems
from lib.store.base import Base
from lib.store.build import plan_dict
from lib.store.change import Change, Merged, Preview, file_error, uploaded_rows
from lib.store.compare import rewritten_events
from lib.store.diff import sheet_keys
from lib.store.persist import MERGE, REPLACE, RESTORE
from lib.store.rights import set_reporters
from lib.store.supervise import requests_not_read
from lib.store.template_rows import skip_rows, unfilled_template_rows
from lib.supervision import upload_requests
from lib.workbook import RawSheet, RawWorkbook, WorkbookError, read_raw


def read_upload(change: Change, result: Preview) -> RawWorkbook | None:
    """The uploaded workbook as read, or None with the refusal in ``result.problems``."""
    max_rows = None if change.account.is_admin else settings.value("KANBAN_MAX_REPORTER_ROWS")
    refusal = filecheck.check_upload(change.upload or b"", max_rows=max_rows)
    if refusal:
        result.problems = [refusal]
        return None
    try:
        upload_raw = read_raw(change.upload or b"")
    except WorkbookError as exc:
        result.problems = [file_error(str(exc), exc.code)]
        return None
    if not upload_raw.sheets:
        result.problems = [file_error("工作簿中没有可识别的工作表（方案、处室、任务、进展）。请使用下载的填报模板填写后上传。",
                                      "no-known-sheet")]
        return None
    if schema.SHEET_SUPERVISION in upload_raw.sheets and not change.account.is_admin:
        result.problems = [file_error(f"上传文件含有「{schema.SHEET_SUPERVISION}」工作表。销号、延期的申请须在看板中逐项提交，"
                                      "不能通过上传文件填写；请删除该工作表后重新上传。", "supervision-sheet-refused",
                                      schema.SHEET_SUPERVISION)]
        return None
    updates = upload_raw.sheets.get(schema.SHEET_UPDATES)
    if change.kind == MERGE and updates is not None and updates.frame.empty and len(upload_raw.sheets) == 1 \
            and not updates.missing:
        result.problems = [file_error("「进展」工作表中没有任何填报记录，请填写后再上传。", "no-reports", schema.SHEET_UPDATES)]
        return None
    return upload_raw


def merge_upload(base: Base, upload_raw: RawWorkbook, change: Change, result: Preview, today: dt.date) -> Merged | None:
    """The upload merged into (or replacing) the base and validated; None with the errors in ``result``."""
    replacing = change.kind in (REPLACE, RESTORE)
    if replacing and schema.SHEET_PLAN not in upload_raw.sheets and base.raw and schema.SHEET_PLAN in base.raw.sheets:
        result.notes.append("上传文件没有「方案」工作表，已保留现有的方案设置。")
    if change.kind == REPLACE:
        result.notes.append("整体替换：各行的填报人按上传文件所填保留。")
    merged_raw = _merge_raw(base.raw, upload_raw, replacing=replacing)
    parsed = validate.parse(merged_raw, today=today)
    problems = [_caused_by_upload(p) for p in parsed.problems]
    if parsed.book is None or parsed.errors:
        result.problems = sort_problems(problems)
        return None
    problems += rewritten_events(base.book, parsed.book)
    book = parsed.book
    asked = None
    if change.kind == MERGE:  # before a row is skipped: a request on an unfilled row is refused, not dropped
        cells = upload_requests.read_cells(change.upload, upload_raw.sheets.get(schema.SHEET_UPDATES))
        asked = upload_requests.asked_rows(cells, book.updates[uploaded_rows(book.updates)])
        skip = unfilled_template_rows(book, base.book)
        if skip.any():
            skipped_rows = set(book.updates.loc[skip, ROW])
            book = skip_rows(book, skip, base.book)
            problems = [p for p in problems if not (p.sheet == schema.SHEET_UPDATES and p.origin != ORIGIN_SAVED
                                                    and p.row in skipped_rows)]
            result.skipped = int(skip.sum())
            result.notes.append(f"未填写进展情况且进度未变化的 {result.skipped} 行未计入"
                                "（与该处室上次报送的完成进度、状态相同，进展情况、存在问题、下步计划均为空）。")
        problems += set_reporters(book, change.account, result)
    uploaded = book.updates[uploaded_rows(book.updates)]
    rows_by_key = {(d, t, u): r for d, t, u, r in zip(uploaded["date"], uploaded["task_id"], uploaded["unit"], uploaded[ROW])}
    plan = plan_dict(merged_raw.sheets.get(schema.SHEET_PLAN))
    return Merged(book, plan, problems + requests_not_read(change, upload_raw), rows_by_key,
                  upload_raw if replacing else base.raw, asked)


def _merge_raw(current: RawWorkbook | None, upload: RawWorkbook, replacing: bool) -> RawWorkbook:
    """The upload's sheets, plus (unless replacing) every current row whose key the upload does not carry.

    Every row says where it comes from (``ORIGIN``), so a problem can name it as Excel shows it in
    the upload or in the shared workbook.
    """
    if current is None:
        return upload
    sheets: dict[str, RawSheet] = {}
    carried = _carried_supervision(current.sheets.get(schema.SHEET_SUPERVISION), upload.sheets.get(schema.SHEET_SUPERVISION))
    if carried is not None:
        sheets[schema.SHEET_SUPERVISION] = carried
    if replacing:
        sheets = {**upload.sheets, **sheets}
        if schema.SHEET_PLAN not in sheets and schema.SHEET_PLAN in current.sheets:
            sheets[schema.SHEET_PLAN] = current.sheets[schema.SHEET_PLAN]
        return RawWorkbook(sheets=sheets, source=upload.source, other_sheets=upload.other_sheets)
    for name in schema.SHEETS:
        mine, theirs = upload.sheets.get(name), current.sheets.get(name)
        if mine is not None:
            mine = replace(mine, frame=mine.frame.assign(**{ORIGIN: ORIGIN_UPLOAD}))
        if theirs is not None:
            theirs = replace(theirs, frame=theirs.frame.assign(**{ORIGIN: ORIGIN_SAVED}))
        if mine is None or theirs is None or mine.missing:
            if mine is not None:
                sheets[name] = mine
            elif theirs is not None:
                sheets[name] = theirs
            continue
        upload_keys = {k for k in sheet_keys(name, mine.frame) if k is not None}
        kept = theirs.frame[[k not in upload_keys for k in sheet_keys(name, theirs.frame)]]
        frame = pd.concat([kept, mine.frame], ignore_index=True)
        sheets[name] = RawSheet(name, mine.header_row, frame, [])
    return RawWorkbook(sheets=sheets, source=upload.source, other_sheets=upload.other_sheets)


def _carried_supervision(saved: RawSheet | None, uploaded: RawSheet | None) -> RawSheet | None:
    """The 督办 sheet a save writes: the saved events are never dropped, whatever the upload holds.

    Each saved row is kept in its place, as the upload has it when the upload has an event with the same 编号
    (an admin's file: a 整体替换 or a restore; a reporter's upload with this sheet is refused before), then the
    upload's events with new 编号, in its order. A workbook that has none keeps none.
    """
    if saved is None or uploaded is None:
        sheet = saved or uploaded
        return None if sheet is None else replace(sheet, frame=sheet.frame.assign(
            **{ORIGIN: ORIGIN_SAVED if sheet is saved else ORIGIN_UPLOAD}))
    theirs = saved.frame.assign(**{ORIGIN: ORIGIN_SAVED})
    mine = uploaded.frame.assign(**{ORIGIN: ORIGIN_UPLOAD})
    by_id = {event_id: index for index, event_id in zip(mine.index, _event_ids(mine)) if event_id}
    kept = [mine.loc[[by_id[event_id]]] if event_id in by_id else theirs.loc[[index]]
            for index, event_id in zip(theirs.index, _event_ids(theirs))]
    saved_ids = set(_event_ids(theirs))
    added = mine[[event_id not in saved_ids for event_id in _event_ids(mine)]]
    frame = pd.concat([*kept, added], ignore_index=True)
    return RawSheet(schema.SHEET_SUPERVISION, uploaded.header_row, frame, list(uploaded.missing))


def _event_ids(frame: pd.DataFrame) -> list[str]:
    return [validate.normalise_id(cell) for cell in frame.get("event_id", pd.Series("", index=frame.index))]


def _caused_by_upload(problem: Problem) -> Problem:
    """An error on a saved row comes from this change (the saved workbook was valid), and says so."""
    if problem.origin == ORIGIN_SAVED and problem.is_error:
        return replace(problem, message=problem.message + "（由本次上传的改动引起）")
    return problem


def delete_rows(base: Base, change: Change) -> Merged:
    """The base without the 进展 rows ``change.delete_keys`` names; its 方案 and extra sheets stay as they are."""
    assert base.book is not None and base.raw is not None
    plan = plan_dict(base.raw.sheets.get(schema.SHEET_PLAN))
    return Merged(_without_keys(base.book, change.delete_keys), plan, [], {}, base.raw)


def _without_keys(book: Book, keys: tuple[tuple, ...]) -> Book:
    wanted = {(pd.Timestamp(d), str(t), str(u)) for d, t, u in keys}
    updates = book.updates
    keep = [(d, t, u) not in wanted for d, t, u in zip(updates["date"], updates["task_id"], updates["unit"])]
    return replace(book, updates=updates[keep].reset_index(drop=True))
