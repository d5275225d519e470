"""A change to the shared workbook, previewed: exactly what a save would write, built and checked once.

The flow runs one way:

1. the base workbook comes from a cache keyed by its content hash (read and validated once);
2. the upload is checked (``lib.filecheck``) and read on its own;
3. merge, diff and the cross-row checks work on frames;
4. when the person confirms, the new workbook's bytes are built once, then read back and
   validated (``Preview.ensure_built``), so no save can ever leave a workbook that does not load.

``lib.store.persist.save`` builds them before it takes the lock, then writes them if, and only
if, the file on disk is still the one the preview was built on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import pandas as pd
from filelock import FileLock, Timeout

from lib import filecheck, schema, settings, supervision, validate
from lib.accounts import Account
from lib.model import ERROR, ORIGIN, ORIGIN_SAVED, ORIGIN_UPLOAD, ROW, WARNING, Book, Problem, sort_problems
from lib.store.base import Base, read_base, remember_base
from lib.store.diff import (
    UPDATE_KEY,
    UPDATE_VALUES,
    diff_keyed,
    display_text,
    other_changes,
    progress_movement,
    sheet_keys,
)
from lib.store.persist import (
    DELETE,
    MERGE,
    REPLACE,
    RESTORE,
    SUPERVISE,
    SaveResult,
    content_hash,
    lock_path,
    refusal,
    save,
    save_locked,
)
from lib.supervision import upload_requests
from lib.workbook import (
    RawSheet,
    RawWorkbook,
    WorkbookError,
    read_raw,
    read_sheet_values,
    supervision_sheet,
    workbook_bytes,
)


@dataclass(frozen=True)
class Change:
    """What a person asked for: the same request can be previewed again against a newer workbook."""

    kind: str  # MERGE | REPLACE | DELETE | RESTORE | SUPERVISE
    account: Account  # who asks, with the rights the change is checked against
    upload: bytes | None = None  # MERGE / REPLACE / RESTORE: the workbook bytes
    filename: str = ""
    delete_keys: tuple[tuple, ...] = ()  # DELETE: (date, task_id, unit) keys
    label: str = ""  # what 版本记录 calls the change, e.g. 方案导入（新方案）; blank: the kind's own label
    events: tuple[supervision.Event, ...] = ()  # SUPERVISE: the requests or decisions to append, numbered on preview


@dataclass
class Preview:
    """Exactly what a save would change, computed against the workbook with hash ``base_hash``."""

    change: Change
    base_hash: str
    problems: list[Problem] = field(default_factory=list)
    added: pd.DataFrame = field(default_factory=pd.DataFrame)
    changed: pd.DataFrame = field(default_factory=pd.DataFrame)  # old → new side by side
    unchanged: int = 0
    removed: pd.DataFrame = field(default_factory=pd.DataFrame)
    other_changes: pd.DataFrame = field(default_factory=pd.DataFrame)  # 任务/处室/方案: sheet, key, what, old, new
    movement: pd.DataFrame = field(default_factory=pd.DataFrame)  # scope, name, before, after, delta
    merged: bytes | None = None  # the workbook that would be saved, once built, read back and validated
    skipped: int = 0  # uploaded rows left out: a template row sent back unfilled
    notes: list[str] = field(default_factory=list)  # what the save does besides the rows listed, in Chinese
    supervision_added: pd.DataFrame = field(default_factory=pd.DataFrame)  # 督办 events the save appends
    builder: Callable[[], None] | None = field(default=None, repr=False)  # builds ``merged``; see ``ensure_built``

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def ready(self) -> bool:
        """The change was understood: what it does is known, and its file is built or can be."""
        return self.merged is not None or self.builder is not None

    @property
    def ok(self) -> bool:
        return self.ready and not self.errors

    def ensure_built(self) -> bool:
        """Build the new file and check it (read back, validated), once; True when it may be saved.

        Deferred from the preview to the save, which calls it before taking the lock: the person
        sees the preview sooner, and the file is still built once and checked before anything is written.
        """
        if self.merged is None and self.builder is not None and not self.errors:
            build, self.builder = self.builder, None
            build()
        return self.merged is not None and not self.errors

    @property
    def counts(self) -> dict[str, int]:
        counts = {"added": len(self.added), "changed": len(self.changed), "removed": len(self.removed),
                  "other": len(self.other_changes)}
        return counts | ({"supervision": len(self.supervision_added)} if len(self.supervision_added) else {})

    @property
    def has_changes(self) -> bool:
        return any(self.counts.values())


# ---- building the new workbook ---------------------------------------------------------


def _none_for_missing(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), None)

def plan_dict(sheet: RawSheet | None) -> dict[str, object]:
    """The 方案 sheet as key → value, cells as read (unknown keys kept)."""
    if sheet is None or "key" not in sheet.frame.columns:
        return {}
    plan: dict[str, object] = {}
    for key, value in zip(sheet.frame["key"], sheet.frame.get("value", pd.Series(dtype=object))):
        name = schema.normalise_header(key)
        if name and not validate.is_blank(value):
            plan[name] = value
    return plan

def book_frames(book: Book) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(units, tasks, updates) of a Book, ready for ``workbook.write_workbook``.

    Units that validation added only because a task named them (row None) are left out.
    """
    units = book.units[book.units[ROW].notna()] if ROW in book.units else book.units
    tasks = _none_for_missing(book.tasks[[c.field for c in schema.TASK_COLUMNS]])
    updates = book.updates.sort_values(["date", ROW]) if len(book.updates) else book.updates
    updates = _none_for_missing(updates[[c.field for c in schema.UPDATE_COLUMNS]])
    return units[[c.field for c in schema.UNIT_COLUMNS]], tasks, updates


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


