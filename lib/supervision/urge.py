"""催办: the assignments 逾期未办结 as of a date, per unit, and the 催办通知 that asks each unit to finish them.

An assignment is overdue as ``supervision.assignment_table`` says (outcome 逾期未办结): past its task's effective
deadline (the approved extensions dated on or before the date count) and not closed. The notice takes the 催报通知's
form (``lib.remind``): a 公文 .docx with a landscape attachment, or one plain-text message per unit.

Every notice issued is logged in the plan's audit log beside the 催报 lines: action ``persist.REMIND`` with
``notice: "urge"``, so 版本记录 leaves it out as it does every reminder (``persist.version_entries``), and
``remind.reminded_times`` does not count it (it carries no 报送周期). Each line keeps the effective deadline each task
was urged against, so 已催办 N 次 counts the notices since the deadline now in force: an approved extension starts
the count again.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from docx.shared import Mm
from filelock import FileLock

from lib import remind, supervision
from lib.dates import chinese_date, iso_date
from lib.exports import gongwen
from lib.model import Book
from lib.review import clip
from lib.store.persist import REMIND, append_audit, lock_path, read_audit

URGE = "urge"  # the audit line's "notice": a 催办通知, not a 催报通知
DOCX, TEXT = remind.DOCX, remind.TEXT
HEADERS = {"unit": "处室", "task_id": "任务编号", "content": "任务内容", "deadline_original": "原定时限",
           "deadline_effective": "调整后时限", "days_overdue": "逾期天数", "progress": "最新进度", "state": "督办状态",
           "urged": "已催办次数"}
FIELDS = list(HEADERS)
SHORT_CONTENT = 30  # characters of 任务内容 in the on-screen list; the notice gives it in full
LIST_NAME = "逾期未办结任务清单"
# The attachment's columns on a landscape A4 page: 225 mm of text width.
COLUMNS = ("序号", HEADERS["unit"], HEADERS["task_id"], HEADERS["content"], HEADERS["deadline_original"],
           HEADERS["deadline_effective"], HEADERS["days_overdue"], HEADERS["state"])
WIDTHS = (Mm(14), Mm(30), Mm(16), Mm(69), Mm(26), Mm(26), Mm(22), Mm(22))


def _latest_progress(book: Book, as_of: dt.date) -> dict[tuple[str, str], float]:
    """(task, unit) → the progress of its last report on or before ``as_of``."""
    reports = book.updates_by_date
    reports = reports[reports["date"] <= pd.Timestamp(as_of)]
    last = reports.groupby(["task_id", "unit"], sort=False)["progress"].last()
    return {(str(task), str(unit)): float(value) for (task, unit), value in last.items()}


def overdue(book: Book, as_of: dt.date, units: list[str] | None = None) -> pd.DataFrame:
    """The assignments 逾期未办结 as of ``as_of`` (of ``units`` only, when given): ``FIELDS`` but ``urged`` (0), in
    the 处室 sheet's order of units and the plan's order of tasks. 最新进度 is NaN for a unit that never reported."""
    table = supervision.assignment_table(book, as_of)
    rows = table[table["outcome"] == supervision.OUTCOME_OVERDUE]
    if units:
        rows = rows[rows["unit"].isin(units)]
    contents = dict(zip(book.tasks["task_id"], book.tasks["content"]))
    progress = _latest_progress(book, as_of)
    frame = pd.DataFrame({
        "unit": rows["unit"], "task_id": rows["task_id"], "content": rows["task_id"].map(contents).fillna(""),
        "deadline_original": rows["deadline_original"], "deadline_effective": rows["deadline_effective"],
        "days_overdue": [(as_of - day).days for day in rows["deadline_effective"]],
        "progress": [progress.get((task, unit), float("nan")) for task, unit in zip(rows["task_id"], rows["unit"])],
        "state": rows["state"], "urged": 0}, columns=FIELDS)
    unit_order = {unit: i for i, unit in enumerate(book.units["unit"])}
    task_order = {task: i for i, task in enumerate(book.tasks["task_id"])}
    keys = pd.DataFrame({"unit": frame["unit"].map(unit_order).fillna(len(unit_order)),
                         "task": frame["task_id"].map(task_order)}, index=frame.index)
    return frame.loc[keys.sort_values(["unit", "task"], kind="stable").index].reset_index(drop=True)


def with_urged(rows: pd.DataFrame, urged: dict[tuple[str, str], int]) -> pd.DataFrame:
    """``rows`` with 已催办 N 次 from ``urged`` ((unit, task) → count, as ``urged_times`` gives)."""
    counts = [urged.get((unit, task), 0) for unit, task in zip(rows["unit"], rows["task_id"])]
    return rows.assign(urged=pd.Series(counts, index=rows.index, dtype=int))


def overdue_list(rows: pd.DataFrame) -> pd.DataFrame:
    """``overdue`` rows as the pages show them: Chinese headers, 任务内容 shortened, dates as text."""
    shown = rows.assign(content=rows["content"].map(lambda text: clip(text, SHORT_CONTENT)),
                        deadline_original=rows["deadline_original"].map(iso_date),
                        deadline_effective=rows["deadline_effective"].map(iso_date))
    return shown[FIELDS].rename(columns=HEADERS).reset_index(drop=True)


# ---- the notice --------------------------------------------------------------------------------------------


def notice_title(book: Book) -> str:
    """关于催办《…落实分工方案》逾期未办结任务的通知."""
    return f"关于催办{remind.plan_title(book)}逾期未办结任务的通知"


def _ask(channel: str) -> str:
    """What the notice asks: finish and report, or ask for an extension with reasons (no closing punctuation)."""
    return (f"请抓紧推进、尽快办结，并{channel}报送最新进展；已办结的，请及时申请销号。确因客观原因无法办结的，"
            "请提出延期申请，说明延期理由、目前进展和申请完成时限")


def _body(doc, book: Book, rows: pd.DataFrame, as_of: dt.date) -> None:
    """主送 the units concerned; what is overdue; what to do; the attachment."""
    units = list(dict.fromkeys(rows["unit"]))
    gongwen.paragraph(doc, "、".join(units) + "：", indent=False)
    gongwen.paragraph(doc, f"{remind.basis(book)}，各责任处室应在完成时限内办结所承担的任务。截至{chinese_date(as_of)}，"
                           f"以上{len(units)}个处室尚有{len(rows)}项任务已超过完成时限仍未办结（经批准延期的，"
                           "按调整后时限计算；见附件）。")
    gongwen.paragraph(doc, _ask("通过落实看板「处室」页") + "。")
    gongwen.attachment_note(doc, [LIST_NAME])


def notice_docx(book: Book, rows: pd.DataFrame, as_of: dt.date, today: dt.date | None = None) -> bytes:
    """The 催办通知 of the ``overdue`` rows as a 公文 .docx: the body, then a landscape attachment listing each task
    in full with its deadlines and days overdue. Empty bytes when nothing is overdue."""
    if rows.empty:
        return b""
    doc = gongwen.new_document()
    gongwen.title(doc, notice_title(book))
    _body(doc, book, rows, as_of)
    gongwen.signature(doc, today or as_of)
    gongwen.page_numbers(doc)
    gongwen.landscape_section(doc)
    gongwen.attachment_heading(doc, LIST_NAME)
    listed = [(str(number), r["unit"], r["task_id"], r["content"], iso_date(r["deadline_original"]),
               iso_date(r["deadline_effective"]), str(r["days_overdue"]), r["state"])
              for number, r in enumerate(rows.to_dict("records"), start=1)]
    gongwen.table(doc, COLUMNS, listed, WIDTHS, centred=(True, False, True, False, True, True, True, True))
    return gongwen.to_bytes(doc)


def _task_line(number: int, r: dict) -> str:
    moved = "" if r["deadline_effective"] == r["deadline_original"] else f"，调整后时限{iso_date(r['deadline_effective'])}"
    urged = f"，已催办{r['urged']}次" if r["urged"] else ""
    return (f"{number}. 任务{r['task_id']}（原定时限{iso_date(r['deadline_original'])}{moved}，"
            f"已逾期{r['days_overdue']}天{urged}）：{r['content']}")


def unit_message(book: Book, unit: str, rows: pd.DataFrame, as_of: dt.date, plan_key: str | None = None,
                 base: str = "") -> str:
    """One unit's plain-text 催办 message: the plan, each overdue task in full with its deadlines, what to do, its page."""
    lines = [f"{unit}：",
             f"{remind.basis(book)}，截至{chinese_date(as_of)}，贵处承担的以下 {len(rows)} 项任务已超过完成时限，尚未办结："]
    lines += [_task_line(number, r) for number, r in enumerate(rows.to_dict("records"), start=1)]
    lines.append(_ask("在落实看板") + "。")
    lines.append(f"办理情况请见：{remind.unit_link(unit, plan_key, base)}")
    return "\n".join(lines)


