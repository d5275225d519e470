"""Tables as the board shows them, and their .xlsx downloads.

Each function returns a frame with Chinese display headers, in the order the
page shows it; ``xlsx_bytes`` writes exactly that frame. No Streamlit here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from lib import detail, schema, supervision
from lib.dates import iso_date
from lib.metrics import Snapshot, light_counts, section_label
from lib.model import ORIGIN_SAVED, ORIGIN_UPLOAD, Book, Problem
from lib.palette import LIGHT_COLORS
from lib.store.diff import display_text
from lib.workbook import tables_bytes

# Display headers: the workbook's own where the field comes from it, then the computed ones.
LABELS = {c.field: c.header for columns in schema.SHEETS.values() for c in columns} | {
    "progress": "完成进度",
    "expected": "序时进度",
    "light": "预警",
    "light_reason": "预警原因",
    "latest_date": "最近填报",
    "change": "较上期",
    "units": "责任处室",
    "role": "分工",
    "link": "详情",
    "problems": "存在问题",
    "section_label": "板块",
}
LINK = LABELS["link"]
LONG_TEXT = {LABELS[f] for f in ("content", "light_reason", "problems", "progress_note", "next_steps")}
SHORT_TEXT = {LABELS[f] for f in ("task_id", "light", "role", "status")}
LEAD_MARK = "★"


@dataclass(frozen=True)
class ChangeDelta:
    """How the change since the previous period is stated: in a sentence, on a card, and the card's colour and arrow."""

    text: str  # a sentence's words: 较上期提高 3.0 个百分点 / 较上期下降 3.0 个百分点 / 与上期持平
    card: str  # short enough for a KPI card: 较上期提高 3.0 / 较上期下降 3.0 / 与上期持平
    color: str  # st.metric's delta_color: green (rise), red (drop), gray (none)
    arrow: str  # st.metric's delta_arrow: up, down, off


def change_delta(change: float) -> ChangeDelta:
    """The change in progress since the previous period end (percentage points) in words, colour and arrow.

    Streamlit would read the arrow from a leading "-", so a drop written in words would show as a rise;
    the direction is stated here instead. A change that rounds to 0.0 as shown is 持平, not a rise.
    """
    if pd.isna(change):
        return ChangeDelta("较上期无可比数据", "较上期 —", "gray", "off")
    shown = round(float(change), 1)
    if shown == 0:
        return ChangeDelta("与上期持平", "与上期持平", "gray", "off")
    verb, color, arrow = ("提高", "green", "up") if shown > 0 else ("下降", "red", "down")
    return ChangeDelta(f"较上期{verb} {abs(shown):.1f} 个百分点", f"较上期{verb} {abs(shown):.1f}", color, arrow)


def task_url(task_id: str, as_of: dt.date) -> str:
    """The task page's address for one task at date ``as_of`` (``?d=``), relative to the app root."""
    return f"task?task={task_id}&d={iso_date(as_of)}"


def _shown(frame: pd.DataFrame, fields: list[str]) -> pd.DataFrame:
    return frame[fields].rename(columns=LABELS).reset_index(drop=True)


def _units_lead_first(assignments: pd.DataFrame) -> pd.Series:
    """Per task: its units, lead units first and marked ★, joined by 、."""
    ordered = assignments.sort_values(["task_id", "is_lead", "order"], ascending=[True, False, True])
    names = ordered["is_lead"].map({True: LEAD_MARK, False: ""}) + ordered["unit"]
    return names.groupby(ordered["task_id"]).agg("、".join)


def _task_rows(snapshot: Snapshot) -> pd.DataFrame:
    tasks = snapshot.tasks.copy()
    tasks["units"] = tasks["task_id"].map(_units_lead_first(snapshot.assignments)).fillna("")
    tasks["light"] = tasks["light"].map(schema.light_label)
    tasks["latest_date"] = tasks["latest_date"].dt.date
    tasks["link"] = tasks["task_id"].map(lambda task_id: task_url(task_id, snapshot.as_of))
    tasks["section_label"] = tasks["section"].map(section_label)
    return tasks


def section_summary(snapshot: Snapshot, section: str) -> dict:
    """The section's KPI figures: progress, change (points), tasks, done, red, yellow, and its 督办 figures by task:
    due (original deadline passed), on_time, overdue (counts) and on_time_rate (percent, NaN when nothing is due)."""
    row = snapshot.sections.set_index("section").loc[section]
    lights = light_counts(detail.section_tasks(snapshot.tasks, section))
    return {"progress": float(row["progress"]), "change": float(row["change"]), "tasks": int(row["tasks"]),
            "done": int(row["done"]), "red": lights[schema.LIGHT_RED], "yellow": lights[schema.LIGHT_YELLOW],
            "due": int(row["due"]), "on_time": int(row["on_time"]), "overdue": int(row["overdue"]),
            "on_time_rate": float(row["on_time_rate"])}


