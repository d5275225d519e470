"""One change to several plans, saved all together or not at all: a journal makes the set survive a crash.

``save_all`` writes the previews of several plans (one upload sorted into every plan it concerns, a unit
renamed across all plans) as one save:

1. every preview is refused, or built and checked, before any lock is taken (``persist.refusal``); a preview
   without changes is skipped, one with errors stops the whole set;
2. the journal lock (beside the journal) is taken, then each plan's own lock in a fixed order (sorted resolved
   paths), so two sets never wait for each other crosswise; a journal left by a crash is completed first;
3. every plan is checked for staleness (its content hash is still the one its preview was built on) before
   anything is written: one stale plan and nothing is written anywhere;
4. each plan's old and new versions are kept in its own history folder;
5. the journal (``.pending-save.json`` in the plans folder) is written atomically: for each plan its path,
   the hashes before and after, the history file of the new version and the audit line to log;
6. per plan, its audit line is appended and the new file renamed over the workbook (as ``save_locked`` does);
7. the journal is removed.

The rule after a crash: **once the journal exists, the set is completed (rolled forward)**. Every new version
is already in its plan's history when the journal is written, so ``recover`` puts it in place for each plan
still at its "before" hash and appends its audit line if the crash came before it (exactly once). A crash
before the journal exists has replaced nothing: every plan is still at its old version (the new copies in
history are listed as versions no save made current). Either way no plan is left with half a set.

``recover`` is cheap when there is no journal (one ``stat``): the board may call it on every load, and
``persist.save`` calls it before a single plan's save, so a single save never builds on a plan whose set
is unfinished.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock, Timeout

from lib import settings
from lib.store.persist import (
    STALE_MESSAGE,
    SaveResult,
    _adopt_shared_history,
    _fsync_dir,
    _remove_stale_temps,
    _write_atomically,
    append_audit,
    content_hash,
    history_dir,
    history_file,
    keep_version,
    lock_path,
    read_audit,
    refusal,
)

if TYPE_CHECKING:
    from lib.store.change import Preview

JOURNAL_NAME = ".pending-save.json"
RECOVER_TIMEOUT_SECONDS = 2.0  # the board recovers on each load: a busy journal lock (a set being saved) defers it
BUSY_MESSAGE = "其他人正在保存，请稍后再试。"


def journal_path(journal_folder: Path | None = None) -> Path:
    """Where a set being saved keeps its journal: ``.pending-save.json`` in the plans folder."""
    return (settings.plans_dir() if journal_folder is None else Path(journal_folder)) / JOURNAL_NAME


def _journal_lock(journal: Path) -> FileLock:
    journal.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(journal.with_name(journal.name + ".lock")))


@dataclass
class MultiSaveResult:
    saved: bool  # True when every plan with changes was written
    message: str  # in Chinese, for the person who asked; names the plan that stopped the set
    results: dict[Path, SaveResult] = field(default_factory=dict)  # each plan's own result, by the path given
    stale: bool = False  # ``failed`` changed since its preview: build new previews and ask again
    failed: Path | None = None  # the plan that stopped the set (errors, stale); None when saved or busy

    @property
    def hashes(self) -> dict[Path, str]:
        """The content hash each saved plan has now."""
        return {path: result.hash_after for path, result in self.results.items() if result.saved}


def _plan_name(path: Path) -> str:
    return Path(path).stem


# ---- recovering a set a crash interrupted -------------------------------------------------


def _read_journal(journal: Path) -> dict | None:
    try:
        return json.loads(journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        # Written atomically, so never half a journal: an unreadable one was damaged by hand and says nothing.
        return {"plans": []}


def _journal_paths(entries: dict | None) -> list[Path]:
    return [Path(plan["path"]) for plan in (entries or {}).get("plans", [])]


def _ensure_audit_line(path: Path, entry: dict) -> None:
    """Append ``entry`` unless it is already the plan's last line (the crash came after it): logged exactly once.

    Under the plan's lock nothing else logs, so the set's line, if written, is the last one.
    """
    entries = read_audit(path)
    if not entries or entries[-1] != entry:
        append_audit(path, entry)


def _complete_plan(plan: dict) -> bool:
    """Put the set's new version of one plan in place if it is still at its "before" version. True when done now."""
    path = Path(plan["path"])
    if not path.exists():
        return False
    current = content_hash(path.read_bytes())
    if current == plan["hash_after"]:
        _ensure_audit_line(path, plan["audit"])  # replaced before the crash; its line came first
        return False
    if current != plan["hash_before"]:
        return False  # changed by hand since: not ours to overwrite
    kept = history_dir(path) / plan["new_version"]
    if not kept.is_file() or content_hash(kept.read_bytes()) != plan["hash_after"]:
        found = history_file(path, plan["hash_after"], verify=True)
        if found is None:
            return False  # the new version is gone from history: nothing to put in place
        kept = found
    _remove_stale_temps(path)
    _ensure_audit_line(path, plan["audit"])
    _write_atomically(path, kept.read_bytes())
    return True


