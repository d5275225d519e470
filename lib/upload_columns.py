"""The columns of an uploaded 进展 sheet beyond the contract's: a template's 方案 and 申请事项 / 申请完成时限 / 佐证材料.

``lib.workbook.read_raw`` reads the contract's columns only (the frame a save writes back); these columns are
read from the same file here, row by row against the rows it read, so each cell keeps its Excel row.
"""

from __future__ import annotations

import io

import pandas as pd

from lib import schema
from lib.model import ROW
from lib.workbook import RawSheet


def updates_rows(data: bytes, nrows: int | None = None) -> list[list] | None:
    """The 进展 sheet's cells from A1 (row r of Excel is item r - 1), or None when there is none to read.

    Called on a file ``filecheck`` has passed; a file calamine cannot read is left to the preview, which says why.
    """
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        name = next((n for n in book.sheet_names if schema.normalise_header(n) == schema.SHEET_UPDATES), None)
        if name is None:
            return None
        return book.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=nrows)
    except Exception:  # a damaged file: store.preview refuses it with its message
        return None


def cells_under(rows: list[list], sheet: RawSheet, headers: dict[str, str]) -> pd.DataFrame:
    """For each row of ``sheet.frame`` (same index, with its ``ROW``), the cells of ``rows`` under the headers
    (field → header) of the sheet's header row, as read ('' when blank). A header the row lacks has no column."""
    header = rows[sheet.header_row - 1] if sheet.header_row and sheet.header_row <= len(rows) else []
    found = {schema.normalise_header(cell): position for position, cell in reversed(list(enumerate(header)))}
    columns: dict[str, list] = {}
    for field_name, text in headers.items():
        position = found.get(schema.normalise_header(text))
        if position is None:
            continue
        cells = []
        for row in sheet.frame[ROW]:
            values = rows[row - 1] if row - 1 < len(rows) else []
            cells.append(values[position] if position < len(values) else "")
        columns[field_name] = cells
    return pd.DataFrame({ROW: sheet.frame[ROW], **columns}, index=sheet.frame.index)
