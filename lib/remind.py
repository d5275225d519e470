"""催报通知: the units that have not reported for a period, as a 公文 notice (.docx) and as messages.

Both list exactly the rows of ``tables.reminder_list`` (the 未报送 list of the period's snapshot), and give
the period's 报送截止日 (``Period.deadline`` with the plan's 报送截止日 setting). Every notice issued is
logged in the plan's audit log (action ``persist.REMIND``), which the 处室 page counts as 已催报 N 次;
版本记录 leaves these lines out (``persist.version_entries``).

The 处室 page, the 季度汇报 page and ``python -m lib remind`` all go through ``issue_docx`` / ``issue_messages``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from docx.shared import Mm
from filelock import FileLock

from lib import plans, tables
from lib.dates import chinese_date, iso_date
from lib.exports import gongwen
from lib.metrics import Snapshot, compute
from lib.model import Book
from lib.periods import Period
from lib.store.persist import REMIND, append_audit, lock_path, read_audit

DOCX, TEXT = "docx", "text"  # the two forms a notice takes, as logged
UNIT, TASK_ID, CONTENT, LATEST = (tables.LABELS[f] for f in ("unit", "task_id", "content", "latest_date"))
LIST_NAME = "未报送工作进展任务清单"
# The attachment's columns on a landscape A4 page: 225 mm of text width.
COLUMNS = ("序号", UNIT, TASK_ID, CONTENT, LATEST)
WIDTHS = (Mm(14), Mm(38), Mm(18), Mm(127), Mm(28))


class NotStarted(ValueError):
    """A period that has not begun yet: nothing can be outstanding in it."""


def deadline(book: Book, period: Period) -> dt.date:
    """The period's 报送截止日."""
    return period.deadline(book.plan.report_days)


def period_snapshot(book: Book, period: Period, today: dt.date) -> Snapshot:
    """The figures a 催报 of ``period`` rests on: today's progress, and the reports for ``period`` made so far.

    Raises NotStarted for a period that begins after ``today``.
    """
    if period.start > today:
        raise NotStarted(f"{period.label}尚未开始，无需催报。")
    return compute(book, today, reporting=period)


def _snapshot(book: Book, scope: Snapshot | Period, today: dt.date | None) -> Snapshot:
    return scope if isinstance(scope, Snapshot) else period_snapshot(book, scope, today or dt.date.today())


def outstanding(snapshot: Snapshot, units: list[str] | None = None) -> pd.DataFrame:
    """The 未报送 list (``tables.reminder_list``) of the snapshot's 本期, of ``units`` only when given,
    in the 处室 sheet's order of units and the plan's order of tasks."""
    rows = tables.reminder_list(snapshot)
    if units:
        rows = rows[rows[UNIT].isin(units)]
    unit_order = {unit: i for i, unit in enumerate(snapshot.units["unit"])}
    task_order = {task: i for i, task in enumerate(snapshot.tasks["task_id"])}
    keys = pd.DataFrame({"unit": rows[UNIT].map(unit_order), "task": rows[TASK_ID].map(task_order)})
    return rows.loc[keys.sort_values(["unit", "task"], kind="stable").index].reset_index(drop=True)


def plan_title(book: Book) -> str:
    """The plan's name in 书名号, with the 书名号 inside it turned into 〈〉 as nested titles are written."""
    name = book.plan.name.strip()
    if not name:
        return ""
    if name.startswith("《") and name.endswith("》") and name.count("《") == 1:
        return name
    return "《" + name.replace("《", "〈").replace("》", "〉") + "》"


def notice_title(book: Book, period: Period) -> str:
    """关于报送《…落实分工方案》2026年第四季度工作进展情况的通知."""
    return f"关于报送{plan_title(book)}{period.label}工作进展情况的通知"


def _latest(value: object, written=chinese_date) -> str:
    """最近填报 as ``written`` writes a date; a unit that never reported says so (NaT is a date to ``isinstance``)."""
    return "尚未填报" if pd.isna(value) else written(value)


def _deadline_sentence(book: Book, snapshot: Snapshot) -> str:
    """请于…前（含当日）报送, or, once the deadline has passed, that it has (no closing punctuation)."""
    due = deadline(book, snapshot.reporting)
    if snapshot.as_of > due:
        return f"报送截止日为{chinese_date(due)}，现已逾期，请尽快补报"
    return f"请于{chinese_date(due)}前（含当日）报送"


def basis(book: Book) -> str:
    """按照《…》（〔2025〕57号）要求: the plan and its document number, as the notice cites them."""
    doc_no = book.plan.doc_no.strip()
    return f"按照{plan_title(book) or '工作方案'}{f'（{doc_no}）' if doc_no else ''}要求"


def _body(doc, book: Book, snapshot: Snapshot, rows: pd.DataFrame) -> None:
    """主送 the units concerned; what is outstanding; by when and how to report; the attachment."""
    units = list(dict.fromkeys(rows[UNIT]))
    label = snapshot.reporting.label
    gongwen.paragraph(doc, "、".join(units) + "：", indent=False)
    gongwen.paragraph(doc, f"{basis(book)}，各责任处室应按报送周期报送任务落实进展情况。截至{chinese_date(snapshot.as_of)}，"
                           f"以上{len(units)}个处室尚有{len(rows)}项任务未报送{label}工作进展情况（见附件）。")
    gongwen.paragraph(doc, f"{_deadline_sentence(book, snapshot)}，逐项填报完成进度、状态、进展情况、存在问题和下步计划，"
                           "通过落实看板「上传更新」报送或按进展表格式报送；任务已完成的，请注明完成情况。")
    gongwen.attachment_note(doc, [f"{label}{LIST_NAME}"])


