"""The shared workbook a change is previewed against, read and validated once per content.

Cached by content hash (and ``today``, which validation depends on): every preview of one version,
and the first preview after a save (whose new file was already read back), start from the same parsed
workbook instead of reading it again. (The board keeps its own cache, ``lib.ui.board``.)
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import pandas as pd

from lib import validate
from lib.model import Book
from lib.store.diff import saved_updates
from lib.store.persist import content_hash
from lib.workbook import RawWorkbook, WorkbookError, read_raw


@dataclass(frozen=True)
class Base:
    """The shared workbook a preview is built on. Read-only: previews never modify its frames."""

    hash: str  # "" when there is no workbook yet
    raw: RawWorkbook | None  # None when absent or unreadable
    book: Book | None  # None when absent, unreadable or invalid
    derived: dict = field(default_factory=dict, compare=False)  # what previews compute from it, once

    def saved_updates(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """``diff.saved_updates`` of this base, computed once per version."""
        if "saved_updates" not in self.derived:
            self.derived["saved_updates"] = saved_updates(self.raw, self.book)
        return self.derived["saved_updates"]


MAX_CACHED_BASES = 4
_bases: OrderedDict[tuple[str, dt.date], Base] = OrderedDict()
_bases_lock = threading.Lock()


def remember_base(base: Base, today: dt.date) -> None:
    with _bases_lock:
        _bases[(base.hash, today)] = base
        _bases.move_to_end((base.hash, today))
        while len(_bases) > MAX_CACHED_BASES:
            _bases.popitem(last=False)


def read_base(current: bytes | None, today: dt.date) -> Base:
    """The workbook whose bytes are ``current``, read and validated; cached by content hash and ``today``."""
    if current is None:
        return Base("", None, None)
    digest = content_hash(current)
    with _bases_lock:
        cached = _bases.get((digest, today))
    if cached is not None:
        return cached
    try:
        raw = read_raw(current)
    except WorkbookError:
        base = Base(digest, None, None)
    else:
        result = validate.parse(raw, today=today)
        base = Base(digest, raw, result.book if result.ok else None)
    remember_base(base, today)
    return base
