"""The 方案导入 adapter: a notice parsed once with its steps shown, and the editors that correct the result.

- ``parsed(key, data, filename)``: the notice's ``ImportedPlan``, parsed once per content (reruns of the
  page reuse it), with each step shown; None after showing why it cannot be read;
- ``edit_draft(imported, key)``: the tasks and units in editors, and the skipped lines, as a ``PlanDraft``;
- ``plan_form(values, key)``: the 方案 settings, editable;
- ``proposed_mapping`` and ``edit_mapping``: old 编号 → new 编号 matched by text, then corrected.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import streamlit as st

from lib import intake, plan_draft, plan_update, schema
from lib.escape import for_markdown
from lib.intake import ImportedPlan, IntakeError

_FORMAT_NAMES = {"docx": "Word", "pdf": "PDF", "doc": "Word（.doc）", "wps": "WPS", "txt": "文本", "paste": "粘贴的文本"}


# The task text is what the admin reads against the notice: it gets the room.
_TASK_WIDTHS = {
    schema.header_of(schema.SHEET_TASKS, "section"): st.column_config.TextColumn(width="medium"),
    schema.header_of(schema.SHEET_TASKS, "task_id"): st.column_config.TextColumn(width="small"),
    schema.header_of(schema.SHEET_TASKS, "content"): st.column_config.TextColumn(width="large"),
    schema.header_of(schema.SHEET_TASKS, "units_text"): st.column_config.TextColumn(width="medium"),
}


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _parse(data: bytes, filename: str, pasted: bool) -> ImportedPlan | IntakeError:
    """Read, then lay out, each step shown: a 100-page PDF takes seconds to read."""
    with st.status("正在识别通知……", expanded=True) as status:
        try:
            st.write("读取文件……" if not pasted else "读取粘贴的文本……")
            notice = intake.read_pasted(data.decode("utf-8")) if pasted else intake.read_notice(data, filename)
            st.write(f"已读取{_FORMAT_NAMES.get(notice.source, notice.source)}，共 {len(notice.blocks)} 段；识别板块、任务和责任处室……")
            for note in notice.notes:
                st.write(note)
            imported = intake.parse_notice(notice)
        except IntakeError as error:
            status.update(label="无法识别该通知", state="error", expanded=False)
            return error
        draft = plan_draft.draft_from_import(imported)
        status.update(label=f"识别完成：{draft.summary()}", state="complete", expanded=False)
    return imported


def parsed(key: str, data: bytes, filename: str = "", pasted: bool = False) -> ImportedPlan | None:
    """The notice in ``data`` as imported, or None after ``st.error`` says why it cannot be read.

    Kept in the session per content, so editing the result does not parse the file again.
    """
    identity = (digest(data), filename, pasted)
    kept = st.session_state.get(key)
    if kept is None or kept[0] != identity:
        kept = (identity, _parse(data, filename, pasted))
        st.session_state[key] = kept
    result = kept[1]
    if isinstance(result, IntakeError):
        st.error(result.message)
        return None
    return result


def edit_draft(imported: ImportedPlan, key: str,
               known_units: pd.DataFrame | None = None) -> tuple[plan_draft.PlanDraft, dict[str, str]]:
    """The tasks and units as the admin corrected them, and the units renamed (old → new).

    A unit renamed in the unit table is renamed in every task's 责任处室 and 牵头处室 too; a 简称 the
    current workbook (``known_units``) gives a unit of the same name is offered.
    """
    draft = plan_draft.draft_from_import(imported)
    st.markdown("**任务**（可直接修改单元格；在表格末尾的空行中可添加任务，勾选行首后按 Delete 键可删除）")
    tasks = st.data_editor(plan_draft.task_table(draft.tasks), num_rows="dynamic", hide_index=True,
                           width="stretch", key=f"{key}_tasks", column_config=_TASK_WIDTHS)
    st.markdown("**处室**（识别出的处室及其分组，简称取自当前工作簿中的同名处室；可修改处室名称、简称和分组，改名会同步到任务表）")
    unit_rows = plan_draft.unit_table(plan_draft.with_known_shorts(draft.units, known_units))
    units = st.data_editor(unit_rows, num_rows="dynamic", hide_index=True, key=f"{key}_units",
                           column_config={schema.header_of(schema.SHEET_UNITS, "groups"): st.column_config.TextColumn(
                               help="所属分组，多个用「、」分隔；任务表中写分组名即指组内全部处室")})
    renames = plan_draft.unit_renames(unit_rows, units)
    if renames:
        st.caption("已改名，并已同步到任务表的责任处室和牵头处室："
                   + "；".join(f"{old} → {new}" for old, new in renames.items()) + "。")
    corrected = plan_draft.PlanDraft(draft.plan, plan_draft.units_from_table(units),
                                     plan_draft.rename_units(plan_draft.tasks_from_table(tasks), renames))
    groups = sorted({g for listed in corrected.units["groups"] for g in listed})
    st.caption(f"识别出的分组：{for_markdown('、'.join(groups)) if groups else '无'}。")
    skipped = plan_draft.skipped_lines(imported.problems)
    if len(skipped):
        st.markdown(f"**未导入的行和识别提示**（{len(skipped)} 条，请对照原文核对，必要时在上表中补充）")
        st.dataframe(skipped, hide_index=True, width="stretch", key=f"{key}_skipped")
    else:
        st.caption("通知正文的每一行都已归入板块或任务。")
    return corrected, renames


def plan_form(values: dict[str, object], key: str) -> dict[str, object]:
    """The 方案 settings as the admin left them (typed, as ``plan_draft.plan_values`` gives them)."""
    with st.container(border=True):
        st.markdown("**方案设置**")
        first = st.columns([3, 1, 1, 1])
        name = first[0].text_input(schema.PLAN_NAME, str(values[schema.PLAN_NAME] or ""), key=f"{key}_name")
        doc_no = first[1].text_input(schema.PLAN_DOC_NO, str(values[schema.PLAN_DOC_NO] or ""), key=f"{key}_doc_no")
        issued = first[2].date_input(schema.PLAN_ISSUED, _date(values[schema.PLAN_ISSUED]), key=f"{key}_issued",
                                     format="YYYY-MM-DD", min_value=dt.date(2000, 1, 1))
        start = first[3].date_input(schema.PLAN_START, _date(values[schema.PLAN_START]), key=f"{key}_start",
                                    format="YYYY-MM-DD", min_value=dt.date(2000, 1, 1),
                                    help="序时进度的起点；不填则为印发日期")
        second = st.columns(5)
        cycle = second[0].selectbox(schema.PLAN_CYCLE, schema.CYCLES, key=f"{key}_cycle",
                                    index=schema.CYCLES.index(str(values[schema.PLAN_CYCLE])))
        soon = second[1].number_input(f"{schema.PLAN_SOON_DAYS}（天）", 0, 366, int(_number(values, schema.PLAN_SOON_DAYS)),
                                      key=f"{key}_soon", help="距完成时限不足此天数的任务亮蓝灯")
        yellow = second[2].number_input(f"{schema.PLAN_YELLOW_GAP}（百分点）", 0.0, 100.0,
                                        _number(values, schema.PLAN_YELLOW_GAP), step=1.0, key=f"{key}_yellow")
        red = second[3].number_input(f"{schema.PLAN_RED_GAP}（百分点）", 0.0, 100.0, _number(values, schema.PLAN_RED_GAP),
                                     step=1.0, key=f"{key}_red")
        grace = second[4].number_input(f"{schema.PLAN_REPORT_DEADLINE}（周期末后天数）", 0, 89,
                                       int(_number(values, schema.PLAN_REPORT_DEADLINE)), key=f"{key}_grace",
                                       help="报送周期结束后多少天内报送的进展仍计入该周期；0 为周期末当天")
    return {**values, schema.PLAN_REPORT_DEADLINE: int(grace), schema.PLAN_NAME: name, schema.PLAN_DOC_NO: doc_no, schema.PLAN_ISSUED: issued,
            schema.PLAN_START: start, schema.PLAN_CYCLE: cycle, schema.PLAN_SOON_DAYS: int(soon),
            schema.PLAN_YELLOW_GAP: float(yellow), schema.PLAN_RED_GAP: float(red)}


def _date(value: object) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


def _number(values: dict[str, object], key: str) -> float:
    value = values[key]
    return float(value) if isinstance(value, (int, float)) else 0.0


def proposed_mapping(old_tasks: pd.DataFrame, new_tasks: pd.DataFrame, key: str) -> pd.DataFrame:
    """``plan_update.propose_mapping``, kept in the session until either plan's 编号 or text changes:
    a wholly rewritten plan of a few hundred tasks takes seconds to compare, and every edit reruns the page."""
    texts = "\x1f".join([*old_tasks["task_id"].map(str), *old_tasks["content"].map(str), "\x1e",
                         *new_tasks["task_id"].map(str), *new_tasks["content"].map(str)])
    identity = digest(texts.encode("utf-8"))
    kept = st.session_state.get(key)
    if kept is None or kept[0] != identity:
        kept = (identity, plan_update.propose_mapping(old_tasks, new_tasks))
        st.session_state[key] = kept
    return kept[1]


def edit_mapping(proposal: pd.DataFrame, new_ids: list[str], key: str) -> dict[str, str | None]:
    """Old 编号 → new 编号 as the admin confirmed it; None where an old task has no counterpart."""
    shown = proposal.rename(columns={"old_id": "原编号", "old_content": "原任务内容", "new_id": "新编号",
                                     "similarity": "文字相似度（%）"})
    edited = st.data_editor(
        shown, hide_index=True, width="stretch", key=key, disabled=["原编号", "原任务内容", "文字相似度（%）"],
        column_config={"新编号": st.column_config.SelectboxColumn(options=new_ids, help="留空表示新方案中没有对应任务")})
    return {str(old): (str(new) if isinstance(new, str) and new else None)
            for old, new in zip(edited["原编号"], edited["新编号"])}
