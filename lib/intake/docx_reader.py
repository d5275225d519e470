"""Word (.docx): paragraphs and tables in document order, with automatic list numbers written out.

python-docx gives a paragraph's text without the number Word draws in front
of it (``一、``, ``（一）``, ``1.`` from w:numPr). Those numbers carry the
plan's structure, so they are rebuilt here from numbering.xml: each list
keeps a counter per level, a level's counter restarts when a shallower
level moves on, and the level's ``lvlText`` (``%1、``, ``（%1）``) and
``numFmt`` (chineseCounting, decimal …) give the visible prefix.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from lib.intake.base import BROKEN_FILE, Block, IntakeError, NoticeText, Table

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CN = "〇一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_GAN = "甲乙丙丁戊己庚辛壬癸"


def _chinese(value: int) -> str:
    """一 … 九十九 as written in numbered headings."""
    if value < 10:
        return _CN[value]
    tens, ones = divmod(value, 10)
    head = "" if tens == 1 else _CN[tens]
    return head + "十" + (_CN[ones] if ones else "") if value < 100 else str(value)


def _format(value: int, fmt: str) -> str:
    if fmt.startswith("chineseCounting") or fmt in ("ideographDigital", "japaneseCounting", "taiwaneseCounting"):
        return _chinese(value)
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return _CIRCLED[value - 1] if 0 < value <= len(_CIRCLED) else str(value)
    if fmt == "ideographTraditional":
        return _GAN[(value - 1) % 10]
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (value - 1) % 26)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(c) + 0xFEE0) for c in str(value))
    if fmt == "none":
        return ""
    return str(value)


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    restart: int | None = None  # w:lvlRestart: 0 never; N after level N (1-based); None after any shallower level

    def restarts_after(self, ilvl: int) -> bool:
        """Whether this level counts from its start again when the shallower level ``ilvl`` (0-based) moves on."""
        return self.restart is None or ilvl < self.restart


@dataclass
class _Numbering:
    """numbering.xml: levels of each abstract list, the list of each numId, and running counters."""

    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)  # abstractNumId → ilvl → level
    lists: dict[str, str] = field(default_factory=dict)  # numId → abstractNumId
    overrides: dict[str, dict[int, int]] = field(default_factory=dict)  # numId → ilvl → start
    counters: dict[str, list[int]] = field(default_factory=dict)  # abstractNumId → counter per level
    started: set[str] = field(default_factory=set)  # numIds whose start overrides were applied

    def prefix(self, num_id: str, ilvl: int) -> str:
        """The visible number of the next paragraph of list ``num_id`` at level ``ilvl``, e.g. ``（二）``."""
        abstract = self.lists.get(num_id)
        if abstract is None or abstract not in self.levels:
            return ""
        levels = self.levels[abstract]
        counters = self.counters.setdefault(abstract, [0] * 9)
        if num_id not in self.started:
            self.started.add(num_id)
            for level, start in self.overrides.get(num_id, {}).items():
                counters[level] = start - 1
                for deeper in range(level + 1, 9):
                    counters[deeper] = 0
        ilvl = max(0, min(8, ilvl))
        current = levels.get(ilvl, _Level())
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else current.start
        for deeper in range(ilvl + 1, 9):
            # A plan numbers its tasks 1 … 45 straight through its sections with lvlRestart 0.
            if levels.get(deeper, _Level()).restarts_after(ilvl):
                counters[deeper] = 0
        text = current.text
        for index in range(ilvl + 1):
            shown = levels.get(index, _Level())
            value = counters[index] or shown.start
            text = text.replace(f"%{index + 1}", _format(value, shown.fmt))
        return text


def _val(element: Any, tag: str) -> str | None:
    child = element.find(_W + tag) if element is not None else None
    return None if child is None else child.get(_W + "val")


def _read_numbering(document: Any) -> _Numbering:
    numbering = _Numbering()
    try:
        root = document.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return numbering
    for abstract in root.findall(_W + "abstractNum"):
        levels: dict[int, _Level] = {}
        for lvl in abstract.findall(_W + "lvl"):
            start, restart = _val(lvl, "start"), _val(lvl, "lvlRestart")
            levels[int(lvl.get(_W + "ilvl", "0"))] = _Level(
                _val(lvl, "numFmt") or "decimal", _val(lvl, "lvlText") or "", int(start) if start else 1,
                int(restart) if restart and restart.isdigit() else None)
        numbering.levels[abstract.get(_W + "abstractNumId", "")] = levels
    for num in root.findall(_W + "num"):
        num_id = num.get(_W + "numId", "")
        numbering.lists[num_id] = _val(num, "abstractNumId") or ""
        for override in num.findall(_W + "lvlOverride"):
            start = _val(override, "startOverride")
            if start is not None:
                numbering.overrides.setdefault(num_id, {})[int(override.get(_W + "ilvl", "0"))] = int(start)
    return numbering


def _num_pr(paragraph: Any, styles: dict[str, Any]) -> tuple[str, int] | None:
    """(numId, ilvl) of a paragraph, from its own w:numPr or its style's; None when not in a list."""
    ppr = paragraph.find(_W + "pPr")
    num_pr = ppr.find(_W + "numPr") if ppr is not None else None
    style_id = _val(ppr, "pStyle") if ppr is not None else None
    seen = 0
    while (num_pr is None or _val(num_pr, "numId") is None) and style_id in styles and seen < 10:
        style = styles[style_id]
        sppr = style.find(_W + "pPr")
        num_pr = sppr.find(_W + "numPr") if sppr is not None else None
        based = style.find(_W + "basedOn")
        style_id = None if based is None else based.get(_W + "val")
        seen += 1
    if num_pr is None:
        return None
    num_id = _val(num_pr, "numId")
    if num_id is None or num_id == "0":
        return None
    return num_id, int(_val(num_pr, "ilvl") or 0)


