"""lib/store/journal: several plans saved together or not at all, and a set a crash interrupted completed."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lib import store, validate
from lib.accounts import ROLE_ADMIN, Account
from tests.builders import update, updates_upload

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 30)
REPORT_DAY = dt.date(2026, 11, 20)
ADMIN = Account("管理员", ROLE_ADMIN)


@pytest.fixture
def two_plans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The bundled workbook twice: the default plan and one plan in the plans folder."""
    plans = tmp_path / "data" / "plans"
    plans.mkdir(parents=True)
    first, second = tmp_path / "data" / "tasks.xlsx", plans / "川渝合作.xlsx"
    for path in (first, second):
        shutil.copyfile(ROOT / "data" / "tasks.xlsx", path)
    monkeypatch.setenv("KANBAN_WORKBOOK", str(first))
    monkeypatch.setenv("KANBAN_PLANS_DIR", str(plans))
    return first, second


def merge_preview(path: Path, unit: str = "省志工作处", progress: float = 60) -> store.Preview:
    """An admin's upload of one report of task 3 (省志工作处's own task) for ``REPORT_DAY``."""
    upload = updates_upload([update(REPORT_DAY, "3", unit, progress, "完成初稿")])
    return store.preview(path.read_bytes(), store.Change(store.MERGE, ADMIN, upload, "u.xlsx"), TODAY)


def reports_of_the_day(path: Path) -> list[tuple[str, str, float]]:
    result = validate.load(path, today=TODAY)
    assert result.ok, [p.as_text() for p in result.errors]
    updates = result.book.updates
    day = updates[updates["date"] == str(REPORT_DAY)]
    return list(zip(day["task_id"], day["unit"], day["progress"], strict=True))


def test_save_all_saves_every_plan_with_its_own_history_and_one_audit_line(two_plans):
    first, second = two_plans
    result = store.save_all([(first, merge_preview(first, progress=60)), (second, merge_preview(second, progress=70))])
    assert result.saved and result.failed is None and not result.stale
    assert reports_of_the_day(first) == [("3", "省志工作处", 60)]
    assert reports_of_the_day(second) == [("3", "省志工作处", 70)]
    for path in two_plans:
        [line] = store.read_audit(path)
        assert (line["action"], line["added"], line["hash_after"]) == (store.MERGE, 1, store.content_hash(path.read_bytes()))
        assert result.hashes[path] == line["hash_after"]
        assert len(list(store.history_dir(path).glob("*.xlsx"))) == 2  # the old version and the new
    assert not store.journal_path().exists()


def test_one_invalid_upload_saves_no_plan_and_leaves_every_file_byte_identical(two_plans):
    first, second = two_plans
    before = [path.read_bytes() for path in two_plans]
    invalid = merge_preview(second, unit="综合处")  # 综合处 is not responsible for task 3
    assert [p.code for p in invalid.errors] == ["unit-not-responsible"]
    result = store.save_all([(first, merge_preview(first)), (second, invalid)])
    assert not result.saved and result.failed == second
    assert [path.read_bytes() for path in two_plans] == before
    assert [store.read_audit(path) for path in two_plans] == [[], []]
    assert not store.history_dir(first).exists()


def test_a_stale_plan_stops_the_set_before_anything_is_written(two_plans):
    first, second = two_plans
    items = [(first, merge_preview(first)), (second, merge_preview(second))]
    overtaking = updates_upload([update(REPORT_DAY, "7", "综合处", 30, "他人先报")])
    assert store.apply(second, store.Change(store.MERGE, ADMIN, overtaking, "other.xlsx"), TODAY).saved
    before = [path.read_bytes() for path in two_plans]
    result = store.save_all(items)
    assert not result.saved and result.stale and result.failed == second
    assert result.results[second].stale
    assert [path.read_bytes() for path in two_plans] == before
    assert store.read_audit(first) == [] and len(store.read_audit(second)) == 1  # only the overtaking save


