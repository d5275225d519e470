"""Locked, atomic, versioned saves of the shared workbook; merge, audit log, upload checks.

Every write of the shared workbook goes through :func:`save`:

1. take the lock file beside the workbook (``filelock``, across processes);
2. re-read the workbook and compare its content hash with the one the
   preview was made from; if it changed, recompute and return the new
   preview instead of saving (never overwrite silently);
3. copy the current version to ``<workbook dir>/history/`` (timestamp, user
   and content hash in the name), write a temp file in the same directory,
   fsync it, ``os.replace`` it over the workbook;
4. append one JSON line to ``<workbook dir>/audit.jsonl``.

A crash at any point leaves either the old or the new complete workbook.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import time
import tomllib
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from filelock import FileLock, Timeout

from lib import accounts, metrics, schema, validate
from lib.model import ERROR, ROW, WARNING, Book, Problem, sort_problems
from lib.workbook import (
    RawSheet,
    RawWorkbook,
    WorkbookError,
    check_extent,
    read_raw,
    read_sheet_values,
    workbook_bytes,
)

MERGE, REPLACE, DELETE, RESTORE = "merge", "replace", "delete", "restore"
ACTION_LABELS = {MERGE: "上传合并", REPLACE: "整体替换", DELETE: "删除进展", RESTORE: "恢复版本"}

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # zip-bomb guard: summed size of all entries
MAX_ZIP_ENTRIES = 5000
LOCK_TIMEOUT_SECONDS = 60
PAUSE_ENV = "KANBAN_TEST_PAUSE_BEFORE_REPLACE"  # crash test only: sleep (s) between temp write and replace

UPDATE_KEY = ["date", "task_id", "unit"]
UPDATE_VALUES = ["progress", "status", "progress_note", "problems", "next_steps", "reporter"]
TASK_VALUES = ["section", "content", "units_text", "lead_text", "start", "deadline_text", "note"]
UNIT_VALUES = ["short", "groups"]
CURRENT_ROW_OFFSET = 10_000_000  # rows of the shared workbook, told apart from the upload's


# ---- paths and hashes -----------------------------------------------------------


def lock_path(workbook: Path) -> Path:
    return workbook.with_name(workbook.name + ".lock")


def history_dir(workbook: Path) -> Path:
    return workbook.parent / "history"


def audit_path(workbook: Path) -> Path:
    return workbook.parent / "audit.jsonl"


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def max_upload_bytes(config: Path = Path(".streamlit/config.toml")) -> int:
    """server.maxUploadSize (MB) from the Streamlit config, in bytes; 20 MB when unset."""
    megabytes = 20
    try:
        with config.open("rb") as handle:
            megabytes = int(tomllib.load(handle).get("server", {}).get("maxUploadSize", megabytes))
    except (OSError, tomllib.TOMLDecodeError, ValueError):
        pass
    return megabytes * 1024 * 1024


# ---- upload safety ----------------------------------------------------------------

def check_upload(data: bytes, max_bytes: int | None = None) -> str | None:
    """Why an uploaded file is refused before it is read, in Chinese; None when it may be read.

    Checks size, the .xlsx magic bytes, that the zip opens, the summed
    uncompressed size (zip bomb), macros, and each sheet's real extent (``workbook.check_extent``).
    """
    max_bytes = max_bytes or max_upload_bytes()
    if not data:
        return "上传的文件为空，请选择填写好的 .xlsx 工作簿。"
    if len(data) > max_bytes:
        return f"文件大小 {len(data) / 1048576:.1f} MB，超过上限 {max_bytes // 1048576} MB，请删除无关内容后重新上传。"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "这是旧版 Excel（.xls）或加密文件，请在 Excel 中另存为 .xlsx 格式后重新上传。"
    if not data.startswith(b"PK\x03\x04"):
        return "文件不是 Excel 工作簿（.xlsx）。如为 CSV 或其他格式，请在 Excel 中另存为 .xlsx 后重新上传。"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return "文件已损坏或未完整上传，无法打开，请在 Excel 中重新保存后上传。"
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            return "文件内部结构异常（条目过多），已拒绝，请在 Excel 中重新保存后上传。"
        names = [entry.filename.lower() for entry in entries]
        if any(name.endswith("vbaproject.bin") for name in names):
            return "文件含有宏（VBA），出于安全考虑不予接收。请另存为不含宏的 .xlsx 工作簿后重新上传。"
        if "xl/workbook.xml" not in names:
            return "文件不是有效的 Excel 工作簿（缺少工作簿内容），请在 Excel 中另存为 .xlsx 后重新上传。"
        total = sum(entry.file_size for entry in entries)
        if total > MAX_UNCOMPRESSED_BYTES:
            return (f"文件解压后达 {total / 1048576:.0f} MB，超过上限 {MAX_UNCOMPRESSED_BYTES // 1048576} MB，"
                    "疑似异常文件，已拒绝。请只保留填报所需的工作表后重新上传。")
        try:
            bad_member = archive.testzip()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            bad_member = "?"
        if bad_member:
            return "文件已损坏或未完整上传（内容校验失败），请在 Excel 中重新保存后上传。"
    return check_extent(data)


# ---- Book → frames for writing ----------------------------------------------------


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


# ---- merge ------------------------------------------------------------------------


@dataclass
class Change:
    """What a person asked for: the same request can be previewed again against a newer workbook."""

    kind: str  # MERGE | REPLACE | DELETE | RESTORE
    user: str
    is_admin: bool
    units: tuple[str, ...] = ()  # a reporter's own units
    upload: bytes | None = None  # MERGE / REPLACE / RESTORE: the workbook bytes
    filename: str = ""
    delete_keys: tuple[tuple, ...] = ()  # DELETE: (date, task_id, unit) keys

    @property
    def account(self) -> accounts.Account:
        """The rights this change is made with (one way to check them: ``Account.may_report_for``)."""
        role = accounts.ROLE_ADMIN if self.is_admin else accounts.ROLE_REPORTER
        return accounts.Account(self.user, role, tuple(self.units))


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
    merged: bytes | None = None  # the workbook that would be saved
    skipped: int = 0  # uploaded rows left out: a template row sent back unfilled
    notes: list[str] = field(default_factory=list)  # what the save does besides the rows listed, in Chinese

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def ok(self) -> bool:
        return self.merged is not None and not self.errors

    @property
    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "changed": len(self.changed), "removed": len(self.removed),
                "other": len(self.other_changes)}

    @property
    def has_changes(self) -> bool:
        return any(self.counts.values())


def _key_of_update(values: dict) -> tuple | None:
    try:
        day = validate.parse_date(values.get("date"))
    except (ValueError, TypeError):
        return None
    return (pd.Timestamp(day) if day else None, validate.normalise_id(values.get("task_id", "")),
            validate.cell_text(values.get("unit", "")))


def _sheet_keys(sheet_name: str, frame: pd.DataFrame) -> list:
    records = frame.to_dict("records")
    if sheet_name == schema.SHEET_UPDATES:
        return [_key_of_update(r) for r in records]
    if sheet_name == schema.SHEET_TASKS:
        return [validate.normalise_id(r.get("task_id", "")) for r in records]
    if sheet_name == schema.SHEET_UNITS:
        return [validate.cell_text(r.get("unit", "")) for r in records]
    return [schema.normalise_header(r.get("key", "")) for r in records]


def _merge_raw(current: RawWorkbook | None, upload: RawWorkbook, replace: bool) -> RawWorkbook:
    """The upload's sheets, plus (unless replacing) every current row whose key the upload does not carry.

    Current rows get ``CURRENT_ROW_OFFSET`` added to their row number, so a problem
    can say whether it is about the upload or about what is already saved.
    """
    if current is None:
        return upload
    if replace:
        sheets = dict(upload.sheets)
        if schema.SHEET_PLAN not in sheets and schema.SHEET_PLAN in current.sheets:
            sheets[schema.SHEET_PLAN] = current.sheets[schema.SHEET_PLAN]
        return RawWorkbook(sheets=sheets, source=upload.source, other_sheets=upload.other_sheets)
    sheets: dict[str, RawSheet] = {}
    for name in schema.SHEETS:
        mine, theirs = upload.sheets.get(name), current.sheets.get(name)
        if theirs is not None:
            theirs = RawSheet(name, theirs.header_row, theirs.frame.assign(**{ROW: theirs.frame[ROW] + CURRENT_ROW_OFFSET}),
                              theirs.missing)
        if mine is None or theirs is None or mine.missing:
            if mine is not None or theirs is not None:
                sheets[name] = mine if mine is not None else theirs
            continue
        upload_keys = {k for k in _sheet_keys(name, mine.frame) if k is not None}
        kept = theirs.frame[[k not in upload_keys for k in _sheet_keys(name, theirs.frame)]]
        frame = pd.concat([kept, mine.frame], ignore_index=True)
        sheets[name] = RawSheet(name, mine.header_row, frame, [])
    return RawWorkbook(sheets=sheets, source=upload.source, other_sheets=upload.other_sheets)


def _relabel(problem: Problem) -> Problem:
    """A problem about a saved row names that row as Excel shows it in the shared workbook."""
    message = re.sub(r"第(\d{8,})行", lambda m: f"第{int(m.group(1)) - CURRENT_ROW_OFFSET}行（已保存）", problem.message)
    if problem.row is not None and problem.row >= CURRENT_ROW_OFFSET:
        # An error on a saved row comes from this change (the saved workbook was valid); a warning may be old.
        suffix = "（由本次上传的改动引起）" if problem.is_error else ""
        return Problem(problem.level, f"{problem.sheet}（已保存的数据）", problem.row - CURRENT_ROW_OFFSET,
                       problem.column, problem.value, message + suffix)
    return Problem(problem.level, problem.sheet, problem.row, problem.column, problem.value, message)


def _diff_keyed(before: pd.DataFrame, after: pd.DataFrame, key: list[str], values: list[str]):
    """(added, changed, unchanged count, removed) between two frames keyed by ``key``.

    ``changed`` has ``<field>_旧`` / ``<field>_新`` columns side by side for every value field.
    """
    def texts(frame: pd.DataFrame) -> pd.DataFrame:
        shown = frame[key + values].copy()
        for column in values:
            shown[column] = shown[column].map(_display)
        return shown

    old, new = texts(before), texts(after)
    joined = old.merge(new, on=key, how="outer", suffixes=("_旧", "_新"), indicator=True)
    added = joined[joined["_merge"] == "right_only"]
    removed = joined[joined["_merge"] == "left_only"]
    both = joined[joined["_merge"] == "both"]
    differs = pd.Series(False, index=both.index)
    for column in values:
        differs |= both[f"{column}_旧"] != both[f"{column}_新"]
    changed = both[differs]
    added = added[key + [f"{c}_新" for c in values]].rename(columns=lambda c: c.removesuffix("_新"))
    removed = removed[key + [f"{c}_旧" for c in values]].rename(columns=lambda c: c.removesuffix("_旧"))
    side_by_side = key + [f"{c}_{s}" for c in values for s in ("旧", "新")]
    return (added.reset_index(drop=True), changed[side_by_side].reset_index(drop=True),
            int((~differs).sum()), removed.reset_index(drop=True))


def _display(value: object) -> str:
    if isinstance(value, list):
        return "、".join(value)
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return "" if value != value else f"{value:g}"
    return validate.cell_text(value)


def _raw_keyed(raw: RawWorkbook | None, sheet: str, key: str, values: list[str]) -> pd.DataFrame:
    """A sheet of a workbook that does not parse, keyed like ``_sheet_keys``: cells as text, first of a key kept."""
    found = raw.sheets.get(sheet) if raw else None
    if found is None:
        return pd.DataFrame(columns=[key, *values])
    frame = pd.DataFrame({column: found.frame.get(column, "") for column in values},
                         index=found.frame.index).assign(**{key: _sheet_keys(sheet, found.frame)})
    return frame[frame[key] != ""].drop_duplicates(key)


def _other_changes(before: Book | None, after: Book, plan_before: dict, plan_after: dict,
                   before_raw: RawWorkbook | None = None) -> pd.DataFrame:
    """任务, 处室 and 方案 changes; when the current workbook does not parse, against its raw rows."""
    rows = []
    pairs = [
        (schema.SHEET_TASKS, before.tasks if before else _raw_keyed(before_raw, schema.SHEET_TASKS, "task_id", TASK_VALUES),
         after.tasks, "task_id", TASK_VALUES),
        (schema.SHEET_UNITS, before.units if before else _raw_keyed(before_raw, schema.SHEET_UNITS, "unit", UNIT_VALUES),
         after.units, "unit", UNIT_VALUES),
    ]
    for sheet, old, new, key, values in pairs:
        if ROW in new.columns:
            new = new[new[ROW].notna()]
        if ROW in old.columns:
            old = old[old[ROW].notna()]
        added, changed, _, removed = _diff_keyed(old, new, [key], values)
        header = {c.field: c.header for c in schema.SHEETS[sheet]}
        for record in added.to_dict("records"):
            rows.append({"工作表": sheet, "键": record[key], "改动": "新增", "原值": "", "新值": _summary(record, values, header)})
        for record in removed.to_dict("records"):
            rows.append({"工作表": sheet, "键": record[key], "改动": "删除", "原值": _summary(record, values, header), "新值": ""})
        for record in changed.to_dict("records"):
            for column in values:
                if record[f"{column}_旧"] != record[f"{column}_新"]:
                    rows.append({"工作表": sheet, "键": f"{record[key]}：{header[column]}", "改动": "修改",
                                 "原值": record[f"{column}_旧"], "新值": record[f"{column}_新"]})
    for name in dict.fromkeys([*plan_before, *plan_after]):
        old_value, new_value = _display(plan_before.get(name)), _display(plan_after.get(name))
        if old_value != new_value:
            what = "新增" if name not in plan_before else "删除" if name not in plan_after else "修改"
            rows.append({"工作表": schema.SHEET_PLAN, "键": name, "改动": what, "原值": old_value, "新值": new_value})
    return pd.DataFrame(rows, columns=["工作表", "键", "改动", "原值", "新值"])


def _summary(record: dict, values: list[str], header: dict[str, str]) -> str:
    return "；".join(f"{header[c]}：{record[c]}" for c in values if record.get(c))


def progress_movement(before: Book | None, after: Book, as_of: dt.date) -> pd.DataFrame:
    """Overall, section and unit progress before and after, percent 0–100; rows that move come first."""
    new = metrics.compute(after, as_of)
    old = metrics.compute(before, as_of) if before is not None else None
    rows = [{"范围": "总体", "名称": metrics.OVERALL, "之前": old.overall["progress"] if old else None,
             "之后": new.overall["progress"]}]
    old_sections = old.sections.set_index("label")["progress"] if old else pd.Series(dtype=float)
    for label, value in zip(new.sections["label"], new.sections["progress"]):
        rows.append({"范围": "板块", "名称": label, "之前": old_sections.get(label), "之后": value})
    old_units = old.units.set_index("unit")["progress"] if old else pd.Series(dtype=float)
    for unit, value in zip(new.units["unit"], new.units["progress"]):
        rows.append({"范围": "处室", "名称": unit, "之前": old_units.get(unit), "之后": value})
    table = pd.DataFrame(rows)
    table["之前"] = pd.to_numeric(table["之前"], errors="coerce").round(1)
    table["之后"] = pd.to_numeric(table["之后"], errors="coerce").round(1)
    table["变化"] = (table["之后"] - table["之前"]).round(1)
    return table


def _problem(message: str, sheet: str = "", row: int | None = None, column: str = "", value: str = "") -> Problem:
    return Problem(ERROR, sheet, row, column, value, message)


def _rights_problems(change: Change, added: pd.DataFrame, changed: pd.DataFrame, removed: pd.DataFrame,
                     other: pd.DataFrame, rows_by_key: dict) -> list[Problem]:
    """Rows a reporter may not add or change: the message names the row and why."""
    if change.is_admin:
        return []
    problems: list[Problem] = []
    if change.kind != MERGE:
        problems.append(_problem("只有管理员可以整体替换、删除或恢复版本。"))
    for sheet in other["工作表"].unique() if len(other) else []:
        problems.append(_problem(f"您的账号为处室填报，不能修改「{sheet}」表；该表的改动未采用，请联系管理员。", sheet))
    unit_header = schema.header_of(schema.SHEET_UPDATES, "unit")
    own = "、".join(change.units) or "无"
    account = change.account
    for frame in (added, changed):
        for record in frame.to_dict("records"):
            if not account.may_report_for(record["unit"]):
                key = (record["date"], record["task_id"], record["unit"])
                problems.append(Problem(ERROR, schema.SHEET_UPDATES, rows_by_key.get(key), unit_header, record["unit"],
                                        f"「{record['unit']}」不在您的填报范围（{own}）内，本行不予保存。"))
    return problems


def _load_current(current: bytes | None, today: dt.date) -> tuple[RawWorkbook | None, Book | None]:
    """The current workbook as read, and its Book when it is valid (None when unreadable or invalid)."""
    if current is None:
        return None, None
    try:
        raw = read_raw(current)
    except WorkbookError:
        return None, None
    result = validate.parse(raw, today=today)
    return raw, (result.book if result.ok else None)


DUPLICATE_NOTE = "与同一填报日期、编号、处室的另一行重复（以后一行为准），保存后不再保留"
UNREADABLE_NOTE = "原工作簿中有误、无法识别的行，保存后不再保留"


def _saved_updates(current_raw: RawWorkbook | None, current_book: Book | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(before, dropped): the saved 进展 rows a preview compares with, and the file's other rows.

    The saved workbook is rewritten from parsed rows, so a row of the file that is
    not among them (an earlier duplicate of a key, or a row that does not parse
    when the file is invalid) is lost by any save: ``dropped`` lists those rows,
    as text, with a 说明.
    """
    sheet = current_raw.sheets.get(schema.SHEET_UPDATES) if current_raw else None
    before = current_book.updates if current_book is not None else validate.empty_updates().assign(**{ROW: []})
    if sheet is None:
        return before, pd.DataFrame(columns=[*UPDATE_KEY, *UPDATE_VALUES, "说明"])
    raw = sheet.frame
    keys = [k if k and k[0] is not None and k[1] and k[2] else None for k in _sheet_keys(schema.SHEET_UPDATES, raw)]
    rows = pd.DataFrame({
        "date": [k[0] if k else validate.cell_text(d) for k, d in zip(keys, raw.get("date", [""] * len(raw)))],
        "task_id": [k[1] if k else validate.normalise_id(t) for k, t in zip(keys, raw.get("task_id", [""] * len(raw)))],
        "unit": [k[2] if k else validate.cell_text(u) for k, u in zip(keys, raw.get("unit", [""] * len(raw)))],
        **{column: raw.get(column, "") for column in UPDATE_VALUES},
        ROW: raw[ROW], "keyed": [k is not None for k in keys],
    }, index=raw.index)
    if current_book is None:
        before = rows[rows["keyed"]].drop_duplicates(UPDATE_KEY, keep="last")
    dropped = rows[~rows[ROW].isin(set(before[ROW]))]
    kept_keys = set(zip(before["date"], before["task_id"], before["unit"]))
    reasons = [DUPLICATE_NOTE if keyed and key in kept_keys else UNREADABLE_NOTE
               for keyed, key in zip(dropped["keyed"], zip(dropped["date"], dropped["task_id"], dropped["unit"]))]
    shown = dropped[UPDATE_KEY + UPDATE_VALUES].copy()
    for column in UPDATE_VALUES:
        shown[column] = shown[column].map(_display)
    return before, shown.assign(说明=reasons).reset_index(drop=True)