def section_tasks(snapshot: Snapshot, section: str) -> pd.DataFrame:
    """The tasks of one section: 编号, 任务内容, 完成进度, 序时进度, 预警, 责任处室 (★ lead first), 最近填报, 详情."""
    tasks = _task_rows(snapshot)
    tasks = tasks[tasks["section"] == section]
    return _shown(tasks, ["task_id", "content", "progress", "expected", "light", "units", "latest_date", "link"])


def section_notes(snapshot: Snapshot, section: str) -> pd.DataFrame:
    """The latest 进展情况 / 存在问题 / 下步计划 of each assignment of the section's tasks."""
    in_section = snapshot.tasks.loc[snapshot.tasks["section"] == section, "task_id"]
    rows = snapshot.assignments[snapshot.assignments["task_id"].isin(in_section)].copy()
    rows["latest_date"] = rows["latest_date"].dt.date
    return _shown(rows, ["task_id", "unit", "latest_date", "progress", "progress_note", "problems", "next_steps"])


def warned_tasks(snapshot: Snapshot) -> pd.DataFrame:
    """红/黄 tasks with their reason and the latest 存在问题 of their units."""
    warned = detail.warned_tasks(snapshot.tasks, snapshot.assignments)[["task_id", "problems"]]
    tasks = _task_rows(snapshot).drop(columns=["problems"], errors="ignore").merge(warned, on="task_id")
    return _shown(tasks, ["task_id", "section_label", "content", "progress", "light", "light_reason", "problems", "link"])


def unit_assignments(snapshot: Snapshot, unit: str, lead: bool) -> pd.DataFrame:
    """One unit's assignments it leads (``lead``) or cooperates on, with progress and the task's light."""
    rows = snapshot.assignments[(snapshot.assignments["unit"] == unit) & (snapshot.assignments["is_lead"] == lead)]
    tasks = _task_rows(snapshot)[["task_id", "content", "light", "link"]]
    rows = rows.merge(tasks, on="task_id", how="left")
    rows["latest_date"] = rows["latest_date"].dt.date
    rows["reported_text"] = rows["reported"].map({True: detail.REPORTED, False: detail.NOT_REPORTED})
    rows.loc[~rows["required"], "reported_text"] = detail.NOT_REQUIRED
    shown = _shown(rows, ["task_id", "content", "progress", "light", "latest_date", "reported_text", "link"])
    return shown.rename(columns={"reported_text": "本期报送"})


SUPERVISION_HEADERS = {"unit": "处室", "due": "应办结分工", "on_time": "按期办结", "closed_extended": "延期办结",
                      "closed_late": "逾期办结", "overdue": "逾期未办结", "on_time_rate": "按期办结率",
                      "signed_off": "已销号", "pending": "待审核申请"}


def percent_text(value: float | None) -> str:
    """A rate as the board shows it: 66.7%, or — when there is nothing to count yet."""
    return "—" if value is None or pd.isna(value) else f"{value:.1f}%"


def on_time_ranking(snapshot: Snapshot) -> pd.DataFrame:
    """Units ranked by 按期办结率 over their assignments (ties share a place; fewer 逾期未办结 first among them);
    units with nothing due yet come last, unranked."""
    units = snapshot.units.sort_values(["on_time_rate", "overdue"], ascending=[False, True], na_position="last",
                                       kind="stable")
    place = units["on_time_rate"].rank(method="min", ascending=False)
    shown = units[list(SUPERVISION_HEADERS)].rename(columns=SUPERVISION_HEADERS).reset_index(drop=True)
    counts = [header for field, header in SUPERVISION_HEADERS.items() if field not in ("unit", "on_time_rate")]
    shown[counts] = shown[counts].astype(int)
    shown[SUPERVISION_HEADERS["on_time_rate"]] = shown[SUPERVISION_HEADERS["on_time_rate"]].map(percent_text)
    shown.insert(0, "名次", [str(int(p)) if pd.notna(p) else "—" for p in place])
    return shown


