"""Turn the plain text of a 分工方案 notice into the contents of a workbook.

``parse_notice(text)`` reads text pasted from a web page or a Word file and
returns the 方案 fields, the 处室 rows and the 任务 rows, plus Chinese
warnings about lines it could not place. Nothing here raises on odd input:
a line it does not understand becomes a warning.

How the text is read
--------------------
- Line ends (``\\r\\n``, ``\\r``), a BOM and zero-width characters are
  removed. Matching is done on a copy with full-width ASCII folded to
  half-width, character for character, so every value we keep (section,
  content, unit names) is sliced from the text *as written*.
- The plan body starts after a bare ``附件`` / ``附件1`` line when there is
  one, else at the top. Lines before the first numbered line are the notice
  (title, 文号, addressees, preamble) and are never tasks. Web clutter
  (``请点击查看原文``, ``用户登录`` …), ``抄送`` and a second attachment end
  the body.

The numbering rule
------------------
- Four numbering styles nest, outermost first: ``一、`` > ``(一)`` >
  ``1.`` / ``1．`` / ``1、`` > ``(1)`` / ``1)`` > ``①``. A numbered line
  becomes a child of the nearest open item of an outer style, so ``1.``
  directly under ``一、`` works as well as ``一、`` > ``(一)`` > ``1.``.
- Responsibility (``责任单位:`` lines, ``牵头单位:`` / ``配合单位:`` lines,
  or a trailing ``(X牵头,Y配合)`` parenthesis) attaches to the item it
  follows. A task is an item that names units while none of its
  descendants do; its descendants' text (e.g. ``(1)`` sub-points) is folded
  into its content. A leaf that names no units inherits them from the
  nearest ancestor that does; a leaf with no units anywhere above it is not
  imported and gets a warning.
- ``section`` is the outermost heading above the task, as written (e.g.
  ``一、建立常态化联络机制,…``). Headings between the section and the task
  (e.g. ``(二)加强资源共享``) go into ``note``, joined with `` / ``.
- ``task_id`` is the task's own number when those are unique in the plan
  (``1`` … ``16``). When numbering restarts under each heading, the
  heading's number is prefixed, ``parent.child`` (``3.2`` = item 2 under
  heading 三 or (三)), using as few levels as make every id unique.

Responsibility
--------------
``units_text`` lists leads first, then units named without a role, then
cooperating units, joined with ``、``. ``lead_text`` is ``''`` when the plan
names no lead (the office's convention: the first listed leads); otherwise
the leads. ``A、B分别牵头`` makes every listed unit a lead. People
(``责任领导:``) are ignored. Group names such as ``机关各处`` stay in
``units_text`` but are not rows of ``units``; every unit whose name ends in
``处`` belongs to that group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from lib import schema
from lib.intake.base import NoticeText, Table
from lib.intake.tables import COOP, LEAD, PLAIN, TaskRow, read_table, unflatten
from lib.model import WARNING, Problem

# ---- text folding ------------------------------------------------------------

# Full-width ASCII to half-width, one character for one, so positions found in
# the folded text slice the original text exactly.
_FOLD: dict[int, int | str] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: " ", 0x00A0: " ", 0xFE50: ",", 0xFE51: "、", 0xFE54: ";", 0xFE55: ":"})
# Notices mirrored in traditional characters: the role and label words, one character for one.
_FOLD.update(str.maketrans("牽頭責單負職門處協參與辦時間節點領導聯繫關別實體務", "牵头责单负职门处协参与办时间节点领导联系关别实体务"))
_INVISIBLE_RE = re.compile("[\ufeff\u200b\u200c\u200d\u2060]")


def _fold(text: str) -> str:
    """``text`` with full-width ASCII and odd spaces folded; same length."""
    return text.translate(_FOLD)


# ---- numbering -----------------------------------------------------------------

_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUM = "一二三四五六七八九十〇零两百"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# (rank, pattern) on folded text; group 1 is the number. Outermost first.
_NUMBER_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^([{_CN_NUM}]{{1,4}})\s*[、.]\s*")),
    (2, re.compile(rf"^\(([{_CN_NUM}]{{1,4}})\)\s*[、.]?\s*")),
    (3, re.compile(r"^(\d{1,3})\s*(?:\.(?!\d)|、)\s*")),
    (4, re.compile(r"^(?:\((\d{1,3})\)|(\d{1,3})\))\s*")),
    (5, re.compile(rf"^([{_CIRCLED}])\s*")),
)


def _chinese_number(text: str) -> int:
    """The value of a Chinese numeral such as 十二 or 二十; 0 when unknown."""
    if text.isdigit():
        return int(text)
    if "百" in text:
        head, _, tail = text.partition("百")
        return _chinese_number(head or "一") * 100 + (_chinese_number(tail) if tail else 0)
    if "十" in text:
        head, _, tail = text.partition("十")
        tens = _CN_DIGITS.get(head, 0) if head else 1
        return tens * 10 + (_CN_DIGITS.get(tail, 0) if tail else 0)
    value = 0
    for char in text:
        if char not in _CN_DIGITS:
            return 0
        value = value * 10 + _CN_DIGITS[char]
    return value


def _match_number(folded: str) -> tuple[int, int, int] | None:
    """(rank, number, length of the prefix) when the line is numbered, else None."""
    for rank, pattern in _NUMBER_PATTERNS:
        match = pattern.match(folded)
        if not match:
            continue
        token = next(g for g in match.groups() if g)
        number = _CIRCLED.index(token) + 1 if rank == 5 else _chinese_number(token)
        if number <= 0:
            continue
        return rank, number, match.end()
    return None


# ---- labels and roles -----------------------------------------------------------

_LEAD, _PLAIN, _COOP = LEAD, PLAIN, COOP

_UNIT_NOUN = r"(?:单位|部门|处室|科室|主体|处\s*\([^()]{1,4}\)|处)"
_LABEL_RE = re.compile(
    r"(?P<people>(?:责任|分管|牵头|联系)(?:领导|人|处长|同志)|联系人)"
    rf"|(?P<lead>(?:牵头|主办){_UNIT_NOUN})"
    rf"|(?P<coop>(?:配合|协作|协助|协办|参与|参加){_UNIT_NOUN})"
    rf"|(?P<plain>(?:主要)?(?:责任|承办|实施){_UNIT_NOUN})"
    r"|(?P<deadline>(?:完成|办结)?(?:时限|期限)(?:要求)?|完成时间|时间(?:节点|要求|安排)|进度安排)"
)
_COLON_RE = re.compile(r"\s*[:]\s*")
# A label starts a field only at the start of a clause.
_CLAUSE_START = " \t。.;,(【[、"

# Role words written after unit names, longest first; checked on folded text.
_ROLE_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("分别牵头负责", _LEAD),
    ("分别牵头", _LEAD),
    ("分别负责", _LEAD),
    ("牵头负责", _LEAD),
    ("(牵头)", _LEAD),
    ("牵头", _LEAD),
    ("按职责分工负责", _PLAIN),
    ("按职责分工落实", _PLAIN),
    ("按职责负责", _PLAIN),
    ("共同负责", _PLAIN),
    ("负责落实", _PLAIN),
    ("负责", _PLAIN),
    ("配合落实", _COOP),
    ("配合", _COOP),
    ("协助", _COOP),
    ("协办", _COOP),
    ("共同参与", _COOP),
    ("参与", _COOP),
)
_ROLE_WORD_RE = re.compile(r"牵头|负责|配合|协助|协办|参与")
_UNIT_TRAILERS_RE = re.compile(r"(?:等(?:有关|相关)?(?:单位|部门|处室)?)$")

_DEADLINE_IN_TEXT_RE = re.compile(
    r"\d{4}\s*年\s*(?:\d{1,2}\s*月\s*(?:\d{1,2}\s*日)?\s*(?:底|末|上旬|中旬|下旬)?"
    r"|年?底|末|上半年|下半年|第?[一二三四1234]季度)?\s*(?:以前|之前|前)"
    r"|\d{4}\s*年内"
)
_DEADLINE_PART_RE = re.compile(r"^(?:\d{4}\s*年|(?:完成)?时限|长期|持续|常态化|每年|按年度)")

# ---- notice furniture -------------------------------------------------------------

_ATTACHMENT_RE = re.compile(r"^附件\s*\d*\s*[:]?$")
_ATTACHMENT_TITLE_RE = re.compile(r"^附件\s*\d*\s*:\s*(.+)$")
_DOC_NO_RE = re.compile(r"^[\u4e00-\u9fff]{0,12}\s*[〔\[(【]\s*\d{4}\s*[〕\])】]\s*\d{1,4}\s*号$")
_ISSUE_TITLE_RE = re.compile(r"关于印发(.+?)的通知")
_TITLE_END_RE = re.compile(r"(方案|分工|清单|分解表|任务表|计划|措施|要点|安排|办法|意见|细则)$")
_DATE_LINE_RE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_CN_DATE_LINE_RE = re.compile(
    r"^([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$"
)
# Text that ends the plan body: the rest is the web page or the document's footer.
_STOP_RE = re.compile(
    r"^(?:请点击查看原文|点击查看原文|查看原文|用户登录|还没有账号|立即注册|抄送|抄报"
    r"|\(此件|【打印|【关闭|打印本页|关闭窗口|分享到|扫一扫|上一篇|下一篇|相关链接|相关文章)"
)
# Web furniture skipped wherever it appears.
_CLUTTER_RE = re.compile(r"^(?:字号|发布时间|来源|浏览次数|阅读次数|【字体|附件\s*\d*\s*[:]|附件\s*\d*$)")

# Table items nest inside whatever numbered paragraph is open above the table.
_TABLE_HEADING_RANK, _TABLE_CATEGORY_RANK, _TABLE_ROW_RANK = 6, 7, 20
# A note inside a unit list that states a rule: applied, never kept as a unit name.
_RULE_NOTE_RE = re.compile(
    r"[(（][^()（）]*(?:下同|以下|第一位|首位|分别牵头|除标注|为牵头|是牵头)[^()（）]*[)）]")
_LEAD_FIRST_RE = re.compile(r"(?:列|排|位)(?:在|于)?(?:第一|首)位?的?(?:单位|部门)?(?:为|是)牵头")

_DIVISION_GROUPS = ("机关各处", "机关各处室", "各处室", "机关各处(室)")


# ---- records --------------------------------------------------------------------


@dataclass
class ImportedPlan:
    """What a notice holds, ready to be written as a workbook.

    - ``plan``: 方案 sheet keys (``schema.PLAN_NAME``, ``PLAN_DOC_NO``,
      ``PLAN_ISSUED`` as ISO ``YYYY-MM-DD``) for those found.
    - ``units``: unit, short, groups (list of str); one row per unit in
      order of first appearance in the tasks, where a group's first
      appearance counts for its members.
    - ``tasks``: task_id, section, content, units_text, lead_text, start
      (None), deadline_text, note; in plan order.
    - ``problems``: warnings about lines that were not placed, each with a
      stable ``code``; ``warnings`` is their Chinese messages.
    """

    plan: dict[str, str]
    units: pd.DataFrame
    tasks: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return [problem.message for problem in self.problems]


def _warning(code: str, value: str, message: str) -> Problem:
    """A warning about the pasted text (no sheet); ``value`` is the text it concerns."""
    return Problem(WARNING, "", None, "", value, message, code=code)


@dataclass
class _Line:
    number: int  # 1-based line number in the pasted text
    raw: str  # stripped, as written
    folded: str  # same length as raw
    row: TaskRow | None = None  # a row of a task table, read by column


@dataclass
class _Responsibility:
    leads: list[str] = field(default_factory=list)
    plain: list[str] = field(default_factory=list)
    coop: list[str] = field(default_factory=list)
    deadline: str = ""

    @property
    def has_units(self) -> bool:
        return bool(self.leads or self.plain or self.coop)

    def add(self, role: str, unit: str) -> None:
        {_LEAD: self.leads, _PLAIN: self.plain, _COOP: self.coop}[role].append(unit)

    def merge(self, other: _Responsibility) -> None:
        self.leads += other.leads
        self.plain += other.plain
        self.coop += other.coop
        self.deadline = self.deadline or other.deadline


@dataclass
class _Item:
    rank: int  # 1–5 for the numbering styles, then table headings, categories and rows
    number: int
    line: int
    prefix: str  # the number as written, e.g. "1. " or "（一）"
    parts: list[str]  # text lines without the number
    parent: _Item | None = None
    children: list[_Item] = field(default_factory=list)
    duty: _Responsibility = field(default_factory=_Responsibility)
    closed: bool = False  # a responsibility line followed; no more text
    duty_from_line: bool = False  # responsibility came on lines of its own
    content: str = ""  # text after responsibility was taken out
    from_table: bool = False  # a table's category or heading row

    @property
    def heading(self) -> str:
        """The line as written, number included."""
        return (self.prefix + "".join(self.parts)).strip()

    def ancestors(self) -> list[_Item]:
        """Outermost first."""
        chain: list[_Item] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]

    def descendants(self) -> list[_Item]:
        """In document order."""
        found: list[_Item] = []
        for child in self.children:
            found.append(child)
            found.extend(child.descendants())
        return found


# ---- small parsers ----------------------------------------------------------------


def _raw_lines(notice: str | NoticeText) -> list[str | Table]:
    """The notice as lines and tables; a table flattened one cell per line is put back together."""
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
            run.append(_INVISIBLE_RE.sub("", block))
            continue
        # Line numbers in warnings count blank lines, so they are kept unless a table was rebuilt.
        rebuilt = unflatten([line for line in run if line.strip()])
        merged.extend(rebuilt if any(isinstance(b, Table) for b in rebuilt) else run)
        run = []
        if block is not None:
            merged.append(block)
    return merged


def _table_lines(table: Table, number: int) -> list[_Line]:
    """A task table's rows as lines carrying their row; any other table's cells as lines of text."""
    rows = read_table(table)
    if rows is None:
        cells = [cell for row in table.rows for cell in dict.fromkeys(row) if cell.strip()]
        return [_Line(number, cell.strip(), _fold(cell.strip())) for cell in cells]
    lines = []
    for row in rows:
        text = row.heading or row.content or "、".join(value for _, value in row.units)
        lines.append(_Line(number, text, _fold(text), row))
    return lines


def _split_lines(notice: str | NoticeText) -> list[_Line]:
    """Non-blank lines of the notice, stripped, with their 1-based numbers; table rows as single lines."""
    lines: list[_Line] = []
    number = 0
    for block in _raw_lines(notice):
        number += 1
        if isinstance(block, Table):
            lines.extend(_table_lines(block, number))
            continue
        folded = _fold(block)
        stripped = folded.strip()
        if not stripped:
            continue
        start = len(folded) - len(folded.lstrip())
        end = start + len(stripped)
        lines.append(_Line(number, block[start:end], folded[start:end]))
    return lines


def _strip_role(raw: str) -> tuple[str, str | None]:
    """(unit name, role written after it or None)."""
    folded = _fold(raw)
    for suffix, role in _ROLE_SUFFIXES:
        if folded.endswith(suffix) and len(folded) > len(suffix):
            return raw[: len(raw) - len(suffix)].strip(), role
    return raw, None


def _clean_unit(raw: str) -> str:
    """A unit name without 由 before it, 等单位 after it, or stray punctuation."""
    name = raw.strip().strip("。.:：").strip()
    if name.startswith("由") and len(name) > 2:
        name = name[1:]
    name = _UNIT_TRAILERS_RE.sub("", name) if len(name) > 3 else name
    return name.strip()


def _parse_roles(raw: str, default_role: str, duty: _Responsibility) -> None:
    """Read a unit list such as ``A牵头,B、C配合`` into ``duty``.

    A role word after a unit applies to it and to the units listed before it
    since the last role word (``A、B牵头`` makes both leads).
    """
    pending: list[str] = []
    raw = _RULE_NOTE_RE.sub("", raw)
    for part in _split_units(raw):
        if _DEADLINE_PART_RE.match(_fold(part)):
            duty.deadline = duty.deadline or part.strip().rstrip("。.")
            continue
        name, role = _strip_role(part)
        name = _clean_unit(name)
        if name:
            pending.append(name)
        if role is not None:
            for unit in pending:
                duty.add(role, unit)
            pending = []
    for unit in pending:
        duty.add(default_role, unit)


def _split_units(raw: str) -> list[str]:
    """Unit names of a list; ``A及各县市区政府`` is two (及/和 before a group name starting with 各)."""
    parts: list[str] = []
    for part in schema.split_unit_list(raw):
        pieces = re.split(r"(?<=[\u4e00-\u9fff]{3})(?:及|和|以及)(?=各)", part)
        parts.extend(piece for piece in pieces if piece.strip())
    return parts


def _find_labels(folded: str) -> list[re.Match[str]]:
    """Labels followed by a colon that start a clause in ``folded``."""
    found = []
    for match in _LABEL_RE.finditer(folded):
        start = match.start()
        if start > 0 and folded[start - 1] not in _CLAUSE_START:
            continue
        if not _COLON_RE.match(folded, match.end()):
            continue
        found.append(match)
    return found


def _parse_fields(raw: str) -> _Responsibility:
    """Responsibility written as ``标签:值`` fields and/or role clauses."""
    folded = _fold(raw)
    duty = _Responsibility()
    labels = _find_labels(folded)
    head_end = labels[0].start() if labels else len(raw)
    head = raw[:head_end].strip(" ;；,，。")
    if head:
        _parse_roles(head, _PLAIN, duty)
    for index, match in enumerate(labels):
        value_start = _COLON_RE.match(folded, match.end()).end()  # type: ignore[union-attr]
        value_end = labels[index + 1].start() if index + 1 < len(labels) else len(raw)
        value = raw[value_start:value_end].strip(" ;；,，。.")
        kind = match.lastgroup
        if kind == "people" or not value:
            continue
        if kind == "deadline":
            duty.deadline = duty.deadline or value
        else:
            _parse_roles(value, str(kind), duty)
    return duty


def _bracket_span_at_end(text: str) -> tuple[int, int] | None:
    """(start, end) of a bracket group closing the text (before 。/;), else None."""
    end = len(text.rstrip(" 。.;；,，"))
    if end == 0 or text[end - 1] not in ")）】]":
        return None
    depth = 0
    for index in range(end - 1, -1, -1):
        char = text[index]
        if char in ")）】]":
            depth += 1
        elif char in "(（【[":
            depth -= 1
            if depth == 0:
                return index, end
    return None


def _is_field_text(folded: str) -> bool:
    """Whether a (bracket-free) text reads as responsibility, not as content."""
    labels = _find_labels(folded)
    return bool(labels) and labels[0].start() == 0


def _field_line(line: _Line) -> str | None:
    """The responsibility text of a line that holds nothing else, else None."""
    folded = line.folded
    span = _bracket_span_at_end(line.raw)
    if span is not None and span[0] == 0:
        inner_raw = line.raw[1 : span[1] - 1]
        inner = _fold(inner_raw)
        if _find_labels(inner) or _ROLE_WORD_RE.search(inner):
            return inner_raw
    body = folded.lstrip("【[")
    offset = len(folded) - len(body)
    if _is_field_text(body):
        return line.raw[offset:].rstrip("】]")
    return None


def _take_responsibility(text: str, duty: _Responsibility) -> str:
    """Move inline fields and a trailing role parenthesis into ``duty``.

    Returns the text that is left: the task's content as written.
    """
    folded = _fold(text)
    labels = [m for m in _find_labels(folded) if m.start() > 0 and _depth_at(folded, m.start()) == 0]
    if labels:
        cut = labels[0].start()
        duty.merge(_parse_fields(text[cut:]))
        text = text[:cut].rstrip(" (【[")
    span = _bracket_span_at_end(text)
    if span is not None:
        start, end = span
        inner_raw = text[start + 1 : end - 1]
        inner = _fold(inner_raw)
        if _find_labels(inner) or _ROLE_WORD_RE.search(inner):
            duty.merge(_parse_fields(inner_raw))
            text = (text[:start] + text[end:]).rstrip()
            text = re.sub(r"([。.;；])\s*[。.]$", r"\1", text)
    return text.strip()


def _depth_at(folded: str, position: int) -> int:
    """Bracket depth at ``position``."""
    depth = 0
    for char in folded[:position]:
        if char in "(【[〔":
            depth += 1
        elif char in ")】]〕":
            depth = max(0, depth - 1)
    return depth


def _issued_date(folded: str) -> str | None:
    """ISO date of a line that is only a date (2025年8月26日 or 二〇二五年八月二十六日)."""
    compact = folded.replace(" ", "")
    match = _DATE_LINE_RE.match(compact)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _CN_DATE_LINE_RE.match(compact)
        if not match:
            return None
        year = int("".join(str(_CN_DIGITS.get(c, 0)) for c in match.group(1)))
        month, day = _chinese_number(match.group(2)), _chinese_number(match.group(3))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _unwrap_book_title(title: str) -> str:
    """``《X》`` → ``X`` when the whole title is one book-title mark."""
    title = title.strip()
    if title.startswith("《") and title.endswith("》") and title.count("《") == 1:
        return title[1:-1]
    return title


def _snippet(text: str, size: int = 24) -> str:
    return text if len(text) <= size else text[:size] + "…"


# ---- the notice, outside the body ------------------------------------------------


def _plan_fields(lines: list[_Line], body_start: int, marker: int | None) -> dict[str, str]:
    """方案名称, 文号 and 印发日期 from the lines before the plan body."""
    plan: dict[str, str] = {}
    head = lines[:body_start]
    title = ""
    if marker is not None:
        block = [line.raw for line in lines[marker + 1 : body_start]][:3]
        for count in range(1, len(block) + 1):
            joined = "".join(block[:count]).strip()
            if _TITLE_END_RE.search(_fold(joined)):
                title = joined
                break
    if not title:
        for line in head:
            match = _ATTACHMENT_TITLE_RE.match(line.folded)
            if match:
                title = line.raw[match.start(1) :].strip()
                break
    if not title:
        for line in head:
            match = _ISSUE_TITLE_RE.search(line.folded)
            if match:
                title = line.raw[match.start(1) : match.end(1)]
                break
    if not title and head and _TITLE_END_RE.search(head[0].folded):
        title = head[0].raw
    if title:
        plan[schema.PLAN_NAME] = _unwrap_book_title(title)
    for line in head:
        if _DOC_NO_RE.match(line.folded):
            plan[schema.PLAN_DOC_NO] = line.raw
            break
    for line in lines:
        issued = _issued_date(line.folded)
        if issued:
            plan[schema.PLAN_ISSUED] = issued
            break
    return plan


def _find_body(lines: list[_Line]) -> tuple[int, int | None]:
    """(index of the first numbered line of the body, index of the 附件 line or None)."""
    marker = next((i for i, line in enumerate(lines) if _ATTACHMENT_RE.match(line.folded)), None)
    start = 0 if marker is None else marker + 1
    for index in range(start, len(lines)):
        if lines[index].row is not None or _match_number(lines[index].folded):
            return index, marker
    return len(lines), marker


# ---- the body ------------------------------------------------------------------------


def _is_signature_or_date(lines: list[_Line], index: int) -> bool:
    """Whether the line is the issue date, or the issuer's signature just above it."""
    folded = lines[index].folded
    if _issued_date(folded):
        return True
    next_line = lines[index + 1] if index + 1 < len(lines) else None
    return (
        next_line is not None
        and _issued_date(next_line.folded) is not None
        and len(folded) <= 30
        and not re.search(r"[。,;:]", folded)
    )