def _unfilled_template_rows(book: Book, before: Book | None) -> pd.Series:
    """Uploaded rows that repeat the unit's last 完成进度 and 状态 and say nothing new.

    A reporter's template comes pre-filled with every open assignment; sent back
    as it is, it would record a report for each. Without a last report the
    template shows 0 and the status that goes with it. True means skip the row.
    """
    updates = book.updates
    uploaded = updates[ROW] < CURRENT_ROW_OFFSET
    silent = updates[["progress_note", "problems", "next_steps"]].map(validate.is_blank).all(axis=1)
    candidates = updates[uploaded & silent]
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
        restored = saved[mask].assign(**{ROW: saved.loc[mask, ROW] + CURRENT_ROW_OFFSET})
    updates = book.updates[~skip]
    if len(restored):
        updates = pd.concat([updates, restored], ignore_index=True).sort_values(["date", ROW])
    return Book(plan=book.plan, units=book.units, tasks=book.tasks, updates=updates.reset_index(drop=True),
                assignments=book.assignments, sections=book.sections)


def _warning(message: str, sheet: str = "") -> Problem:
    return Problem(WARNING, sheet, None, "", "", message)


def _outside_contract(current_raw: RawWorkbook | None, carried: list[str]) -> list[Problem]:
    """Warnings for what the current file holds outside the contract and the save will not keep."""
    if current_raw is None:
        return []
    kept_in_history = "原文件会完整存入版本记录，可在「版本记录」页下载。"
    problems = []
    for name, sheet in current_raw.sheets.items():
        for column in sheet.extra_columns:
            problems.append(_warning(f"共享工作簿「{name}」表中的「{column}」列不在工作簿约定之内，保存后不再保留。"
                                     + kept_in_history, name))
    for name in current_raw.other_sheets:
        if name not in carried and not name.startswith("_"):
            problems.append(_warning(f"共享工作簿中的工作表「{name}」不在本次上传的文件中，保存后不再保留。" + kept_in_history))
    return problems