def returned_requests(events: list[supervision.Event], unit: str) -> pd.DataFrame:
    """``unit``'s requests sent back and not asked again (``supervision.returned``), with the reasons."""
    return pd.DataFrame([{"任务编号": r.task_id, "申请事项": r.kind, "申请编号": r.event_id, "申请日期": f"{r.date:%Y-%m-%d}",
                          "审核结果": d.kind, "审核日期": f"{d.date:%Y-%m-%d}", "审核人": d.account, "退回意见": d.text}
                         for r, d in supervision.returned(events, unit)])


def deadline_text(day: dt.date | None) -> str:
    """A 完成时限 as the 督办 tables show it; a task without one is 长期 or has none set."""
    return f"{day:%Y-%m-%d}" if day else "长期或未设定"


def open_assignments(listed: pd.DataFrame, contents: dict[str, str], waiting: dict[str, list]) -> pd.DataFrame:
    """A unit's assignments not signed off (``supervision.open_assignments``) with the task's text, both
    deadlines, 延期次数 and the requests waiting on it (``waiting``: task → [(event_id, kind)])."""
    shown = listed.assign(content=listed["task_id"].map(contents), pending=listed["task_id"].map(
        lambda t: "、".join(f"{k}（{i}）" for i, k in waiting.get(t, []))))
    for name in ("deadline_original", "deadline_effective"):
        shown[name] = shown[name].map(lambda day: deadline_text(day if isinstance(day, dt.date) else None))
    shown = shown[["task_id", "content", "state", "deadline_original", "deadline_effective", "extensions", "pending"]]
    return shown.rename(columns={"task_id": "任务编号", "content": "任务内容", "state": "督办状态", "deadline_original": "原定时限",
                                 "deadline_effective": "调整后时限", "extensions": "延期次数", "pending": "待审核申请"})


def unit_reporting(book: Book, unit: str, as_of: dt.date) -> pd.DataFrame:
    """One unit's reporting record: a row per task, a column per period, 已报送 / 未报送 / 无需报送."""
    grid = detail.reporting_grid(book, as_of, unit)
    periods = list(dict.fromkeys(grid["period"]))
    table = grid.pivot(index="task_id", columns="period", values="status").reindex(columns=periods)
    order = [t for t in book.tasks["task_id"] if t in table.index]
    table = table.reindex(order).reset_index().rename(columns={"task_id": LABELS["task_id"]})
    table.columns.name = None
    return table


def unit_problems(snapshot: Snapshot, unit: str) -> pd.DataFrame:
    """Open 存在问题 of one unit: latest report names a problem and the assignment is not done."""
    rows = detail.open_problems(snapshot.assignments[snapshot.assignments["unit"] == unit]).copy()
    rows["latest_date"] = rows["latest_date"].dt.date
    return _shown(rows, ["task_id", "latest_date", "progress", "problems", "next_steps"])


def reminder_list(snapshot: Snapshot, unit: str | None = None) -> pd.DataFrame:
    """The 催报 list for the current period: 处室, 编号, 任务内容, 最近填报 — optionally of one unit."""
    rows = detail.not_reported(snapshot.assignments)
    if unit:
        rows = rows[rows["unit"] == unit]
    rows = rows.merge(snapshot.tasks[["task_id", "content"]], on="task_id", how="left")
    rows["latest_date"] = rows["latest_date"].dt.date
    return _shown(rows, ["unit", "task_id", "content", "latest_date"])


def reminder_text(reminders: pd.DataFrame, period_label: str) -> str:
    """The 催报 list as plain text, one line per assignment, ready to paste into a message."""
    lines = [f"{period_label}未报送进展清单（共 {len(reminders)} 项）："]
    lines += [
        f"{i}. {r[LABELS['unit']]}　任务{r[LABELS['task_id']]}　{r[LABELS['content']]}"
        for i, r in enumerate(reminders.to_dict("records"), start=1)
    ]
    return "\n".join(lines)


def task_history(book: Book, task_id: str) -> pd.DataFrame:
    """Every report of one task, newest first, with the workbook's headers."""
    history = detail.task_history(book, task_id)
    history["date"] = history["date"].dt.date
    return _shown(history, ["date", "unit", "progress", "status", "progress_note", "problems", "next_steps", "reporter"])


def task_units(snapshot: Snapshot, task_id: str) -> pd.DataFrame:
    """Each unit of one task with its role, current progress, status and latest report date."""
    rows = snapshot.assignments[snapshot.assignments["task_id"] == task_id].copy()
    rows["role"] = rows["is_lead"].map({True: "牵头", False: "配合"})
    rows["latest_date"] = rows["latest_date"].dt.date
    return _shown(rows, ["unit", "role", "progress", "status", "latest_date"])


