"""The quarterly review as a Word draft (季度落实情况报告), typed as a 公文.

Composed from the same ``Review`` as the slides and the pptx/xlsx exports
(``review.build_review``: every figure from ``metrics.compute(book, period
end)``; 四、督办情况 from ``Review.supervision``), so the report, the projector
and ``python -m lib summary`` agree.

Sentences are built from figures; what the units wrote (进展情况, 存在问题,
下步计划) is quoted and attributed, never paraphrased. Where a unit did not
report in the period the text says ``本期无报送``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from docx.document import Document as DocumentType
from docx.shared import Mm

from lib import schema
from lib.dates import chinese_date, iso_date
from lib.detail import task_problems
from lib.exports import gongwen
from lib.model import Book
from lib.review import Review, deadline_change, focus_tasks, missing_reports, percent, task_title
from lib.review_supervision import SupervisionPart
from lib.tables import change_delta

NO_REPORT = "本期无报送"
ATTACHMENT = "任务落实情况一览表"
HEADINGS = ("总体进展情况", "各板块推进情况", "存在的问题", "督办情况", "下一步工作打算")
ATTACHMENT_HEADER = ("编号", "任务内容", "牵头处室", "配合处室", "完成进度", "预警", "最新进展")
# The landscape text width is 225 mm (297 − 37 − 35).
ATTACHMENT_WIDTHS = tuple(Mm(w) for w in (13, 60, 30, 28, 22, 17, 55))
ATTACHMENT_CENTRED = (True, False, False, False, True, True, False)
SAMPLE_NOTE = "（示例数据：本报告中的进展记录为演示用示例数据，不代表实际工作进展，不得作为正式材料报送。）"


def docx_bytes(built: Review, book: Book, written: dt.date) -> bytes:
    """The report of ``built`` as .docx bytes, dated ``written`` (the 成文日期)."""
    return gongwen.to_bytes(build_document(built, book, written))


def build_document(built: Review, book: Book, written: dt.date) -> DocumentType:
    doc = gongwen.new_document()
    gongwen.page_numbers(doc)
    if built.sample:
        gongwen.paragraph(doc, SAMPLE_NOTE, gongwen.HEADING1_FONT, indent=False)
    gongwen.title(doc, report_title(built))
    gongwen.paragraph(doc, opening(built))
    for number, (heading, write) in enumerate(zip(HEADINGS, (_overall, _sections, _problems, _supervision, _plans),
                                                  strict=True), start=1):
        gongwen.heading1(doc, f"{gongwen.chinese_numeral(number)}、{heading}")
        write(doc, built, book)
    gongwen.attachment_note(doc, [ATTACHMENT])
    gongwen.signature(doc, written)
    gongwen.landscape_section(doc)
    gongwen.attachment_heading(doc, ATTACHMENT)
    gongwen.table(doc, ATTACHMENT_HEADER, attachment_rows(built, book), ATTACHMENT_WIDTHS,
                  centred=ATTACHMENT_CENTRED)
    return doc


# ---- words --------------------------------------------------------------------------------------


def _quoted_title(name: str) -> str:
    """``《name》``; 书名号 inside the name become 〈〉, as nested titles are written."""
    return "《" + name.replace("《", "〈").replace("》", "〉") + "》"


def report_title(built: Review) -> str:
    name = gongwen.clean(built.plan_name).strip()
    if not name:
        return f"关于{built.period.label}任务落实情况的报告"
    return f"关于{_quoted_title(name)}{built.period.label}落实情况的报告"


def opening(built: Review) -> str:
    """The lead-in sentence: under which plan, and as of which day."""
    name = gongwen.clean(built.plan_name).strip()
    doc_no = gongwen.clean(built.doc_no).strip()
    basis = f"根据{_quoted_title(name)}{f'（{doc_no}）' if doc_no else ''}要求，" if name else ""
    return (f"{basis}现将{built.period.label}任务落实情况（数据截至{chinese_date(built.as_of)}）"
            "报告如下。")


def _period_word(built: Review) -> str:
    return "月" if built.period.cycle == schema.CYCLE_MONTH else "季度"


def change_words(change: float, built: Review) -> str:
    """``较上季度末提高9.6个百分点`` / ``下降`` / ``与上季度末持平``, by ``change_delta``'s rounding."""
    since = f"上{_period_word(built)}末"
    delta = change_delta(change)
    if pd.isna(change):
        return f"与{since}无可比数据"
    if delta.arrow == "off":
        return f"与{since}持平"
    verb = "提高" if delta.arrow == "up" else "下降"
    return f"较{since}{verb}{abs(round(float(change), 1)):.1f}个百分点"


