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
- Copies of web pages are repaired before reading (``lines``): a table
  pasted as tab-separated rows or flattened one cell per line becomes a
  table again; a page that runs paragraphs together on one line is cut
  before each number that follows a finished sentence or a short heading;
  a mirror's pinyin glosses (``責(zé)任``) are dropped.

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
- ``11.121人才…`` right after ``10.`` is item 11 whose text starts with
  digits, not the decimal 11.121.
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
(``责任领导:``, ``分管省领导:``) are ignored. Rules written inside a unit
list are applied and never kept as units: ``列第一位者为牵头单位,下同``
makes the first unit of every task lead, and a sentence such as
``以下…均需各县区落实,不再列出`` names no unit of its task. A bracketed
assignment in the middle of a task's text (``…〔X牵头〕…(Y负责)``) counts
as well as the one at its end. Group names such as ``机关各处`` stay in
``units_text`` but are not rows of ``units``; every unit whose name ends in
``处`` belongs to that group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from lib import schema
from lib.intake.base import NoticeText
from lib.intake.furniture import ATTACHMENT_RE, CLUTTER_RE, STOP_RE, find_body, issued_date, plan_fields
from lib.intake.lines import Line, split_lines
from lib.intake.numbering import chinese_number, fold, match_number
from lib.intake.roles import (
    DEADLINE_IN_TEXT_RE,
    LEAD_FIRST_RE,
    Responsibility,
    ends_with_duty,
    field_text,
    parse_fields,
    parse_roles,
    take_responsibility,
)
from lib.intake.tables import TaskRow
from lib.model import WARNING, Problem

# Table items nest inside whatever numbered paragraph is open above the table.
_TABLE_HEADING_RANK, _TABLE_CATEGORY_RANK, _TABLE_ROW_RANK = 6, 7, 20

# ``1.`` / ``1、`` items; ``11.121人才…`` is one of them when 10. came just before.
_DECIMAL_RANK = 3
_DIGITS_AFTER_NUMBER_RE = re.compile(r"^(\d{1,3})\.(?=\d)")

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
class _Item:
    rank: int  # 1–5 for the numbering styles, then table headings, categories and rows
    number: int
    line: int
    prefix: str  # the number as written, e.g. "1. " or "（一）"
    parts: list[str]  # text lines without the number
    parent: _Item | None = None
    children: list[_Item] = field(default_factory=list)
    duty: Responsibility = field(default_factory=Responsibility)
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



def _snippet(text: str, size: int = 24) -> str:
    return text if len(text) <= size else text[:size] + "…"


# ---- the body ------------------------------------------------------------------------


def _is_signature_or_date(lines: list[Line], index: int) -> bool:
    """Whether the line is the issue date, or the issuer's signature just above it."""
    folded = lines[index].folded
    if issued_date(folded):
        return True
    next_line = lines[index + 1] if index + 1 < len(lines) else None
    return (
        next_line is not None
        and issued_date(next_line.folded) is not None
        and len(folded) <= 30
        and not re.search(r"[。,;:]", folded)
    )


def _build_tree(lines: list[Line], start: int, warnings: list[Problem]) -> list[_Item]:
    """Numbered items of the body in document order, linked into a tree."""
    items: list[_Item] = []
    stack: list[_Item] = []
    # Web pages repeat the notice's title under the text; the plan may also start at line 1.
    title_lines = {lines[0].folded} if start > 0 else set()
    seen_attachment = False
    for index in range(start, len(lines)):
        line = lines[index]
        folded = line.folded
        if STOP_RE.match(folded):
            break
        if ATTACHMENT_RE.match(folded):
            if seen_attachment or items:
                break  # a second attachment is another document
            seen_attachment = True
            continue
        if CLUTTER_RE.match(folded) or folded in title_lines:
            continue
        if _is_signature_or_date(lines, index):
            continue
        if line.row is not None:
            _place_row(line, stack, items)
            continue
        numbered = match_number(folded) or _next_number_before_digits(folded, stack)
        if numbered is not None:
            rank, number, prefix_len = numbered
            item = _Item(rank, number, line.number, line.raw[:prefix_len], [line.raw[prefix_len:]])
            # A trailing (X牵头,Y配合) ends the task: what follows is a new item, or the page around it.
            item.closed = ends_with_duty(line.raw)
            _open(stack, items, item)
            continue
        current = stack[-1] if stack else None
        fields = field_text(line.raw)
        if fields is not None and current is not None:
            current.duty.merge(parse_fields(fields))
            current.closed = True
            current.duty_from_line = True
            continue
        if current is not None and not current.closed:
            current.parts.append(line.raw)
            current.closed = ends_with_duty(line.raw)
            continue
        warnings.append(_warning("unplaced-line", line.raw,
                                 f"第{line.number}行「{_snippet(line.raw)}」无法归入任何任务，已忽略，请核对。"))
    for item in items:
        item.content = take_responsibility("".join(item.parts), item.duty)
    for item in items:
        _lift_subpoint_duty(item)
    return items


