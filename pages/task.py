"""任务: one task's text, deadline, light and reason, per-unit progress over time, full report history, and its
督办 timeline (reports, requests and decisions in order, 原定时限 / 调整后时限 / 延期 N 次)."""

import pandas as pd
import streamlit as st

from lib import charts, detail, escape, schema, supervision, tables
from lib.ui import board

state = board.board_sidebar()
snapshot = state.snapshot

st.title("任务")
tasks = snapshot.tasks.set_index("task_id")
if tasks.empty:
    st.info("当前筛选条件下没有任务。")
    st.stop()
ids = list(tasks.index)
task_id = board.linked_selectbox("选择任务", ids, "task_pick", "task",
                                 format_func=lambda t: f"任务{t}：{tasks.at[t, 'content'][:40]}")
task = tasks.loc[task_id]

st.markdown(f"**板块**：{escape.for_markdown(task['section'])}")
st.markdown("**任务内容**")
st.text(task["content"])

cards = st.columns(4, border=True)
board.progress_metric(cards[0], "任务进度", task["progress"], task["change"])
expected = "—（无明确完成时限）" if pd.isna(task["expected"]) else f"{task['expected']:.1f}%"
cards[1].metric("序时进度", expected)
cards[2].metric("完成时限", escape.for_markdown(task["deadline_text"]) if task["deadline_text"] else "未设定")
cards[3].metric("预警", schema.light_label(task["light"]))
st.markdown(f"**预警原因**：{escape.for_markdown(task['light_reason'])}")

st.subheader("责任处室")
board.show_table(tables.task_units(snapshot, task_id), "task_units", f"任务{task_id}_责任处室")

expected_points = detail.expected_trend(state.book, task_id, state.as_of)
board.show_chart(charts.unit_lines(board.board_drill(state, "task_trend", task_id), expected_points,
                                title="各责任处室进度（★为牵头处室，黑色点线为序时进度）"), "task_lines")

st.subheader("填报记录（最新在前）")
history = tables.task_history(state.book, task_id)
if len(history):
    board.show_table(history, "task_history", f"任务{task_id}_填报记录")
else:
    st.info("该任务尚无填报记录。")

st.subheader("督办记录（填报、申请与审核，按时间先后）")
due = supervision.deadlines(state.data.book, task_id, state.as_of)
deadline_cards = st.columns(3, border=True)
deadline_cards[0].metric("原定时限", tables.deadline_text(due.original))
deadline_cards[1].metric("调整后时限", tables.deadline_text(due.effective))
deadline_cards[2].metric("延期次数", f"{due.extensions} 次")
st.caption(f"时限按数据截至 {state.as_of:%Y-%m-%d} 已批准的延期计算；下表为全部记录。")
timeline = supervision.timeline(state.data.book, task_id)
if (timeline["事项"] != supervision.REPORT_ENTRY).any():
    board.show_table(timeline, "task_timeline", f"任务{task_id}_督办记录")
else:  # reports alone are the 填报记录 above
    st.info("该任务尚无销号、延期的申请与审核记录，填报情况见上方填报记录。")

board.print_link()
