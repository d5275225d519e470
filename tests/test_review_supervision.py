"""The review's 督办 part by hand: the period's sign-offs, extensions and returns, the overdue tasks at its end,
and the same facts on the slides, in the pptx, the Excel summary and the Word report.

The workbook (销号审核 = 是, quarters; 乙's name starts with '=' so a spreadsheet would take it for a formula):

- task 1, 甲处 and =乙处, 完成时限 2026-06-30: extended on 06-20 to 08-15 (Q2), again on 07-25 to 10-15 (Q3);
  甲处 asks 销号 on 09-20, signed off on 10-10 (Q4): at 09-30 the request is pending;
- task 2, =乙处, 2026-08-31: asks 销号 on 09-01, returned on 09-05: at 09-30 it is 30 days overdue;
- task 3, 甲处, 长期: never due;
- task 4, 甲处, 2026-09-15: asks 销号 on 09-08 (办结说明 "=SUM(A1)"), signed off on 09-10: on time.

For 2026Q3 (07-01..09-30): signed off task 4; extended task 1 from 08-15 to 10-15 (reason 需会签); returned task 2;
overdue task 2. At 09-30, by task: due 1, 2, 4 → 3; on time 4 → 1, 33.3 %; 已销号 1 (task 4; task 1 still has
=乙处 open); 延期 1 (task 1); 逾期 1 (task 2); 待审核 1 (D0009).
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
from docx import Document
from pptx import Presentation

from lib import review, review_supervision, review_view, schema, validate
from lib.exports import pptx, report_docx, xlsx
from lib.workbook import supervision_sheet, write_workbook
from tests.builders import KNOWN_PERIOD, tasks_frame, updates_frame, write_known

D = dt.date
UNITS = pd.DataFrame({"unit": ["甲处", "=乙处"], "short": ["甲", "乙"], "groups": ["", ""]})
TASKS = [
    {"task_id": "1", "section": "一、甲", "content": "任务一", "units_text": "甲处、=乙处", "deadline_text": "2026-06-30"},
    {"task_id": "2", "section": "一、甲", "content": "任务二", "units_text": "=乙处", "deadline_text": "2026-08-31"},
    {"task_id": "3", "section": "二、乙", "content": "任务三", "units_text": "甲处", "deadline_text": "长期"},
    {"task_id": "4", "section": "二、乙", "content": "任务四", "units_text": "甲处", "deadline_text": "2026-09-15"},
]


def _event(number: int, kind: str, task_id: str, unit: str, date: dt.date, text: str = "", evidence: str = "",
           requested: dt.date | None = None, approved: dt.date | None = None, answers: str = "") -> dict:
    return {"event_id": f"D{number:04d}", "kind": kind, "task_id": task_id, "unit": unit, "date": date,
            "account": "管理员", "text": text, "evidence": evidence, "requested_until": requested,
            "approved_until": approved, "answers": answers}


EVENTS = [
    _event(1, "延期申请", "1", "甲处", D(2026, 6, 10), "资料未齐", requested=D(2026, 8, 31)),
    _event(2, "同意延期", "1", "甲处", D(2026, 6, 20), "同意", approved=D(2026, 8, 15), answers="D0001"),
    _event(3, "延期申请", "1", "=乙处", D(2026, 7, 20), "需会签", requested=D(2026, 10, 31)),
    _event(4, "同意延期", "1", "=乙处", D(2026, 7, 25), "同意", approved=D(2026, 10, 15), answers="D0003"),
    _event(5, "销号申请", "4", "甲处", D(2026, 9, 8), "=SUM(A1)", "川志〔2026〕3号"),
    _event(6, "销号", "4", "甲处", D(2026, 9, 10), "同意销号", answers="D0005"),
    _event(7, "销号申请", "2", "=乙处", D(2026, 9, 1), "已完成"),
    _event(8, "退回", "2", "=乙处", D(2026, 9, 5), "佐证不足", answers="D0007"),
    _event(9, "销号申请", "1", "甲处", D(2026, 9, 20), "已办结"),
    _event(10, "销号", "1", "甲处", D(2026, 10, 10), "同意", answers="D0009"),
]


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("review_supervision") / "tasks.xlsx"
    plan = {schema.PLAN_NAME: "督办测试", schema.PLAN_START: D(2026, 1, 1), schema.PLAN_SIGN_OFF_REVIEW: schema.YES}
    events = pd.DataFrame(EVENTS, columns=[c.field for c in schema.SUPERVISION_COLUMNS])
    write_workbook(path, plan, UNITS, tasks_frame(TASKS), updates_frame([]), supervision_sheet(events))
    result = validate.load(path, today=D(2026, 11, 1))
    assert result.ok, [p.as_text() for p in result.problems]
    return result.book


@pytest.fixture(scope="module")
def built(book):
    return review.build_review(book, review.period_from_code("2026Q3", book))


def _slide(built: review.Review, kind: str) -> review.Slide:
    (slide,) = [s for s in built.slides if s.kind == kind]
    return slide


# ---- the content ---------------------------------------------------------------------------------------------


def test_the_quarters_decisions_and_overdue_tasks(built):
    part = built.supervision
    assert part.signed_off == (review_supervision.SignOff("4", "任务四", "甲处", D(2026, 9, 10), "=SUM(A1)",
                                                          "川志〔2026〕3号"),)
    # The deadline in force before the 07-25 approval is the one the 06-20 approval set, not the original.
    assert part.extensions == (review_supervision.Extension("1", "任务一", "=乙处", D(2026, 7, 25), D(2026, 8, 15),
                                                            D(2026, 10, 15), "需会签"),)
    assert part.returned == (review_supervision.Returned("2", "任务二", "=乙处", D(2026, 9, 5), schema.KIND_RETURN,
                                                         "佐证不足"),)
    assert part.overdue == (review_supervision.Overdue("2", "任务二", ("=乙处",), D(2026, 8, 31), D(2026, 8, 31), 0, 30),)


def test_the_figures_are_as_of_the_periods_end(built):
    figures = built.supervision.figures
    assert (figures.due, figures.on_time, figures.on_time_rate, figures.signed_off, figures.extended,
            figures.overdue, figures.pending) == (3, 1, 33.3, 1, 1, 1, 1)


def test_events_outside_the_period_are_left_out(book):
    second = review_supervision.build(book, review.period_from_code("2026Q2", book))
    # Q2: the first extension, from the original 06-30; nothing signed off or returned.
    assert [(e.date, e.before, e.after, e.reason) for e in second.extensions] == [
        (D(2026, 6, 20), D(2026, 6, 30), D(2026, 8, 15), "资料未齐")]
    assert (second.signed_off, second.returned, second.overdue) == ((), (), ())
    fourth = review_supervision.build(book, review.period_from_code("2026Q4", book))
    assert [(s.task_id, s.unit, s.date, s.note) for s in fourth.signed_off] == [("1", "甲处", D(2026, 10, 10), "已办结")]
    assert fourth.extensions == fourth.returned == ()
    # At 12-31 task 1's =乙处 is still open past 10-15 (77 days); task 2 is 122 days past 08-31.
    assert [(t.task_id, t.units, t.days) for t in fourth.overdue] == [("1", ("=乙处",), 77), ("2", ("=乙处",), 122)]


def test_a_refused_extension_is_listed_as_sent_back(tmp_path):
    events = [*EVENTS[:2], _event(3, "延期申请", "1", "=乙处", D(2026, 7, 20), "需会签", requested=D(2026, 10, 31)),
              _event(4, "不同意延期", "1", "=乙处", D(2026, 7, 22), "理由不充分", answers="D0003")]
    path = tmp_path / "tasks.xlsx"
    frame = pd.DataFrame(events, columns=[c.field for c in schema.SUPERVISION_COLUMNS])
    write_workbook(path, {schema.PLAN_NAME: "督办测试", schema.PLAN_START: D(2026, 1, 1)}, UNITS, tasks_frame(TASKS),
                   updates_frame([]), supervision_sheet(frame))
    book = validate.load(path, today=D(2026, 11, 1)).book
    part = review_supervision.build(book, review.period_from_code("2026Q3", book))
    assert [(r.task_id, r.kind, r.comment) for r in part.returned] == [("1", schema.KIND_EXTENSION_REFUSED, "理由不充分")]
    assert part.extensions == ()
    # The refusal leaves the 06-20 approval in force: task 1 is past 08-15 at 09-30, 46 days.
    assert [(t.task_id, t.effective, t.extensions, t.days) for t in part.overdue if t.task_id == "1"] == [
        ("1", D(2026, 8, 15), 1, 46)]


# ---- the slides ----------------------------------------------------------------------------------------------


def test_the_supervision_slides_carry_the_figures_and_rows(built):
    assert [s.kind for s in built.slides] == list(review.KINDS)
    slide = _slide(built, review.SUPERVISION)
    assert [(k.label, k.value, k.note) for k in slide.kpis] == [
        ("按期办结率", "33.3%", "按期办结 1 / 应办结 3"), ("已销号", "1 项", "本期销号 1 项"),
        ("延期", "1 项", "本期批准 1 项"), ("逾期未办结", "1 项", "待审核申请 1 项")]
    assert slide.rows() == [
        ("4 任务四", "甲 2026年9月10日销号", "办结说明：=SUM(A1)"),
        ("1 任务一", "乙申请，2026年7月25日同意延期，完成时限由2026年8月15日调整为2026年10月15日", "延期理由：需会签"),
        ("2 任务二", "乙 2026年9月5日退回销号申请", "意见：佐证不足"),
    ]
    assert _slide(built, review.OVERDUE).rows() == [("2 任务二", "乙", "2026年8月31日", "30 天")]


def test_a_quarter_without_events_says_so_and_still_lists_the_overdue(tmp_path):
    """The review workbook has no 督办 sheet; task 1 (甲处 60, 乙处 20, due 06-30) is 92 days overdue at 09-30."""
    book = validate.load(write_known(tmp_path / "tasks.xlsx")).book
    built = review.build_review(book, review.period_from_code(KNOWN_PERIOD, book))
    assert not built.supervision.has_decisions
    slide = _slide(built, review.SUPERVISION)
    assert slide.items == [] and slide.note.endswith("无销号、延期和退回事项。")
    assert _slide(built, review.OVERDUE).rows() == [("1 任务一内容", "甲、乙", "2026年6月30日", "92 天")]
    doc = Document(io.BytesIO(report_docx.docx_bytes(built, book, D(2026, 10, 8))))
    texts = [p.text for p in doc.paragraphs]
    part = texts[texts.index("四、督办情况") + 1: texts.index("五、下一步工作打算")]
    assert part[0].endswith("本季度无销号、延期和退回事项。")
    assert part[1:] == ["（一）逾期未办结情况", "截至2026年9月30日，逾期未办结任务1项。",
                        "1. 任务一内容（未办结处室：甲、乙；完成时限2026年6月30日；逾期92天）。"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.xlsx_bytes(built, book)))[xlsx.SUPERVISION_SHEET]
    assert [row[:2] for row in sheet.iter_rows(min_row=2, values_only=True)] == [("逾期未办结", "1")]


# ---- the files -----------------------------------------------------------------------------------------------


def test_the_pptx_has_the_supervision_slide_and_its_table(built):
    presentation = Presentation(io.BytesIO(pptx.pptx_bytes(built)))
    by_title = {s.shapes[0].text_frame.text: s for s in presentation.slides}
    slide = by_title["督办情况"]
    texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
    assert "按期办结率\n33.3%\n按期办结 1 / 应办结 3" in texts
    (table,) = [shape.table for shape in slide.shapes if shape.has_table]
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    assert cells[0] == ["任务", "事项", "说明"]
    assert cells[2] == ["1 任务一", "乙申请，2026年7月25日同意延期，完成时限由2026年8月15日调整为2026年10月15日",
                        "延期理由：需会签"]
    (overdue,) = [shape.table for shape in by_title["逾期未办结"].shapes if shape.has_table]
    assert [[c.text for c in row.cells] for row in overdue.rows][1] == ["2 任务二", "乙", "2026年8月31日", "30 天"]


def test_the_excel_has_the_supervision_sheet_with_text_never_formulas(book, built):
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.xlsx_bytes(built, book)))
    sheet = workbook[xlsx.SUPERVISION_SHEET]
    assert [c.value for c in sheet[1]] == xlsx.SUPERVISION_HEADERS
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == [
        ("销号", "4", "任务四", "甲处", "2026-09-10", None, None, None, "=SUM(A1)", "川志〔2026〕3号"),
        ("同意延期", "1", "任务一", "=乙处", "2026-07-25", "2026-08-15", "2026-10-15", None, "需会签", None),
        ("退回", "2", "任务二", "=乙处", "2026-09-05", None, None, None, "佐证不足", None),
        ("逾期未办结", "2", "任务二", "=乙处", None, "2026-08-31", None, 30, None, None),
    ]
    formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == [] and sheet["D3"].data_type == "s" and sheet["I2"].data_type == "s"
    total = {row[0]: row[1] for row in workbook["总体"].iter_rows(min_row=2, values_only=True)}
    assert (total["应办结任务"], total["按期办结任务"], total["按期办结率（%）"], total["逾期未办结任务"],
            total["已销号任务"], total["延期任务"], total["待审核申请"]) == (3, 1, 33.3, 1, 1, 1, 1)
    assert (total["本期销号"], total["本期批准延期"], total["本期退回"]) == (1, 1, 1)


def test_the_word_report_has_the_supervision_part(book, built):
    doc = Document(io.BytesIO(report_docx.docx_bytes(built, book, D(2026, 10, 8))))
    texts = [p.text for p in doc.paragraphs]
    part = texts[texts.index("四、督办情况") + 1: texts.index("五、下一步工作打算")]
    assert part[0].startswith("截至2026年9月30日，已到原定完成时限的任务3项，按期办结1项，按期办结率33.3%；")
    assert "逾期未办结1项" in part[0] and "待审核申请1项" in part[0]
    assert [t for t in part if t.startswith("（")] == ["（一）销号办结情况", "（二）延期审批情况", "（三）退回情况",
                                                      "（四）逾期未办结情况"]
    assert "4. 任务四（甲，2026年9月10日销号）。办结说明：“=SUM(A1)”。佐证材料：“川志〔2026〕3号”。" in part
    assert "1. 任务一（乙申请，2026年7月25日同意延期），完成时限由2026年8月15日调整为2026年10月15日。延期理由：“需会签”。" in part
    assert "2. 任务二（乙，2026年9月5日退回销号申请）。意见：“佐证不足”。" in part
    assert "2. 任务二（未办结处室：乙；完成时限2026年8月31日；逾期30天）。" in part



def test_the_supervision_slide_escapes_the_sheets_text(tmp_path):
    """A 意见 typed as markup is shown as text on the 督办情况 slide: its HTML goes to st.markdown(unsafe_allow_html)."""
    hostile = "<img src=x onerror=alert(1)>佐证不足"
    events = [dict(e, text=hostile) if e["event_id"] == "D0008" else e for e in EVENTS]
    path = tmp_path / "tasks.xlsx"
    plan = {schema.PLAN_NAME: "督办测试", schema.PLAN_START: D(2026, 1, 1), schema.PLAN_SIGN_OFF_REVIEW: schema.YES}
    frame = pd.DataFrame(events, columns=[c.field for c in schema.SUPERVISION_COLUMNS])
    write_workbook(path, plan, UNITS, tasks_frame(TASKS), updates_frame([]), supervision_sheet(frame))
    book = validate.load(path, today=D(2026, 11, 1)).book
    built = review.build_review(book, review.period_from_code("2026Q3", book))
    html = review_view.slide_html(_slide(built, review.SUPERVISION), "6 / 11")
    assert "&lt;img src=x onerror=alert(1)&gt;佐证不足" in html and "<img" not in html
