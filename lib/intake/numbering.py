"""A line's number as notices write it (一、 > (一) > 1. > (1) > ①), read on text folded to half-width."""

from __future__ import annotations

import re

# ---- text folding ------------------------------------------------------------

# Full-width ASCII to half-width, one character for one, so positions found in
# the folded text slice the original text exactly.
FOLD: dict[int, int | str] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
FOLD.update({0x3000: " ", 0x00A0: " ", 0xFE50: ",", 0xFE51: "、", 0xFE52: ".", 0xFE54: ";", 0xFE55: ":",
             0xFE59: "(", 0xFE5A: ")"})
# Notices mirrored in traditional characters: the role and label words, one character for one.
FOLD.update(str.maketrans("牽頭責單負職門處協參與辦時間節點領導聯繫關別實體務為", "牵头责单负职门处协参与办时间节点领导联系关别实体务为"))
INVISIBLE_RE = re.compile("[\ufeff\u200b\u200c\u200d\u2060]")


def fold(text: str) -> str:
    """``text`` with full-width ASCII and odd spaces folded; same length."""
    return text.translate(FOLD)


# ---- numbering -----------------------------------------------------------------

CN_DIGITS = {
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


def chinese_number(text: str) -> int:
    """The value of a Chinese numeral such as 十二 or 二十; 0 when unknown."""
    if text.isdigit():
        return int(text)
    if "百" in text:
        head, _, tail = text.partition("百")
        return chinese_number(head or "一") * 100 + (chinese_number(tail) if tail else 0)
    if "十" in text:
        head, _, tail = text.partition("十")
        tens = CN_DIGITS.get(head, 0) if head else 1
        return tens * 10 + (CN_DIGITS.get(tail, 0) if tail else 0)
    value = 0
    for char in text:
        if char not in CN_DIGITS:
            return 0
        value = value * 10 + CN_DIGITS[char]
    return value


def match_number(folded: str) -> tuple[int, int, int] | None:
    """(rank, number, length of the prefix) when the line is numbered, else None."""
    for rank, pattern in _NUMBER_PATTERNS:
        match = pattern.match(folded)
        if not match:
            continue
        token = next(g for g in match.groups() if g)
        number = _CIRCLED.index(token) + 1 if rank == 5 else chinese_number(token)
        if number <= 0:
            continue
        return rank, number, match.end()
    return None