def task_unit_progress(snapshot: Snapshot) -> pd.DataFrame:
    """The task × unit heatmap as a list, for a phone: per task, each unit's progress (lead first, ★)."""
    ordered = snapshot.assignments.sort_values(["task_id", "is_lead", "order"], ascending=[True, False, True])
    shares = (ordered["is_lead"].map({True: LEAD_MARK, False: ""}) + ordered["unit"] + " "
              + ordered["progress"].map(lambda p: f"{p:.0f}%"))
    tasks = snapshot.tasks.copy()
    tasks["units"] = tasks["task_id"].map(shares.groupby(ordered["task_id"]).agg("、".join)).fillna("")
    tasks["link"] = tasks["task_id"].map(lambda task_id: task_url(task_id, snapshot.as_of))
    return _shown(tasks, ["task_id", "progress", "units", "link"]).rename(columns={LABELS["units"]: "各处室进度"})


def download_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """What a table's .xlsx holds: the shown frame, progress rounded to 1 decimal as displayed, without the 详情 links.

    The links are relative addresses of this app and mean nothing in a file; the download button says so.
    """
    shown = frame.drop(columns=[LINK], errors="ignore").copy()
    for name in (LABELS["progress"], LABELS["expected"]):
        if name in shown.columns:
            shown[name] = pd.to_numeric(shown[name], errors="coerce").round(1)
    return shown


_UNSAFE_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def file_name(text: str) -> str:
    """``text`` (which may hold a unit's name) made safe as a download file name: / \\ : * ? " < > | become _."""
    return _UNSAFE_IN_FILE_NAMES.sub("_", str(text)).strip(" .") or "看板"


def xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "看板") -> bytes:
    """The frame as an .xlsx file; text is always stored as text, never as a formula."""
    return tables_bytes({sheet_name: frame})


def cell_tints() -> dict[str, str]:
    """Background tints (CSS) for light and reporting-status cells; the text stays, colour only helps."""

    def tint(hex_colour: str) -> str:
        red, green, blue = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
        return f"background-color: rgba({red}, {green}, {blue}, 0.28)"

    tints = {schema.light_label(light): tint(colour) for light, colour in LIGHT_COLORS.items()}
    tints |= {detail.REPORTED: tint(LIGHT_COLORS[schema.LIGHT_GREEN]),
              detail.NOT_REPORTED: tint(LIGHT_COLORS[schema.LIGHT_RED]),
              detail.NOT_REQUIRED: tint(LIGHT_COLORS[schema.LIGHT_DONE])}
    return tints
def moved_rows(movement: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``progress_movement`` whose progress changes (a new scope, with no before, counts)."""
    return movement[movement["变化"].fillna(1) != 0] if len(movement) else movement

def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """A preview frame with Chinese headers: ``progress_旧`` → ``完成进度（原）``; dates as text."""
    header = {c.field: c.header for c in schema.UPDATE_COLUMNS}

    def name(column: str) -> str:
        for suffix, label in (("_旧", "（原）"), ("_新", "（新）")):
            if column.endswith(suffix):
                return header.get(column.removesuffix(suffix), column) + label
        return header.get(column, column)

    shown = frame.copy()
    if "date" in shown.columns:
        shown["date"] = shown["date"].map(display_text)
    return shown.rename(columns=name)

def update_choices(book: Book) -> dict[str, tuple]:
    """Label → (date, task_id, unit) of every saved 进展 row, for the admin's delete picker."""
    return {f"{iso_date(d)} 编号{t} {u}（{p:g}%）": (d, t, u)
            for d, t, u, p in zip(book.updates["date"], book.updates["task_id"], book.updates["unit"],
                                  book.updates["progress"])}


ORIGIN_LABELS = {ORIGIN_UPLOAD: "本次上传的文件", ORIGIN_SAVED: "共享工作簿（已保存）"}


def problems_table(problems: list[Problem]) -> pd.DataFrame:
    """Problems as rows: level, sheet, Excel row, column, value, message; and, when a change merged two
    files, which file the row is in.

    行号 is text: the row as Excel numbers it, blank for a problem of the whole file or sheet (a number
    column would show the missing row as "None" or "<NA>")."""
    rows = [{"级别": p.level, "工作表": p.sheet or "（文件）", "行号": "" if p.row is None else str(p.row), "列": p.column, "值": p.value,
             "说明": p.message, "所在文件": ORIGIN_LABELS.get(p.origin, "")} for p in problems]
    table = pd.DataFrame(rows, columns=["级别", "所在文件", "工作表", "行号", "列", "值", "说明"])
    return table if table["所在文件"].astype(bool).any() else table.drop(columns="所在文件")