def overall_text(built: Review) -> str:
    """总体进展: progress and its change, tasks done, each light's count, and the reporting rate."""
    overall = built.snapshot.overall
    lights = "、".join(f"{schema.LIGHT_LABELS[light]}{overall.lights[light]}项"
                       for light in schema.LIGHTS if light != schema.LIGHT_DONE)
    text = (f"截至{chinese_date(built.as_of)}，{overall.tasks}项任务总体完成进度{percent(overall.progress)}，"
            f"{change_words(overall.change, built)}；已完成{overall.done}项，{lights}。")
    this = f"本{_period_word(built)}"
    if overall.required == 0:
        return text + f"{this}无应报送的责任分工。"
    if overall.reported == 0:
        return text + f"{this}应报送责任分工{overall.required}项，{NO_REPORT}。"
    missing = overall.required - overall.reported
    tail = f"{missing}项未报送" if missing else "全部按期报送"
    return text + (f"{this}应报送责任分工{overall.required}项，已报送{overall.reported}项，"
                   f"报送率{percent(overall.rate)}，{tail}。")


def _overall(doc: DocumentType, built: Review, book: Book) -> None:
    gongwen.paragraph(doc, overall_text(built))


# ---- 各板块推进情况 -------------------------------------------------------------------------------


def _in_period(built: Review) -> pd.Series:
    """Per assignment: whether its latest report falls inside the period."""
    dates = pd.to_datetime(built.snapshot.assignments["latest_date"])
    return (dates >= pd.Timestamp(built.period.start)).fillna(False).astype(bool)


def _labels(book: Book, units: pd.Series) -> dict[str, str]:
    return {unit: book.unit_label(unit) for unit in units.unique()}


def _stripped(texts: pd.Series) -> pd.Series:
    """Workbook text on one line without its closing 。, ready to be quoted in a sentence."""
    return texts.fillna("").astype(str).map(lambda t: " ".join(gongwen.clean(t).split()).rstrip("。；;"))


def _quotes(assignments: pd.DataFrame, column: str, task_id: str, labels: dict[str, str]) -> str:
    """``甲处、乙处：“text”；丙处：“text”`` for one task: units writing the same text share an entry
    (``detail.task_problems`` does this grouping for every column it is given)."""
    texts = _stripped(assignments[column])
    quoted = assignments.assign(problems=texts.where(texts == "", "“" + texts + "”"))
    return str(task_problems(pd.Series([task_id]), quoted, labels).iloc[0])


def numbered_title(task_id: str, content: str) -> str:
    """``1. 根据工作需要，丰富沟通形式``: a task as a third-level item, its number and first clause."""
    return f"{task_id}. {task_title(task_id, content).removeprefix(f'{task_id} ')}"


def task_progress_text(built: Review, book: Book, task: pd.Series) -> str:
    """One task's paragraph: its progress, then each unit's latest 进展情况 of the period, quoted."""
    assignments = built.snapshot.assignments
    mine = assignments["task_id"] == task["task_id"]
    reported = assignments[mine & _in_period(built)]
    silent = assignments[mine & ~_in_period(built) & assignments["required"]]
    labels = _labels(book, assignments.loc[mine, "unit"])
    text = f"{numbered_title(task['task_id'], task['content'])}（完成进度{percent(task['progress'])}）。"
    if reported.empty:
        # Units done before the period began owe no report: say so rather than 本期无报送.
        return text + (f"{NO_REPORT}。" if not silent.empty else f"本{_period_word(built)}前已完成，无需报送。")
    quotes = _quotes(reported, "progress_note", task["task_id"], labels)
    if quotes:
        text += f"{quotes}。"
    blank = reported[_stripped(reported["progress_note"]) == ""]
    if not blank.empty:
        text += f"{'、'.join(blank['unit'].map(labels))}已报送完成进度，未填写进展情况。"
    if not silent.empty:
        text += f"{'、'.join(silent['unit'].map(labels))}{NO_REPORT}。"
    return text