def notice_docx(book: Book, scope: Snapshot | Period, units: list[str] | None = None,
                today: dt.date | None = None) -> bytes:
    """The 催报通知 as a 公文 .docx: the body, then a landscape attachment listing each outstanding task in
    full. ``scope``: a snapshot whose 本期 is the period to remind of, or the period itself (then reports
    up to ``today`` count). Empty bytes when nothing is outstanding."""
    snapshot = _snapshot(book, scope, today)
    rows = outstanding(snapshot, units)
    if rows.empty:
        return b""
    doc = gongwen.new_document()
    gongwen.title(doc, notice_title(book, snapshot.reporting))
    _body(doc, book, snapshot, rows)
    gongwen.signature(doc, today or snapshot.as_of)
    gongwen.page_numbers(doc)
    gongwen.landscape_section(doc)
    gongwen.attachment_heading(doc, f"{snapshot.reporting.label}{LIST_NAME}")
    listed = [(str(number), r[UNIT], r[TASK_ID], r[CONTENT], _latest(r[LATEST], iso_date))
              for number, r in enumerate(rows.to_dict("records"), start=1)]
    gongwen.table(doc, COLUMNS, listed, WIDTHS, centred=(True, False, True, False, True))
    return gongwen.to_bytes(doc)


def _address_part(text: str) -> str:
    """``text`` for an address: ASCII that would end or split a query is %-escaped; Chinese stays readable."""
    from urllib.parse import quote

    return "".join(quote(char, safe="") if ord(char) < 128 else char for char in text)


def unit_link(unit: str, plan_key: str | None = None, base: str = "") -> str:
    """The 处室 page of ``unit``: ``/unit?unit=综合处``, with ``&plan=KEY`` when the office has several plans."""
    link = f"{base.rstrip('/')}/unit?unit={_address_part(unit)}"
    return link + (f"&plan={_address_part(plan_key)}" if plan_key else "")


def link_plan(path: Path) -> str | None:
    """The plan key links must carry (``path``'s stem), or None when the office has one plan."""
    return Path(path).stem if len(plans.all_plans()) > 1 else None


def unit_message(book: Book, snapshot: Snapshot, unit: str, rows: pd.DataFrame, plan_key: str | None = None,
                 base: str = "") -> str:
    """One unit's plain-text 催报 message: the plan, the period, the deadline, each task in full, its page."""
    lines = [f"{unit}：",
             f"{basis(book)}，贵处尚有以下 {len(rows)} 项任务未报送{snapshot.reporting.label}工作进展情况，"
             f"{_deadline_sentence(book, snapshot)}。"]
    for number, r in enumerate(rows.to_dict("records"), start=1):
        lines.append(f"{number}. 任务{r[TASK_ID]}（最近填报：{_latest(r[LATEST])}）：{r[CONTENT]}")
    lines.append(f"填报情况请见：{unit_link(unit, plan_key, base)}")
    return "\n".join(lines)


def unit_messages(book: Book, scope: Snapshot | Period, units: list[str] | None = None, plan_key: str | None = None,
                  today: dt.date | None = None, base: str = "") -> dict[str, str]:
    """Unit → its message, for every unit (of ``units``, if given) with an outstanding task."""
    snapshot = _snapshot(book, scope, today)
    rows = outstanding(snapshot, units)
    return {unit: unit_message(book, snapshot, unit, group, plan_key, base)
            for unit, group in rows.groupby(UNIT, sort=False)}


# ---- the audit log ---------------------------------------------------------------------------------------


def record(path: Path, user: str, snapshot: Snapshot, rows: pd.DataFrame, form: str,
           now: dt.datetime | None = None) -> dict:
    """Log one issued notice in ``path``'s audit log: when, by whom, for which period, units and tasks.

    Appended under the workbook's lock, as saves are, so a line never lands between a save's steps.
    """
    tasks = {unit: list(group[TASK_ID]) for unit, group in rows.groupby(UNIT, sort=False)}
    entry = {"time": (now or dt.datetime.now()).isoformat(timespec="seconds"), "user": user, "action": REMIND,
             "file": Path(path).name, "form": form, "period": snapshot.reporting.code,
             "as_of": iso_date(snapshot.as_of), "units": list(tasks), "tasks": tasks}
    with FileLock(str(lock_path(Path(path))), timeout=10):
        append_audit(Path(path), entry)
    return entry


def reminded_times(path: Path, period: Period) -> dict[str, int]:
    """Unit → how many notices of ``period`` named it (.docx and messages alike)."""
    counts: dict[str, int] = {}
    for entry in read_audit(Path(path)):
        if entry.get("action") == REMIND and entry.get("period") == period.code:
            for unit in entry.get("units", []):
                counts[unit] = counts.get(unit, 0) + 1
    return counts


def issue_docx(path: Path, book: Book, scope: Snapshot | Period, user: str, units: list[str] | None = None,
               today: dt.date | None = None) -> bytes:
    """``notice_docx``, logged as issued by ``user``; empty bytes, and nothing logged, when nothing is outstanding."""
    snapshot = _snapshot(book, scope, today)
    data = notice_docx(book, snapshot, units, today)
    if data:
        record(path, user, snapshot, outstanding(snapshot, units), DOCX)
    return data


def issue_messages(path: Path, book: Book, scope: Snapshot | Period, user: str, units: list[str] | None = None,
                   today: dt.date | None = None, base: str = "") -> dict[str, str]:
    """``unit_messages`` (linking to this plan when there are several), logged as issued by ``user``."""
    snapshot = _snapshot(book, scope, today)
    messages = unit_messages(book, snapshot, units, link_plan(path), today, base)
    if messages:
        record(path, user, snapshot, outstanding(snapshot, units), TEXT)
    return messages