def _build_tree(lines: list[_Line], start: int, warnings: list[Problem]) -> list[_Item]:
    """Numbered items of the body in document order, linked into a tree."""
    items: list[_Item] = []
    stack: list[_Item] = []
    # Web pages repeat the notice's title under the text; the plan may also start at line 1.
    title_lines = {lines[0].folded} if start > 0 else set()
    seen_attachment = False
    for index in range(start, len(lines)):
        line = lines[index]
        folded = line.folded
        if _STOP_RE.match(folded):
            break
        if _ATTACHMENT_RE.match(folded):
            if seen_attachment or items:
                break  # a second attachment is another document
            seen_attachment = True
            continue
        if _CLUTTER_RE.match(folded) or folded in title_lines:
            continue
        if _is_signature_or_date(lines, index):
            continue
        if line.row is not None:
            _place_row(line, stack, items)
            continue
        numbered = _match_number(folded)
        if numbered is not None:
            rank, number, prefix_len = numbered
            _open(stack, items, _Item(rank, number, line.number, line.raw[:prefix_len], [line.raw[prefix_len:]]))
            continue
        current = stack[-1] if stack else None
        fields = _field_line(line)
        if fields is not None and current is not None:
            current.duty.merge(_parse_fields(fields))
            current.closed = True
            current.duty_from_line = True
            continue
        if current is not None and not current.closed:
            current.parts.append(line.raw)
            continue
        warnings.append(_warning("unplaced-line", line.raw,
                                 f"第{line.number}行「{_snippet(line.raw)}」无法归入任何任务，已忽略，请核对。"))
    for item in items:
        item.content = _take_responsibility("".join(item.parts), item.duty)
    for item in items:
        _lift_subpoint_duty(item)
    return items


