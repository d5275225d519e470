"""The notice outside its plan body: title, 文号, issue date, where the body starts, and web furniture."""

from __future__ import annotations

import re

from lib import schema
from lib.intake.lines import Line
from lib.intake.numbering import CN_DIGITS, chinese_number, fold, match_number

ATTACHMENT_RE = re.compile(r"^附件\s*\d*\s*[:]?$")
_ATTACHMENT_TITLE_RE = re.compile(r"^附件\s*\d*\s*:\s*(.+)$")
_DOC_NO_RE = re.compile(r"^[\u4e00-\u9fff]{0,12}\s*[〔\[(【]\s*\d{4}\s*[〕\])】]\s*\d{1,4}\s*号$")
_ISSUE_TITLE_RE = re.compile(r"关于印发(.+?)的通知")
_TITLE_END_RE = re.compile(r"(方案|分工|清单|分解表|任务表|计划|措施|要点|安排|办法|意见|细则)$")
_DATE_LINE_RE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_CN_DATE_LINE_RE = re.compile(
    r"^([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$"
)
# Text that ends the plan body: the rest is the web page or the document's footer.
STOP_RE = re.compile(
    r"^(?:请点击查看原文|点击查看原文|查看原文|用户登录|还没有账号|立即注册|抄送|抄报"
    r"|\(此件|【打印|【关闭|打印本页|关闭窗口|分享到|扫一扫|上一篇|下一篇|相关链接|相关文章)"
)
# Web furniture skipped wherever it appears.
CLUTTER_RE = re.compile(r"^(?:字号|发布时间|来源|浏览次数|阅读次数|【字体|附件\s*\d*\s*[:]|附件\s*\d*$)")


def issued_date(folded: str) -> str | None:
    """ISO date of a line that is only a date (2025年8月26日 or 二〇二五年八月二十六日)."""
    compact = folded.replace(" ", "")
    match = _DATE_LINE_RE.match(compact)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _CN_DATE_LINE_RE.match(compact)
        if not match:
            return None
        year = int("".join(str(CN_DIGITS.get(c, 0)) for c in match.group(1)))
        month, day = chinese_number(match.group(2)), chinese_number(match.group(3))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _unwrap_book_title(title: str) -> str:
    """``《X》`` → ``X`` when the whole title is one book-title mark."""
    title = title.strip()
    if title.startswith("《") and title.endswith("》") and title.count("《") == 1:
        return title[1:-1]
    return title




def plan_fields(lines: list[Line], body_start: int, marker: int | None) -> dict[str, str]:
    """方案名称, 文号 and 印发日期 from the lines before the plan body."""
    plan: dict[str, str] = {}
    head = lines[:body_start]
    title = ""
    if marker is not None:
        block = [line.raw for line in lines[marker + 1 : body_start]][:3]
        for count in range(1, len(block) + 1):
            joined = "".join(block[:count]).strip()
            if _TITLE_END_RE.search(fold(joined)):
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
        issued = issued_date(line.folded)
        if issued:
            plan[schema.PLAN_ISSUED] = issued
            break
    return plan


def find_body(lines: list[Line]) -> tuple[int, int | None]:
    """(index of the first numbered line of the body, index of the 附件 line or None)."""
    marker = next((i for i, line in enumerate(lines) if ATTACHMENT_RE.match(line.folded)), None)
    start = 0 if marker is None else marker + 1
    for index in range(start, len(lines)):
        if lines[index].row is not None or match_number(lines[index].folded):
            return index, marker
    return len(lines), marker


