"""Locked, atomic, versioned writes of one workbook, with its history and audit log.

A save writes exactly the workbook a person previewed, or nothing:

1. take the lock file beside the workbook (``filelock``, across processes);
2. compare the content hash of the file on disk with the one the preview was
   built on; if they differ, nothing is written and the caller builds a new
   preview for the person to confirm (never overwrite silently);
3. copy the current version into the workbook's history folder (time, user
   and content hash in the name), write a temp file in the same directory,
   fsync it, ``os.replace`` it over the workbook;
4. append one JSON line to the workbook's audit log.

Everything heavy (reading, merging, validating, building and re-checking the
new file) happens in the preview, before the lock: the lock guards a hash check
and a rename, not a rebuild. A crash at any point leaves either the old or the
new complete workbook.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from filelock import FileLock, Timeout

from lib import settings
from lib.dates import file_stamp, iso_minute

if TYPE_CHECKING:
    from lib.store.change import Preview

MERGE, REPLACE, DELETE, RESTORE = "merge", "replace", "delete", "restore"  # the kinds of change
SUPERVISE = "supervise"  # 督办 requests or decisions appended to the 督办 sheet
INITIAL, EXTERNAL = "initial", "external"  # versions no save made: the first one, and a hand edit
REMIND = "remind"  # a 催报通知 was issued: logged beside the saves, but no version of the workbook
ACTION_LABELS = {MERGE: "上传合并", REPLACE: "整体替换", DELETE: "删除进展", RESTORE: "恢复版本", SUPERVISE: "督办",
                 INITIAL: "初始版本", EXTERNAL: "直接修改文件"}
STALE_MESSAGE = "共享工作簿在您预览之后已被他人更新，未保存。已按最新版本重新生成预览，请核对后再次确认。"
PRIVATE_FILE_MODE = 0o600  # history and audit hold everyone's reports: readable by the server's user only


# ---- where a workbook's lock, history and audit log live ----------------------------------


def lock_path(workbook: Path) -> Path:
    return workbook.with_name(workbook.name + ".lock")


def history_dir(workbook: Path) -> Path:
    """``data/tasks.xlsx`` keeps its versions in ``data/tasks.history/``: one history per workbook."""
    return workbook.with_name(workbook.stem + ".history")


def audit_path(workbook: Path) -> Path:
    """``data/tasks.xlsx`` logs its changes in ``data/tasks.audit.jsonl``."""
    return workbook.with_name(workbook.stem + ".audit.jsonl")


def _adopt_shared_history(workbook: Path) -> None:
    """Move the folder-wide ``history/`` and ``audit.jsonl`` of earlier releases to this workbook's own names.

    Earlier releases kept one history per folder; the folder then held one workbook. Adopted once, under the lock.
    """
    old_history, old_audit = workbook.parent / "history", workbook.parent / "audit.jsonl"
    if old_history.is_dir() and not history_dir(workbook).exists():
        shutil.move(old_history, history_dir(workbook))
    if old_audit.is_file() and not audit_path(workbook).exists():
        shutil.move(old_audit, audit_path(workbook))


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- the save ------------------------------------------------------------------------------


@dataclass
class SaveResult:
    saved: bool
    message: str  # in Chinese, for the person who asked
    preview: Preview | None = None  # the preview that was saved (or refused)
    stale: bool = False  # the workbook changed since the preview: build a new one and ask again
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


def _write_atomically(path: Path, data: bytes, before_replace: Callable[[Path], None] | None = None) -> None:
    """Temp file in the same folder, fsynced, renamed over ``path``. ``before_replace`` lets a crash test
    stop the process between the two."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with temp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if before_replace is not None:
            before_replace(temp)
        os.replace(temp, path)
        _fsync_dir(path.parent)
    finally:
        if temp.exists():
            temp.unlink()


def _remove_stale_temps(path: Path) -> None:
    """Temp files of a save that crashed; we hold the lock, so none is in use."""
    for stale in [*path.parent.glob(f".{path.name}.*.tmp"), *history_dir(path).glob(".*.tmp")]:
        stale.unlink(missing_ok=True)


def history_file(path: Path, digest: str, verify: bool = False) -> Path | None:
    """The history copy of the version with content hash ``digest``, if one was kept (and, with ``verify``,
    still holds exactly that version)."""
    for found in sorted(history_dir(path).glob(f"*_{digest[:12]}.xlsx")):
        if not verify or content_hash(found.read_bytes()) == digest:
            return found
    return None