def _next_number_before_digits(folded: str, stack: list[_Item]) -> tuple[int, int, int] | None:
    """(rank, number, prefix length) of ``11.121人才梯队项目``, whose text starts with digits.

    ``11.121`` reads as a decimal, so it is a number only when it is the one that comes next
    after the open ``10.``; ``1.5亿元`` at the start of a wrapped line stays text.
    """
    match = _DIGITS_AFTER_NUMBER_RE.match(folded)
    if match is None:
        return None
    previous = next((item for item in reversed(stack) if item.rank == _DECIMAL_RANK), None)
    if previous is None or previous.number + 1 != int(match.group(1)):
        return None
    return _DECIMAL_RANK, int(match.group(1)), match.end()


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
    cell = fold(row.number).strip().strip("().、")
    if cell:
        return (int(cell) if cell.isdigit() else chinese_number(cell)), content
    numbered = match_number(fold(content))
    if numbered is not None:
        return numbered[1], content[numbered[2]:]
    return 0, content


def _place_row(line: Line, stack: list[_Item], items: list[_Item]) -> None:
    """A table row in the tree: a heading row, its category cells as headings, and the task under them."""
    row = line.row
    assert row is not None
    if row.heading:
        numbered = match_number(fold(row.heading))
        _open(stack, items, _Item(_TABLE_HEADING_RANK, numbered[1] if numbered else 0, line.number, "",
                                  [row.heading], from_table=True))
        return
    for level, category in enumerate(row.categories):
        rank = _TABLE_CATEGORY_RANK + level
        if any(open_item.rank == rank and open_item.heading == category for open_item in stack):
            continue
        numbered = match_number(fold(category))
        siblings = sum(1 for item in items if item.rank == rank)
        _open(stack, items, _Item(rank, numbered[1] if numbered else siblings + 1, line.number, "", [category],
                                  from_table=True))
    number, content = _row_number(row, row.content)
    if number <= 0:
        number = 1 + sum(1 for item in items if item.rank == _TABLE_ROW_RANK)
    task = _Item(_TABLE_ROW_RANK, number, line.number, "", [content], closed=True)
    for role, value in row.units:
        parse_roles(value, role, task.duty)
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
        item.duty, last.duty = last.duty, Responsibility()


def _select_tasks(items: list[_Item], warnings: list[Problem]) -> list[tuple[_Item, Responsibility, str]]:
    """(item, responsibility, content) of each task, in document order."""
    chosen: dict[int, tuple[_Item, Responsibility, str]] = {}
    covered: set[int] = set()
    for item in items:
        if item.duty.has_units and not any(d.duty.has_units for d in item.descendants()):
            descendants = item.descendants()
            content = item.content + "".join(d.heading for d in descendants)
            duty = Responsibility()
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
        duty = Responsibility(
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
        key = fold(name).replace(" ", "")
        if key not in seen:
            seen.add(key)
            kept.append(name)
    return kept


def _is_group(name: str) -> bool:
    return fold(name).replace(" ", "") in _DIVISION_GROUPS


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
        folded = fold(name)
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
        key = fold(name).replace(" ", "")
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


def _task_row(task_id: str, item: _Item, duty: Responsibility, content: str, spelling: dict[str, str],
              lead_first: bool) -> tuple[dict[str, str | None], list[str]]:
    """A 任务 row and its units in order."""
    leads = _canonical(duty.leads, spelling)
    units = _canonical(leads + duty.plain + duty.coop, spelling)
    if lead_first and not leads and units:
        leads = units[:1]
    section, note = _section_and_note(item)
    deadline = duty.deadline
    if not deadline:
        match = DEADLINE_IN_TEXT_RE.search(fold(content))
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
    lines = split_lines(notice)
    body_start, marker = find_body(lines)
    plan = plan_fields(lines, body_start, marker)
    items = _build_tree(lines, body_start, warnings)
    selected = _select_tasks(items, warnings)
    ids = _task_ids([item for item, _, _ in selected], warnings)
    # "列第一位的为牵头单位" anywhere in the notice: the first unit of each task leads.
    lead_first = any(LEAD_FIRST_RE.search(line.folded.replace(" ", "")) for line in lines)

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

