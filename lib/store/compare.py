"""A change compared with the saved workbook: the tables the person confirms, and the problems found on the way.

The diff itself is ``lib.store.diff``; this fills a ``Preview`` from it, with the rights problems, the warnings for
what the save drops, and the 督办 events the save appends or an admin's file rewrites.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from lib import schema
from lib.model import ORIGIN, ROW, WARNING, Book, Problem, sort_problems
from lib.store.base import Base
from lib.store.build import plan_dict
from lib.store.carried import carried_sheets, outside_contract
from lib.store.change import Change, Merged, Preview, file_error, uploaded_rows
from lib.store.diff import UPDATE_KEY, UPDATE_VALUES, diff_keyed, display_text, other_changes, progress_movement
from lib.store.persist import MERGE, SUPERVISE
from lib.store.rights import rights_problems


def compare(base: Base, merged: Merged, change: Change, result: Preview, today: dt.date) -> None:
    """Fill ``result`` with what changes between the base and the merged book, and the rights problems."""
    before_updates, dropped = base.saved_updates()
    after_updates = merged.book.updates
    untouched = 0
    if change.kind == MERGE:
        # A merge changes only the keys it uploads: compare those rows, count the rest as unchanged.
        uploaded = pd.MultiIndex.from_frame(after_updates.loc[uploaded_rows(after_updates), UPDATE_KEY])
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
    rights = rights_problems(change, added, changed, removed, other, merged.rows_by_key)
    if change.kind == MERGE and (len(removed) or untouched < 0):
        rights.append(file_error("内部错误：合并不应删除任何进展记录，已停止保存。", "merge-removed-rows"))  # a bug guard
    carried = carried_sheets(base, merged, change)
    result.problems = sort_problems(merged.problems + rights + outside_contract(base.raw, carried))
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


def rewritten_events(before: Book | None, after: Book) -> list[Problem]:
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