def keep_version(path: Path, data: bytes, user: str, when: dt.datetime) -> Path:
    """A copy of the version ``data`` in the history folder (once per content); its name carries time, user
    and hash. Every version that was ever current is kept, so the newest valid one can always be found on disk."""
    digest = content_hash(data)
    kept = history_file(path, digest, verify=True)
    if kept is not None:
        return kept
    folder = history_dir(path)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = folder / f"{when:%Y%m%d-%H%M%S-%f}_{_safe_name(user)}_{digest[:12]}.xlsx"
    # Written whole, then renamed: a save killed halfway leaves a temp file, never a short copy under this name.
    temp = folder / f".{target.name}.{uuid.uuid4().hex[:8]}.tmp"
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    for damaged in folder.glob(f"*_{digest[:12]}.xlsx"):  # a short copy an earlier release left
        damaged.unlink()
    os.replace(temp, target)
    _fsync_dir(folder)
    return target


def record_current(path: Path, timeout: float = 2.0) -> None:
    """Keep and log the current file if no save made it: the first valid load of the very first
    version, or of a hand edit. Called by the board on a valid load; a busy lock just defers it."""
    path = Path(path)
    if not path.exists() or history_file(path, content_hash(path.read_bytes())) is not None:
        return
    try:
        with FileLock(str(lock_path(path)), timeout=timeout):
            _adopt_shared_history(path)
            data = path.read_bytes()
            digest = content_hash(data)
            if history_file(path, digest) is not None:
                return
            entries = version_entries(read_audit(path))
            now = dt.datetime.now()
            kept = keep_version(path, data, "", now)
            append_audit(path, {
                "time": now.isoformat(timespec="seconds"), "user": "", "action": EXTERNAL if entries else INITIAL,
                "file": path.name, "added": 0, "changed": 0, "removed": 0,
                "hash_before": "", "hash_after": digest,  # what a hand edit replaced is not known
                "previous_version": kept.name,
            })
    except Timeout:
        return


def versions_newest_first(path: Path) -> list[Path]:
    """The history copies, the most recently current first: in the audit log's order, then by file time."""
    path = Path(path)
    ordered: list[Path] = []
    for entry in reversed(read_audit(path)):
        for digest in (entry.get("hash_after", ""), entry.get("hash_before", "")):
            kept = history_file(path, digest) if digest else None
            if kept is not None and kept not in ordered:
                ordered.append(kept)
    rest = [p for p in history_dir(path).glob("*.xlsx") if p not in ordered]
    return ordered + sorted(rest, key=lambda p: p.stat().st_mtime_ns, reverse=True)


def append_audit(path: Path, entry: dict) -> None:
    log = audit_path(path)
    descriptor = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE_MODE)
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def refusal(preview: Preview) -> SaveResult | None:
    """Why ``preview`` cannot be saved whatever the file on disk is, or None once its file is built and checked."""
    if not preview.ok:
        return SaveResult(False, "存在错误，未保存。", preview)
    if not preview.has_changes:
        return SaveResult(False, "没有需要保存的变化。", preview)
    if not preview.ensure_built():
        return SaveResult(False, "保存前复核未通过，未保存。", preview)
    return None


def save(path: Path, preview: Preview, timeout: float | None = None,
         before_replace: Callable[[Path], None] | None = None,
         progress: Callable[[str], None] | None = None) -> SaveResult:
    """Write the workbook ``preview`` was built for, if the file at ``path`` is still the one it was built on.

    Nothing is rebuilt here: under the lock there is a hash check, a copy into history, a rename and
    an audit line. When the file changed since the preview, nothing is written and the result is
    ``stale``: the caller builds a new preview and the person confirms again. ``progress`` is told each step.
    """
    from lib.store.journal import recover  # journal builds on this module: imported when called

    path = Path(path)
    recover()  # a set of saves a crash interrupted is completed before this plan moves on from it
    step = progress or (lambda _: None)
    step("生成并复核新文件")
    refused = refusal(preview)  # builds the file: before the lock, which guards a hash check and a rename
    if refused is not None:
        return refused
    step("写入共享工作簿")
    try:
        with FileLock(str(lock_path(path)), timeout=settings.value("KANBAN_LOCK_TIMEOUT_SECONDS")
                      if timeout is None else timeout):
            return save_locked(path, preview, before_replace)
    except Timeout:
        return SaveResult(False, "其他人正在保存，请稍后再试。", preview)