def preview(current: bytes | None, change: Change, today: dt.date | None = None) -> Preview:
    """What ``change`` would do to the workbook whose bytes are ``current`` (None: no workbook yet)."""
    today = today or dt.date.today()
    result = Preview(change=change, base_hash=content_hash(current) if current is not None else "")
    current_raw, current_book = _load_current(current, today)
    if change.kind in (MERGE, DELETE) and current_book is None:
        result.problems = [_problem(
            "尚无共享工作簿，暂不能合并或删除。请管理员以「整体替换」上传完整工作簿。" if current is None else
            "共享工作簿当前存在错误，暂不能合并或删除。请管理员先以「整体替换」或「恢复版本」修复。")]
        return result

    carry_from = current_raw
    if change.kind == DELETE:
        merged_book = _without_keys(current_book, change.delete_keys)
        plan_after = plan_dict(current_raw.sheets.get(schema.SHEET_PLAN))
        merged_problems: list[Problem] = []
        rows_by_key: dict = {}
    else:
        refusal = check_upload(change.upload or b"")
        if refusal:
            result.problems = [_problem(refusal)]
            return result
        try:
            upload_raw = read_raw(change.upload)
        except WorkbookError as exc:
            result.problems = [_problem(str(exc))]
            return result
        if not upload_raw.sheets:
            result.problems = [_problem("工作簿中没有可识别的工作表（方案、处室、任务、进展）。请使用下载的填报模板填写后上传。")]
            return result
        if change.kind == MERGE and schema.SHEET_UPDATES in upload_raw.sheets and \
                upload_raw.sheets[schema.SHEET_UPDATES].frame.empty and len(upload_raw.sheets) == 1 and \
                not upload_raw.sheets[schema.SHEET_UPDATES].missing:
            result.problems = [_problem("「进展」工作表中没有任何填报记录，请填写后再上传。", schema.SHEET_UPDATES)]
            return result
        replacing = change.kind in (REPLACE, RESTORE)
        if replacing:
            carry_from = upload_raw
            if schema.SHEET_PLAN not in upload_raw.sheets and current_raw and schema.SHEET_PLAN in current_raw.sheets:
                result.notes.append("上传文件没有「方案」工作表，已保留现有的方案设置。")
        merged_raw = _merge_raw(current_raw, upload_raw, replace=replacing)
        parsed = validate.parse(merged_raw, today=today)
        merged_problems = [_relabel(p) for p in parsed.problems]
        if parsed.book is None or parsed.errors:
            result.problems = sort_problems(merged_problems)
            return result
        merged_book = parsed.book
        if change.kind == MERGE:
            skip = _unfilled_template_rows(merged_book, current_book)
            if skip.any():
                skipped_rows = set(merged_book.updates.loc[skip, ROW])
                merged_book = _skip_rows(merged_book, skip, current_book)
                merged_problems = [p for p in merged_problems if p.row not in skipped_rows or "已保存" in p.sheet]
                result.skipped = int(skip.sum())
                result.notes.append(f"未填写进展情况且进度未变化的 {result.skipped} 行未计入"
                                    "（与该处室上次报送的完成进度、状态相同，进展情况、存在问题、下步计划均为空）。")
            _fill_reporter(merged_book, change.user)
        plan_after = plan_dict(merged_raw.sheets.get(schema.SHEET_PLAN))
        rows_by_key = {(d, t, u): r for d, t, u, r in zip(merged_book.updates["date"], merged_book.updates["task_id"],
                                                         merged_book.updates["unit"], merged_book.updates[ROW])}

    before_updates, dropped = _saved_updates(current_raw, current_book)
    added, changed, unchanged, removed = _diff_keyed(before_updates, merged_book.updates, UPDATE_KEY, UPDATE_VALUES)
    plan_before = plan_dict(current_raw.sheets.get(schema.SHEET_PLAN)) if current_raw else {}
    other = _other_changes(current_book, merged_book, plan_before, plan_after, current_raw)
    rights = _rights_problems(change, added, changed, removed, other, rows_by_key)
    if change.kind == MERGE and len(removed):
        rights.append(_problem("内部错误：合并不应删除任何进展记录，已停止保存。"))  # a bug guard, never expected
    carried = [n for n in (carry_from.other_sheets if carry_from else []) if not n.startswith("_")]
    if change.kind == MERGE and carry_from is not current_raw:
        carried = []
    result.problems = sort_problems(merged_problems + rights + _outside_contract(current_raw, carried))
    if len(dropped):
        result.notes.append(f"共享工作簿中有 {len(dropped)} 行进展记录不会保留（见「将被删除的进展记录」的说明列）。")
    result.added, result.changed, result.unchanged = added, changed, unchanged
    result.removed = pd.concat([removed.assign(说明=""), dropped], ignore_index=True) if len(dropped) else removed
    result.other_changes = other
    result.movement = progress_movement(current_book, merged_book, today)
    if not result.errors:
        units, tasks, updates = book_frames(merged_book)
        extra = read_sheet_values(carry_from.source, carried) if carried else None
        result.merged = workbook_bytes(plan_after, units, tasks, updates, extra)
    return result


