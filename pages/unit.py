"""处室: one unit's assignments (牵头 / 配合), its 督办 (returned requests, 申请销号 / 申请延期, 逾期催办), reporting
record, open problems, trend, its 催报 (list, message, notice), and every unit ranked by 按期办结率."""

import streamlit as st

from lib import charts, dates, plans, portfolio, remind, settings, tables
from lib.escape import for_markdown
from lib.ui import board, login, supervise

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


supervise.settle(login.current_account())  # a request noted by the last run's button, before the workbook is read
state = board.board_sidebar()
snapshot = state.snapshot

st.title("处室")
SCOPE_ALL = "全部方案"
if len(plans.all_plans()) > 1 and st.segmented_control(
        "范围", ["本方案", SCOPE_ALL], default="本方案", key="unit_scope",
        help="「全部方案」列出该处室在每个未归档方案中的分工。") == SCOPE_ALL:
    listed = board.all_plan_figures(state.as_of)
    across = portfolio.units_across(listed).set_index("处室")
    unit = board.linked_selectbox("选择处室", list(across.index), "unit_pick_all", "unit")
    totals = across.loc[unit]
    cards = st.columns(4, border=True)
    cards[0].metric("涉及方案", f"{int(totals['涉及方案'])} 个")
    cards[1].metric("牵头 / 配合", f"{int(totals['牵头任务'])} / {int(totals['配合任务'])} 项")
    cards[2].metric("红灯、黄灯任务", f"{int(totals['红黄灯任务'])} 项")
    cards[3].metric("本期未报送", f"{int(totals['本期未报'])} 项", f"本期应报 {int(totals['本期应报'])} 项",
                    delta_color="off", delta_arrow="off")
    for key, rows in portfolio.unit_in_every_plan(listed, unit).groupby("方案", sort=False):
        st.subheader(f"{for_markdown(rows['方案名称'].iloc[0])}（{for_markdown(key)}）")
        board.show_table(rows.drop(columns=["方案", "方案名称"]), f"unit_all_{key}", f"{unit}_{key}")
    st.stop()
if snapshot.units.empty:
    st.info("当前筛选条件下没有处室。")
    st.stop()
unit = board.linked_selectbox("选择处室", list(snapshot.units["unit"]), "unit_pick", "unit")
row = snapshot.units.set_index("unit").loc[unit]

cards = st.columns(5, border=True)
board.progress_metric(cards[0], "处室进度", row["progress"], row["change"])
cards[1].metric("牵头 / 配合", f"{int(row['lead'])} / {int(row['cooperate'])} 项")
cards[2].metric("已完成分工", f"{int(row['done'])} / {int(row['assignments'])} 项")
rate = "—" if row["required"] == 0 else f"{row['rate']:.1f}%"
cards[3].metric("本期报送率", rate, f"{int(row['reported'])}/{int(row['required'])} 项已报送", delta_color="off", delta_arrow="off")
cards[4].metric("按期办结率", tables.percent_text(row["on_time_rate"]),
                f"{int(row['on_time'])}/{int(row['due'])} 项按期，逾期 {int(row['overdue'])} 项", delta_color="off",
                delta_arrow="off")

tab_titles = [f"牵头任务（{int(row['lead'])}）", f"配合任务（{int(row['cooperate'])}）"]
# Paper shows every tab: one after the other, each under its title.
lead_tab, cooperate_tab = [st.container() for _ in tab_titles] if board.print_mode() else st.tabs(tab_titles)
if board.print_mode():
    lead_tab.subheader(tab_titles[0])
    cooperate_tab.subheader(tab_titles[1])
with lead_tab:
    board.show_table(tables.unit_assignments(snapshot, unit, lead=True), "unit_lead", f"{unit}_牵头任务")
with cooperate_tab:
    board.show_table(tables.unit_assignments(snapshot, unit, lead=False), "unit_cooperate", f"{unit}_配合任务")


supervise.unit_block(state.data.path, state.data.book, unit)
supervise.overdue_block(state.data.path, state.data.book, settings.today(), unit)

reporting = snapshot.reporting
st.subheader(f"本期（{reporting.label}）未报送清单（催报）")
path = state.data.path
reminded = remind.reminded_times(path, reporting).get(unit, 0)
notes = st.columns(2, border=True)
notes[0].metric("报送截止日", dates.chinese_date(remind.deadline(state.book, reporting)))
notes[1].metric("本期已催报", f"{reminded} 次")
reminders = tables.reminder_list(snapshot, unit)
if len(reminders):
    st.code(tables.reminder_text(reminders, reporting.label), language=None)
    board.show_table(reminders, "unit_reminders", f"{unit}_{reporting.code}_未报送清单")
    account = login.current_account()
    if account is None:
        st.caption("生成催报通知须先登录（在「上传更新」页登录）；每次生成都记入催报记录。")
    else:
        message_key = f"remind_message_{path}_{reporting.code}_{unit}"

        def issue_message() -> None:
            messages = remind.issue_messages(path, state.book, snapshot, account.name, [unit], base=board.app_root())
            st.session_state[message_key] = messages.get(unit, "")

        with st.container(horizontal=True):
            st.button("生成催报消息", key="remind_text", on_click=issue_message, icon=":material/sms:")
            st.download_button(
                "下载催报通知（.docx）", lambda: remind.notice_docx(state.book, snapshot, [unit], settings.today()),
                tables.file_name(f"催报通知_{unit}_{reporting.code}") + ".docx", DOCX, key="remind_docx",
                on_click=lambda: remind.record(path, account.name, snapshot, remind.outstanding(snapshot, [unit]), remind.DOCX),
                icon=":material/download:")
        st.caption("生成或下载即记入本方案的催报记录（时间、操作人、处室和任务）。")
        if st.session_state.get(message_key):
            st.code(st.session_state[message_key], language=None)
else:
    st.success("本期应报送的分工均已报送。")

st.subheader("各报送周期报送情况")
board.show_table(board.board_drill(state, "unit_reporting", unit), "unit_reporting", f"{unit}_报送记录")

st.subheader("尚未解决的存在问题")
problems = tables.unit_problems(snapshot, unit)
if len(problems):
    board.show_table(problems, "unit_problems", f"{unit}_存在问题")
else:
    st.success("最近一次填报中没有未完成分工的存在问题。")

st.subheader("处室进度趋势")
board.show_chart(charts.trend_lines(board.board_drill(state, "unit_trend", unit), title=f"{row['label']}进度趋势"), "unit_trend")

st.subheader("各处室按期办结率排名")
st.caption(f"截至{dates.chinese_date(state.as_of)}，按各处室原定完成时限已到期的分工计算，详见「总览」页口径说明。")
board.show_table(tables.on_time_ranking(snapshot), "unit_on_time", f"按期办结率排名_{dates.file_stamp(state.as_of)}")
board.print_link()