def _event_ids(frame: pd.DataFrame) -> list[str]:
    return [validate.normalise_id(cell) for cell in frame.get("event_id", pd.Series("", index=frame.index))]


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


def _rewritten_events(before: Book | None, after: Book) -> list[Problem]:
    """A warning for each saved 督办 event an admin's file gives differently: events are appended, not edited,
    so a rewrite (a unit renamed, a task renumbered) is shown before it is saved."""
    if before is None or before.supervision.empty:
        return []
    fields = [c.field for c in schema.SUPERVISION_COLUMNS]
    saved = {r["event_id"]: [display_text(r[f]) for f in fields] for r in before.supervision.to_dict("records")}
    header = schema.header_of(schema.SHEET_SUPERVISION, "event_id")
    return [Problem(WARNING, schema.SHEET_SUPERVISION, r[ROW], header, r["event_id"],
                    f"督办记录「{r['event_id']}」与已保存的不同，保存后以上传文件为准（原记录仍在版本记录中）。",
                    code="supervision-row-rewritten", origin=r.get(ORIGIN, ""))
            for r in after.supervision.to_dict("records")
            if r["event_id"] in saved and [display_text(r[f]) for f in fields] != saved[r["event_id"]]]


def _caused_by_upload(problem: Problem) -> Problem:
    """An error on a saved row comes from this change (the saved workbook was valid), and says so."""
    if problem.origin == ORIGIN_SAVED and problem.is_error:
        return replace(problem, message=problem.message + "（由本次上传的改动引起）")
    return problem


def _problem(message: str, code: str, sheet: str = "") -> Problem:
    return Problem(ERROR, sheet, None, "", "", message, code=code)


def _warning(message: str, code: str, sheet: str = "", value: str = "") -> Problem:
    return Problem(WARNING, sheet, None, "", value, message, code=code)


