"""Task tables: which column is what, and one record per task row.

A 分工 table has a header row whose cells name the columns (序号, 重点任务,
具体措施, 牵头单位, 责任单位, 配合单位, 完成时限 …) in any order. A
category column (板块, 类别, or a first task column whose cell is merged
down over its group) gives the section; it may be written on the group's
first row only. A row whose cells all hold the same text (a merged row
across the table) is a heading. A table copied from a web page often arrives
as text with one cell per line (``unflatten``) or one row per line with tabs
between cells (``untab``); ``rebuild_tables`` puts both back into rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lib.intake.base import Block, Table

NUMBER, CATEGORY, CONTENT, LEAD, PLAIN, COOP, DEADLINE, PEOPLE, OTHER = (
    "number", "category", "content", "lead", "plain", "coop", "deadline", "people", "other")

_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HEADER_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (NUMBER, re.compile(r"^(?:序号|编号|序|项次)$")),
    (PEOPLE, re.compile(r"(?:领导|责任人|联系人|负责人)$")),
    (LEAD, re.compile(r"牵头")),
    (COOP, re.compile(r"配合|协作|协办|协助|参与")),
    (PLAIN, re.compile(r"(?:责任|承办|实施|主办)(?:单位|部门|处室|科室|主体|处|科)|^(?:单位|部门|处室|科室)$|^责任单位")),
    (DEADLINE, re.compile(r"时限|时间|期限|节点|进度安排|完成时")),
    (CATEGORY, re.compile(r"^(?:类别|板块|领域|重点领域|方面|分类|工作类别|任务类别|项目类别|专项|一级指标|工作板块|序列|类型)$")),
    (CONTENT, re.compile(r"任务|事项|措施|内容|目标|举措|要求|工作|项目|指标|名称|重点")),
)
_LEAD_FIRST_RE = re.compile(r"(?:第一|首)位?(?:的|者)?(?:为|是)牵头|排(?:在)?(?:第一|首)位|列(?:第一|首)位")
_BARE_NUMBER_RE = re.compile(r"^\d{1,3}\.?$")
_HEADING_RE = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十]{1,3}[)）])")


def _folded(text: str) -> str:
    return re.sub(r"\s+", "", text.translate(_FOLD))


def column_kind(header: str) -> str | None:
    """What a header cell names (NUMBER, CONTENT, LEAD …), or None when it is not a header word."""
    text = _folded(header)
    if not text or len(text) > 30 or _HEADING_RE.match(text):
        return None
    text = re.sub(r"\(.*?\)", "", text) or text
    if len(text) > 12:
        return None
    for kind, pattern in _HEADER_RULES:
        if pattern.search(text):
            return kind
    return None


@dataclass
class TaskRow:
    """One task row of a table, or a heading row (``heading`` set, the rest empty)."""

    number: str = ""
    categories: list[str] = field(default_factory=list)
    content: str = ""
    units: list[tuple[str, str]] = field(default_factory=list)  # (LEAD/PLAIN/COOP, the cell's text)
    deadline: str = ""
    lead_first: bool = False  # the header says the first listed unit leads
    heading: str = ""


@dataclass
class _Columns:
    kinds: list[str]
    lead_first: set[int]


def _header(rows: list[list[str]]) -> tuple[_Columns, int] | None:
    """The columns and the index of the first data row, when one of the first rows is a header."""
    for index, row in enumerate(rows[:4]):
        kinds = [column_kind(cell) or OTHER for cell in row]
        known = [k for k in kinds if k != OTHER]
        if len(known) < 2 or not ({LEAD, PLAIN, COOP} & set(known)) or CONTENT not in known + [CATEGORY]:
            continue
        start = index + 1
        # A two-row header: 责任单位 over 牵头单位 | 配合单位.
        if start < len(rows) and not _is_heading_row(rows[start]):
            below = [column_kind(cell) for cell in rows[start]]
            if sum(1 for k in below if k) >= 2 and all(k or not cell.strip() for k, cell in zip(below, rows[start])):
                kinds = [b or k for b, k in zip(below, kinds)]
                row = [b if kb else a for a, b, kb in zip(row, rows[start], below)]
                start += 1
        lead_first = {c for c, cell in enumerate(row) if _LEAD_FIRST_RE.search(_folded(cell))}
        return _Columns(_content_columns(kinds), lead_first), start
    return None


def _content_columns(kinds: list[str]) -> list[str]:
    """With several task columns, all but the last are categories (重点任务 | 具体措施)."""
    content = [c for c, k in enumerate(kinds) if k == CONTENT]
    kinds = list(kinds)
    for column in content[:-1]:
        kinds[column] = CATEGORY
    if not content and CATEGORY in kinds:
        last = max(c for c, k in enumerate(kinds) if k == CATEGORY)
        kinds[last] = CONTENT
    return kinds


def _is_heading_row(cells: list[str]) -> str:
    """The text of a row merged across the table (or with one filled cell and no units), else ''."""
    filled = [cell for cell in cells if cell.strip()]
    if filled and len(set(filled)) == 1 and (len(filled) > 1 or len(cells) > 1):
        return filled[0].strip()
    return ""


def read_table(table: Table) -> list[TaskRow] | None:
    """The task rows of a 分工 table, in order; None when the table has no header we understand."""
    found = _header(table.rows)
    if found is None:
        return None
    columns, start = found
    rows: list[TaskRow] = []
    carried: dict[int, str] = {}
    for cells in table.rows[start:]:
        cells = [cell.strip() for cell in cells] + [""] * (len(columns.kinds) - len(cells))
        if [column_kind(cell) for cell in cells[: len(columns.kinds)]] == columns.kinds:
            continue  # the header again, on a new page
        heading = _is_heading_row(cells)
        if heading:
            rows.append(TaskRow(heading=heading))
            carried.clear()
            continue
        row = _row(cells, columns, carried)
        if row.content or row.units:
            rows.append(row)
    return rows


def _row(cells: list[str], columns: _Columns, carried: dict[int, str]) -> TaskRow:
    row = TaskRow()
    for column, kind in enumerate(columns.kinds):
        value = cells[column] if column < len(cells) else ""
        if kind == CATEGORY:
            # Written on a group's first row only: it holds for the rows below.
            value = value or carried.get(column, "")
            carried[column] = value
            if value:
                row.categories.append(value)
        elif kind == NUMBER:
            row.number = value
        elif kind == CONTENT:
            row.content = "".join(value.split("\n"))
        elif kind in (LEAD, PLAIN, COOP) and value:
            row.units.append((kind, value.replace("\n", "、")))
            row.lead_first = row.lead_first or column in columns.lead_first
        elif kind == DEADLINE and value:
            row.deadline = " ".join(value.split())
    return row


# ---- a table flattened to one cell per line -----------------------------------------


def _header_run(lines: list[str], start: int) -> int:
    """Length of a run of header cells starting at ``start`` (0 when none)."""
    length = 0
    kinds: list[str] = []
    while start + length < len(lines):
        kind = column_kind(lines[start + length])
        if kind is None:
            break
        kinds.append(kind)
        length += 1
    if length >= 3 and NUMBER in kinds and ({LEAD, PLAIN, COOP} & set(kinds)) and (CONTENT in kinds):
        return length
    return 0


def _collect_rows(lines: list[str], start: int, width: int) -> tuple[list[list[str]], int]:
    """Rows of cells after a flattened header; each row starts with its 序号 line. Returns (rows, next index)."""
    rows: list[list[str]] = []
    index = start
    expected = 1
    while index < len(lines):
        text = lines[index].strip()
        if _HEADING_RE.match(text) and index + 1 < len(lines) and lines[index + 1].strip() == str(expected):
            # A section row across the table (一、…) sits on its own line before its first task row.
            rows.append([text] * width)
            index += 1
            continue
        if not (_BARE_NUMBER_RE.match(text) and int(text.rstrip(".")) == expected):
            break
        cells = [text.rstrip(".")]
        index += 1
        while index < len(lines) and len(cells) < width + 3:
            text = lines[index].strip()
            if _BARE_NUMBER_RE.match(text) and int(text.rstrip(".")) == expected + 1:
                break
            if _HEADING_RE.match(text) and index + 1 < len(lines) and lines[index + 1].strip() == str(expected + 1):
                break
            if len(cells) >= width and not (len(cells) == width and _HEADING_RE.match(text)):
                break
            cells.append(text)
            index += 1
        rows.append(cells)
        expected += 1
    return rows, index


def _fit(cells: list[str], kinds: list[str]) -> list[str]:
    """A row's cells placed in columns: a category written only on a group's first row is missing below it."""
    missing = len(kinds) - len(cells)
    if missing <= 0:
        head = cells[: len(kinds)]
        return head
    categories = [c for c, k in enumerate(kinds) if k == CATEGORY][:missing]
    fitted: list[str] = []
    source = iter(cells)
    for column in range(len(kinds)):
        fitted.append("" if column in categories else next(source, ""))
    return fitted


def _tab_run_end(lines: list[str], start: int) -> int:
    """End of the run of tab-separated lines from ``start``; a line without tabs between two that have them
    (a heading row merged across the table) belongs to the run."""
    end = start
    while end < len(lines):
        inside = "\t" in lines[end] or (end + 1 < len(lines) and "\t" in lines[end + 1] and end > start)
        if not inside:
            break
        end += 1
    return end


def untab(lines: list[str]) -> list[Block]:
    """``lines`` with each run of tab-separated rows that starts with a header row made a Table.

    Word and Excel put a tab between cells when a table is copied as text, and so do the
    web pages we keep as text.
    """
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        end = _tab_run_end(lines, index) if "\t" in lines[index] else index
        rows = [[cell.strip() for cell in line.split("\t")] for line in lines[index:end]]
        if end > index + 1 and _header(rows[:1]) is not None:
            blocks.append(Table(rows))
            index = end
            continue
        blocks.append(lines[index])
        index += 1
    return blocks


def rebuild_tables(lines: list[str]) -> list[Block]:
    """``lines`` with the tables that text copies of a notice flatten put back: tab-separated rows, or one cell per line."""
    blocks: list[Block] = []
    text: list[str] = []
    for block in [*untab(lines), None]:
        if isinstance(block, str):
            text.append(block)
            continue
        blocks.extend(unflatten(text))
        text = []
        if block is not None:
            blocks.append(block)
    return blocks


def unflatten(lines: list[str]) -> list[Block]:
    """``lines`` with each run of a flattened task table (header cells, then 1, cells, 2, cells …) made a Table."""
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        width = _header_run(lines, index) if column_kind(lines[index]) == NUMBER else 0
        if width:
            kinds = [column_kind(line) or OTHER for line in lines[index : index + width]]
            rows, after = _collect_rows(lines, index + width, width)
            if rows:
                header = [line.strip() for line in lines[index : index + width]]
                blocks.append(Table([header, *(_fit(cells, kinds) for cells in rows)]))
                index = after
                continue
        blocks.append(lines[index])
        index += 1
    return blocks