def save_locked(path: Path, preview: Preview, before_replace: Callable[[Path], None] | None = None) -> SaveResult:
    """The part of ``save`` done under the lock, which the caller holds; ``preview`` is built.

    The audit line is written before the rename: a save killed in between is logged but did not take
    effect, and 版本记录 says so (the next version does not start from it); a version never becomes
    current without its line.
    """
    assert preview.merged is not None
    _remove_stale_temps(path)
    _adopt_shared_history(path)
    current = path.read_bytes() if path.exists() else None
    current_hash = content_hash(current) if current is not None else ""
    if current_hash != preview.base_hash:
        return SaveResult(False, STALE_MESSAGE, preview, stale=True)
    user = preview.change.account.name
    now = dt.datetime.now()
    version = keep_version(path, current, user, now).name if current is not None else ""
    keep_version(path, preview.merged, user, now)  # the new version is on disk twice before it is current
    hash_after = content_hash(preview.merged)
    append_audit(path, {
        "time": now.isoformat(timespec="seconds"), "user": user, "action": preview.change.kind,
        "file": preview.change.filename, **({"label": preview.change.label} if preview.change.label else {}),
        **preview.counts,
        "hash_before": current_hash, "hash_after": hash_after, "previous_version": version,
    })
    _write_atomically(path, preview.merged, before_replace)
    return SaveResult(True, "已保存。", preview, hash_after=hash_after)


# ---- versions ------------------------------------------------------------------------------


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


def version_entries(entries: list[dict]) -> list[dict]:
    """The audit entries that record a version of the workbook: all but the 催报 lines."""
    return [entry for entry in entries if entry.get("action") != REMIND]


def _took_effect(entries: list[dict], current_hash: str) -> list[bool]:
    """Whether each logged save became current. A line is written just before its rename, so a save
    killed in between leaves a line whose change did not happen: the next state is still its "before"."""
    effective = []
    for entry, following in zip(entries, [*entries[1:], None], strict=True):
        before, after = entry.get("hash_before", ""), entry.get("hash_after", "")
        if following is None:
            next_state = current_hash
        elif following.get("action") in (EXTERNAL, INITIAL):  # a hand edit's line does not know what it replaced
            next_state = ""
        else:
            next_state = following.get("hash_before", "")
        effective.append(not (before and before != after and next_state == before))
    return effective


def _counts_text(entry: dict) -> str:
    """``新增5条、修改2条``: what a change did to the 进展 rows, the zero counts left out."""
    counts = [(label, entry.get(key, 0) or 0) for label, key in (("新增", "added"), ("修改", "changed"), ("删除", "removed"))]
    return "、".join(f"{label}{count}条" for label, count in counts if count)


def _moment(entry: dict) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(entry.get("time", ""))
    except ValueError:
        return None


VERSION_COLUMNS = ["时间", "操作人", "操作", "新增", "修改", "删除", "名称", "下载文件名", "hash", "文件"]


def list_versions(path: Path) -> pd.DataFrame:
    """One row per version, newest first: 时间 (``2026-11-20 14:05``), 操作人, 操作, the counts, 名称 (the version
    in words: ``2026-11-20 14:05 张三 上传合并 新增5条``), 下载文件名 (``tasks_20261120-1405.xlsx``), the content
    hash, the file (None when no copy was kept) and 当前. The index is the version's place in the log (0 the oldest),
    which stays the same as versions are added."""
    path = Path(path)
    current_hash = content_hash(path.read_bytes()) if path.exists() else ""
    history = {p.stem.rsplit("_", 1)[-1]: p for p in history_dir(path).glob("*.xlsx")}
    rows = []
    entries = version_entries(read_audit(path))
    if entries and entries[0].get("hash_before"):
        # The log starts with a save: the version it replaced was never logged, so it has no time of its own.
        first = entries[0]["hash_before"]
        moment = _moment(entries[0])
        before = f"（{iso_minute(moment)} 首次保存之前）" if moment else ""
        rows.append({"时间": "", "操作人": "", "操作": ACTION_LABELS[INITIAL], "新增": 0, "修改": 0, "删除": 0,
                     "名称": ACTION_LABELS[INITIAL] + before, "下载文件名": f"{path.stem}_{ACTION_LABELS[INITIAL]}.xlsx",
                     "hash": first, "文件": history.get(first[:12])})
    for entry, took_effect in zip(entries, _took_effect(entries, current_hash), strict=True):
        digest = entry.get("hash_after", "")
        moment = _moment(entry)
        when = iso_minute(moment) if moment else entry.get("time", "")
        action = entry.get("label") or ACTION_LABELS.get(entry.get("action", ""), entry.get("action", ""))
        if not took_effect:
            action += "（保存中断，未生效）"
        user = entry.get("user", "")
        rows.append({
            "时间": when, "操作人": user, "操作": action,
            "新增": entry.get("added", 0), "修改": entry.get("changed", 0), "删除": entry.get("removed", 0),
            "名称": " ".join(part for part in (when, user, action, _counts_text(entry)) if part),
            "下载文件名": f"{path.stem}_{file_stamp(moment) if moment else digest[:8]}.xlsx",
            "hash": digest, "文件": path if digest == current_hash else history.get(digest[:12]),
        })
    table = pd.DataFrame(rows, columns=VERSION_COLUMNS)
    table["当前"] = table["hash"] == current_hash
    return table.iloc[::-1]