def unit_messages(book: Book, rows: pd.DataFrame, as_of: dt.date, plan_key: str | None = None,
                  base: str = "") -> dict[str, str]:
    """Unit → its message, for every unit with an overdue task in ``rows``."""
    return {unit: unit_message(book, unit, group, as_of, plan_key, base)
            for unit, group in rows.groupby("unit", sort=False)}


# ---- the audit log ---------------------------------------------------------------------------------------


def record(path: Path, user: str, rows: pd.DataFrame, as_of: dt.date, form: str,
           now: dt.datetime | None = None) -> dict:
    """Log one issued 催办通知 in ``path``'s audit log: when, by whom, as of which date, which units and tasks, and
    the effective deadline each task was urged against. Appended under the workbook's lock, as saves are."""
    tasks = {unit: list(group["task_id"]) for unit, group in rows.groupby("unit", sort=False)}
    deadlines = {task: iso_date(day) for task, day in zip(rows["task_id"], rows["deadline_effective"])}
    entry = {"time": (now or dt.datetime.now()).isoformat(timespec="seconds"), "user": user, "action": REMIND,
             "notice": URGE, "file": Path(path).name, "form": form, "as_of": iso_date(as_of), "units": list(tasks),
             "tasks": tasks, "deadlines": deadlines}
    with FileLock(str(lock_path(Path(path))), timeout=10):
        append_audit(Path(path), entry)
    return entry


