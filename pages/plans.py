"""全部方案: every plan's headline side by side, the units across plans, and (admins) archiving and unit names."""

import pandas as pd
import streamlit as st

from lib import charts, dates, plans, portfolio, settings, store, tables, unit_rename
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
if board.print_mode():  # paper: every row, as text
    st.table(headline)
else:
    st.dataframe(linked, hide_index=True, key="plans_headline", column_config={
        "总体进度": st.column_config.ProgressColumn("总体进度", format="%.1f%%", min_value=0, max_value=100),
        "报送率": st.column_config.NumberColumn("报送率", format="%.1f%%"),
        "按期办结率": st.column_config.NumberColumn("按期办结率", format="%.1f%%"),
        "方案名称": st.column_config.TextColumn("方案名称", width="large"),
        "查看": st.column_config.LinkColumn("查看", display_text="查看总览", width="small"),
    })
st.download_button("下载全部方案汇总（Excel）", lambda: portfolio.summary_xlsx(listed), on_click="ignore",
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

board.print_link()
account = login.current_account()
if account is None or not account.is_admin or board.print_mode():
    st.stop()
st.subheader("方案管理（管理员）")
for warning in portfolio.unit_name_warnings(listed):
    st.warning(f"处室名称不一致：{for_markdown(warning)}请在相应方案的「处室」表中统一，或用下方「处室更名」合并。")


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

st.markdown("**处室更名（机构改革）**")
st.caption("把一个处室的名称在全部未归档方案中改为新名称；新名称已存在时即为合并。进展记录随之改到新名称下，"
           "此前保存的版本仍保留原名称。各方案一并保存，任一方案未通过校验则全部不保存。")
every_unit = sorted(set(portfolio.assignments_across(listed)["unit"]) | {
    unit for item in listed if item.book is not None for unit in item.book.units["unit"]})
old = st.selectbox("原处室名称", every_unit, index=None, key="rename_old", placeholder="选择处室")
new = st.text_input("新处室名称", key="rename_new", max_chars=60).strip()
if message := st.session_state.pop("rename_saved", None):
    st.success(message)
if old and new:
    try:
        pending = unit_rename.rename_previews(old, new, account, settings.today())
    except plans.PlanError as error:
        st.error(str(error))
        st.stop()
    rows = [{"方案": path.stem, **{label: preview.counts[name] for name, label in
                                 (("added", "新增"), ("changed", "修改"), ("removed", "删除"), ("other", "其他改动"))},
             "错误": len(preview.errors)} for path, preview in pending]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="rename_preview")
    for path, preview in pending:
        if preview.errors:
            st.error(f"方案「{path.stem}」更名后未通过校验，不能保存：")
            st.dataframe(tables.problems_table(preview.errors), hide_index=True, key=f"rename_errors_{path.stem}")
    ready = all(preview.ok for _, preview in pending)
    checked = st.checkbox(f"我已核对：将“{old}”更名为“{new}”，涉及 {len(pending)} 个方案", key="rename_ok")
    if st.button("确认更名", type="primary", key="rename_go", disabled=not (ready and checked)):
        with st.status("正在保存各方案……", expanded=False) as status:
            result = store.save_all(pending, progress=lambda step: status.update(label=f"{step}……"))
            status.update(label=result.message, state="complete" if result.saved else "error")
        if result.saved:
            st.session_state["rename_saved"] = f"已将“{old}”更名为“{new}”，{len(result.hashes)} 个方案已保存，原版本已存入各方案的版本记录。"
            for key in ("rename_old", "rename_new", "rename_ok"):
                st.session_state.pop(key, None)
            st.rerun()
        st.error(result.message)
