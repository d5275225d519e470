"""Completion metrics as of a date D: pure, vectorised pandas.

The definitions here are the ones the board's 口径说明 states (see
``METRIC_NOTES``); change one and you change both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd

from lib import schema, supervision
from lib.model import Book
from lib.periods import Period, period_of, periods_between, reporting_period_of

OVERALL = "总体"
NO_RATE = "无应报"  # nothing due in the period: no reporting rate, which is not 0%

METRIC_NOTES = [
    ("责任分工", "每项任务与每个责任处室组成一条“责任分工”；“机关各处”等分组展开为其包含的各处室。"),
    ("分工进度", "截至数据日期 D，该处室对该任务最近一次填报的完成进度；同一日期多条以表中靠后的一条为准；从未填报的计 0，视为未报送。"),
    ("任务进度", "该任务各责任分工进度的平均值。"),
    ("板块进度", "板块内各任务进度的平均值。"),
    ("总体进度", "全部任务进度的平均值。"),
    ("处室进度", "该处室全部责任分工进度的平均值；同时统计牵头任务数、配合任务数和已完成分工数。"),
    ("完成时限", "原定时限为任务表所填完成时限；经批准延期的，自批准之日起以批准的完成时限为调整后时限（多次延期以最近一次为准），"
             "批准之前的日期仍按原定时限计算。序时进度、预警和逾期均按数据截至 D 的调整后时限计算。"),
    ("序时进度", "有明确完成时限的任务，按（D − 开始日期）÷（调整后时限 − 开始日期）计算，限定在 0 至 100% 之间；开始日期未填的取方案起始日期。长期性任务不计序时进度。"),
    ("预警", "依次判断，先符合者为准：① 任务已完成为“已完成”；② 已超过调整后时限，或进度落后序时进度达到红灯差距，为“红灯”；③ 落后序时进度达到黄灯差距，或任一责任处室最近报告状态为“滞后”，为“黄灯”；"
           "④ 方案实行销号审核、进度已达 100 但尚未销号的，为“绿灯”（尚待销号）；⑤ 距完成时限不超过临近天数，为“蓝灯”；⑥ 其余为“绿灯”。长期性任务只可能是已完成、黄灯（报告滞后时）或绿灯。"),
    ("报送周期", "数据日期 D 所在的季度（或月份，依方案设置）；进度、较上期和趋势按此周期计算。"),
    ("报送截止日", "方案「报送截止日」为周期末后 N 日（未填为 0，即周期最后一日）。某周期的报送时段为上一周期截止日的次日至本周期截止日："
                "填报日期在周期末之后、截止日之前（含当日）的报告计为该周期的报送，不计为下一周期的报送。"
                "例如季度末后 5 日时，第三季度的报送时段为 7 月 6 日至 10 月 5 日，10 月 3 日的报告计为第三季度报送。"),
    ("报送率", "本期报送指 D 当日填报会计入的周期：D 在上一周期末之后、其截止日之前（含）时为上一周期，否则为 D 所在周期。"
            "在上一周期截止日（不晚于 D）尚未完成的责任分工为应报送，须在本期报送时段内（截至 D）至少填报一次，否则计为“未报送”。"
            "处室报送率 = 已报送分工数 ÷ 应报送分工数。进度、较上期和预警按截至 D 的全部填报计算，与报送截止日无关。"),
    ("较上期", "截至 D 的进度减去上一报送周期末的进度。"),
    ("趋势", "从方案起始日期到 D，每个报送周期末的总体进度和各板块进度。"),
    ("已完成", "各责任分工均已完成的任务数；处室“已完成分工”为该处室已完成的责任分工数。方案「销号审核」为“否”（默认）时，"
             "分工最近一次填报进度达到 100%（或已销号）即为完成；为“是”时，须经管理员销号方为完成，进度 100% 而未销号的为“待销号”。"),
    ("督办状态", "每条责任分工为推进中、待销号（已申请销号，待审核）、已销号或退回（销号申请被退回，须补充后重新申请）；"
              "任务在各分工均已销号时为已销号，否则有待销号的为待销号，有退回的为退回，其余为推进中。"),
    ("已销号", "各责任处室均已销号的任务数；处室为其已销号的分工数。"),
    ("延期", "截至 D 有经批准延期的任务数；“延期 N 次”为批准的次数。延期申请须说明理由、目前进展和申请完成时限，在现完成时限之后提出的标注“逾期后申请”。"),
    ("逾期未办结", "截至 D 已超过调整后时限、仍未办结的任务数（处室为分工数）。办结日期为销号日期；销号审核为“否”时也可为填报进度达到并保持 100% 的日期。"),
    ("按期办结率", "原定时限在 D 之前（含当日）的任务中，在原定时限内办结的比例。同时统计延期办结（原定时限后、调整后时限内办结）、"
              "逾期办结（调整后时限后办结）和逾期未办结。总体和板块按任务计，处室按该处室的责任分工计；尚无到期任务的记为“—”。"),
    ("待审核", "截至 D 已提交、尚未审核的销号申请和延期申请数，审核页按提交先后列出并显示已等待天数。"),
    ("任务 × 处室", "每格为该处室对该任务的分工进度（截至 D 最近一次填报，从未填报计 0）；★ 为牵头处室；空白表示该处室不是该任务的责任处室。"),
    ("板块 × 处室", "任务超过 100 项时代替「任务 × 处室」显示：每格为该处室在该板块所有分工进度的平均值，各项分工权重相同；空白表示该处室在该板块没有任务。"),
]


@dataclass(frozen=True)
class Overall:
    """The whole plan's figures as of D.

    Progress values are percent 0–100; ``change`` is in percentage points;
    ``rate`` is percent 0–100, NaN when nothing is due this period.
    """

    progress: float
    previous_progress: float
    change: float
    tasks: int  # number of tasks
    done: int  # tasks at 100%
    required: int  # assignments due to report this period
    reported: int  # of those, the ones that reported
    rate: float
    lights: dict[str, int]  # light → number of tasks, every light present


@dataclass
class Snapshot:
    """Every metric of a Book as of one date.

    Progress values are percent 0–100 floats; ``change`` is in percentage points.
    """

    as_of: dt.date
    period: Period
    previous_end: dt.date
    overall: Overall
    # section, label, section_order, progress, tasks, done, change, and supervision.FIGURE_COLUMNS counted by task
    sections: pd.DataFrame
    # unit, label, progress, assignments, lead, cooperate, done, required, reported, rate, change, and
    # supervision.FIGURE_COLUMNS counted by the unit's assignments
    units: pd.DataFrame
    # task_id, section, content, progress, expected, light, light_reason, deadline (the effective one), ongoing, change,
    # latest_date; 督办: deadline_original, extensions, state, closed_on, outcome, done
    tasks: pd.DataFrame
    # task_id, unit, is_lead, progress, status, latest_date, progress_note, problems, next_steps, reporter, required,
    # reported; 督办: state, closed_on, outcome, done
    assignments: pd.DataFrame
    reporting: Period  # the period 本期报送 (required, reported) is about: ``period``, or the previous one before its 报送截止日
    supervision: supervision.Summary  # the 督办 figures over every task (待审核, 已销号, 延期, 逾期, 按期办结率)


def section_label(section: str) -> str:
    """A short chart label for a section heading: the part before the first comma.

    ``一、建立常态化联络机制，构建川渝地方志工作新模式`` → ``一、建立常态化联络机制``.
    """
    for separator in ("，", ",", "；", ";", "。"):
        head = section.split(separator)[0]
        if head != section:
            return head.strip()
    return section.strip().rstrip("。")


def _ts(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day)


def latest_updates(book: Book, day: dt.date) -> pd.DataFrame:
    """The latest update on or before ``day`` of each (task, unit); the later row wins a tie."""
    ordered = book.updates_by_date
    on_or_before = ordered.iloc[: ordered["date"].searchsorted(_ts(day), side="right")]
    return on_or_before.drop_duplicates(["task_id", "unit"], keep="last").rename(columns={"date": "latest_date"})


def assignment_progress(book: Book, day: dt.date) -> pd.Series:
    """Progress (0–100) of each assignment at ``day``, indexed like ``book.assignments``."""
    latest = latest_updates(book, day)[["task_id", "unit", "progress"]]
    merged = book.assignments[["task_id", "unit"]].merge(latest, on=["task_id", "unit"], how="left")
    return merged["progress"].fillna(0.0).set_axis(book.assignments.index)


def task_progress(book: Book, day: dt.date) -> pd.Series:
    """Progress (0–100) per task_id at ``day``."""
    progress = assignment_progress(book, day)
    return progress.groupby(book.assignments["task_id"]).mean()


def _section_progress(book: Book, tasks_progress: pd.Series) -> pd.Series:
    section_of = book.tasks.set_index("task_id")["section"]
    return tasks_progress.groupby(section_of.reindex(tasks_progress.index)).mean()


def expected_progress(book: Book, day: dt.date, deadlines: pd.Series | None = None) -> pd.Series:
    """序时进度 (0–100) per task_id; NaN for tasks without a dated deadline. ``deadlines`` (by task_id) are the
    effective ones when given, else the tasks' own 完成时限."""
    tasks = book.tasks.set_index("task_id")
    deadline = tasks["deadline"] if deadlines is None else deadlines.reindex(tasks.index)
    plan_start = book.plan.schedule_start
    start = tasks["start"].fillna(_ts(plan_start) if plan_start else pd.NaT)
    span = (deadline - start).dt.days
    elapsed = (_ts(day) - start).dt.days
    share = (elapsed / span.where(span > 0)).clip(0, 1)
    # A deadline on or before the start: due in full from the deadline on.
    share = share.where(span > 0, (elapsed >= span).astype(float))
    return (share * 100).where(deadline.notna())


