"""The 处室 sheet (unique unit names, short names, groups), and the directory that expands a group into its units."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lib import schema
from lib.model import ORIGIN, ROW, Problem, row_label
from lib.validate.cells import Collector, cell_text
from lib.workbook import RawSheet


def parse_units(sheet: RawSheet, problems: list[Problem]) -> pd.DataFrame:
    out = Collector(schema.SHEET_UNITS, problems)
    header = schema.header_of(schema.SHEET_UNITS, "unit")
    frame = sheet.frame
    records = []
    seen: dict[str, str] = {}
    for record in frame.itertuples(index=False):
        row, origin = getattr(record, ROW), getattr(record, ORIGIN, "")
        name = cell_text(getattr(record, "unit", ""))
        if not name:
            out.error("missing-value", row, header, "", "处室名称为空，请填写处室全称或删除该行。", origin)
            continue
        if name in seen:
            out.error("duplicate-unit", row, header, name, f"处室「{name}」与{seen[name]}重复，处室名称必须唯一。", origin)
            continue
        seen[name] = row_label(row, origin)
        records.append(
            {
                "unit": name,
                "short": cell_text(getattr(record, "short", "")),
                "groups": schema.split_unit_list(cell_text(getattr(record, "groups", ""))),
                ROW: row,
            }
        )
    return pd.DataFrame(records, columns=["unit", "short", "groups", ROW])


@dataclass
class UnitDirectory:
    """Which names are units and which are groups, looked up once per workbook instead of per task."""

    names: set[str]
    members: dict[str, list[str]]  # group name → its units, in 处室 order

    @classmethod
    def of(cls, units: pd.DataFrame) -> UnitDirectory:
        members: dict[str, list[str]] = {}
        for unit, groups in zip(units["unit"], units["groups"]):
            for group in groups:
                members.setdefault(group, []).append(unit)
        return cls(set(units["unit"]), members)

    def expand(self, names: list[str]) -> list[str]:
        """Unit names with group names replaced by their members, order kept, each once."""
        expanded: dict[str, None] = {}
        for name in names:
            for unit in [name] if name in self.names else self.members.get(name, [name]):
                expanded.setdefault(unit)
        return list(expanded)