def _rights_problems(change: Change, added: pd.DataFrame, changed: pd.DataFrame, removed: pd.DataFrame,
                     other: pd.DataFrame, rows_by_key: dict) -> list[Problem]:
    """Rows a reporter may not add or change: the message names the row and why."""
    account = change.account
    if account.is_admin:
        return []
    problems: list[Problem] = []
    if change.kind not in (MERGE, SUPERVISE):
        problems.append(_problem("只有管理员可以整体替换、删除或恢复版本。", "admin-only"))
    for sheet in other["工作表"].unique() if len(other) else []:
        problems.append(_problem(f"您的账号为处室填报，不能修改「{sheet}」表；该表的改动未采用，请联系管理员。", "sheet-admin-only", sheet))
    unit_header = schema.header_of(schema.SHEET_UPDATES, "unit")
    own = "、".join(account.units) or "无"
    for frame in (added, changed):
        for record in frame.to_dict("records"):
            if not account.may_report_for(record["unit"]):
                key = (record["date"], record["task_id"], record["unit"])
                problems.append(Problem(ERROR, schema.SHEET_UPDATES, rows_by_key.get(key), unit_header, record["unit"],
                                        f"「{record['unit']}」不在您的填报范围（{own}）内，本行不予保存。", code="unit-outside-account"))
    return problems


def _uploaded(updates: pd.DataFrame) -> pd.Series:
    """True for the rows of the upload (a replace has no saved rows, hence no ``ORIGIN`` column)."""
    if ORIGIN not in updates.columns:
        return pd.Series(True, index=updates.index)
    return updates[ORIGIN] != ORIGIN_SAVED


def _unfilled_template_rows(book: Book, before: Book | None) -> pd.Series:
    """Uploaded rows that repeat the unit's last 完成进度 and 状态 and say nothing new.

    A reporter's template comes pre-filled with every open assignment; sent back
    as it is, it would record a report for each. Without a last report the
    template shows 0 and the status that goes with it. True means skip the row.
    """
    updates = book.updates
    uploaded = updates[_uploaded(updates)]
    silent = uploaded[["progress_note", "problems", "next_steps"]].map(validate.is_blank).all(axis=1)
    candidates = uploaded[silent]
    if candidates.empty:
        return pd.Series(False, index=updates.index)
    saved = before.updates if before is not None else validate.empty_updates().assign(**{ROW: []})
    saved = saved[["date", "task_id", "unit", "progress", "status"]].rename(
        columns={"date": "last_date", "progress": "last_progress", "status": "last_status"}).sort_values("last_date")
    keys = {"task_id": "string", "unit": "string"}
    with_last = pd.merge_asof(
        candidates.reset_index().astype(keys).assign(date=lambda f: pd.to_datetime(f["date"])).sort_values("date"),
        saved.astype(keys).assign(last_date=pd.to_datetime(saved["last_date"])),
        left_on="date", right_on="last_date", by=["task_id", "unit"], direction="backward",
    ).set_index("index")
    last_progress = with_last["last_progress"].astype(float).fillna(0.0)
    last_status = with_last["last_status"].where(with_last["last_status"].notna(),
                                                 last_progress.map(schema.status_from_progress))
    same = (with_last["progress"].astype(float) == last_progress) & (with_last["status"] == last_status)
    return pd.Series(False, index=updates.index).where(~updates.index.isin(same[same].index), True)

def _skip_rows(book: Book, skip: pd.Series, before: Book | None) -> Book:
    """``book`` without the skipped uploaded rows; a saved row with the same key comes back as it was."""
    skipped = book.updates[skip]
    restored = pd.DataFrame(columns=book.updates.columns)
    if before is not None and len(skipped):
        keys = set(zip(skipped["date"], skipped["task_id"], skipped["unit"]))
        saved = before.updates
        mask = [k in keys for k in zip(saved["date"], saved["task_id"], saved["unit"])]
        restored = saved[mask].assign(**{ORIGIN: ORIGIN_SAVED})
    updates = book.updates[~skip]
    if len(restored):
        updates = pd.concat([updates, restored], ignore_index=True).sort_values(["date", ROW])
    return replace(book, updates=updates.reset_index(drop=True))