def _deadline_words(tasks: pd.DataFrame) -> pd.Series:
    """The deadline a light's reason names: the effective one, with the original beside it once extended."""
    words = tasks["deadline"].dt.strftime("%Y-%m-%d")
    original = "，原定 " + tasks["deadline_original"].dt.strftime("%Y-%m-%d")
    return words + original.where(tasks["extensions"] > 0, "").fillna("")


def _lights(book: Book, tasks: pd.DataFrame, lagging: np.ndarray, day: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """The warning light of each task and the sentence that explains it (first match wins)."""
    plan = book.plan
    progress = tasks["progress"]
    expected = tasks["expected"]
    gap = expected - progress
    days_left = (tasks["deadline"] - _ts(day)).dt.days
    conditions = {
        "done": tasks["done"].astype(bool),
        "overdue": days_left < 0,
        "red_gap": gap >= plan.red_gap,
        "yellow_gap": gap >= plan.yellow_gap,
        "lagging": pd.Series(lagging, index=tasks.index),
        "awaiting_sign_off": progress >= 100,  # 销号审核 = 是: reported done, not signed off yet
        "soon": (days_left >= 0) & (days_left <= plan.soon_days),
        "ongoing": tasks["ongoing"].astype(bool),
        "no_deadline": tasks["deadline"].isna(),
    }
    lights = [schema.LIGHT_DONE, schema.LIGHT_RED, schema.LIGHT_RED, schema.LIGHT_YELLOW, schema.LIGHT_YELLOW,
              schema.LIGHT_GREEN, schema.LIGHT_BLUE, schema.LIGHT_GREEN, schema.LIGHT_GREEN]
    deadline = _deadline_words(tasks)
    p = progress.round().astype(int).astype(str)
    e = expected.round().fillna(0).astype(int).astype(str)
    g = gap.round().fillna(0).astype(int).astype(str)
    reasons = [
        pd.Series("完成进度已达 100%。" if not plan.sign_off_review else "已销号。", index=tasks.index),
        "已超过完成时限（" + deadline + "），完成进度 " + p + "%。",
        "完成进度 " + p + "% 落后序时进度 " + e + "% 达 " + g + f" 个百分点（红灯差距 {plan.red_gap:g}）。",
        "完成进度 " + p + "% 落后序时进度 " + e + "% 达 " + g + f" 个百分点（黄灯差距 {plan.yellow_gap:g}）。",
        pd.Series("有责任处室最近一次报告的状态为“滞后”。", index=tasks.index),
        pd.Series("完成进度已达 100%，尚待销号。", index=tasks.index),
        "距完成时限（" + deadline + "）还有 " + days_left.fillna(0).astype(int).astype(str) + f" 天（临近天数 {plan.soon_days}）。",
        pd.Series("长期性任务，未报告滞后。", index=tasks.index),
        pd.Series("未设完成时限，未报告滞后。", index=tasks.index),
    ]
    masks = [mask.fillna(False).to_numpy(dtype=bool) for mask in conditions.values()]
    light = np.select(masks, lights, default=schema.LIGHT_GREEN)
    normal = "完成进度 " + p + "%，序时进度 " + e + "%，进度正常。"
    reason = np.select(masks, [r.to_numpy(dtype=object) for r in reasons], default=normal.to_numpy(dtype=object))
    return light, reason


def compute(book: Book, as_of: dt.date, reporting: Period | None = None,
            reported_by: dt.date | None = None) -> Snapshot:
    """All metrics of ``book`` as of ``as_of``.

    本期报送 is about ``reporting``, by default the period a report dated ``as_of`` counts for
    (``reporting_period_of``), and counts reports dated up to ``reported_by`` (default ``as_of``): the
    季度汇报 of a finished period takes its progress at the period's end and its reports up to the period's
    报送截止日; the 催报 of a period takes today's progress and reports.
    """
    period = period_of(as_of, book.plan.cycle)
    reporting = reporting or reporting_period_of(as_of, book.plan.cycle, book.plan.report_days)
    previous_end = period.start - dt.timedelta(days=1)
    assignments = _assignment_table(book, as_of, previous_end)
    due = reporting_status(book, reporting, reported_by or as_of)
    assignments["required"], assignments["reported"] = due["required"].to_numpy(), due["reported"].to_numpy()
    closing = supervision.assignment_table(book, as_of)
    _add_closing(book, assignments, closing)
    task_closing = supervision.tasks_of(closing, as_of)
    tasks = _task_table(book, assignments, task_closing, as_of)
    waiting = _pending_requests(book, as_of)
    sections = _section_table(tasks, task_closing, waiting)
    units = _unit_table(book, assignments, closing, waiting)
    overall = _overall(tasks, assignments)
    figures = supervision.summarize(task_closing, len(waiting))
    return Snapshot(as_of, period, previous_end, overall, sections, units, tasks, assignments, reporting, figures)


def _add_closing(book: Book, assignments: pd.DataFrame, closing: pd.DataFrame) -> None:
    """The 督办 columns of each assignment (``closing`` is in the same order): state, closed_on, outcome, and
    ``done``: 已销号, or with 销号审核 = 否 also a latest report at 100."""
    for column in ("state", "closed_on", "outcome"):
        assignments[column] = closing[column].to_numpy()
    signed = assignments["state"] == schema.STATE_SIGNED_OFF
    assignments["done"] = signed if book.plan.sign_off_review else signed | (assignments["progress"] >= 100)


def _pending_requests(book: Book, as_of: dt.date) -> pd.DataFrame:
    """The requests waiting for a decision at ``as_of`` about the book's assignments (a filtered book's too)."""
    waiting = supervision.pending(supervision.events_of(book.supervision), as_of)
    keys = book.assignments[["task_id", "unit"]]
    return waiting.merge(keys, on=["task_id", "unit"], how="inner")


def reporting_status(book: Book, period: Period, until: dt.date) -> pd.DataFrame:
    """Whether each assignment had to report for ``period`` (``required``) and did (``reported``), counting
    reports dated up to ``until``; indexed like ``book.assignments``.

    Required: not at 100 by the previous period's 报送截止日 (or ``until``, if earlier). Reported: a report
    dated inside the period's report window (``Period.report_window``), up to ``until``.
    """
    days = book.plan.report_days
    first, last = period.report_window(days)
    due_after = min(period.previous().deadline(days), until)
    required = (assignment_progress(book, due_after) < 100).to_numpy()
    updates = book.updates
    in_window = updates[(updates["date"] >= _ts(first)) & (updates["date"] <= _ts(min(last, until)))]
    keys = book.assignments[["task_id", "unit"]]
    sent = keys.merge(in_window[["task_id", "unit"]].drop_duplicates().assign(sent=True),
                      on=["task_id", "unit"], how="left")["sent"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    return pd.DataFrame({"required": required, "reported": sent & required}, index=book.assignments.index)


def _assignment_table(book: Book, as_of: dt.date, previous_end: dt.date) -> pd.DataFrame:
    """``book.assignments`` with the latest report at ``as_of`` and the change since ``previous_end``."""
    latest = latest_updates(book, as_of)
    assignments = book.assignments.merge(
        latest[["task_id", "unit", "progress", "status", "latest_date", "progress_note",
                "problems", "next_steps", "reporter"]],
        on=["task_id", "unit"], how="left",
    )
    assignments["progress"] = assignments["progress"].fillna(0.0)
    assignments["previous_progress"] = assignment_progress(book, previous_end).to_numpy()
    assignments["change"] = assignments["progress"] - assignments["previous_progress"]
    assignments["lagging"] = assignments["status"] == schema.STATUS_LAGGING
    return assignments


def _task_table(book: Book, assignments: pd.DataFrame, closing: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """``book.tasks`` with progress (mean of its assignments), 序时进度, change and warning light, and the 督办
    columns of ``closing`` (``supervision.tasks_of``): ``deadline`` becomes the effective deadline, the original
    kept as ``deadline_original``; ``done`` when every assignment is."""
    by_task = assignments.groupby("task_id", sort=False)
    tasks = book.tasks.set_index("task_id").copy()
    facts = closing.set_index("task_id").reindex(tasks.index)
    tasks["deadline_original"] = tasks["deadline"]
    tasks["deadline"] = pd.to_datetime(facts["deadline_effective"]).where(facts["deadline_effective"].notna(),
                                                                        tasks["deadline"])
    tasks["extensions"] = facts["extensions"].fillna(0).astype(int)
    tasks["state"] = facts["state"].fillna(schema.STATE_OPEN)
    tasks["closed_on"] = facts["closed_on"]
    tasks["outcome"] = facts["outcome"]
    tasks["done"] = by_task["done"].all().reindex(tasks.index).fillna(False).astype(bool)
    tasks["progress"] = by_task["progress"].mean()
    tasks["previous_progress"] = by_task["previous_progress"].mean()
    tasks["progress"] = tasks["progress"].fillna(0.0)
    tasks["previous_progress"] = tasks["previous_progress"].fillna(0.0)
    tasks["change"] = tasks["progress"] - tasks["previous_progress"]
    tasks["expected"] = expected_progress(book, as_of, tasks["deadline"])
    tasks["latest_date"] = by_task["latest_date"].max()
    lagging = by_task["lagging"].any().reindex(tasks.index).fillna(False).astype(bool)
    tasks = tasks.reset_index()
    tasks["light"], tasks["light_reason"] = _lights(book, tasks, lagging.to_numpy(), as_of)
    tasks["light_reason"] = tasks["light_reason"].astype(str)
    return tasks


def _section_table(tasks: pd.DataFrame, closing: pd.DataFrame, waiting: pd.DataFrame) -> pd.DataFrame:
    """One row per section in plan order: progress (mean of its tasks), task and done counts, change, and the
    督办 figures counted by task (``supervision.FIGURE_COLUMNS``)."""
    sections = (
        tasks.groupby(["section_order", "section"], as_index=False)
        .agg(progress=("progress", "mean"), previous_progress=("previous_progress", "mean"),
             tasks=("task_id", "size"), done=("done", "sum"))
        .sort_values("section_order")
        .reset_index(drop=True)
    )
    sections["change"] = sections["progress"] - sections["previous_progress"]
    sections["label"] = sections["section"].map(section_label)
    section_of = tasks.set_index("task_id")["section"]
    figures = supervision.summaries_by(closing, closing["task_id"].map(section_of), waiting["task_id"].map(section_of),
                                       pd.Index(sections["section"]))
    return pd.concat([sections, figures.reset_index(drop=True)], axis=1)


def _overall(tasks: pd.DataFrame, assignments: pd.DataFrame) -> Overall:
    """The whole plan's figures from the task and assignment tables."""
    overall_progress = float(tasks["progress"].mean()) if len(tasks) else 0.0
    overall_previous = float(tasks["previous_progress"].mean()) if len(tasks) else 0.0
    required = int(assignments["required"].sum())
    reported = int(assignments["reported"].sum())
    return Overall(
        progress=overall_progress,
        previous_progress=overall_previous,
        change=overall_progress - overall_previous,
        tasks=int(len(tasks)),
        done=int(tasks["done"].sum()),
        required=required,
        reported=reported,
        rate=reported / required * 100 if required else float("nan"),
        lights=light_counts(tasks),
    )


def _unit_table(book: Book, assignments: pd.DataFrame, closing: pd.DataFrame, waiting: pd.DataFrame) -> pd.DataFrame:
    """One row per unit in the units sheet's order: progress, assignment counts, 本期报送, change, and the 督办
    figures counted by the unit's assignments (``supervision.FIGURE_COLUMNS``)."""
    grouped = assignments.assign(
        lead=assignments["is_lead"].astype(int),
        cooperate=(~assignments["is_lead"]).astype(int),
        done=assignments["done"].astype(int),
        required_n=assignments["required"].astype(int),
        reported_n=assignments["reported"].astype(int),
    ).groupby("unit", sort=False).agg(
        progress=("progress", "mean"), previous_progress=("previous_progress", "mean"),
        assignments=("task_id", "size"), lead=("lead", "sum"), cooperate=("cooperate", "sum"),
        done=("done", "sum"), required=("required_n", "sum"), reported=("reported_n", "sum"),
    )
    order = [u for u in book.units["unit"] if u in grouped.index]
    units = grouped.reindex(order).reset_index()
    units["change"] = units["progress"] - units["previous_progress"]
    units["rate"] = (units["reported"] / units["required"].where(units["required"] > 0) * 100)
    units["label"] = units["unit"].map(book.unit_label)
    figures = supervision.summaries_by(closing, closing["unit"], waiting["unit"], pd.Index(units["unit"]))
    return pd.concat([units, figures.reset_index(drop=True)], axis=1)


def period_points(book: Book, as_of: dt.date) -> list[tuple[Period, dt.date]]:
    """Each reporting period from the plan's start to ``as_of``, with the day its figures are
    taken: the period's end, or ``as_of`` for the period not yet over."""
    start = book.plan.schedule_start or as_of
    return [(period, min(period.end, as_of)) for period in periods_between(start, as_of, book.plan.cycle)]


def light_counts(tasks: pd.DataFrame) -> dict[str, int]:
    """Number of tasks (rows of ``Snapshot.tasks``) per light; every light present, 0 when none."""
    counts = tasks["light"].value_counts()
    return {light: int(counts.get(light, 0)) for light in schema.LIGHTS}


def trend(book: Book, as_of: dt.date) -> pd.DataFrame:
    """Overall and per-section progress at each period end up to ``as_of``.

    Long format: date, period (label), scope (``总体`` or a section), label, progress.
    The last point is ``as_of`` itself when the current period has not ended.
    """
    points = []
    for period, day in period_points(book, as_of):
        per_task = task_progress(book, day).reindex(book.tasks["task_id"]).fillna(0.0)
        points.append({"date": day, "period": period.label, "scope": OVERALL, "label": OVERALL,
                       "progress": float(per_task.mean()) if len(per_task) else 0.0})
        for section, value in _section_progress(book, per_task).items():
            points.append({"date": day, "period": period.label, "scope": section,
                           "label": section_label(section), "progress": float(value)})
    frame = pd.DataFrame(points, columns=["date", "period", "scope", "label", "progress"])
    order = {s: i for i, s in enumerate([OVERALL, *book.sections])}
    return frame.sort_values(["date", "scope"], key=lambda c: c.map(order) if c.name == "scope" else c).reset_index(drop=True)


def filter_book(book: Book, sections: list[str] | None = None, units: list[str] | None = None) -> Book:
    """The Book restricted to some sections and/or units.

    With a unit filter, each task keeps only those units' assignments, so its
    progress is the progress of the selected units' share of the work.
    """
    tasks = book.tasks
    assignments = book.assignments
    if sections:
        tasks = tasks[tasks["section"].isin(sections)]
    if units:
        assignments = assignments[assignments["unit"].isin(units)]
        tasks = tasks[tasks["task_id"].isin(assignments["task_id"])]
    assignments = assignments[assignments["task_id"].isin(tasks["task_id"])]
    updates = book.updates.merge(assignments[["task_id", "unit"]], on=["task_id", "unit"])
    kept_units = book.units[book.units["unit"].isin(assignments["unit"])]
    events = book.supervision
    extension = events["kind"].isin(supervision.EXTENSION_KINDS)
    kept_events = events[events["task_id"].isin(tasks["task_id"]) & (extension | events["unit"].isin(kept_units["unit"]))]
    return replace(
        book,
        supervision=kept_events.reset_index(drop=True),
        tasks=tasks.reset_index(drop=True),
        assignments=assignments.reset_index(drop=True),
        updates=updates,
        units=kept_units.reset_index(drop=True),
        sections=[s for s in book.sections if s in set(tasks["section"])],
    )


SUPERVISION_JSON_KEYS = ("pending", "signed_off", "extended", "overdue", "on_time_rate")


def _number(value: float) -> float | None:
    return None if pd.isna(value) else round(float(value), 2)


def _day_text(value: object) -> str | None:
    return None if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def summary_json(snapshot: Snapshot) -> dict:
    """The ``summary --json`` object: exactly as_of, overall, sections, units, tasks.

    Overall and per unit it carries the 督办 figures (``SUPERVISION_JSON_KEYS``; on_time_rate is null when nothing
    is due yet); per task the original and effective deadline and its 督办 state (推进中, 待销号, 已销号, 退回)."""
    units_of_task = {
        task_id: dict(zip(group["unit"], (_number(p) for p in group["progress"])))
        for task_id, group in snapshot.assignments.groupby("task_id", sort=False)
    }
    overall = asdict(snapshot.supervision) | {"on_time_rate": snapshot.supervision.on_time_rate}
    return {
        "as_of": snapshot.as_of.isoformat(),
        "overall": {
            "progress": _number(snapshot.overall.progress),
            "tasks": snapshot.overall.tasks,
            "done": snapshot.overall.done,
            **{key: overall[key] for key in SUPERVISION_JSON_KEYS},
        },
        "sections": [
            {"name": r.section, "progress": _number(r.progress), "tasks": int(r.tasks)}
            for r in snapshot.sections.itertuples()
        ],
        "units": [
            {"name": r.unit, "progress": _number(r.progress), "assignments": int(r.assignments),
             "lead": int(r.lead), "done": int(r.done), "reported": int(r.reported), "required": int(r.required),
             **{key: _supervision_value(key, getattr(r, key)) for key in SUPERVISION_JSON_KEYS}}
            for r in snapshot.units.itertuples()
        ],
        "tasks": [
            {"id": r.task_id, "section": r.section, "progress": _number(r.progress),
             "expected": _number(r.expected), "light": r.light, "units": units_of_task.get(r.task_id, {}),
             "deadline_original": _day_text(r.deadline_original), "deadline_effective": _day_text(r.deadline),
             "state": r.state}
            for r in snapshot.tasks.itertuples()
        ],
    }


def _supervision_value(key: str, value: float) -> float | int | None:
    """A unit's 督办 figure as JSON: counts as integers, the rate as a percentage, null when nothing is due."""
    return _number(value) if key == "on_time_rate" else int(value)
