"""What a change does, as tables: rows added, changed and removed, 任务/处室/方案 edits, progress moved."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from lib import metrics, schema, validate
from lib.model import ROW, Book
from lib.workbook import RawWorkbook

UPDATE_KEY = ["date", "task_id", "unit"]
UPDATE_VALUES = ["progress", "status", "progress_note", "problems", "next_steps", "reporter"]
TASK_VALUES = ["section", "content", "units_text", "lead_text", "start", "deadline_text", "note"]
UNIT_VALUES = ["short", "groups"]
DUPLICATE_NOTE = "与同一填报日期、编号、处室的另一行重复（以后一行为准），保存后不再保留"
UNREADABLE_NOTE = "原工作簿中有误、无法识别的行，保存后不再保留"


def _day_of(value: object) -> pd.Timestamp | None | bool:
    """A 填报日期 cell as the key's timestamp: None when blank, False when it does not parse."""
    try:
        day = validate.parse_date(value)
    except (ValueError, TypeError):
        return False
    return pd.Timestamp(day) if day else None


def _update_keys(frame: pd.DataFrame) -> list:
    """(date, task_id, unit) of each 进展 row, None where the date does not parse; per distinct cell."""
    def column(name: str) -> pd.Series:
        return frame[name] if name in frame.columns else pd.Series("", index=frame.index, dtype=object)

    days = validate.map_distinct(column("date"), _day_of)
    ids = validate.map_distinct(column("task_id"), validate.normalise_id)
    units = validate.map_distinct(column("unit"), validate.cell_text)
    return [None if day is False else (day, task_id, unit) for day, task_id, unit in zip(days, ids, units)]

def sheet_keys(sheet_name: str, frame: pd.DataFrame) -> list:
    if sheet_name == schema.SHEET_UPDATES:
        return _update_keys(frame)
    records = frame.to_dict("records")
    if sheet_name == schema.SHEET_TASKS:
        return [validate.normalise_id(r.get("task_id", "")) for r in records]
    if sheet_name == schema.SHEET_UNITS:
        return [validate.cell_text(r.get("unit", "")) for r in records]
    return [schema.normalise_header(r.get("key", "")) for r in records]

def diff_keyed(before: pd.DataFrame, after: pd.DataFrame, key: list[str], values: list[str]):
    """(added, changed, unchanged count, removed) between two frames keyed by ``key``.

    ``changed`` has ``<field>_旧`` / ``<field>_新`` columns side by side for every value field.
    """
    def texts(frame: pd.DataFrame) -> pd.DataFrame:
        shown = frame[key + values].copy()
        for column in values:
            shown[column] = shown[column].map(display_text)
        return shown

    old, new = texts(before), texts(after)
    for column in key:  # an empty side (a plan saved for the first time) has no dtype of its own to agree on
        if old.empty and old[column].dtype != new[column].dtype:
            old[column] = old[column].astype(new[column].dtype)
        elif new.empty and new[column].dtype != old[column].dtype:
            new[column] = new[column].astype(old[column].dtype)
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

def display_text(value: object) -> str:
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
                         index=found.frame.index).assign(**{key: sheet_keys(sheet, found.frame)})
    return frame[frame[key] != ""].drop_duplicates(key)

def other_changes(before: Book | None, after: Book, plan_before: dict, plan_after: dict,
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
        added, changed, _, removed = diff_keyed(old, new, [key], values)
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
        old_value, new_value = display_text(plan_before.get(name)), display_text(plan_after.get(name))
        if old_value != new_value:
            what = "新增" if name not in plan_before else "删除" if name not in plan_after else "修改"
            rows.append({"工作表": schema.SHEET_PLAN, "键": name, "改动": what, "原值": old_value, "新值": new_value})
    return pd.DataFrame(rows, columns=["工作表", "键", "改动", "原值", "新值"])

def _summary(record: dict, values: list[str], header: dict[str, str]) -> str:
    return "；".join(f"{header[c]}：{record[c]}" for c in values if record.get(c))

def progress_movement(old: metrics.Snapshot | None, after: Book, as_of: dt.date) -> pd.DataFrame:
    """Overall, section and unit progress before (``old``, the base's snapshot at ``as_of``) and after,
    percent 0–100; rows that move come first."""
    new = metrics.compute(after, as_of)
    rows = [{"范围": "总体", "名称": metrics.OVERALL, "之前": old.overall.progress if old else None,
             "之后": new.overall.progress}]
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

def saved_updates(current_raw: RawWorkbook | None, current_book: Book | None) -> tuple[pd.DataFrame, pd.DataFrame]:
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
    keys = [k if k and k[0] is not None and k[1] and k[2] else None for k in sheet_keys(schema.SHEET_UPDATES, raw)]
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
        shown[column] = shown[column].map(display_text)
    return before, shown.assign(说明=reasons).reset_index(drop=True)