def _recover_locked(journal: Path) -> list[Path]:
    """Complete the set the journal lists and remove the journal; the caller holds its lock and its plans' locks."""
    for temp in journal.parent.glob(f".{journal.name}.*.tmp"):  # a journal a crash cut short was never written
        temp.unlink(missing_ok=True)
    entries = _read_journal(journal)
    if entries is None:
        return []
    completed = [Path(plan["path"]) for plan in entries.get("plans", []) if _complete_plan(plan)]
    journal.unlink(missing_ok=True)
    _fsync_dir(journal.parent)
    return completed


def _locked(stack: ExitStack, paths: list[Path], timeout: float) -> None:
    """Take each plan's lock, in the one order every set uses."""
    for path in sorted({Path(p).resolve() for p in paths}):
        stack.enter_context(FileLock(str(lock_path(path)), timeout=timeout))


def recover(journal_folder: Path | None = None, timeout: float = RECOVER_TIMEOUT_SECONDS) -> list[Path]:
    """Complete a set of saves a crash interrupted; the (resolved) paths of the plans whose new version it put in place.

    One ``stat`` when there is no journal. A set being saved right now holds the journal lock: after
    ``timeout`` seconds this gives up and returns [] (that save completes or recovers the set itself).
    """
    journal = journal_path(journal_folder)
    if not journal.exists():
        return []
    try:
        with ExitStack() as stack:
            stack.enter_context(_journal_lock(journal).acquire(timeout=timeout))
            _locked(stack, _journal_paths(_read_journal(journal)), timeout)
            return _recover_locked(journal)
    except Timeout:
        return []


# ---- saving a set --------------------------------------------------------------------------


def _refused(items: list[tuple[Path, Preview]], result: MultiSaveResult) -> list[tuple[Path, Preview]] | None:
    """The items with changes, each built and checked; None (and ``result`` says why) when one stops the set."""
    seen: set[Path] = set()
    pending = []
    for path, preview in items:
        resolved = Path(path).resolve()
        if resolved in seen:
            result.message, result.failed = f"方案“{_plan_name(path)}”在本次保存中出现两次，未保存任何方案。", Path(path)
            return None
        seen.add(resolved)
        refused = refusal(preview)
        if refused is not None and preview.ok and not preview.has_changes:
            result.results[Path(path)] = refused  # nothing to save in this plan: skipped, not an error
            continue
        if refused is not None:
            result.results[Path(path)] = refused
            result.message, result.failed = f"方案“{_plan_name(path)}”：{refused.message}其他方案也均未保存。", Path(path)
            return None
        pending.append((Path(path), preview))
    if not pending:
        result.message = "各方案均没有需要保存的变化。"
        return None
    return pending


