"""What a change is: the person's request (``Change``), what saving it would write (``Preview``), and the
change applied to the base before it is compared (``Merged``).

Every step of a preview (``lib.store.flow``) reads or fills these records, so they live apart from the steps,
with the two small facts every step asks: which rows came with the upload, and a problem about the whole file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from lib import supervision
from lib.accounts import Account
from lib.model import ERROR, ORIGIN, ORIGIN_SAVED, WARNING, Book, Problem
from lib.workbook import RawWorkbook


@dataclass(frozen=True)
class Change:
    """What a person asked for: the same request can be previewed again against a newer workbook."""

    kind: str  # MERGE | REPLACE | DELETE | RESTORE | SUPERVISE
    account: Account  # who asks, with the rights the change is checked against
    upload: bytes | None = None  # MERGE / REPLACE / RESTORE: the workbook bytes
    filename: str = ""
    delete_keys: tuple[tuple, ...] = ()  # DELETE: (date, task_id, unit) keys
    label: str = ""  # what 版本记录 calls the change, e.g. 方案导入（新方案）; blank: the kind's own label
    events: tuple[supervision.Event, ...] = ()  # SUPERVISE: the requests or decisions to append, numbered on preview


@dataclass
class Preview:
    """Exactly what a save would change, computed against the workbook with hash ``base_hash``."""

    change: Change
    base_hash: str
    problems: list[Problem] = field(default_factory=list)
    added: pd.DataFrame = field(default_factory=pd.DataFrame)
    changed: pd.DataFrame = field(default_factory=pd.DataFrame)  # old → new side by side
    unchanged: int = 0
    removed: pd.DataFrame = field(default_factory=pd.DataFrame)
    other_changes: pd.DataFrame = field(default_factory=pd.DataFrame)  # 任务/处室/方案: sheet, key, what, old, new
    movement: pd.DataFrame = field(default_factory=pd.DataFrame)  # scope, name, before, after, delta
    merged: bytes | None = None  # the workbook that would be saved, once built, read back and validated
    skipped: int = 0  # uploaded rows left out: a template row sent back unfilled
    notes: list[str] = field(default_factory=list)  # what the save does besides the rows listed, in Chinese
    supervision_added: pd.DataFrame = field(default_factory=pd.DataFrame)  # 督办 events the save appends
    builder: Callable[[], None] | None = field(default=None, repr=False)  # builds ``merged``; see ``ensure_built``

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def ready(self) -> bool:
        """The change was understood: what it does is known, and its file is built or can be."""
        return self.merged is not None or self.builder is not None

    @property
    def ok(self) -> bool:
        return self.ready and not self.errors

    def ensure_built(self) -> bool:
        """Build the new file and check it (read back, validated), once; True when it may be saved.

        Deferred from the preview to the save, which calls it before taking the lock: the person
        sees the preview sooner, and the file is still built once and checked before anything is written.
        """
        if self.merged is None and self.builder is not None and not self.errors:
            build, self.builder = self.builder, None
            build()
        return self.merged is not None and not self.errors

    @property
    def counts(self) -> dict[str, int]:
        counts = {"added": len(self.added), "changed": len(self.changed), "removed": len(self.removed),
                  "other": len(self.other_changes)}
        return counts | ({"supervision": len(self.supervision_added)} if len(self.supervision_added) else {})

    @property
    def has_changes(self) -> bool:
        return any(self.counts.values())


@dataclass
class Merged:
    """A change applied to the base, before it is compared with the base."""

    book: Book
    plan: dict[str, object]
    problems: list[Problem]
    rows_by_key: dict  # (date, task_id, unit) → Excel row of the uploaded row, for rights messages
    carry_from: RawWorkbook | None  # the workbook whose extra sheets the save keeps
    asked: pd.DataFrame | None = None  # MERGE: the uploaded rows with a request cell (``upload_requests.asked_rows``)


def uploaded_rows(updates: pd.DataFrame) -> pd.Series:
    """True for the rows of the upload (a replace has no saved rows, hence no ``ORIGIN`` column)."""
    if ORIGIN not in updates.columns:
        return pd.Series(True, index=updates.index)
    return updates[ORIGIN] != ORIGIN_SAVED


def file_error(message: str, code: str, sheet: str = "") -> Problem:
    """An error about the file or a sheet as a whole, not one of its rows."""
    return Problem(ERROR, sheet, None, "", "", message, code=code)


def file_warning(message: str, code: str, sheet: str = "", value: str = "") -> Problem:
    """A warning about the file or a sheet as a whole, not one of its rows."""
    return Problem(WARNING, sheet, None, "", value, message, code=code)
