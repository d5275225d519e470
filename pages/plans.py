"""全部方案: every plan's headline side by side, the units across plans, and (admins) archiving and unit names."""

import streamlit as st

from lib import charts, dates, plans, portfolio
from lib.escape import for_markdown
from lib.ui import board, login

board.enter_through_app()
as_of = board.date_sidebar()
listed = board.all_plan_figures(as_of)

st.title("全部方案")
st.caption(f"数据截至 {dates.chinese_date(as_of)}。各方案按其自身报送周期计算，较上期为与各自上一报送周期末相比；"
           "点击「查看」打开该方案的总览。")

headline = portfolio.headline_rows(listed)
loaded = [item for item in listed if item.ok]
cards = st.columns(4, border=True)
cards[0].metric("方案数", f"{len(listed)} 个")
cards[1].metric("任务数", f"{int(headline['任务数'].fillna(0).sum())} 项")
cards[2].metric("已完成", f"{int(headline['已完成'].fillna(0).sum())} 项")
cards[3].metric("红灯、黄灯", f"{int(headline['红灯'].fillna(0).sum() + headline['黄灯'].fillna(0).sum())} 项")

st.subheader("各方案落实情况")
linked = headline.assign(查看=[f"{board.plan_link(item.plan)}&d={dates.iso_date(as_of)}" for item in listed])
st.dataframe(linked, hide_index=True, key="plans_headline", column_config={
    "总体进度": st.column_config.ProgressColumn("总体进度", format="%.1f%%", min_value=0, max_value=100),
    "报送率": st.column_config.NumberColumn("报送率", format="%.1f%%"),
    "方案名称": st.column_config.TextColumn("方案名称", width="large"),
    "查看": st.column_config.LinkColumn("查看", display_text="查看总览", width="small"),
})
st.download_button("下载全部方案汇总（Excel）", portfolio.summary_xlsx(listed),
                   file_name=f"全部方案汇总_{dates.file_stamp(as_of)}.xlsx", key="plans_download")
if loaded:
    board.show_chart(charts.section_bars(portfolio.plan_progress(listed), narrow=board.is_phone(),
                                         title="各方案总体进度（浅色为上期末）"), "plans_progress")

st.subheader("各处室在全部方案中的任务")
st.caption("红黄灯任务：处室承担（牵头或配合）的任务中亮红灯、黄灯的项数；本期未报送：本报送周期应报而未报的分工数。")
board.show_table(portfolio.units_across(listed), "plans_units", f"各处室全部方案_{dates.file_stamp(as_of)}")

archived = [plan for plan in plans.all_plans(include_archived=True) if plan.archived]
with st.expander(f"已归档（{len(archived)} 个）", expanded=False):
    if not archived:
        st.caption("没有已归档的方案。")
    for plan in archived:
        st.markdown(f"- [{for_markdown(board.plan_title(plan))}]({board.plan_link(plan)})（{for_markdown(plan.key)}）")

account = login.current_account()
if account is None or not account.is_admin:
    st.stop()
st.subheader("方案管理（管理员）")
for warning in portfolio.unit_name_warnings(listed):
    st.warning(f"处室名称不一致：{warning}请在相应方案的「处室」表中统一，或用下方「处室更名」合并。")


def move(action, key: str) -> None:
    try:
        moved = action(key)
    except plans.PlanError as error:
        st.session_state["plans_notice"] = ("error", str(error))
        return
    done = "已归档" if moved.archived else "已恢复到方案切换列表"
    st.session_state["plans_notice"] = ("success", f"方案「{moved.key}」{done}。")


if notice := st.session_state.pop("plans_notice", None):
    (st.success if notice[0] == "success" else st.error)(notice[1])
active = [item.plan.key for item in listed if not item.plan.default]
left, right = st.columns(2)
with left:
    to_archive = st.selectbox("归档方案", active, key="plans_archive_pick", index=None, placeholder="选择要归档的方案",
                              help="归档后该方案不再出现在方案切换中，仍可在「已归档」中查阅；默认工作簿不能归档。")
    st.button("归档", key="plans_archive", disabled=to_archive is None, on_click=move, args=(plans.archive, to_archive))
with right:
    to_restore = st.selectbox("恢复已归档方案", [plan.key for plan in archived], key="plans_restore_pick", index=None,
                              placeholder="选择已归档的方案")
    st.button("恢复", key="plans_restore", disabled=to_restore is None, on_click=move,
              args=(plans.unarchive, to_restore))