def _outside_contract(current_raw: RawWorkbook | None, carried: list[str]) -> list[Problem]:
    """Warnings for what the current file holds outside the contract and the save will not keep."""
    if current_raw is None:
        return []
    kept_in_history = "原文件会完整存入版本记录，可在「版本记录」页下载。"
    problems = []
    for name, sheet in current_raw.sheets.items():
        for column in sheet.extra_columns:
            problems.append(_warning(f"共享工作簿「{name}」表中的「{column}」列不在工作簿约定之内，保存后不再保留。"
                                     + kept_in_history, "column-not-kept", name, column))
    for name in current_raw.other_sheets:
        if name not in carried and not name.startswith("_"):
            problems.append(_warning(f"共享工作簿中的工作表「{name}」不在本次上传的文件中，保存后不再保留。" + kept_in_history, "sheet-not-kept",
                                     value=name))
    return problems


def _set_reporters(book: Book, account: Account, result: Preview) -> list[Problem]:
    """填报人 of the uploaded rows: a reporter's rows are theirs, whatever the file says; an admin may
    enter reports for others, so the file's names stay and the preview says so. Blank means the uploader.

    Saved rows stay as they are. Returns a warning per row whose 填报人 was changed.
    """
    updates = book.updates
    uploaded = _uploaded(updates)
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

def _without_keys(book: Book, keys: tuple[tuple, ...]) -> Book:
    wanted = {(pd.Timestamp(d), str(t), str(u)) for d, t, u in keys}
    updates = book.updates
    keep = [(d, t, u) not in wanted for d, t, u in zip(updates["date"], updates["task_id"], updates["unit"])]
    return replace(book, updates=updates[keep].reset_index(drop=True))


# ---- the preview, step by step -------------------------------------------------------


@dataclass
class _Merged:
    """A change applied to the base, before it is compared with the base."""

    book: Book
    plan: dict[str, object]
    problems: list[Problem]
    rows_by_key: dict  # (date, task_id, unit) → Excel row of the uploaded row, for rights messages
    carry_from: RawWorkbook | None  # the workbook whose extra sheets the save keeps
    asked: pd.DataFrame | None = None  # MERGE: the uploaded rows with a request cell (``upload_requests.asked_rows``)


def preview(current: bytes | None, change: Change, today: dt.date | None = None,
            progress: Callable[[str], None] | None = None) -> Preview:
    """What ``change`` would do to the workbook whose bytes are ``current`` (None: no workbook yet).

    ``progress`` is told each step as it starts (读取, 校验, 比对), for a person waiting on a large workbook.
    """
    today = today or dt.date.today()
    step = progress or (lambda _: None)
    step("读取共享工作簿")
    base = read_base(current, today)
    result = Preview(change=change, base_hash=base.hash)
    if change.kind in (MERGE, DELETE, SUPERVISE) and base.book is None:
        result.problems = [
            _problem("尚无共享工作簿，暂不能合并或删除。请管理员以「整体替换」上传完整工作簿。", "no-shared-workbook")
            if current is None else
            _problem("共享工作簿当前存在错误，暂不能合并或删除。请管理员先以「整体替换」或「恢复版本」修复。",
                     "shared-workbook-invalid")]
        return result
    merged: _Merged | None
    if change.kind == DELETE:
        merged = _deleted(base, change)
    elif change.kind == SUPERVISE:
        merged = _supervised(base, change, result)
        if merged is None:
            return result
    else:
        step("读取上传文件")
        upload_raw = _read_upload(change, result)
        if upload_raw is None:
            return result
        step("校验合并后的数据")
        merged = _merged(base, upload_raw, change, result, today)
        if merged is None:
            return result
        if change.kind == MERGE:
            merged = _with_requests(base, merged, change, today)
    step("比对改动")
    _compare(base, merged, change, result, today)
    if not result.errors:
        result.builder = partial(_build, base, merged, result, today)
    return result


