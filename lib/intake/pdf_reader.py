"""PDF with a text layer: the lines outside ruled tables, and the tables, in reading order.

A PDF has no paragraphs, only lines placed on a page. A line that runs to the
right margin continues on the next one (the text wrapped there), so such
lines are joined; a line that stops short ends its paragraph. A table that
continues on the next page, with the same columns, is one table; a repeated
header row is dropped. A PDF whose pages carry no text is a scan.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from typing import Any

from lib.intake.base import BROKEN_FILE, NEEDS_OCR, Block, IntakeError, NoticeText, Table
from lib.intake.numbering import fold, match_number

# Page furniture between a table's two halves, and never part of the plan.
_PAGE_NUMBER_RE = re.compile(r"^\s*[-—－]?\s*\d{1,3}\s*[-—－]?\s*$|^第\s*\d+\s*页")
_MAX_PAGES = 300
# pdfminer logs a warning per glyph of a font without a bounding box (Chrome's and Word's CJK
# fonts); the text reads fine, and the flood would bury a real problem in the log.
logging.getLogger("pdfminer").setLevel(logging.ERROR)
# Fonts embedded by Word and browsers often map 一, 工, 方 … to the look-alike Kangxi radicals
# (U+2F00–U+2FDF) or CJK radical supplement; those are never meant, so they become the ideographs.
_RADICALS_RE = re.compile("[\u2e80-\u2eff\u2f00-\u2fdf]")


# The radical-supplement forms (U+2E80–U+2EFF) have no NFKC mapping; these are the simplified
# characters Chinese fonts draw with them.
_SUPPLEMENT = dict(zip("⺠⻓⻘⻅⻋⻔⻚⻛⻜⻝⻢⻥⻩⻬⻯⻳⻄⻆⺟⺩⺷⻁⻣⻤⻨⻪⺼⺝⻉⻈⻐⻦⻧⻮⻙⻠",
                       "民长青见车门页风飞食马鱼黄齐龙龟西角母王羊虎骨鬼麦黾月月贝讠钅鸟卤齿韦饣", strict=True))


def _ideographs(text: str) -> str:
    return _RADICALS_RE.sub(
        lambda match: _SUPPLEMENT.get(match.group()) or unicodedata.normalize("NFKC", match.group()), text)


def _inside(obj: dict[str, Any], boxes: list[tuple[float, float, float, float]]) -> bool:
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _page_blocks(page: Any) -> list[tuple[float, Block, bool]]:
    """(top, block, runs to the right margin) of a page's lines and tables."""
    tables = page.find_tables()
    boxes = [table.bbox for table in tables]
    placed: list[tuple[float, Block, bool]] = []
    for table in tables:
        rows = [[(cell or "").strip() for cell in row] for row in table.extract()]
        rows = _fill_merged(rows)
        if rows:
            placed.append((table.bbox[1], Table(rows), False))
    text_page = page.filter(lambda obj: obj.get("object_type") != "char" or not _inside(obj, boxes))
    lines = text_page.extract_text_lines(return_chars=True)
    if lines:
        right = max(line["x1"] for line in lines)
        for line in lines:
            size = max((char.get("size", 10) for char in line["chars"]), default=10)
            placed.append((line["top"], line["text"], line["x1"] >= right - 1.5 * size))
    placed.sort(key=lambda item: item[0])
    return placed


def _fill_merged(rows: list[list[str | None]] | list[list[str]]) -> list[list[str]]:
    """A merged cell comes out of pdfplumber as None below/right of its text; give it the text it spans."""
    grid = [list(row) for row in rows]
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if cell is None or cell == "":
                if r > 0 and c < len(grid[r - 1]) and rows[r][c] is None:
                    row[c] = grid[r - 1][c]
                elif c > 0 and rows[r][c] is None:
                    row[c] = row[c - 1]
    return [[(cell or "").replace("\n", "") for cell in row] for row in grid]


def _join(placed: list[tuple[float, Block, bool]]) -> list[Block]:
    """Lines joined into paragraphs; tables split by a page break joined into one."""
    blocks: list[Block] = []
    carry = ""
    for _, block, full in placed:
        if isinstance(block, Table):
            if carry:
                blocks.append(carry)
                carry = ""
            previous = blocks[-1] if blocks else None
            if isinstance(previous, Table) and previous.rows and len(previous.rows[0]) == len(block.rows[0]):
                rows = block.rows[1:] if block.rows[0] == previous.rows[0] else block.rows
                previous.rows.extend(rows)
            else:
                blocks.append(block)
            continue
        if _PAGE_NUMBER_RE.match(block):
            continue
        if carry and match_number(fold(_ideographs(block.strip()))):
            # A line that filled the width ended its paragraph after all: the next one is numbered.
            blocks.append(carry)
            carry = ""
        carry += block.strip()
        if not full:
            blocks.append(carry)
            carry = ""
    if carry:
        blocks.append(carry)
    return blocks


def read_pdf(data: bytes) -> NoticeText:
    """The text and tables of a PDF; raises IntakeError when it is damaged or is a scan without text."""
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as error:  # pdfminer raises many kinds of error on a damaged file
        raise IntakeError(BROKEN_FILE, "该 PDF 文件已损坏，无法读取，请重新导出后再导入。") from error
    placed: list[tuple[float, Block, bool]] = []
    with pdf:
        try:
            for page in pdf.pages[:_MAX_PAGES]:
                placed.extend(_page_blocks(page))
        except Exception as error:
            raise IntakeError(BROKEN_FILE, "该 PDF 文件已损坏，无法读取，请重新导出后再导入。") from error
    if not any(isinstance(block, Table) or block.strip() for _, block, _ in placed):
        raise IntakeError(NEEDS_OCR, "该 PDF 是扫描件，没有可读取的文字，请先做文字识别（OCR），或提供 Word 版本后再导入。")
    blocks = [Table([[_ideographs(cell) for cell in row] for row in block.rows]) if isinstance(block, Table)
              else _ideographs(block) for block in _join(placed)]
    return NoticeText(blocks, source="pdf")
