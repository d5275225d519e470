"""Template rows sent back unfilled, found and left out of a merge.

A reporter's template (``lib.template``) comes pre-filled with every open assignment; a row sent back as it was
would record a report that says nothing, so a merge skips it and keeps the saved row with the same key.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from lib import schema, validate
from lib.model import ORIGIN, ORIGIN_SAVED, ROW, Book
from lib.store.change import uploaded_rows


def unfilled_template_rows(book: Book, before: Book | None) -> pd.Series:
    """Uploaded rows that repeat the unit's last 完成进度 and 状态 and say nothing new.

    A reporter's template comes pre-filled with every open assignment; sent back
    as it is, it would record a report for each. Without a last report the
    template shows 0 and the status that goes with it. True means skip the row.
    """
    updates = book.updates
    uploaded = updates[uploaded_rows(updates)]
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


def skip_rows(book: Book, skip: pd.Series, before: Book | None) -> Book:
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