def _deleted(base: Base, change: Change) -> _Merged:
    assert base.book is not None and base.raw is not None
    plan = plan_dict(base.raw.sheets.get(schema.SHEET_PLAN))
    return _Merged(_without_keys(base.book, change.delete_keys), plan, [], {}, base.raw)


def _supervised(base: Base, change: Change, result: Preview) -> _Merged | None:
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
    return _Merged(book, plan_dict(base.raw.sheets.get(schema.SHEET_PLAN)), [], {}, base.raw)


def _read_upload(change: Change, result: Preview) -> RawWorkbook | None:
    """The uploaded workbook as read, or None with the refusal in ``result.problems``."""
    max_rows = None if change.account.is_admin else settings.value("KANBAN_MAX_REPORTER_ROWS")
    refusal = filecheck.check_upload(change.upload or b"", max_rows=max_rows)
    if refusal:
        result.problems = [refusal]
        return None
    try:
        upload_raw = read_raw(change.upload or b"")
    except WorkbookError as exc:
        result.problems = [_problem(str(exc), exc.code)]
        return None
    if not upload_raw.sheets:
        result.problems = [_problem("工作簿中没有可识别的工作表（方案、处室、任务、进展）。请使用下载的填报模板填写后上传。",
                                    "no-known-sheet")]
        return None
    if schema.SHEET_SUPERVISION in upload_raw.sheets and not change.account.is_admin:
        result.problems = [_problem(f"上传文件含有「{schema.SHEET_SUPERVISION}」工作表。销号、延期的申请须在看板中逐项提交，"
                                    "不能通过上传文件填写；请删除该工作表后重新上传。", "supervision-sheet-refused",
                                    schema.SHEET_SUPERVISION)]
        return None
    updates = upload_raw.sheets.get(schema.SHEET_UPDATES)
    if change.kind == MERGE and updates is not None and updates.frame.empty and len(upload_raw.sheets) == 1 \
            and not updates.missing:
        result.problems = [_problem("「进展」工作表中没有任何填报记录，请填写后再上传。", "no-reports", schema.SHEET_UPDATES)]
        return None
    return upload_raw


def _merged(base: Base, upload_raw: RawWorkbook, change: Change, result: Preview, today: dt.date) -> _Merged | None:
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
    problems += _rewritten_events(base.book, parsed.book)
    book = parsed.book
    asked = None
    if change.kind == MERGE:  # before a row is skipped: a request on an unfilled row is refused, not dropped
        cells = upload_requests.read_cells(change.upload, upload_raw.sheets.get(schema.SHEET_UPDATES))
        asked = upload_requests.asked_rows(cells, book.updates[_uploaded(book.updates)])
        skip = _unfilled_template_rows(book, base.book)
        if skip.any():
            skipped_rows = set(book.updates.loc[skip, ROW])
            book = _skip_rows(book, skip, base.book)
            problems = [p for p in problems if not (p.sheet == schema.SHEET_UPDATES and p.origin != ORIGIN_SAVED
                                                    and p.row in skipped_rows)]
            result.skipped = int(skip.sum())
            result.notes.append(f"未填写进展情况且进度未变化的 {result.skipped} 行未计入"
                                "（与该处室上次报送的完成进度、状态相同，进展情况、存在问题、下步计划均为空）。")
        problems += _set_reporters(book, change.account, result)
    uploaded = book.updates[_uploaded(book.updates)]
    rows_by_key = {(d, t, u): r for d, t, u, r in zip(uploaded["date"], uploaded["task_id"], uploaded["unit"], uploaded[ROW])}
    plan = plan_dict(merged_raw.sheets.get(schema.SHEET_PLAN))
    return _Merged(book, plan, problems + _requests_not_read(change, upload_raw), rows_by_key,
                   upload_raw if replacing else base.raw, asked)