def _open(stack: list[_Item], items: list[_Item], item: _Item) -> None:
    """Push ``item`` under the nearest open item of an outer rank."""
    while stack and stack[-1].rank >= item.rank:
        stack.pop()
    if stack:
        item.parent = stack[-1]
        stack[-1].children.append(item)
    stack.append(item)
    items.append(item)


def _row_number(row: TaskRow, content: str) -> tuple[int, str]:
    """(number, content without it): from the 序号 cell, else from a number the content starts with."""
    cell = _fold(row.number).strip().strip("().、")
    if cell:
        return (int(cell) if cell.isdigit() else _chinese_number(cell)), content
    numbered = _match_number(_fold(content))
    if numbered is not None:
        return numbered[1], content[numbered[2]:]
    return 0, content


def _place_row(line: _Line, stack: list[_Item], items: list[_Item]) -> None:
    """A table row in the tree: a heading row, its category cells as headings, and the task under them."""
    row = line.row
    assert row is not None
    if row.heading:
        numbered = _match_number(_fold(row.heading))
        _open(stack, items, _Item(_TABLE_HEADING_RANK, numbered[1] if numbered else 0, line.number, "",
                                  [row.heading], from_table=True))
        return
    for level, category in enumerate(row.categories):
        rank = _TABLE_CATEGORY_RANK + level
        if any(open_item.rank == rank and open_item.heading == category for open_item in stack):
            continue
        numbered = _match_number(_fold(category))
        siblings = sum(1 for item in items if item.rank == rank)
        _open(stack, items, _Item(rank, numbered[1] if numbered else siblings + 1, line.number, "", [category],
                                  from_table=True))
    number, content = _row_number(row, row.content)
    if number <= 0:
        number = 1 + sum(1 for item in items if item.rank == _TABLE_ROW_RANK)
    task = _Item(_TABLE_ROW_RANK, number, line.number, "", [content], closed=True)
    for role, value in row.units:
        _parse_roles(value, role, task.duty)
    if row.lead_first and not task.duty.leads and task.duty.plain:
        task.duty.leads.append(task.duty.plain.pop(0))
    task.duty.deadline = row.deadline
    _open(stack, items, task)