def _sections(doc: DocumentType, built: Review, book: Book) -> None:
    tasks = built.snapshot.tasks
    for number, section in enumerate(built.snapshot.sections.itertuples(), start=1):
        gongwen.heading2(doc, f"（{gongwen.chinese_numeral(number)}）{gongwen.without_numbering(section.label)}")
        gongwen.paragraph(doc, f"本板块{section.tasks}项任务，完成进度{percent(section.progress)}，"
                               f"{change_words(section.change, built)}，已完成{section.done}项。")
        for _, task in tasks[tasks["section"] == section.section].iterrows():
            gongwen.paragraph(doc, task_progress_text(built, book, task))


# ---- 存在的问题 ----------------------------------------------------------------------------------------


def _problems(doc: DocumentType, built: Review, book: Book) -> None:
    focus = focus_tasks(book, built.snapshot)
    assignments = built.snapshot.assignments
    labels = _labels(book, assignments["unit"])
    # The reason is our own sentence; its spaces around figures suit a screen, not typeset prose.
    reasons = built.snapshot.tasks.set_index("task_id")["light_reason"].str.replace(" ", "")
    number = 0
    for light in (schema.LIGHT_RED, schema.LIGHT_YELLOW):
        rows = focus[focus["light"] == light]
        if rows.empty:
            continue
        number += 1
        gongwen.heading2(doc, f"（{gongwen.chinese_numeral(number)}）{schema.LIGHT_LABELS[light]}任务{len(rows)}项")
        for row in rows.itertuples():
            mine = assignments[assignments["task_id"] == row.task_id]
            problems = _quotes(mine, "problems", row.task_id, labels) or "各责任处室未填写"
            gongwen.paragraph(doc, f"{numbered_title(row.task_id, row.content)}（责任处室：{row.units}）。"
                                   f"{reasons[row.task_id]}存在问题：{problems}。")
    if number == 0:
        gongwen.paragraph(doc, "本期没有红灯、黄灯任务。")
    missing = missing_reports(book, built.snapshot)
    if not missing.empty:
        number += 1
        gongwen.heading2(doc, f"（{gongwen.chinese_numeral(number)}）未按期报送{len(missing)}项")
        by_unit = missing.groupby("label", sort=False)["task_id"].agg("、".join)
        listed = "；".join(f"{label}（任务{ids}）" for label, ids in by_unit.items())
        gongwen.paragraph(doc, f"以下{len(missing)}项责任分工{NO_REPORT}：{gongwen.clean(listed)}。")


# ---- 督办情况 --------------------------------------------------------------------------------------------


def _quote(text: str) -> str:
    """What a unit or the admin wrote, quoted on one line, or that it was left blank."""
    text = " ".join(gongwen.clean(text).split()).rstrip("。；;")
    return f"“{text}”" if text else "未填写"


def supervision_figures_text(part: SupervisionPart, built: Review) -> str:
    """按期办结 and the 督办 counts at the period's end, by task."""
    figures = part.figures
    if figures.due:
        text = (f"截至{chinese_date(part.as_of)}，已到原定完成时限的任务{figures.due}项，按期办结{figures.on_time}项，"
                f"按期办结率{figures.on_time_rate:.1f}%；延期办结{figures.closed_extended}项，"
                f"逾期办结{figures.closed_late}项，逾期未办结{figures.overdue}项。")
    else:
        text = f"截至{chinese_date(part.as_of)}，尚无到原定完成时限的任务，逾期未办结{figures.overdue}项。"
    text += f"累计已销号任务{figures.signed_off}项，经批准延期任务{figures.extended}项，待审核申请{figures.pending}项。"
    if not part.has_decisions:
        text += f"本{_period_word(built)}无销号、延期和退回事项。"
    return text


def supervision_paragraphs(part: SupervisionPart, built: Review, book: Book) -> list[tuple[str, list[str]]]:
    """(sub-heading, paragraphs) for each part that has something: 销号, 延期, 退回, 逾期未办结."""
    this = f"本{_period_word(built)}"
    label = book.unit_label
    parts = [
        ("销号办结情况", f"{this}销号{len(part.signed_off)}项。",
         [f"{numbered_title(s.task_id, s.content)}（{label(s.unit)}，{chinese_date(s.date)}销号）。"
          f"办结说明：{_quote(s.note)}。" + (f"佐证材料：{_quote(s.evidence)}。" if s.evidence.strip() else "")
          for s in part.signed_off]),
        ("延期审批情况", f"{this}批准延期{len(part.extensions)}项。",
         [f"{numbered_title(e.task_id, e.content)}（{label(e.unit)}申请，{chinese_date(e.date)}同意延期），"
          f"{deadline_change(e.before, e.after)}。延期理由：{_quote(e.reason)}。" for e in part.extensions]),
        ("退回情况", f"{this}退回申请{len(part.returned)}项。",
         [f"{numbered_title(r.task_id, r.content)}（{label(r.unit)}，{chinese_date(r.date)}"
          f"{'退回销号申请' if r.kind == schema.KIND_RETURN else '不同意延期'}）。意见：{_quote(r.comment)}。"
          for r in part.returned]),
        ("逾期未办结情况", f"截至{chinese_date(part.as_of)}，逾期未办结任务{len(part.overdue)}项。",
         [f"{numbered_title(t.task_id, t.content)}（未办结处室：{'、'.join(label(u) for u in t.units)}；"
          f"完成时限{chinese_date(t.effective)}"
          + (f"，原定{chinese_date(t.original)}，延期{t.extensions}次" if t.extensions and t.original else "")
          + f"；逾期{t.days}天）。" for t in part.overdue]),
    ]
    return [(heading, [lead, *lines]) for heading, lead, lines in parts if lines]


