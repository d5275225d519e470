"""The notice as numbered lines: text split, tables read by column, a table flattened by a web page rebuilt."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lib.intake.base import NoticeText, Table
from lib.intake.numbering import INVISIBLE_RE, fold, match_number
from lib.intake.tables import TaskRow, read_table, rebuild_tables


@dataclass
class Line:
    number: int  # 1-based line number in the pasted text
    raw: str  # stripped, as written
    folded: str  # same length as raw
    row: TaskRow | None = None  # a row of a task table, read by column




_INLINE_ITEM_RE = re.compile(r"\s+(?=[一二三四五六七八九十]{1,3}、|\d{1,3}[.、](?!\d))")
# Some mirrors gloss characters with their pinyin, 責(zé)任; the glosses are the mirror's, not the notice's.
_GLOSS_RE = re.compile(r"(?<=[\u4e00-\u9fff])\((?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}\)")


def raw_lines(notice: str | NoticeText) -> list[str | Table]:
    """The notice as lines and tables; a table that a text copy flattened is put back together."""
    if isinstance(notice, str):
        text = notice.replace("\r\n", "\n").replace("\r", "\n")
        blocks: list[str | Table] = list(text.split("\n"))
    else:
        blocks = [part for block in notice.blocks
                  for part in ([block] if isinstance(block, Table) else block.replace("\r", "\n").split("\n"))]
    merged: list[str | Table] = []
    run: list[str] = []
    for block in [*blocks, None]:
        if isinstance(block, str):
            run.append(_GLOSS_RE.sub("", INVISIBLE_RE.sub("", block)))
            continue
        # Line numbers in warnings count blank lines, so they are kept unless a table was rebuilt.
        rebuilt = rebuild_tables([line for line in run if line.strip()])
        merged.extend(rebuilt if any(isinstance(b, Table) for b in rebuilt) else run)
        run = []
        if block is not None:
            merged.append(block)
    return merged


def table_lines(table: Table, number: int) -> list[Line]:
    """A task table's rows as lines carrying their row; any other table's cells as lines of text."""
    rows = read_table(table)
    if rows is None:
        cells = [cell for row in table.rows for cell in dict.fromkeys(row) if cell.strip()]
        return [Line(number, cell.strip(), fold(cell.strip())) for cell in cells]
    lines = []
    for row in rows:
        text = row.heading or row.content or "、".join(value for _, value in row.units)
        lines.append(Line(number, text, fold(text), row))
    return lines


def split_lines(notice: str | NoticeText) -> list[Line]:
    """Non-blank lines of the notice, stripped, with their 1-based numbers; table rows as single lines."""
    lines: list[Line] = []
    number = 0
    for block in raw_lines(notice):
        number += 1
        if isinstance(block, Table):
            lines.extend(table_lines(block, number))
            continue
        for raw, folded in _inline_items(block, fold(block)):
            stripped = folded.strip()
            if not stripped:
                continue
            start = len(folded) - len(folded.lstrip())
            end = start + len(stripped)
            lines.append(Line(number, raw[start:end], folded[start:end]))
    return lines


def _inline_items(raw: str, folded: str) -> list[tuple[str, str]]:
    """(raw, folded) pieces of a line that runs paragraphs together with a space, as some pages do
    (``…意见: 一、深入实施就业优先战略 1.坚持…``): cut before a number that follows a finished
    sentence or a short heading."""
    pieces: list[tuple[str, str]] = []
    start = 0
    for match in _INLINE_ITEM_RE.finditer(folded):
        before = folded[start : match.start()].rstrip()
        heading = match_number(before) is not None and len(before) <= 40 and "。" not in before
        if before and (before[-1] in "。:;)!?" or heading):
            pieces.append((raw[start : match.start()], folded[start : match.start()]))
            start = match.end()
    pieces.append((raw[start:], folded[start:]))
    return pieces


