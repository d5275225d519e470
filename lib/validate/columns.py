"""The cell helpers applied to a whole column at once, for sheets too long to check row by row (进展).

Each distinct value is parsed once (``map_distinct``), and only the rows with a problem are visited one by
one, to write their messages (``report_rows``). lib.store uses these too, to compare uploads quickly.
"""

from __future__ import annotations

import pandas as pd

from lib.model import ERROR, ORIGIN, ROW
from lib.validate.cells import Collector, cell_text, is_blank


def map_distinct(values: pd.Series, function) -> pd.Series:
    """``function`` of each cell, computed once per distinct value: a column of 100,000 reports holds
    a few hundred dates, ids and units."""
    cells = values.to_numpy(dtype=object)
    try:
        distinct = pd.unique(cells)
    except TypeError:  # an unhashable cell: no sharing
        return pd.Series([function(value) for value in cells], index=values.index, dtype=object)
    if any(isinstance(value, bool) for value in distinct):  # True == 1 as a key: keep them apart
        return pd.Series([function(value) for value in cells], index=values.index, dtype=object)
    lookup = dict(zip(distinct, map(function, distinct), strict=True))
    # NaN is not equal to itself: a NaN cell misses the lookup and is computed on its own
    mapped = [lookup[value] if value in lookup else function(value) for value in cells]
    return pd.Series(mapped, index=values.index, dtype=object)


def texts(values: pd.Series) -> pd.Series:
    """``cell_text`` of each cell; plain strings, nearly every cell of a text column, only stripped."""
    return pd.Series([value.strip() if type(value) is str else cell_text(value) for value in values.to_numpy(dtype=object)],
                     index=values.index, dtype=object)


def blanks(values: pd.Series) -> pd.Series:
    """``is_blank`` of each cell, as a bool Series."""
    return pd.Series([is_blank(value) for value in values.to_numpy(dtype=object)], index=values.index, dtype=bool)


def parsed(values: pd.Series, parser) -> pd.Series:
    """``parser`` applied to each distinct cell; None where the cell does not parse."""

    def attempt(value):
        try:
            return parser(value)
        except (ValueError, TypeError, OverflowError):
            return None

    return map_distinct(values, attempt)


def report_rows(out: Collector, level: str, code: str, mask: pd.Series, frame: pd.DataFrame, column: str,
                values: pd.Series, message) -> None:
    """One problem per row in ``mask``; ``message`` is a text or a function of the value."""
    add = out.error if level == ERROR else out.warning
    for row, origin, value in zip(frame.loc[mask, ROW], column_of(frame, ORIGIN)[mask], values[mask]):
        add(code, row, column, value, message(value) if callable(message) else message, origin)


def column_of(frame: pd.DataFrame, name: str) -> pd.Series:
    """A raw column; blank cells when the sheet does not have it."""
    if name in frame.columns:
        return frame[name]
    return pd.Series("", index=frame.index, dtype=object)
