"""The 督办 events a change appends: a SUPERVISE change's requests and decisions, and the requests a merged upload asks for.

Events are appended, never edited, and each is checked against the events before it when the change is previewed,
so a request decided by someone else since it was shown is refused rather than saved twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd

from lib import schema, supervision
from lib.model import ERROR, ROW, Book, Problem
from lib.store.base import Base
from lib.store.build import plan_dict
from lib.store.change import Change, Merged, Preview, file_warning, uploaded_rows
from lib.store.diff import UPDATE_KEY, UPDATE_VALUES, diff_keyed
from lib.store.persist import MERGE
from lib.supervision import upload_requests
from lib.workbook import RawWorkbook


def append_events(base: Base, change: Change, result: Preview) -> Merged | None:
    """The base with ``change.events`` appended, numbered after the newest event and each checked again against
    the events before it: a request decided by someone else since it was shown is refused here. None when refused."""
    assert base.book is not None and base.raw is not None
    earlier = supervision.events_of(base.book.supervision)
    added: list[supervision.Event] = []
    for event in change.events:
        made = replace(event, event_id=supervision.next_event_id([*earlier, *added]), row=None)
        finding = supervision.check_event(base.book, change.account, made, [*earlier, *added])
        if finding is not None:
            code, field_name, message = finding
            result.problems.append(Problem(ERROR, schema.SHEET_SUPERVISION, None,
                                           schema.header_of(schema.SHEET_SUPERVISION, field_name), "", message, code=code))
        added.append(made)
    if result.problems or not added:
        return None
    book = replace(base.book, supervision=supervision.with_events(base.book, added))
    result.supervision_added = pd.DataFrame([e.as_record() for e in added]).drop(columns=[ROW])
    return Merged(book, plan_dict(base.raw.sheets.get(schema.SHEET_PLAN)), [], {}, base.raw)


def with_requests(base: Base, merged: Merged, change: Change, today: dt.date) -> Merged:
    """The merge with the requests its rows ask for appended to 督办, and with 销号审核 = 是 the automatic 销号申请
    of the reports it brings to 100 (``lib.supervision.upload_requests``); refused requests are errors of their rows."""
    asked = merged.asked if merged.asked is not None else pd.DataFrame(columns=upload_requests.ASKED_COLUMNS)
    if asked.empty and not merged.book.plan.sign_off_review:  # nothing asked, nothing automatic: the common upload
        return merged
    fresh = _fresh_reports(base, merged.book) if merged.book.plan.sign_off_review else merged.book.updates.iloc[:0]
    events, problems = upload_requests.requests(merged.book, change.account, asked, fresh, today)
    book = replace(merged.book, supervision=supervision.with_events(merged.book, events)) if events else merged.book
    return replace(merged, book=book, problems=merged.problems + problems)


def _fresh_reports(base: Base, book: Book) -> pd.DataFrame:
    """The upload's reports a merge adds or changes: a row sent again as it is saved brings nothing new."""
    uploaded = book.updates[uploaded_rows(book.updates)]
    if base.book is None or uploaded.empty:
        return uploaded
    saved = base.book.updates
    keys = pd.MultiIndex.from_frame(uploaded[UPDATE_KEY])
    added, changed, _, _ = diff_keyed(saved[pd.MultiIndex.from_frame(saved[UPDATE_KEY]).isin(keys)], uploaded,
                                      UPDATE_KEY, UPDATE_VALUES)
    brought = pd.MultiIndex.from_frame(pd.concat([added[UPDATE_KEY], changed[UPDATE_KEY]], ignore_index=True))
    return uploaded[keys.isin(brought)]


def requests_not_read(change: Change, upload_raw: RawWorkbook) -> list[Problem]:
    """A warning when a 整体替换 carries filled 申请事项 columns: only a merge files requests (an admin's whole
    workbook is a correction of the data, not a unit asking for something)."""
    sheet = upload_raw.sheets.get(schema.SHEET_UPDATES)
    headers = {schema.normalise_header(c.header) for c in schema.REQUEST_COLUMNS}
    if change.kind == MERGE or sheet is None or not headers & {schema.normalise_header(n) for n in sheet.extra_columns}:
        return []
    return [file_warning("整体替换不受理「进展」表中「申请事项」「申请完成时限」「佐证材料」列的申请，这些列不予保存。"
                         "如需提出申请，请以「合并」方式上传，或在处室页提交。", "requests-not-read", schema.SHEET_UPDATES)]
