"""Fixtures shared by several test modules; the workbooks they stand on are built in ``tests/builders.py``."""

from __future__ import annotations

import datetime as dt

import pytest

from lib import validate
from lib.model import Book
from tests.builders import board_workbook


@pytest.fixture(scope="module")
def board_book(tmp_path_factory: pytest.TempPathFactory) -> Book:
    """The board workbook (see test_pages_board), read and checked as on 2026-06-15."""
    result = validate.load(board_workbook(tmp_path_factory.mktemp("board")), today=dt.date(2026, 6, 15))
    assert result.book is not None, [p.as_text() for p in result.problems]
    return result.book