def _stale(pending: list[tuple[Path, Preview]], result: MultiSaveResult) -> dict[Path, bytes | None] | None:
    """Each plan's current bytes, or None when one changed since its preview (``result`` names it)."""
    currents: dict[Path, bytes | None] = {}
    for path, preview in pending:
        _remove_stale_temps(path)
        _adopt_shared_history(path)
        current = path.read_bytes() if path.exists() else None
        if (content_hash(current) if current is not None else "") != preview.base_hash:
            result.results[path] = SaveResult(False, STALE_MESSAGE, preview, stale=True)
            result.message = f"方案“{_plan_name(path)}”：{STALE_MESSAGE}本次各方案均未保存。"
            result.stale, result.failed = True, path
            return None
        currents[path] = current
    return currents


def _journal_entry(path: Path, preview: Preview, current: bytes | None, now: dt.datetime) -> dict:
    """Keep the old and new versions in the plan's history; what the journal says about this plan."""
    assert preview.merged is not None
    user = preview.change.account.name
    previous = keep_version(path, current, user, now).name if current is not None else ""
    new_version = keep_version(path, preview.merged, user, now).name
    hash_before = content_hash(current) if current is not None else ""
    hash_after = content_hash(preview.merged)
    audit = {
        "time": now.isoformat(timespec="seconds"), "user": user, "action": preview.change.kind,
        "file": preview.change.filename, **({"label": preview.change.label} if preview.change.label else {}),
        **preview.counts,
        "hash_before": hash_before, "hash_after": hash_after, "previous_version": previous,
    }
    return {"path": str(path.resolve()), "hash_before": hash_before, "hash_after": hash_after,
            "new_version": new_version, "audit": audit}


def _write_set(pending: list[tuple[Path, Preview]], currents: dict[Path, bytes | None], journal: Path,
               before_replace: Callable[[Path], None] | None, result: MultiSaveResult) -> None:
    """Steps 4 to 7 under every lock: history, journal, per plan its audit line and rename, journal removed."""
    set_id, now = uuid.uuid4().hex, dt.datetime.now()
    plans = [_journal_entry(path, preview, currents[path], now) for path, preview in pending]
    _write_atomically(journal, json.dumps({"set": set_id, "time": now.isoformat(timespec="seconds"), "plans": plans},
                                          ensure_ascii=False, indent=1).encode("utf-8"))
    for (path, preview), plan in zip(pending, plans, strict=True):
        assert preview.merged is not None
        append_audit(path, plan["audit"])
        _write_atomically(path, preview.merged, before_replace)
        result.results[path] = SaveResult(True, "已保存。", preview, hash_after=plan["hash_after"])
    journal.unlink()
    _fsync_dir(journal.parent)


def save_all(items: list[tuple[Path, Preview]], timeout: float | None = None,
             before_replace: Callable[[Path], None] | None = None,
             progress: Callable[[str], None] | None = None) -> MultiSaveResult:
    """Save the previews of several plans together: every plan with changes is written, or none is.

    ``items`` pairs each plan's workbook path with the preview built on it. A preview without changes is
    skipped; errors, a stale plan or a busy lock in any plan leave every workbook byte for byte as it was.
    ``before_replace`` is called with each plan's temp file just before its rename (crash tests);
    ``progress`` is told each step, in Chinese.
    """
    step = progress or (lambda _: None)
    result = MultiSaveResult(False, "")
    step("生成并复核新文件")
    pending = _refused(items, result)  # builds every file: before the locks, which guard hash checks and renames
    if pending is None:
        return result
    step("写入各方案工作簿")
    journal = journal_path()
    wait = settings.value("KANBAN_LOCK_TIMEOUT_SECONDS") if timeout is None else timeout
    try:
        with ExitStack() as stack:
            stack.enter_context(_journal_lock(journal).acquire(timeout=wait))
            _locked(stack, [path for path, _ in pending] + _journal_paths(_read_journal(journal)), wait)
            _recover_locked(journal)
            currents = _stale(pending, result)
            if currents is None:
                return result
            _write_set(pending, currents, journal, before_replace, result)
    except Timeout:
        result.message = BUSY_MESSAGE
        return result
    names = "、".join(f"“{_plan_name(path)}”" for path, _ in pending)
    result.saved, result.message = True, f"已保存{len(pending)}个方案：{names}。"
    return result
