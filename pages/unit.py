"""处室: one unit's assignments (牵头 / 配合), its 督办 (returned requests, 申请销号 / 申请延期), reporting record,
open problems, trend, and its 催报 (list, message, notice)."""


import datetime as dt

import pandas as pd
import streamlit as st

from lib import charts, dates, plans, portfolio, remind, schema, settings, supervision, tables
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

cards = st.columns(4, border=True)
board.progress_metric(cards[0], "处室进度", row["progress"], row["change"])
cards[1].metric("牵头 / 配合", f"{int(row['lead'])} / {int(row['cooperate'])} 项")
cards[2].metric("已完成分工", f"{int(row['done'])} / {int(row['assignments'])} 项")
rate = "—" if row["required"] == 0 else f"{row['rate']:.1f}%"
cards[3].metric("本期报送率", rate, f"{int(row['reported'])}/{int(row['required'])} 项已报送", delta_color="off", delta_arrow="off")

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


# ---- 督办: the unit's returned requests first, then 申请销号 / 申请延期 for an open assignment ----
SUPERVISE_KEY = "unit_supervise"


def returned_table(events: list[supervision.Event], unit: str):
    return pd.DataFrame([{"任务编号": r.task_id, "申请事项": r.kind, "申请编号": r.event_id, "申请日期": f"{r.date:%Y-%m-%d}",
                          "审核结果": d.kind, "审核日期": f"{d.date:%Y-%m-%d}", "审核人": d.account, "退回意见": d.text}
                         for r, d in supervision.returned(events, unit)])


def open_table(listed, contents: dict[str, str], waiting):
    shown = listed.assign(content=listed["task_id"].map(contents), pending=listed["task_id"].map(
        lambda t: "、".join(f"{k}（{i}）" for i, k in waiting.get(t, []))))
    for name in ("deadline_original", "deadline_effective"):
        shown[name] = shown[name].map(lambda day: supervise.deadline_text(day if isinstance(day, dt.date) else None))
    shown = shown[["task_id", "content", "state", "deadline_original", "deadline_effective", "extensions", "pending"]]
    return shown.rename(columns={"task_id": "任务编号", "content": "任务内容", "state": "督办状态", "deadline_original": "原定时限",
                                 "deadline_effective": "调整后时限", "extensions": "延期次数", "pending": "待审核申请"})


def request_forms(task_id: str, deadline: dt.date | None) -> None:
    path = state.data.path
    sign_off, extend = st.columns(2, border=True)
    with sign_off, st.form(f"sv_signoff_{task_id}", border=False):
        st.markdown("**申请销号**")
        st.text_area("办结说明", key=f"sv_note_{task_id}", help="已完成的工作：做了什么、取得什么成效。")
        st.text_input("佐证材料", key=f"sv_evidence_{task_id}", help="文号、链接或文件名。")
        st.form_submit_button("提交销号申请", key=f"sv_signoff_go_{task_id}", on_click=supervise.note, args=(
            SUPERVISE_KEY, path, supervise.request_builder("销号", task_id, unit),
            {"reason": f"sv_note_{task_id}", "evidence": f"sv_evidence_{task_id}"},
            (f"sv_note_{task_id}", f"sv_evidence_{task_id}")))
    with extend, st.form(f"sv_extend_{task_id}", border=False):
        st.markdown(f"**申请延期**（现完成时限：{supervise.deadline_text(deadline)}）")
        st.text_area("延期理由及目前进展", key=f"sv_reason_{task_id}")
        st.date_input("申请完成时限", value=(deadline or settings.today()) + dt.timedelta(days=90),
                      key=f"sv_until_{task_id}", format="YYYY-MM-DD")
        st.form_submit_button("提交延期申请", key=f"sv_extend_go_{task_id}", on_click=supervise.note, args=(
            SUPERVISE_KEY, path, supervise.request_builder("延期", task_id, unit),
            {"reason": f"sv_reason_{task_id}", "until": f"sv_until_{task_id}"}, (f"sv_reason_{task_id}",)))


def supervision_block() -> None:
    st.subheader("督办：申请销号与延期")
    supervise.show_outcome(SUPERVISE_KEY)
    book, today = state.data.book, settings.today()
    events = supervision.events_of(book.supervision)
    sent_back = returned_table(events, unit)
    if len(sent_back):
        st.warning(f"有 {len(sent_back)} 项申请被退回或未获同意，请按意见补充后重新申请：")
        st.dataframe(sent_back, hide_index=True, key="unit_returned")
    listed = supervision.open_assignments(book, unit, today)
    if listed.empty:
        st.success("本处室的分工均已销号。")
        return
    waiting: dict[str, list] = {}
    for request in supervision.pending(events, today).itertuples():
        if request.unit == unit or request.kind == schema.KIND_EXTENSION_REQUEST:
            waiting.setdefault(request.task_id, []).append((request.event_id, request.kind))
    account = login.current_account()
    if account is None:
        st.caption("申请销号、延期须先登录（在「上传更新」页登录）。")
        return
    if not account.may_report_for(unit):
        st.caption(f"您的账号不负责{for_markdown(unit)}，不能代其申请销号或延期。")
        return
    contents = dict(zip(book.tasks["task_id"], book.tasks["content"]))
    st.caption("按今天的办理状态列出尚未销号的分工（被退回的在前），不受「数据截至」日期影响。")
    st.dataframe(open_table(listed, contents, waiting), hide_index=True, key="unit_open_assignments")
    states = dict(zip(listed["task_id"], listed["state"]))
    if st.session_state.get("sv_task_pick") not in states:  # signed off since: the picker starts again
        st.session_state.pop("sv_task_pick", None)
    task_id = st.selectbox("选择要申请的任务", list(listed["task_id"]), key="sv_task_pick",
                           format_func=lambda t: f"任务{t}：{contents.get(t, '')[:40]}")
    st.caption(f"督办状态：{states[task_id]}")
    request_forms(task_id, supervision.deadlines(book, task_id, today).effective)


supervision_block()

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
board.print_link()
