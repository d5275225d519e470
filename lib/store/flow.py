"""A change to the shared workbook, previewed: exactly what a save would write, built and checked once.

The flow runs one way:

1. the base workbook comes from a cache keyed by its content hash (read and validated once, ``lib.store.base``);
2. the upload is checked (``lib.filecheck``) and read on its own, then merged (``lib.store.merge``), or the change
   deletes rows or appends 督办 events (``lib.store.supervise``);
3. the result is compared with the base (``lib.store.compare``), with the cross-row checks, on frames;
4. when the person confirms, the new workbook's bytes are built once, then read back and
   validated (``Preview.ensure_built``, ``lib.store.build``), so no save can ever leave a workbook that does not load.

``lib.store.persist.save`` builds them before it takes the lock, then writes them if, and only
if, the file on disk is still the one the preview was built on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from pathlib import Path

from filelock import FileLock, Timeout

from lib import settings
from lib.store.base import read_base
from lib.store.build import build
from lib.store.change import Change, Merged, Preview, file_error
from lib.store.compare import compare
from lib.store.merge import delete_rows, merge_upload, read_upload
from lib.store.persist import DELETE, MERGE, SUPERVISE, SaveResult, lock_path, refusal, save, save_locked
from lib.store.supervise import append_events, with_requests


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
            file_error("尚无共享工作簿，暂不能合并或删除。请管理员以「整体替换」上传完整工作簿。", "no-shared-workbook")
            if current is None else
            file_error("共享工作簿当前存在错误，暂不能合并或删除。请管理员先以「整体替换」或「恢复版本」修复。",
                       "shared-workbook-invalid")]
        return result
    merged: Merged | None
    if change.kind == DELETE:
        merged = delete_rows(base, change)
    elif change.kind == SUPERVISE:
        merged = append_events(base, change, result)
        if merged is None:
            return result
    else:
        step("读取上传文件")
        upload_raw = read_upload(change, result)
        if upload_raw is None:
            return result
        step("校验合并后的数据")
        merged = merge_upload(base, upload_raw, change, result, today)
        if merged is None:
            return result
        if change.kind == MERGE:
            merged = with_requests(base, merged, change, today)
    step("比对改动")
    compare(base, merged, change, result, today)
    if not result.errors:
        result.builder = partial(build, base, merged, result, today)
    return result


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
