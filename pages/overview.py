"""总览: how far along the plan is, which sections and units are behind, what changed, what is blocked."""

import streamlit as st

from lib import charts, dates, metrics, schema, tables
from lib.ui import board, supervise

state = board.board_sidebar()
snapshot = state.snapshot
overall = snapshot.overall
lights = overall.lights

st.title("总览")
st.caption(f"数据截至 {dates.chinese_date(state.as_of)}（{snapshot.period.label}），"
           f"较上期为与 {dates.chinese_date(snapshot.previous_end)} 相比。")

cards = st.columns(7, border=True)
board.progress_metric(cards[0], "总体进度", overall.progress, overall.change)
cards[1].metric("任务数", f"{overall.tasks} 项")
cards[2].metric("已完成", f"{overall.done} 项")
cards[3].metric("红灯", f"{lights[schema.LIGHT_RED]} 项")
cards[4].metric("黄灯", f"{lights[schema.LIGHT_YELLOW]} 项")
cards[5].metric("蓝灯", f"{lights[schema.LIGHT_BLUE]} 项")
rate = "—" if overall.required == 0 else f"{overall.rate:.1f}%"
cards[6].metric("本期报送率", rate, f"{overall.reported}/{overall.required} 已报", delta_color="off", delta_arrow="off")
supervise.overview_cards(snapshot.supervision)

if overall.tasks == 0:
    st.info("当前筛选条件下没有任务。")
    st.stop()

phone = board.is_phone() and not board.print_mode()  # the print view is laid out for A4, whatever prints it
left, right = board.side_by_side([3, 2])
with left:
    board.show_chart(charts.section_bars(snapshot.sections, narrow=phone), "sections")
with right:
    board.show_chart(charts.light_bars(lights), "lights")
board.show_chart(charts.unit_bars(snapshot.units, narrow=phone), "units")

st.subheader("红灯、黄灯任务及最新存在问题")
warned = tables.warned_tasks(snapshot)
if len(warned):
    board.show_table(warned, "warned", f"红黄灯任务_{dates.file_stamp(state.as_of)}")
else:
    st.success("当前没有红灯、黄灯任务。")

st.subheader("进度趋势")
board.show_chart(charts.trend_lines(board.board_trend(state)), "trend")

if phone:  # a grid of 16+ tasks × 6+ units is unreadable 390 pixels wide: the same figures as a list
    st.subheader("各任务分工进度")
    board.show_table(tables.task_unit_progress(snapshot), "task_units", f"各任务分工进度_{dates.file_stamp(state.as_of)}")
elif len(snapshot.tasks) <= charts.HEATMAP_MAX_TASKS:
    st.subheader("任务 × 处室")
    board.show_chart(charts.heatmap(snapshot.assignments, snapshot.tasks, snapshot.units), "heatmap")
else:
    st.subheader("板块 × 处室")
    st.caption(f"当前共 {overall.tasks} 项任务，逐项显示难以阅读，此处按板块汇总各处室的平均完成进度。"
               f"在侧栏选择板块、处室，任务不超过 {charts.HEATMAP_MAX_TASKS} 项时即逐项显示；单项任务见「任务」页。")
    board.show_chart(charts.section_heatmap(snapshot.assignments, snapshot.tasks, snapshot.units), "heatmap")

st.subheader(f"本期（{snapshot.reporting.label}）未报送清单")
board.show_table(tables.reminder_list(snapshot), "reminders", f"未报送清单_{dates.file_stamp(state.as_of)}")

with st.expander("口径说明", expanded=board.print_mode()):
    for name, text in metrics.METRIC_NOTES:
        st.markdown(f"**{name}**：{text}")

board.print_link()
