"""Who does a task: label fields (牵头单位: …), role words (X牵头,Y配合), rule notes, and deadlines written with them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lib import schema
from lib.intake.numbering import fold
from lib.intake.tables import COOP, LEAD, PLAIN

_UNIT_NOUN = r"(?:单位|部门|处室|科室|主体|处\s*\([^()]{1,4}\)|处)"
_LABEL_RE = re.compile(
    r"(?P<people>(?:责任|分管|牵头|联系|协管)(?:负责)?(?:省|市|州|县|区)?(?:领导|人|处长|同志)|联系人)"
    rf"|(?P<lead>(?:牵头|主办)(?:责任)?{_UNIT_NOUN})"
    rf"|(?P<coop>(?:配合|协作|协助|协办|协同|参与|参加)(?:责任)?{_UNIT_NOUN})"
    rf"|(?P<plain>(?:主要)?(?:责任|承办|实施){_UNIT_NOUN}|(?:部门|责任)分工)"
    r"|(?P<deadline>(?:完成|办结)?(?:时限|期限)(?:要求)?|完成时间|时间(?:节点|要求|安排)|进度安排)"
)
_COLON_RE = re.compile(r"\s*[:]\s*")
# A label starts a field only at the start of a clause.
_CLAUSE_START = " \t。.;,(【[〔、"

# Role words written after unit names, longest first; checked on folded text.
_ROLE_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("分别牵头负责", LEAD),
    ("分别牵头", LEAD),
    ("分别负责", LEAD),
    ("牵头负责", LEAD),
    ("(牵头)", LEAD),
    ("牵头", LEAD),
    ("按职责分工负责", PLAIN),
    ("按职责分工落实", PLAIN),
    ("按职责负责", PLAIN),
    ("共同负责", PLAIN),
    ("负责落实", PLAIN),
    ("负责", PLAIN),
    ("配合落实", COOP),
    ("参加", COOP),
    ("配合", COOP),
    ("协助", COOP),
    ("协办", COOP),
    ("共同参与", COOP),
    ("参与", COOP),
)
ROLE_WORD_RE = re.compile(r"牵头|负责|配合|协助|协办|参与|参加")
_UNIT_TRAILERS_RE = re.compile(r"(?:等(?:有关|相关)?(?:单位|部门|处室)?)$")

DEADLINE_IN_TEXT_RE = re.compile(
    r"\d{4}\s*年\s*(?:\d{1,2}\s*月\s*(?:\d{1,2}\s*日)?\s*(?:底|末|上旬|中旬|下旬)?"
    r"|年?底|末|上半年|下半年|第?[一二三四1234]季度)?\s*(?:以前|之前|前)"
    r"|\d{4}\s*年内"
)
_DEADLINE_PART_RE = re.compile(r"^(?:\d{4}\s*年|(?:完成)?时限|长期|持续|常态化|每年|按年度)")

# A note inside a unit list that states a rule: applied, never kept as a unit name.
# Rules written inside a unit list. A sentence that opens with one (以下…均需…落实,不再列出) names no
# unit of its task; a clause that is one (列第一位者为牵头单位, 下同) is dropped from the list.
_RULE_SENTENCE_RE = re.compile(r"^(?:以下|具体任务|上述)|均需|均涉及|不再(?:做|作)?分工|不再(?:单独)?列出|不再逐")
_RULE_CLAUSE_RE = re.compile(
    r"^(?:下同|以下同|同上|不再(?:做|作)?分工|不再(?:单独)?列出)$"
    r"|(?:列|排|位)(?:在|于)?(?:第一|首)位?(?:的|者)?(?:单位|部门)?(?:为|是)牵头")
_RULE_NOTE_RE = re.compile(
    r"[(（][^()（）]*(?:下同|以下|第一位|首位|分别牵头|除标注|为牵头|是牵头)[^()（）]*[)）]")
LEAD_FIRST_RE = re.compile(r"(?:列|排|位)(?:在|于)?(?:第一|首)位?(?:的|者)?(?:单位|部门)?(?:为|是)牵头")


@dataclass
class Responsibility:
    leads: list[str] = field(default_factory=list)
    plain: list[str] = field(default_factory=list)
    coop: list[str] = field(default_factory=list)
    deadline: str = ""

    @property
    def has_units(self) -> bool:
        return bool(self.leads or self.plain or self.coop)

    def add(self, role: str, unit: str) -> None:
        {LEAD: self.leads, PLAIN: self.plain, COOP: self.coop}[role].append(unit)

    def merge(self, other: Responsibility) -> None:
        self.leads += other.leads
        self.plain += other.plain
        self.coop += other.coop
        self.deadline = self.deadline or other.deadline




def _strip_role(raw: str) -> tuple[str, str | None]:
    """(unit name, role written after it or None)."""
    folded = fold(raw)
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


def parse_roles(raw: str, default_role: str, duty: Responsibility) -> None:
    """Read a unit list such as ``A牵头,B、C配合`` into ``duty``.

    A role word after a unit applies to it and to the units listed before it
    since the last role word (``A、B牵头`` makes both leads).
    """
    pending: list[str] = []
    raw = _RULE_NOTE_RE.sub("", raw)
    sentences = re.split(r"[。.](?!\d)", raw)
    raw = "、".join(sentence for sentence in sentences
                   if not _RULE_SENTENCE_RE.search(fold(re.split(r"[,，]", sentence)[0]).strip()))
    for part in _split_units(raw):
        if _RULE_CLAUSE_RE.search(fold(part).strip()):
            continue
        if _DEADLINE_PART_RE.match(fold(part)):
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


def parse_fields(raw: str) -> Responsibility:
    """Responsibility written as ``标签:值`` fields and/or role clauses."""
    folded = fold(raw)
    duty = Responsibility()
    labels = _find_labels(folded)
    head_end = labels[0].start() if labels else len(raw)
    head = raw[:head_end].strip(" ;；,，。")
    if head:
        parse_roles(head, PLAIN, duty)
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
            parse_roles(value, str(kind), duty)
    return duty


def _bracket_span_at_end(text: str) -> tuple[int, int] | None:
    """(start, end) of a bracket group closing the text (before 。/;), else None."""
    end = len(text.rstrip(" 。.;；,，"))
    if end == 0 or text[end - 1] not in ")）】]〕":
        return None
    depth = 0
    for index in range(end - 1, -1, -1):
        char = text[index]
        if char in ")）】]〕":
            depth += 1
        elif char in "(（【[〔":
            depth -= 1
            if depth == 0:
                return index, end
    return None


def _is_field_text(folded: str) -> bool:
    """Whether a (bracket-free) text reads as responsibility, not as content."""
    labels = _find_labels(folded)
    return bool(labels) and labels[0].start() == 0


def ends_with_duty(text: str) -> bool:
    """Whether the text closes with a bracket that names who does the task, e.g. ``(X牵头,Y配合)``."""
    span = _bracket_span_at_end(text)
    if span is None:
        return False
    inner = fold(text[span[0] + 1 : span[1] - 1])
    return bool(_find_labels(inner) or ROLE_WORD_RE.search(inner))


def field_text(raw: str) -> str | None:
    """The responsibility text of a line that holds nothing else, else None."""
    folded = fold(raw)
    span = _bracket_span_at_end(raw)
    if span is not None and span[0] == 0:
        inner_raw = raw[1 : span[1] - 1]
        inner = fold(inner_raw)
        if _find_labels(inner) or ROLE_WORD_RE.search(inner):
            return inner_raw
    body = folded.lstrip("【[〔")
    offset = len(folded) - len(body)
    if _is_field_text(body):
        return raw[offset:].rstrip("】]〕")
    return None


def take_responsibility(text: str, duty: Responsibility) -> str:
    """Move inline fields and a trailing role parenthesis into ``duty``.

    Returns the text that is left: the task's content as written.
    """
    folded = fold(text)
    labels = [m for m in _find_labels(folded) if m.start() > 0 and _depth_at(folded, m.start()) == 0]
    if labels:
        cut = labels[0].start()
        duty.merge(parse_fields(text[cut:]))
        text = text[:cut].rstrip(" (【[")
    span = _bracket_span_at_end(text)
    if span is not None:
        start, end = span
        inner_raw = text[start + 1 : end - 1]
        inner = fold(inner_raw)
        if _find_labels(inner) or ROLE_WORD_RE.search(inner):
            duty.merge(parse_fields(inner_raw))
            text = (text[:start] + text[end:]).rstrip()
            text = re.sub(r"([。.;；])\s*[。.]$", r"\1", text)
    for inner_raw in _assignments_inside(text):
        duty.merge(parse_fields(inner_raw))
    return text.strip()


def _assignments_inside(text: str) -> list[str]:
    """Bracketed assignments inside the text (kept there): a task of several measures may name
    the units of each after it, ``…目录。〔X牵头,Y参与〕按省的要求……(Z牵头)``."""
    found: list[str] = []
    depth, start = 0, 0
    for index, char in enumerate(text):
        if char in "(（〔【[":
            start = index if depth == 0 else start
            depth += 1
        elif char in ")）〕】]" and depth:
            depth -= 1
            inner = fold(text[start + 1 : index])
            if depth == 0 and (_find_labels(inner) or "牵头" in inner):
                found.append(text[start + 1 : index])
    return found


def _depth_at(folded: str, position: int) -> int:
    """Bracket depth at ``position``."""
    depth = 0
    for char in folded[:position]:
        if char in "(【[〔":
            depth += 1
        elif char in ")】]〕":
            depth = max(0, depth - 1)
    return depth


