"""What a save keeps of the shared workbook beyond the contract's sheets and columns, and warnings for what it drops.

The contract (``lib.schema``) names the sheets and columns the board reads; a workbook may hold more. A merge or a
delete keeps the base's extra sheets, a replace the upload's; extra columns are never kept. The person is told
before saving, since the dropped part then lives only in 版本记录.
"""

from __future__ import annotations

from lib.model import Problem
from lib.store.base import Base
from lib.store.change import Change, Merged, file_warning
from lib.store.persist import MERGE
from lib.workbook import RawWorkbook


def carried_sheets(base: Base, merged: Merged, change: Change) -> list[str]:
    """The extra sheets (beyond the contract's) the save keeps: the base's on merge and delete, the upload's on replace."""
    names = [n for n in (merged.carry_from.other_sheets if merged.carry_from else []) if not n.startswith("_")]
    return [] if change.kind == MERGE and merged.carry_from is not base.raw else names


def outside_contract(current_raw: RawWorkbook | None, carried: list[str]) -> list[Problem]:
    """Warnings for what the current file holds outside the contract and the save will not keep."""
    if current_raw is None:
        return []
    kept_in_history = "原文件会完整存入版本记录，可在「版本记录」页下载。"
    problems = []
    for name, sheet in current_raw.sheets.items():
        for column in sheet.extra_columns:
            problems.append(file_warning(f"共享工作簿「{name}」表中的「{column}」列不在工作簿约定之内，保存后不再保留。"
                                         + kept_in_history, "column-not-kept", name, column))
    for name in current_raw.other_sheets:
        if name not in carried and not name.startswith("_"):
            problems.append(file_warning(f"共享工作簿中的工作表「{name}」不在本次上传的文件中，保存后不再保留。" + kept_in_history, "sheet-not-kept",
                                         value=name))
    return problems
