"""Check a raw workbook against the contract and normalise it into a ``Book``.

What validation guarantees: bad input never raises. Every finding is a ``model.Problem`` with a stable
``code`` (tests and callers match on it; the Chinese message is for people) and names the sheet, the Excel
row and the column header, with the cell's text, so the UI and ``python -m lib validate`` show where to fix.
Rows with errors are left out of the Book; problems come sorted, errors first.

- ``lib.validate.book``: ``load``, ``load_raw``, ``parse`` and ``LoadResult``: structure, then every sheet in order;
- ``lib.validate.cells``: one cell made comparable (``cell_text``, ``is_blank``, ``normalise_id``,
  ``parse_progress``) and the ``Collector`` every check reports through;
- ``lib.validate.columns``: the same, a whole column at once (``map_distinct``, ``texts``, ``blanks``);
- ``lib.validate.plan``: the 方案 sheet's settings (``parse_report_deadline``);
- ``lib.validate.units``: the 处室 sheet and ``UnitDirectory`` (groups expanded into units);
- ``lib.validate.tasks``: the 任务 sheet and its assignments;
- ``lib.validate.updates``: the 进展 sheet, checked column by column (``empty_updates``);
- ``lib.validate.events``: the 督办 sheet's events.

The names callers need are imported here, so the rest of the code says ``validate.load``.
"""

from lib.dates import parse_date
from lib.validate.book import LoadResult, load, load_raw, parse
from lib.validate.cells import cell_text, is_blank, normalise_id, parse_progress
from lib.validate.columns import blanks, map_distinct, texts
from lib.validate.plan import REPORT_DEADLINE_FORMS, parse_report_deadline
from lib.validate.tasks import TASK_FRAME_COLUMNS
from lib.validate.units import UnitDirectory
from lib.validate.updates import empty_updates

__all__ = [
    "REPORT_DEADLINE_FORMS", "TASK_FRAME_COLUMNS", "LoadResult", "UnitDirectory", "blanks", "cell_text", "empty_updates",
    "is_blank", "load", "load_raw", "map_distinct", "normalise_id", "parse", "parse_date", "parse_progress",
    "parse_report_deadline", "texts",
]
