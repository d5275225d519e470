"""机构改革: a unit renamed (or merged into another) across every plan, saved as one set.

``rename_previews`` builds, for each plan that knows the old name, the workbook with the unit renamed and
previews it as an admin's 整体替换 labelled ``处室更名：旧→新``; ``lib.store.save_all`` then saves the
previews together, so no plan is left with the old name while another has the new one.

In each plan:

- 处室: the old row takes the new name (its 简称 and 分组 stay: the admin edits them if they changed);
  when the plan already has the new unit, the old row is dropped and the new unit's row stays as it is;
- 任务: the old name inside 责任处室 and 牵头处室 is replaced name by name (lists split as validation splits
  them, ``schema.split_unit_list``); a list naming both units keeps the new one once. A rewritten list is
  joined with 、; lists without the old name are left as they are;
- 进展: every report of the old unit becomes the new unit's. When merging, a report of the old unit with
  the same 填报日期 and 编号 as one of the new unit's own is left out (the new unit's own report stands),
  and the preview says how many.

The versions saved before keep the old name: history is never rewritten.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from lib import schema, settings
from lib.accounts import Account
from lib.plans import PlanError, all_plans
from lib.store import REPLACE, Change, Preview, preview
from lib.store.base import read_base
from lib.store.build import book_frames, plan_dict
from lib.validate import UnitDirectory
from lib.workbook import RawWorkbook, read_sheet_values, supervision_sheet, workbook_bytes


def rename_label(old: str, new: str) -> str:
    """What 版本记录 and the audit log call the change."""
    return f"处室更名：{old}→{new}"


def renamed_list(text: object, old: str, new: str) -> object:
    """A 责任处室 / 牵头处室 cell with ``old`` replaced by ``new``; the cell as it was when it does not name ``old``."""
    if not isinstance(text, str):
        return text
    names = schema.split_unit_list(text)
    if old not in names:
        return text
    return "、".join(dict.fromkeys(new if name == old else name for name in names))


def _checked_names(old: str, new: str) -> tuple[str, str]:
    old, new = old.strip(), new.strip()
    if not old or not new:
        raise PlanError("请填写原处室名称和新处室名称。")
    if old == new:
        raise PlanError("新处室名称与原名称相同，无需更名。")
    if schema.split_unit_list(new) != [new]:
        raise PlanError(f"新处室名称“{new}”含有顿号、逗号、分号或换行，会被当作多个处室，请修改。")
    return old, new


def _renamed_updates(updates: pd.DataFrame, old: str, new: str) -> tuple[pd.DataFrame, int]:
    """The 进展 rows with ``old``'s reports made ``new``'s, and how many were left out for a report of ``new``'s own."""
    moved = updates["unit"] == old
    own = set(zip(updates.loc[updates["unit"] == new, "date"], updates.loc[updates["unit"] == new, "task_id"]))
    clash = moved & pd.Series([key in own for key in zip(updates["date"], updates["task_id"])], index=updates.index)
    kept = updates[~clash].copy()
    kept.loc[kept["unit"] == old, "unit"] = new
    return kept, int(clash.sum())


def _mentions(raw: RawWorkbook, name: str) -> bool:
    """Whether any cell of the known sheets holds ``name``: for a workbook whose units cannot be read."""
    return any(frame.astype(str).apply(lambda column: column.str.contains(name, regex=False)).to_numpy().any()
               for frame in (sheet.frame for sheet in raw.sheets.values()) if len(frame))


def _renamed_workbook(current: bytes, old: str, new: str, today: dt.date, plan_key: str) -> tuple[bytes, int] | None:
    """The plan's workbook with the unit renamed, and how many reports a merge left out; None when it has no ``old``."""
    base = read_base(current, today)
    if base.book is None or base.raw is None:
        if base.raw is not None and not _mentions(base.raw, old):
            return None
        raise PlanError(f"方案“{plan_key}”的工作簿当前存在错误，无法统一更名。请先修复该方案（整体替换或恢复版本）后再试。")
    if old not in set(base.book.units["unit"]):
        return None
    if new in UnitDirectory.of(base.book.units).members:
        raise PlanError(f"方案“{plan_key}”中“{new}”是处室分组的名称，不能用作处室名称。")
    units, tasks, updates = book_frames(base.book)
    if new in set(units["unit"]):
        units = units[units["unit"] != old]
    else:
        units = units.assign(unit=units["unit"].where(units["unit"] != old, new))
    tasks = tasks.assign(units_text=tasks["units_text"].map(lambda text: renamed_list(text, old, new)),
                         lead_text=tasks["lead_text"].map(lambda text: renamed_list(text, old, new)))
    updates, left_out = _renamed_updates(updates, old, new)
    carried = [name for name in base.raw.other_sheets if not name.startswith("_")]
    extra = read_sheet_values(current, carried) if carried else {}
    events = base.book.supervision
    # The 督办 rows follow the unit too: a request or decision of the old name would name a unit the plan no longer has.
    extra |= supervision_sheet(events.assign(unit=events["unit"].where(events["unit"] != old, new)))
    plan = plan_dict(base.raw.sheets.get(schema.SHEET_PLAN))
    return workbook_bytes(plan, units, tasks, updates, extra or None), left_out


def rename_previews(old: str, new: str, account: Account, today: dt.date | None = None) -> list[tuple[Path, Preview]]:
    """For each plan (archived ones aside) that knows unit ``old``, the preview of its workbook with ``old``
    renamed ``new``, ready for ``store.save_all``. Raises PlanError (Chinese) when no plan knows ``old``,
    the names are the same or unusable, or a plan that would be renamed cannot be read.

    ``account`` must be an admin's: the previews are 整体替换, which a reporter's preview refuses (admin-only).
    """
    old, new = _checked_names(old, new)
    today = today or settings.today()
    previews = []
    for plan in all_plans(include_archived=False):
        current = plan.path.read_bytes()
        renamed = _renamed_workbook(current, old, new, today, plan.key)
        if renamed is None:
            continue
        data, left_out = renamed
        change = Change(REPLACE, account, data, filename=plan.path.name, label=rename_label(old, new))
        shown = preview(current, change, today)
        if left_out:
            shown.notes.append(f"“{old}”有 {left_out} 条进展与“{new}”同日同任务的进展重复，以“{new}”的为准，不再保留。")
        previews.append((plan.path, shown))
    if not previews:
        raise PlanError(f"各方案（不含已归档方案）中均没有处室“{old}”。")
    return previews