def _requests_not_read(change: Change, upload_raw: RawWorkbook) -> list[Problem]:
    """A warning when a 整体替换 carries filled 申请事项 columns: only a merge files requests (an admin's whole
    workbook is a correction of the data, not a unit asking for something)."""
    sheet = upload_raw.sheets.get(schema.SHEET_UPDATES)
    headers = {schema.normalise_header(c.header) for c in schema.REQUEST_COLUMNS}
    if change.kind == MERGE or sheet is None or not headers & {schema.normalise_header(n) for n in sheet.extra_columns}:
        return []
    return [_warning("整体替换不受理「进展」表中「申请事项」「申请完成时限」「佐证材料」列的申请，这些列不予保存。"
                     "如需提出申请，请以「合并」方式上传，或在处室页提交。", "requests-not-read", schema.SHEET_UPDATES)]


def _fresh_reports(base: Base, book: Book) -> pd.DataFrame:
    """The upload's reports a merge adds or changes: a row sent again as it is saved brings nothing new."""
    uploaded = book.updates[_uploaded(book.updates)]
    if base.book is None or uploaded.empty:
        return uploaded
    saved = base.book.updates
    keys = pd.MultiIndex.from_frame(uploaded[UPDATE_KEY])
    added, changed, _, _ = diff_keyed(saved[pd.MultiIndex.from_frame(saved[UPDATE_KEY]).isin(keys)], uploaded,
                                      UPDATE_KEY, UPDATE_VALUES)
    brought = pd.MultiIndex.from_frame(pd.concat([added[UPDATE_KEY], changed[UPDATE_KEY]], ignore_index=True))
    return uploaded[keys.isin(brought)]


def _with_requests(base: Base, merged: _Merged, change: Change, today: dt.date) -> _Merged:
    """The merge with the requests its rows ask for appended to 督办, and with 销号审核 = 是 the automatic 销号申请
    of the reports it brings to 100 (``lib.supervision.upload_requests``); refused requests are errors of their rows."""
    asked = merged.asked if merged.asked is not None else pd.DataFrame(columns=upload_requests.ASKED_COLUMNS)
    if asked.empty and not merged.book.plan.sign_off_review:  # nothing asked, nothing automatic: the common upload
        return merged
    fresh = _fresh_reports(base, merged.book) if merged.book.plan.sign_off_review else merged.book.updates.iloc[:0]
    events, problems = upload_requests.requests(merged.book, change.account, asked, fresh, today)
    book = replace(merged.book, supervision=supervision.with_events(merged.book, events)) if events else merged.book
    return replace(merged, book=book, problems=merged.problems + problems)


def _carried_sheets(base: Base, merged: _Merged, change: Change) -> list[str]:
    """The extra sheets (beyond the contract's) the save keeps: the base's on merge and delete, the upload's on replace."""
    names = [n for n in (merged.carry_from.other_sheets if merged.carry_from else []) if not n.startswith("_")]
    return [] if change.kind == MERGE and merged.carry_from is not base.raw else names


