"""The plans an office runs: the default workbook, and one workbook per plan in the plans folder.

Every plan is a workbook under the same contract, with its own lock, history and audit log beside it
(``lib.store.persist``). A plan is named by its key, the file's stem: ``?plan=川渝合作`` on the board and
``--plan 川渝合作`` on the command line.

- the default workbook (``KANBAN_WORKBOOK``, ``data/tasks.xlsx``) is always a plan, listed first, so an office
  with one plan never sees a folder;
- ``data/plans/*.xlsx`` are the other plans (``KANBAN_PLANS_DIR``; by default ``plans/`` beside the default
  workbook);
- ``data/plans/archive/*.xlsx`` are the archived ones (归档): out of the switcher, still readable.

This module only finds and moves files; reading a plan is ``lib.store.load_file``'s job.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from lib import schema, settings
from lib.store.persist import audit_path, history_dir, lock_path

ARCHIVE_FOLDER = "archive"
KEY_PATTERN = re.compile(r"[\w\u4e00-\u9fff-]{1,40}")


class PlanError(ValueError):
    """A plan that cannot be found, named, archived or restored; the message is Chinese, for the person who asked."""


@dataclass(frozen=True)
class Plan:
    key: str  # the file's stem: what ?plan= and --plan name
    path: Path
    archived: bool = False
    default: bool = False  # the single default workbook (KANBAN_WORKBOOK)


def plans_dir() -> Path:
    return settings.plans_dir()


def archive_dir() -> Path:
    return plans_dir() / ARCHIVE_FOLDER


def _folder_plans(folder: Path, archived: bool, taken: set[str]) -> list[Plan]:
    found = []
    for path in sorted(folder.glob("*.xlsx")):
        # Excel's owner files (~$name.xlsx) and our temp files (.name.tmp) are not plans.
        if path.name.startswith(("~$", ".")) or path.stem in taken or not KEY_PATTERN.fullmatch(path.stem):
            continue
        taken.add(path.stem)
        found.append(Plan(path.stem, path, archived=archived))
    return found


def all_plans(include_archived: bool = False) -> list[Plan]:
    """The plans in their fixed order: the default workbook, then the folder's by key, then the archived ones."""
    default = settings.workbook_path()
    listed = [Plan(default.stem, default, default=True)] if default.exists() else []
    taken = {plan.key for plan in listed}
    listed += _folder_plans(plans_dir(), False, taken)
    if include_archived:
        listed += _folder_plans(archive_dir(), True, taken)
    return listed


def find(key: str, include_archived: bool = True) -> Plan | None:
    return next((plan for plan in all_plans(include_archived) if plan.key == key), None)


def plan_name(path: Path) -> str:
    """The plan's 方案名称 from its 方案 sheet alone (what a switcher shows), or "" when it cannot be read.

    Reads one small sheet, not the workbook: the switcher names every plan on every page.
    """
    from lib.workbook import WorkbookError, read_sheet_values

    try:
        rows = read_sheet_values(path, [schema.SHEET_PLAN])[schema.SHEET_PLAN]
    except (WorkbookError, OSError, KeyError):
        return ""
    for row in rows:
        if len(row) >= 2 and schema.normalise_header(row[0]) == schema.PLAN_NAME:
            return str(row[1]).strip()
    return ""


def default_plan() -> Plan:
    """The plan shown when none is named: the default workbook, or the first in the folder when there is none."""
    listed = all_plans()
    path = settings.workbook_path()
    return listed[0] if listed else Plan(path.stem, path, default=True)


def resolve(plan: str | None = None, workbook: str | Path | None = None) -> Path:
    """The workbook a command acts on: ``--workbook PATH`` as given, ``--plan NAME`` from the folder,
    and without either the default workbook."""
    if workbook is not None and plan is not None:
        raise PlanError("--plan 与 --workbook 只能指定其一。")
    if workbook is not None:
        return Path(workbook)
    if plan is None:
        return settings.workbook_path()
    found = find(plan)
    if found is None:
        known = "、".join(p.key for p in all_plans(include_archived=True)) or "（无）"
        raise PlanError(f"找不到方案“{plan}”。现有方案：{known}。")
    return found.path


def check_key(key: str) -> str:
    """``key`` if it can name a new plan's file; raises PlanError saying why not."""
    key = key.strip()
    if not KEY_PATTERN.fullmatch(key):
        raise PlanError("方案简称只能由汉字、字母、数字、下划线和连字符组成，长度 1 至 40 个字符。")
    if key == ARCHIVE_FOLDER or find(key) is not None:
        raise PlanError(f"已有名为“{key}”的方案（含已归档方案），请换一个简称。")
    return key


def suggest_key(name: str) -> str:
    """A free key for a new plan named ``name``: the title in 《》 if any, in key characters, at most 20 of them."""
    quoted = re.search(r"《([^》]+)》", name)
    text = re.sub(r"[^\w\u4e00-\u9fff-]+", "", quoted.group(1) if quoted else name)
    text = re.sub(r"^关于印发|的通知$", "", text)[:20] or "新方案"
    taken = {plan.key for plan in all_plans(include_archived=True)} | {ARCHIVE_FOLDER}
    key, number = text, 2
    while key in taken:
        key, number = f"{text}-{number}", number + 1
    return key


def new_plan_path(key: str) -> Path:
    """Where a new plan named ``key`` is saved; the folder is made if needed."""
    key = check_key(key)
    plans_dir().mkdir(parents=True, exist_ok=True)
    return plans_dir() / f"{key}.xlsx"


def _companions(path: Path) -> list[Path]:
    """The workbook and what lives beside it under its name: history folder and audit log."""
    return [path, history_dir(path), audit_path(path)]


def _move_plan(plan: Plan, target_folder: Path) -> Plan:
    target_folder.mkdir(parents=True, exist_ok=True)
    target = target_folder / plan.path.name
    if target.exists():
        raise PlanError(f"{target_folder} 下已有同名文件 {target.name}，未移动。")
    # Under the plan's lock, so no save writes it halfway through the move; the workbook moves last,
    # so a move cut short leaves the plan where it was, with its history and log still found by name.
    with FileLock(str(lock_path(plan.path)), timeout=settings.value("KANBAN_LOCK_TIMEOUT_SECONDS")):
        for source in reversed(_companions(plan.path)):
            if source.exists():
                shutil.move(source, target_folder / source.name)
    lock_path(plan.path).unlink(missing_ok=True)
    return Plan(plan.key, target, archived=target_folder == archive_dir())


def archive(key: str) -> Plan:
    """Move plan ``key`` into the archive folder: out of the switcher, still readable under 已归档."""
    plan = find(key, include_archived=False)
    if plan is None:
        raise PlanError(f"找不到未归档的方案“{key}”。")
    if plan.default:
        raise PlanError("默认工作簿（KANBAN_WORKBOOK）不能归档。")
    return _move_plan(plan, archive_dir())


def unarchive(key: str) -> Plan:
    """Bring archived plan ``key`` back into the switcher."""
    plan = find(key)
    if plan is None or not plan.archived:
        raise PlanError(f"找不到已归档的方案“{key}”。")
    return _move_plan(plan, plans_dir())