def _lift_subpoint_duty(item: _Item) -> None:
    """Give a task the responsibility lines written after its last sub-point.

    In ``1. 做好……:`` / ``(1)……`` / ``(2)……`` / ``牵头单位:……`` the lines
    belong to task 1, not to sub-point (2). Only sub-point styles ((1), ①)
    are lifted, and only when no other sub-point names units.
    """
    if not item.children or item.duty.has_units:
        return
    last = item.children[-1]
    others = item.children[:-1]
    if (
        last.rank >= 4
        and last.duty_from_line
        and not last.children
        and not any(other.duty.has_units for other in others)
    ):
        item.duty, last.duty = last.duty, _Responsibility()


def _select_tasks(items: list[_Item], warnings: list[Problem]) -> list[tuple[_Item, _Responsibility, str]]:
    """(item, responsibility, content) of each task, in document order."""
    chosen: dict[int, tuple[_Item, _Responsibility, str]] = {}
    covered: set[int] = set()
    for item in items:
        if item.duty.has_units and not any(d.duty.has_units for d in item.descendants()):
            descendants = item.descendants()
            content = item.content + "".join(d.heading for d in descendants)
            duty = _Responsibility()
            duty.merge(item.duty)
            for child in descendants:
                duty.deadline = duty.deadline or child.duty.deadline
                covered.add(id(child))
            chosen[id(item)] = (item, duty, content)
    for item in items:
        if id(item) in chosen or id(item) in covered or item.children:
            continue
        owner = next((a for a in reversed(item.ancestors()) if a.duty.has_units), None)
        if owner is None:
            warnings.append(_warning("task-without-units", item.heading,
                                     f"第{item.line}行「{_snippet(item.heading)}」没有写明责任单位，未作为任务导入，请核对。"))
            continue
        duty = _Responsibility(
            list(owner.duty.leads), list(owner.duty.plain), list(owner.duty.coop), item.duty.deadline
        )
        chosen[id(item)] = (item, duty, item.content)
    return [chosen[id(item)] for item in items if id(item) in chosen]