def test_a_plan_without_changes_is_skipped_and_a_set_without_any_is_refused(two_plans):
    first, second = two_plans
    nothing = store.preview(second.read_bytes(), store.Change(store.DELETE, ADMIN), TODAY)
    assert nothing.ok and not nothing.has_changes
    result = store.save_all([(first, merge_preview(first)), (second, nothing)])
    assert result.saved and not result.results[second].saved and result.results[first].saved
    assert store.read_audit(second) == []
    refused = store.save_all([(second, store.preview(second.read_bytes(), store.Change(store.DELETE, ADMIN), TODAY))])
    assert not refused.saved and refused.failed is None and not refused.stale


def test_a_busy_plan_lock_saves_no_plan(two_plans):
    from filelock import FileLock

    from lib.store.persist import lock_path

    first, second = two_plans
    before = [path.read_bytes() for path in two_plans]
    items = [(first, merge_preview(first)), (second, merge_preview(second))]
    with FileLock(str(lock_path(second))):
        result = store.save_all(items, timeout=0.2)
    assert not result.saved and not result.stale
    assert [path.read_bytes() for path in two_plans] == before


# ---- a crash in the middle of a set -------------------------------------------------------

CRASHER = """
import datetime as dt, os, sys
from pathlib import Path
from lib import store
from lib.accounts import ROLE_ADMIN, Account
from tests.builders import update, updates_upload
crash_at, paths = int(sys.argv[1]), [Path(p) for p in sys.argv[2:]]
admin = Account("管理员", ROLE_ADMIN)
items = []
for number, path in enumerate(paths):
    upload = updates_upload([update(dt.date(2026, 11, 20), "3", "省志工作处", 60 + number, "完成初稿")])
    items.append((path, store.preview(path.read_bytes(), store.Change(store.MERGE, admin, upload, "u.xlsx"),
                                      dt.date(2026, 11, 30))))
replaces = []
def crash(temp):
    replaces.append(temp)
    if len(replaces) == crash_at:
        os._exit(9)
store.save_all(items, before_replace=crash)
"""


def crash_during_save(crash_at: int, paths: tuple[Path, Path]) -> None:
    """Run a save of both plans in a process that dies just before the ``crash_at``-th plan's rename."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", CRASHER, str(crash_at), *map(str, paths)], cwd=ROOT, env=env,
                          timeout=120, check=False)
    assert done.returncode == 9


@pytest.mark.parametrize("crash_at", [1, 2], ids=["before-the-first-rename", "after-the-first-rename"])
def test_a_set_a_crash_interrupted_is_completed_by_recover(two_plans, crash_at):
    first, second = two_plans
    before = {path: store.content_hash(path.read_bytes()) for path in two_plans}
    crash_during_save(crash_at, two_plans)
    assert store.journal_path().exists()
    replaced_before_the_crash = [path for path in two_plans if store.content_hash(path.read_bytes()) != before[path]]
    assert replaced_before_the_crash == ([first] if crash_at == 2 else [])

    completed = store.recover()
    assert sorted(completed) == sorted(path.resolve() for path in two_plans if path not in replaced_before_the_crash)
    assert reports_of_the_day(first) == [("3", "省志工作处", 60)]  # no report lost, in either plan
    assert reports_of_the_day(second) == [("3", "省志工作处", 61)]
    assert not store.journal_path().exists()
    for path in two_plans:
        [line] = store.read_audit(path)  # logged exactly once, whether or not the crash came before its line
        assert (line["hash_before"], line["hash_after"]) == (before[path], store.content_hash(path.read_bytes()))
    assert store.recover() == []  # nothing left to do


def test_a_single_save_completes_an_interrupted_set_first(two_plans):
    first, second = two_plans
    crash_during_save(2, two_plans)
    later = merge_preview(second, progress=80)  # built on the version the set had not yet replaced
    result = store.save(second, later)
    assert result.stale  # the set was completed first, so this preview is out of date: nothing overwritten
    assert reports_of_the_day(second) == [("3", "省志工作处", 61)]
    assert not store.journal_path().exists()
