"""One cell as read from a sheet, made comparable, and the collector every sheet's checks report through.

Every check in the package reports with ``Collector.error``/``Collector.warning``, so each problem carries a
code, the sheet, the Excel row, the column header and the cell's text, and the rows of a merge keep their origin.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from lib.model import ERROR, WARNING, Problem


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def cell_text(value: object) -> str:
    """A cell as display text, for messages and text fields."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def normalise_id(value: object) -> str:
    """A task number as text: 3.0 → '3', ' 3.2 ' → '3.2', '３' → '3'."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    return unicodedata.normalize("NFKC", cell_text(value)).strip()


def parse_progress(value: object) -> float:
    """完成进度 as percent 0–100. Accepts 60, '60', '60%'. Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        if value != value:
            raise ValueError(value)
        return float(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    if text.endswith("%"):
        return float(text[:-1])
    return float(text)


class Collector:
    """Problems for one sheet, so each call site says only what differs."""

    def __init__(self, sheet: str, problems: list[Problem]):
        self.sheet = sheet
        self.problems = problems
        self.origin = ""  # of the row being checked, for checks that go row by row

    def error(self, code: str, row: int | None, column: str, value: object, message: str,
              origin: str | None = None) -> None:
        self.problems.append(Problem(ERROR, self.sheet, row, column, cell_text(value), message, code=code,
                                     origin=self.origin if origin is None else origin))

    def warning(self, code: str, row: int | None, column: str, value: object, message: str,
                origin: str | None = None) -> None:
        self.problems.append(Problem(WARNING, self.sheet, row, column, cell_text(value), message, code=code,
                                     origin=self.origin if origin is None else origin))