class _Reader:
    def __init__(self, document: Any):
        self.numbering = _read_numbering(document)
        try:
            styles_root = document.styles.element
            self.styles = {s.get(_W + "styleId"): s for s in styles_root.findall(_W + "style")}
        except (KeyError, AttributeError):
            self.styles = {}

    def paragraph(self, element: Any) -> str:
        """A paragraph's text, with its list number in front when it has one."""
        text = "".join(node.text or "" if node.tag == _W + "t" else "\t" if node.tag == _W + "tab" else "\n"
                       for node in element.iter(_W + "t", _W + "tab", _W + "br", _W + "cr"))
        num = _num_pr(element, self.styles)
        # Word draws the number on an empty list paragraph too (a 序号 cell is often just that).
        if num is not None:
            prefix = self.numbering.prefix(*num)
            text = prefix + text
        return text

    def cell(self, tc: Any) -> str:
        lines = [self.paragraph(p) for p in tc.iter(_W + "p")]
        return "\n".join(line.strip() for line in lines if line.strip())

    def table(self, table: Any) -> Table:
        # Keyed by the element itself: holding it keeps lxml handing out the same proxy for a merged
        # cell, whose numbered paragraphs must be counted once (an id() could be reused).
        texts: dict[Any, str] = {}
        rows: list[list[str]] = []
        for row in table.rows:
            cells = []
            for cell in row.cells:
                if cell._tc not in texts:
                    texts[cell._tc] = self.cell(cell._tc)
                cells.append(texts[cell._tc])
            rows.append(cells)
        return Table(rows)


def read_docx(data: bytes) -> NoticeText:
    """The paragraphs and tables of a .docx, in order; raises IntakeError(BROKEN_FILE) for a damaged file."""
    import docx
    from docx.table import Table as DocxTable

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises its own PackageNotFoundError and lxml errors
        raise IntakeError(BROKEN_FILE, "该 Word 文件已损坏或不是 .docx 格式，无法读取，请重新保存后再导入。") from error
    reader = _Reader(document)
    blocks: list[Block] = []
    for element in document.element.body.iterchildren():
        if element.tag == _W + "p":
            blocks.extend(reader.paragraph(element).split("\n"))
        elif element.tag == _W + "tbl":
            blocks.append(reader.table(DocxTable(element, document)))
    return NoticeText(blocks, source="docx")
