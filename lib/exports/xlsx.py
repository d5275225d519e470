"""The review as a filing-ready Excel summary: 总体 / 板块 / 处室 / 任务 / 未报送 / 督办情况.

Built from ``lib.review``'s ``Review``, like the slides (``exports.pptx``) and the Word report
(``exports.report_docx``), so the workbook carries the same numbers as the 季度汇报 page. Each sheet is a frame
with Chinese headers, written by ``workbook.tables_bytes``; 预警 is a cell filled with its light's colour.
"""

from __future__ import annotations

import pandas as pd

from lib import schema
from lib.dates import iso_date
from lib.detail import task_problems
from lib.exports import LIGHT_OF_LABEL
from lib.palette import LIGHT_COLORS
from lib.review import Review, missing_reports
from lib.review_supervision import SupervisionPart
from lib.schema import LIGHT_LABELS
from lib.workbook import tables_bytes

LIGHT_FILLS = {light: color.lstrip("#").upper() for light, color in LIGHT_COLORS.items()}


SUPERVISION_SHEET = "督办情况"
SUPERVISION_HEADERS = ["事项", "编号", "任务内容", "处室", "日期", "原定时限", "调整后时限", "逾期天数", "说明", "佐证材料"]


def supervision_totals(part: SupervisionPart) -> dict[str, object]:
    """The 总体 sheet's 督办 rows: figures at the period's end by task, then the period's decisions."""
    figures = part.figures
    return {"应办结任务": figures.due, "按期办结任务": figures.on_time, "按期办结率（%）": figures.on_time_rate,
            "延期办结任务": figures.closed_extended, "逾期办结任务": figures.closed_late, "逾期未办结任务": figures.overdue,
            "已销号任务": figures.signed_off, "延期任务": figures.extended, "待审核申请": figures.pending,
            "本期销号": len(part.signed_off), "本期批准延期": len(part.extensions), "本期退回": len(part.returned)}


def _iso(day) -> str:
    return iso_date(day) if day else ""


def supervision_frame(part: SupervisionPart) -> pd.DataFrame:
    """The 督办情况 sheet: the period's 销号, 同意延期 and requests sent back, then the tasks overdue at its end."""
    rows: list[tuple[object, ...]] = [("销号", s.task_id, s.content, s.unit, _iso(s.date), "", "", None, s.note, s.evidence)
            for s in part.signed_off]
    rows += [("同意延期", e.task_id, e.content, e.unit, _iso(e.date), _iso(e.before), _iso(e.after), None, e.reason, "")
             for e in part.extensions]
    rows += [(r.kind, r.task_id, r.content, r.unit, _iso(r.date), "", "", None, r.comment, "") for r in part.returned]
    rows += [("逾期未办结", t.task_id, t.content, "、".join(t.units), "", _iso(t.original),
              _iso(t.effective) if t.extensions else "", t.days, "", "") for t in part.overdue]
    return pd.DataFrame(rows, columns=SUPERVISION_HEADERS, dtype=object)  # 逾期天数 stays whole, blanks blank


def _total_frame(review: Review) -> pd.DataFrame:
    snapshot = review.snapshot
    overall = snapshot.overall
    supervised = supervision_totals(review.supervision)
    return pd.DataFrame({
        "项目": ["方案名称", "文号", "报送周期", "数据截至", "总体进度（%）", "较上期（百分点）", "任务总数", "已完成任务",
               "本期应报分工", "本期已报分工", "本期报送率（%）",
               *(f"{LIGHT_LABELS[light]}任务" for light in schema.LIGHTS), *supervised],
        "内容": [review.plan_name, review.doc_no, review.period.label, iso_date(snapshot.as_of),
               round(overall.progress, 1), round(overall.change, 1), overall.tasks, overall.done,
               overall.required, overall.reported,
               None if pd.isna(overall.rate) else round(overall.rate, 1),
               *(overall.lights[light] for light in schema.LIGHTS), *supervised.values()],
    })


def summary_frames(review: Review, book) -> dict[str, pd.DataFrame]:
    """The Excel summary's sheets as frames with Chinese headers: 总体 / 板块 / 处室 / 任务 / 未报送 / 督办情况."""
    snapshot = review.snapshot
    total = _total_frame(review)
    sections = snapshot.sections
    section_sheet = pd.DataFrame({
        "板块": sections["section"], "任务数": sections["tasks"], "已完成": sections["done"],
        "上期末进度（%）": sections["previous_progress"].round(1), "本期末进度（%）": sections["progress"].round(1),
        "较上期（百分点）": sections["change"].round(1),
    })
    units = snapshot.units
    unit_sheet = pd.DataFrame({
        "处室": units["unit"], "进度（%）": units["progress"].round(1), "较上期（百分点）": units["change"].round(1),
        "分工数": units["assignments"], "牵头": units["lead"], "配合": units["cooperate"], "已完成": units["done"],
        "本期应报": units["required"], "本期已报": units["reported"], "报送率（%）": units["rate"].round(1),
    })
    tasks = snapshot.tasks
    assignments = snapshot.assignments
    unit_list = assignments.groupby("task_id", sort=False)["unit"].agg("、".join)
    task_sheet = pd.DataFrame({
        "编号": tasks["task_id"], "板块": tasks["section"], "任务内容": tasks["content"],
        "责任处室": tasks["task_id"].map(unit_list).fillna(""), "完成时限": tasks["deadline_text"],
        "进度（%）": tasks["progress"].round(1), "序时进度（%）": tasks["expected"].round(1),
        "较上期（百分点）": tasks["change"].round(1), "预警": tasks["light"].map(LIGHT_LABELS),
        "预警说明": tasks["light_reason"], "存在问题": task_problems(tasks["task_id"], assignments),
    })
    missing = missing_reports(book, snapshot)
    missing_sheet = pd.DataFrame({
        "处室": missing["unit"], "编号": missing["task_id"], "任务内容": missing["content"],
        "当前进度（%）": missing["progress"].round(1),
        "最近填报日期": missing["latest_date"].map(lambda d: "从未填报" if pd.isna(d) else iso_date(d)),
    })
    return {"总体": total, "板块": section_sheet, "处室": unit_sheet, "任务": task_sheet, "未报送": missing_sheet,
            SUPERVISION_SHEET: supervision_frame(review.supervision)}


_WIDE = {"任务内容": 60, "板块": 36, "预警说明": 40, "存在问题": 40, "内容": 60, "责任处室": 30, "项目": 18, "说明": 40,
         "佐证材料": 30}


def xlsx_bytes(review: Review, book) -> bytes:
    """The summary workbook: bold filled headers, sized columns, 预警 as a coloured cell with its label."""

    def light_fill(header: str, value: object) -> str | None:
        return LIGHT_FILLS[LIGHT_OF_LABEL[value]] if header == "预警" and value in LIGHT_OF_LABEL else None

    return tables_bytes(summary_frames(review, book), widths=_WIDE, fill_of=light_fill)
