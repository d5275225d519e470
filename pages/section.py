"""板块: one section's tasks, trend and latest reports."""

import streamlit as st

from lib import charts, dates, detail, escape, metrics, tables
from lib.ui import board

state = board.board_sidebar()
snapshot = state.snapshot

st.title("板块")
if not state.book.sections:
    st.info("当前筛选条件下没有板块。")
    st.stop()
section = board.linked_selectbox("选择板块", state.book.sections, "section_pick", "section",
                                 format_func=metrics.section_label)
summary = tables.section_summary(snapshot, section)
st.subheader(escape.for_markdown(section))

cards = st.columns(5, border=True)
board.progress_metric(cards[0], "板块进度", summary["progress"], summary["change"])
cards[1].metric("任务数", f"{summary['tasks']} 项")
cards[2].metric("已完成", f"{summary['done']} 项")
cards[3].metric("红灯 / 黄灯", f"{summary['red']} / {summary['yellow']}")
cards[4].metric("按期办结率", tables.percent_text(summary["on_time_rate"]),
                f"{summary['on_time']}/{summary['due']} 项按期，逾期 {summary['overdue']} 项", delta_color="off",
                delta_arrow="off")

board.show_chart(charts.task_bars(detail.section_tasks(snapshot.tasks, section)), "section_tasks")

st.subheader("任务一览")
st.caption("责任处室中 ★ 为牵头处室。" + ("" if board.print_mode() else "点击“查看任务”进入任务详情。"))  # paper has no link
board.show_table(tables.section_tasks(snapshot, section), "section_tasks", f"板块任务_{dates.file_stamp(state.as_of)}")

st.subheader("板块进度趋势")
board.show_chart(charts.trend_lines(detail.section_trend(board.board_trend(state), section), title="板块进度趋势（与总体对照）"),
              "section_trend")

st.subheader("各任务最新填报")
board.show_table(tables.section_notes(snapshot, section), "section_notes", f"板块最新填报_{dates.file_stamp(state.as_of)}")

board.print_link()