def _notices(path: Path, as_of: dt.date) -> list[dict]:
    """The 催办 lines of the log made as of ``as_of`` or before."""
    return [entry for entry in read_audit(Path(path))
            if entry.get("action") == REMIND and entry.get("notice") == URGE and entry.get("as_of", "") <= iso_date(as_of)]


def urged_times(path: Path, rows: pd.DataFrame, as_of: dt.date) -> dict[tuple[str, str], int]:
    """(unit, task) → how many notices made as of ``as_of`` or before urged it against the effective deadline it
    has in ``rows`` (.docx and messages alike)."""
    current = {(unit, task): iso_date(day) for unit, task, day in zip(rows["unit"], rows["task_id"], rows["deadline_effective"])}
    counts: dict[tuple[str, str], int] = {}
    for entry in _notices(path, as_of):
        for unit, tasks in entry.get("tasks", {}).items():
            for task in tasks:
                key = (unit, task)
                if key in current and entry.get("deadlines", {}).get(task) == current[key]:
                    counts[key] = counts.get(key, 0) + 1
    return counts


def urged_units(path: Path, as_of: dt.date) -> dict[str, int]:
    """Unit → how many 催办通知 made as of ``as_of`` or before named it."""
    counts: dict[str, int] = {}
    for entry in _notices(path, as_of):
        for unit in entry.get("units", []):
            counts[unit] = counts.get(unit, 0) + 1
    return counts


def issue_docx(path: Path, book: Book, as_of: dt.date, user: str, units: list[str] | None = None,
               today: dt.date | None = None) -> bytes:
    """``notice_docx`` of the tasks overdue as of ``as_of``, logged as issued by ``user``; empty bytes, and nothing
    logged, when nothing is overdue."""
    rows = overdue(book, as_of, units)
    data = notice_docx(book, rows, as_of, today)
    if data:
        record(path, user, rows, as_of, DOCX)
    return data


def issue_messages(path: Path, book: Book, as_of: dt.date, user: str, units: list[str] | None = None,
                   base: str = "") -> dict[str, str]:
    """``unit_messages`` (with 已催办 N 次 so far, linking to this plan when there are several), logged as issued."""
    rows = overdue(book, as_of, units)
    messages = unit_messages(book, with_urged(rows, urged_times(path, rows, as_of)), as_of, remind.link_plan(path), base)
    if messages:
        record(path, user, rows, as_of, TEXT)
    return messages