def _task_ids(tasks: list[_Item], warnings: list[Problem]) -> list[str]:
    """The shortest 'parent.child' ids that are unique; see the module docstring."""
    paths = [[a.number for a in item.ancestors()] + [item.number] for item in tasks]
    longest = max((len(p) for p in paths), default=1)
    ids: list[str] = []
    for depth in range(1, longest + 1):
        ids = [".".join(str(n) for n in path[-depth:]) for path in paths]
        if len(set(ids)) == len(ids):
            return ids
    seen: set[str] = set()
    for task_id in ids:
        if task_id in seen:
            warnings.append(_warning("duplicate-task-id", task_id, f"任务编号「{task_id}」重复，请核对原文编号。"))
        seen.add(task_id)
    return ids


def _dedupe(names: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for name in names:
        key = _fold(name).replace(" ", "")
        if key not in seen:
            seen.add(key)
            kept.append(name)
    return kept


def _is_group(name: str) -> bool:
    return _fold(name).replace(" ", "") in _DIVISION_GROUPS


def _units_frame(task_units: list[list[str]]) -> pd.DataFrame:
    """units: unit, short, groups; one row per concrete unit, first appearance first.

    Every unit whose name ends in 处 belongs to the office's division group
    (机关各处, or the spelling the plan uses); others belong to none.
    """
    names = _dedupe([name for units in task_units for name in units])
    groups_named = [name for name in names if _is_group(name)]
    division_groups = groups_named or [schema.ALL_DIVISIONS_GROUP]
    first_seen = {name: position for position, name in enumerate(names)}

    def groups_of(name: str) -> list[str]:
        folded = _fold(name)
        # 各街道办事处 ends in 处 but is not one of the office's divisions.
        is_division = folded.endswith(("处", "处室")) and not folded.endswith("办事处") and not folded.startswith("各")
        return list(division_groups) if is_division else []

    def order(name: str) -> tuple[int, int]:
        # A group named early (机关各处 in task 1) stands for its members there.
        group_positions = [first_seen[g] for g in groups_of(name) if g in first_seen]
        return min([first_seen[name], *group_positions]), first_seen[name]

    concrete = sorted((name for name in names if not _is_group(name)), key=order)
    rows = [{"unit": name, "short": "", "groups": groups_of(name)} for name in concrete]
    return pd.DataFrame(rows, columns=["unit", "short", "groups"])


def _canonical(names: list[str], spelling: dict[str, str]) -> list[str]:
    """Unit names in the spelling first seen, so 全角/半角 variants become one unit."""
    result = []
    for name in names:
        key = _fold(name).replace(" ", "")
        spelling.setdefault(key, name)
        result.append(spelling[key])
    return _dedupe(result)


def _section_and_note(item: _Item) -> tuple[str, str]:
    """The task's 板块 and the headings between it and the task.

    The outermost heading, unless the task is a table row under a category
    or heading row of its table: then that is the 板块, and any numbered
    paragraph above the table (e.g. ``二、重点任务``) is left out.
    """
    ancestors = item.ancestors()
    from_table = [a for a in ancestors if a.from_table]
    chain = from_table or ancestors
    headings = [a.heading for a in chain]
    return (headings[0] if headings else ""), " / ".join(headings[1:])


def _task_row(task_id: str, item: _Item, duty: _Responsibility, content: str, spelling: dict[str, str],
              lead_first: bool) -> tuple[dict[str, str | None], list[str]]:
    """A 任务 row and its units in order."""
    leads = _canonical(duty.leads, spelling)
    units = _canonical(leads + duty.plain + duty.coop, spelling)
    if lead_first and not leads and units:
        leads = units[:1]
    section, note = _section_and_note(item)
    deadline = duty.deadline
    if not deadline:
        match = _DEADLINE_IN_TEXT_RE.search(_fold(content))
        deadline = content[match.start() : match.end()] if match else ""
    row: dict[str, str | None] = {
        "task_id": task_id,
        "section": section,
        "content": content,
        "units_text": "、".join(units),
        "lead_text": "、".join(leads),
        "start": None,
        "deadline_text": deadline,
        "note": note,
    }
    return row, units


def parse_notice(notice: str | NoticeText) -> ImportedPlan:
    """Read a 分工方案 notice, as text or as read from a file; see the module docstring for the rules.

    Returns an ``ImportedPlan``; its ``problems`` are warnings about lines
    that were skipped. Never raises on unusual text.
    """
    warnings: list[Problem] = []
    lines = _split_lines(notice)
    body_start, marker = _find_body(lines)
    plan = _plan_fields(lines, body_start, marker)
    items = _build_tree(lines, body_start, warnings)
    selected = _select_tasks(items, warnings)
    ids = _task_ids([item for item, _, _ in selected], warnings)
    # "列第一位的为牵头单位" anywhere in the notice: the first unit of each task leads.
    lead_first = any(_LEAD_FIRST_RE.search(line.folded.replace(" ", "")) for line in lines)

    spelling: dict[str, str] = {}
    rows = []
    task_units: list[list[str]] = []
    for task_id, (item, duty, content) in zip(ids, selected, strict=True):
        row, units = _task_row(task_id, item, duty, content, spelling, lead_first)
        rows.append(row)
        task_units.append(units)
        if not row["section"]:
            warnings.append(_warning("missing-section", task_id,
                                     f"任务「{task_id}」前没有找到板块标题（如“一、……”），请在表中补填板块。"))
    if not rows:
        warnings.append(_warning("no-tasks-found", "",
                                 "没有识别出任何任务，请确认粘贴的是分工方案全文，且任务带有编号（如“1.”）和责任单位。"))
    columns = [column.field for column in schema.TASK_COLUMNS]
    tasks = pd.DataFrame(rows, columns=columns).astype({"start": object})
    return ImportedPlan(plan=plan, units=_units_frame(task_units), tasks=tasks, problems=warnings)