def _supervision(doc: DocumentType, built: Review, book: Book) -> None:
    part = built.supervision
    gongwen.paragraph(doc, supervision_figures_text(part, built))
    for number, (heading, paragraphs) in enumerate(supervision_paragraphs(part, built, book), start=1):
        gongwen.heading2(doc, f"（{gongwen.chinese_numeral(number)}）{heading}")
        for text in paragraphs:
            gongwen.paragraph(doc, text)


# ---- 下一步工作打算 ------------------------------------------------------------------------------------


def _plans(doc: DocumentType, built: Review, book: Book) -> None:
    """The units' 下步计划 of the period, by section: each distinct text once, with who wrote it and for which tasks."""
    assignments = built.snapshot.assignments
    section_of = built.snapshot.tasks.set_index("task_id")["section"]
    reported = assignments[_in_period(built)].assign(text=lambda f: _stripped(f["next_steps"]))
    reported = reported.assign(section=reported["task_id"].map(section_of))
    labels = _labels(book, assignments["unit"])
    order = {unit: position for position, unit in enumerate(book.units["unit"])}
    for number, section in enumerate(built.snapshot.sections.itertuples(), start=1):
        gongwen.heading2(doc, f"（{gongwen.chinese_numeral(number)}）{gongwen.without_numbering(section.label)}")
        mine = reported[reported["section"] == section.section]
        written = mine[mine["text"] != ""]
        if mine.empty:
            gongwen.paragraph(doc, f"{NO_REPORT}。")
        elif written.empty:
            gongwen.paragraph(doc, "各处室本期报送中未填写下步计划。")
        for text, rows in written.groupby("text", sort=False):
            units = "、".join(labels[u] for u in sorted(set(rows["unit"]), key=lambda u: order.get(u, len(order))))
            tasks = "、".join(dict.fromkeys(rows["task_id"]))
            gongwen.paragraph(doc, f"{units}：“{text}”（任务{tasks}）。")


# ---- 附件 ------------------------------------------------------------------------------------------------


def latest_note(assignments: pd.DataFrame, labels: dict[str, str]) -> str:
    """A task's most recent 进展情况 as of D with its date and unit, or that none was written."""
    written = assignments.assign(text=_stripped(assignments["progress_note"]))
    written = written[written["text"] != ""].sort_values("latest_date", kind="stable")
    if written.empty:
        return "尚无进展情况" if assignments["latest_date"].notna().any() else "尚无报送"
    last = written.iloc[-1]
    return f"{iso_date(pd.Timestamp(last['latest_date']).date())} {labels[last['unit']]}：{last['text']}"


def attachment_rows(built: Review, book: Book) -> list[tuple[str, ...]]:
    """One row per task, in plan order, under ``ATTACHMENT_HEADER``."""
    assignments = built.snapshot.assignments
    labels = _labels(book, assignments["unit"])
    by_task = dict(tuple(assignments.groupby("task_id", sort=False)))
    rows: list[tuple[str, ...]] = []
    for task in built.snapshot.tasks.itertuples():
        mine = by_task.get(task.task_id, assignments.iloc[0:0])
        lead = "、".join(mine.loc[mine["is_lead"], "unit"].map(labels))
        others = "、".join(mine.loc[~mine["is_lead"], "unit"].map(labels))
        rows.append((str(task.task_id), gongwen.clean(task.content), lead, others or "—",
                     percent(task.progress), schema.LIGHT_LABELS.get(task.light, task.light),
                     latest_note(mine, labels)))
    return rows