def _compare(base: Base, merged: _Merged, change: Change, result: Preview, today: dt.date) -> None:
    """Fill ``result`` with what changes between the base and the merged book, and the rights problems."""
    before_updates, dropped = base.saved_updates()
    after_updates = merged.book.updates
    untouched = 0
    if change.kind == MERGE:
        # A merge changes only the keys it uploads: compare those rows, count the rest as unchanged.
        uploaded = pd.MultiIndex.from_frame(after_updates.loc[_uploaded(after_updates), UPDATE_KEY])
        before_touched = pd.MultiIndex.from_frame(before_updates[UPDATE_KEY]).isin(uploaded)
        after_touched = pd.MultiIndex.from_frame(after_updates[UPDATE_KEY]).isin(uploaded)
        untouched = int((~before_touched).sum())
        if int((~after_touched).sum()) != untouched:
            untouched = -1  # a saved row went missing: the guard below stops the save
        before_updates, after_updates = before_updates[before_touched], after_updates[after_touched]
    added, changed, unchanged, removed = diff_keyed(before_updates, after_updates, UPDATE_KEY, UPDATE_VALUES)
    unchanged += max(untouched, 0)
    plan_before = plan_dict(base.raw.sheets.get(schema.SHEET_PLAN)) if base.raw else {}
    other = other_changes(base.book, merged.book, plan_before, merged.plan, base.raw)
    rights = _rights_problems(change, added, changed, removed, other, merged.rows_by_key)
    if change.kind == MERGE and (len(removed) or untouched < 0):
        rights.append(_problem("内部错误：合并不应删除任何进展记录，已停止保存。", "merge-removed-rows"))  # a bug guard
    carried = _carried_sheets(base, merged, change)
    result.problems = sort_problems(merged.problems + rights + _outside_contract(base.raw, carried))
    if len(dropped):
        result.notes.append(f"共享工作簿中有 {len(dropped)} 行进展记录不会保留（见「将被删除的进展记录」的说明列）。")
    result.added, result.changed, result.unchanged = added, changed, unchanged
    result.removed = pd.concat([removed.assign(说明=""), dropped], ignore_index=True) if len(dropped) else removed
    result.other_changes = other
    if change.kind != SUPERVISE:  # a SUPERVISE preview lists its events already
        saved_ids = set(base.book.supervision["event_id"]) if base.book is not None else set()
        events = merged.book.supervision
        result.supervision_added = events[~events["event_id"].isin(saved_ids)].drop(columns=[ROW, ORIGIN], errors="ignore")
    result.movement = progress_movement(base.snapshot(today), merged.book, today)


def _build(base: Base, merged: _Merged, result: Preview, today: dt.date) -> None:
    """The new workbook's bytes, built once and read back: a file that would not load is never offered for saving."""
    units, tasks, updates = book_frames(merged.book)
    carried = _carried_sheets(base, merged, result.change)
    extra = read_sheet_values(merged.carry_from.source, carried) if carried and merged.carry_from else None
    data = workbook_bytes(merged.plan, units, tasks, updates, {**supervision_sheet(merged.book.supervision), **(extra or {})})
    try:
        raw = read_raw(data, measure_sheets=False)  # written just now from the rows above: its extent is theirs
    except WorkbookError as exc:
        result.problems.append(_problem(f"保存前复核未通过，未保存：{exc}", "recheck-failed"))
        return
    checked = validate.parse(raw, today=today)
    if not checked.ok:
        result.problems.extend(
            Problem(ERROR, p.sheet, None, p.column, p.value, f"保存前复核未通过，未保存：{p.message}",
                    code="recheck-failed") for p in checked.errors)
        return
    result.merged = data
    # After the save this is the base of the next preview: it need not be read again.
    remember_base(Base(content_hash(data), raw, checked.book, checked), today)


APPLY_TRIES_WITHOUT_LOCK = 3


def apply(path: Path, change: Change, today: dt.date | None = None) -> SaveResult:
    """Preview ``change`` against the workbook at ``path`` and save it, for callers that confirm nothing (CLI --yes).

    When someone else saves in between, the change is previewed again against their version. Under
    heavy contention every new preview can be overtaken; after a few tries the change is previewed and
    saved under the lock, which then waits for one preview (seconds), so a batch job always gets through.
    """
    path = Path(path)
    for _ in range(APPLY_TRIES_WITHOUT_LOCK):
        result = save(path, preview(path.read_bytes() if path.exists() else None, change, today))
        if not result.stale:
            return result
    try:
        with FileLock(str(lock_path(path)), timeout=settings.value("KANBAN_LOCK_TIMEOUT_SECONDS")):
            shown = preview(path.read_bytes() if path.exists() else None, change, today)
            return refusal(shown) or save_locked(path, shown)
    except Timeout:
        return SaveResult(False, "其他人正在保存，请稍后再试。", result.preview)
