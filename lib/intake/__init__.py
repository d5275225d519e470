"""Bring in a 分工方案 notice as it arrives: Word, PDF, old .doc/.wps, or text.

- ``read_notice(data, filename)`` → ``NoticeText`` (paragraphs and tables in
  order), or ``IntakeError`` with a stable ``code`` and one Chinese sentence.
- ``import_notice(data, filename)`` → ``ImportedPlan`` (tasks, units, plan).
- ``parse_notice(text_or_notice)`` → ``ImportedPlan``, for text already in hand.

One reader per format (``text``, ``docx_reader``, ``pdf_reader``,
``legacy``); the layout parser (``layout``) does not know which one ran. The
file's first bytes decide its format, so a .docx renamed .doc still reads;
the name is only a hint for text and for a name we do not read at all.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import PurePath

from lib import settings
from lib.intake.base import (
    BROKEN_FILE,
    EMPTY,
    TOO_LARGE,
    UNKNOWN_FORMAT,
    Block,
    IntakeError,
    NoticeText,
    Table,
)
from lib.intake.layout import ImportedPlan, parse_notice

__all__ = ["Block", "ImportedPlan", "IntakeError", "NoticeText", "Table", "SUFFIXES", "import_notice",
           "parse_notice", "read_notice"]

SUFFIXES = (".docx", ".pdf", ".doc", ".wps", ".txt")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .wps, .xls … (Compound File)
_TEXT_SUFFIXES = ("", ".txt", ".text", ".md", ".csv")


def _zip_kind(data: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError):
        return "broken"
    if "word/document.xml" in names:
        return "docx"
    return "other"


def _refuse_unknown(suffix: str) -> IntakeError:
    shown = suffix or "无扩展名"
    return IntakeError(UNKNOWN_FORMAT, f"不支持导入此类文件（{shown}），请提供 Word（.docx/.doc/.wps）、PDF 或文本文件。")


def read_notice(data: bytes, filename: str = "", max_bytes: int | None = None) -> NoticeText:
    """The notice in ``data``; raises IntakeError (code in ``lib.intake.base``) when it cannot be read.

    ``max_bytes`` defaults to the board's upload limit (``KANBAN_MAX_UPLOAD_MB``).
    """
    from lib.intake.docx_reader import read_docx
    from lib.intake.legacy import read_legacy
    from lib.intake.pdf_reader import read_pdf
    from lib.intake.text import read_text

    limit = settings.max_upload_bytes() if max_bytes is None else max_bytes
    if len(data) > limit:
        raise IntakeError(TOO_LARGE, f"文件超过 {limit // (1024 * 1024)} MB，无法导入，请删去附件中的图片后再试。")
    if not data.strip():
        raise IntakeError(EMPTY, "文件是空的，请选择分工方案通知的文件。")
    suffix = PurePath(filename).suffix.lower()
    if data.startswith(b"%PDF"):
        return read_pdf(data)
    if data.startswith(b"PK\x03\x04"):
        kind = _zip_kind(data)
        if kind == "docx":
            return read_docx(data)
        if kind == "broken" and suffix == ".docx":
            raise IntakeError(BROKEN_FILE, "该 Word 文件已损坏或不是 .docx 格式，无法读取，请重新保存后再导入。")
        raise _refuse_unknown(suffix)
    if data.startswith(_OLE2):
        if suffix in (".doc", ".wps", ".dot", ".wpt"):
            return read_legacy(data, suffix if suffix in (".doc", ".wps") else ".doc")
        raise _refuse_unknown(suffix)
    if suffix in (".docx", ".pdf", ".doc", ".wps"):
        raise IntakeError(BROKEN_FILE, f"该文件不是有效的 {suffix} 文件，无法读取，请重新保存后再导入。")
    if suffix not in _TEXT_SUFFIXES:
        raise _refuse_unknown(suffix)
    return read_text(data)


def read_pasted(text: str) -> NoticeText:
    """Text pasted into the page: each line one paragraph."""
    blocks: list[Block] = list(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return NoticeText(blocks, source="paste")


def import_notice(data: bytes, filename: str = "", max_bytes: int | None = None) -> ImportedPlan:
    """Tasks, units and 方案 fields of the notice in ``data``; raises IntakeError when it cannot be read."""
    return parse_notice(read_notice(data, filename, max_bytes))