def _fill_reporter(book: Book, user: str) -> None:
    """A blank 填报人 of an uploaded row becomes the account that uploads it (saved rows stay as they are)."""
    uploaded = book.updates[ROW] < CURRENT_ROW_OFFSET
    blank = book.updates["reporter"].map(validate.is_blank).astype(bool) & uploaded
    book.updates.loc[blank, "reporter"] = user


def _without_keys(book: Book, keys: tuple[tuple, ...]) -> Book:
    wanted = {(pd.Timestamp(d), str(t), str(u)) for d, t, u in keys}
    updates = book.updates
    keep = [(d, t, u) not in wanted for d, t, u in zip(updates["date"], updates["task_id"], updates["unit"])]
    return Book(plan=book.plan, units=book.units, tasks=book.tasks, updates=updates[keep].reset_index(drop=True),
                assignments=book.assignments, sections=book.sections)


# ---- save ----------------------------------------------------------------------


@dataclass
class SaveResult:
    saved: bool
    message: str
    preview: Preview  # the preview saved, or the recomputed one when the workbook changed meanwhile
    hash_after: str = ""


def _safe_name(user: str) -> str:
    return re.sub(r"[^\w\u4e00-\u9fff-]+", "_", user)[:40] or "unknown"


def _fsync_dir(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _write_atomically(path: Path, data: bytes) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with temp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        pause = os.environ.get(PAUSE_ENV)
        if pause:
            temp.with_suffix(".ready").write_text("ready")
            time.sleep(float(pause))
        os.replace(temp, path)
        _fsync_dir(path.parent)
    finally:
        if temp.exists():
            temp.unlink()


def _remove_stale_temps(path: Path) -> None:
    """Temp files of a save that crashed; we hold the lock, so none is in use."""
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    for marker in path.parent.glob(f".{path.name}.*.ready"):
        marker.unlink(missing_ok=True)


def keep_version(path: Path, data: bytes, user: str, when: dt.datetime) -> Path:
    """Copy the version about to be replaced into history/; its name carries time, user and hash."""
    folder = history_dir(path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{when:%Y%m%d-%H%M%S-%f}_{_safe_name(user)}_{content_hash(data)[:12]}.xlsx"
    with target.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    stat = path.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # its mtime is when it became current
    return target


def append_audit(path: Path, entry: dict) -> None:
    with audit_path(path).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def save(path: Path, change: Change, expected_hash: str | None = None, today: dt.date | None = None,
         timeout: float = LOCK_TIMEOUT_SECONDS) -> SaveResult:
    """Apply ``change`` to the workbook at ``path`` under the lock.

    ``expected_hash`` is the hash the person's preview was made from; when the
    workbook has changed since, nothing is saved and the recomputed preview is
    returned. None means the caller accepts whatever the preview is now (CLI --yes).
    """
    path = Path(path)
    try:
        with FileLock(str(lock_path(path)), timeout=timeout):
            _remove_stale_temps(path)
            current = path.read_bytes() if path.exists() else None
            current_hash = content_hash(current) if current is not None else ""
            fresh = preview(current, change, today)
            if expected_hash is not None and expected_hash != current_hash:
                return SaveResult(False, "共享工作簿在您预览之后已被他人更新，已按最新版本重新生成预览，请核对后再次确认。", fresh)
            if not fresh.ok:
                return SaveResult(False, "存在错误，未保存。", fresh)
            if not fresh.has_changes:
                return SaveResult(False, "没有需要保存的变化。", fresh)
            now = dt.datetime.now()
            version = keep_version(path, current, change.user, now).name if current is not None else ""
            _write_atomically(path, fresh.merged)
            hash_after = content_hash(fresh.merged)
            append_audit(path, {
                "time": now.isoformat(timespec="seconds"), "user": change.user, "action": change.kind,
                "file": change.filename, **{k: v for k, v in fresh.counts.items()},
                "hash_before": current_hash, "hash_after": hash_after, "previous_version": version,
            })
            return SaveResult(True, "已保存。", fresh, hash_after)
    except Timeout:
        return SaveResult(False, "其他人正在保存，请稍后再试。", Preview(change=change, base_hash=""))


# ---- versions ------------------------------------------------------------------


def read_audit(path: Path) -> list[dict]:
    """Audit entries, oldest first; a damaged line is skipped, not fatal."""
    log = audit_path(Path(path))
    if not log.exists():
        return []
    entries = []
    for line in log.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return entries


def list_versions(path: Path) -> pd.DataFrame:
    """One row per saved change, newest first: 时间, 操作人, 操作, counts, and the version's hash and file."""
    path = Path(path)
    current_hash = content_hash(path.read_bytes()) if path.exists() else ""
    history = {p.stem.rsplit("_", 1)[-1]: p for p in history_dir(path).glob("*.xlsx")}
    rows = []
    entries = read_audit(path)
    if entries and entries[0].get("hash_before"):
        first = entries[0]["hash_before"]
        rows.append({"时间": "", "操作人": "", "操作": "初始版本", "新增": 0, "修改": 0, "删除": 0,
                     "hash": first, "文件": history.get(first[:12])})
    for entry in entries:
        digest = entry.get("hash_after", "")
        rows.append({
            "时间": entry.get("time", "").replace("T", " "), "操作人": entry.get("user", ""),
            "操作": ACTION_LABELS.get(entry.get("action", ""), entry.get("action", "")),
            "新增": entry.get("added", 0), "修改": entry.get("changed", 0), "删除": entry.get("removed", 0),
            "hash": digest, "文件": path if digest == current_hash else history.get(digest[:12]),
        })
    table = pd.DataFrame(rows, columns=["时间", "操作人", "操作", "新增", "修改", "删除", "hash", "文件"])
    table["当前"] = table["hash"] == current_hash
    return table.iloc[::-1].reset_index(drop=True)


def moved_rows(movement: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``progress_movement`` whose progress changes (a new scope, with no before, counts)."""
    return movement[movement["变化"].fillna(1) != 0] if len(movement) else movement


def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """A preview frame with Chinese headers: ``progress_旧`` → ``完成进度（原）``; dates as text."""
    header = {c.field: c.header for c in schema.UPDATE_COLUMNS}

    def name(column: str) -> str:
        for suffix, label in (("_旧", "（原）"), ("_新", "（新）")):
            if column.endswith(suffix):
                return header.get(column.removesuffix(suffix), column) + label
        return header.get(column, column)

    shown = frame.copy()
    if "date" in shown.columns:
        shown["date"] = shown["date"].map(_display)
    return shown.rename(columns=name)


def update_choices(book: Book) -> dict[str, tuple]:
    """Label → (date, task_id, unit) of every saved 进展 row, for the admin's delete picker."""
    return {f"{d:%Y-%m-%d} 编号{t} {u}（{p:g}%）": (d, t, u)
            for d, t, u, p in zip(book.updates["date"], book.updates["task_id"], book.updates["unit"],
                                  book.updates["progress"])}
