"""The shared workbook, read and validated once per content, for the board and for every change.

Cached by content hash (and ``today``, which validation depends on): the board's load, every preview
of that version, and the first board load and preview after a save (whose new file was already read
back) all start from the same parsed workbook instead of reading it again.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lib import metrics, validate
from lib.model import Book
from lib.store.diff import saved_updates
from lib.store.persist import content_hash
from lib.workbook import RawWorkbook


@dataclass(frozen=True)
class Base:
    """The shared workbook a preview is built on. Read-only: previews never modify its frames."""

    hash: str  # "" when there is no workbook yet
    raw: RawWorkbook | None  # None when absent or unreadable
    book: Book | None  # None when absent, unreadable or invalid
    result: validate.LoadResult = field(default_factory=lambda: validate.LoadResult(None), compare=False)
    derived: dict = field(default_factory=dict, compare=False)  # what previews compute from it, once

    def snapshot(self, as_of: dt.date) -> metrics.Snapshot | None:
        """``metrics.compute`` of this base at ``as_of`` (None without a valid book), computed once per date."""
        if self.book is None:
            return None
        if ("snapshot", as_of) not in self.derived:
            self.derived[("snapshot", as_of)] = metrics.compute(self.book, as_of)
        return self.derived[("snapshot", as_of)]

    def saved_updates(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """``diff.saved_updates`` of this base, computed once per version."""
        if "saved_updates" not in self.derived:
            self.derived["saved_updates"] = saved_updates(self.raw, self.book)
        return self.derived["saved_updates"]


MAX_CACHED_BASES = 2  # the version shown, and the one a save has just written: a large one holds ~150 MB
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
    raw, result = validate.load_raw(current, today=today)
    base = Base(digest, raw, result.book if result.ok else None, result)
    remember_base(base, today)
    return base


def load_file(path: Path, today: dt.date) -> validate.LoadResult:
    """``validate.load`` of the file at ``path``, through the cache the store's previews share."""
    try:
        data = path.read_bytes()
    except OSError:
        return validate.load(path, today=today)  # its message names the failure
    return read_base(data, today).result
