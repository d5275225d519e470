"""上传更新: download a template, upload it, check it, preview what changes (plan by plan), confirm."""

import streamlit as st

from lib import dates, plan_upload, plans, settings, store, tables, template
from lib.escape import for_markdown
from lib.ui import board, change, login

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

st.title("上传更新")
account = login.require_account()
# The plan this page acts on (uploads without a 方案 column, the full workbook, deletions): the switcher's.
plan = board.current_plan()
path = plan.path
if len(plans.all_plans()) > 1:
    st.caption(f"当前方案：{for_markdown(board.plan_title(plan))}。填报模板含您在全部方案中的未完成分工，"
               "上传时按「方案」列分别保存到各方案。")
if plan.archived:
    st.info("当前方案已归档，仅供查阅，不再接受上传。请在侧栏「方案」中选择未归档的方案。")
    st.stop()
data = board.load_board().data
current = path.read_bytes() if path.exists() else None
today = settings.today()

st.subheader("一、下载填报模板")
if data is not None:
    # Built only when clicked (a callable with on_click="ignore"), not on every rerun; it covers every plan.
    st.download_button("下载本处室填报模板（.xlsx）", lambda: plan_upload.template_for(account, today),
                       file_name=f"填报模板_{account.name}_{dates.file_stamp(today)}.xlsx", mime=XLSX, key="dl_template",
                       on_click="ignore")
    st.caption("模板列出尚未销号的分工（被退回的在前）。申请销号或延期的，在该行「申请事项」下拉选择，「进展情况」即办结说明"
               "或延期理由；延期须填「申请完成时限」。保存后申请转入督办审核。"
               + ("本方案实行销号审核：完成进度填报为 100 的分工，保存时自动申请销号。" if data.book.plan.sign_off_review else ""))
if account.is_admin:
    cols = st.columns(2)
    if current is not None:
        cols[0].download_button("下载完整工作簿", current, file_name=path.name, mime=XLSX, key="dl_full",
                                on_click="ignore")
    cols[1].download_button("下载空白模板（全部工作表）", template.empty_template, file_name="空白模板.xlsx",
                            mime=XLSX, key="dl_empty", on_click="ignore")

st.subheader("二、上传并核对")
if message := change.saved_message("upload"):
    st.success(message)
    st.markdown("[查看总览（已按新版本显示）](./)")  # static text: the board's front page
mode = store.MERGE
if account.is_admin:
    choice = st.radio("上传方式", ["合并（新增或更新，不删除）", "整体替换（以上传文件为准）"], horizontal=True, key="mode")
    mode = store.REPLACE if choice.startswith("整体替换") else store.MERGE
# A new key after each save: the next upload starts with an empty uploader.
round_key = f"upload_file_{st.session_state.get('upload_round', 0)}"
uploaded = st.file_uploader("选择填写好的工作簿", type=["xlsx"], key=round_key)


def next_round() -> None:
    st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1


if uploaded is not None:
    st.subheader("三、确认保存")
    change.confirm_change("upload", path, store.Change(mode, account, uploaded.getvalue(), uploaded.name), today,
                          is_admin=account.is_admin, confirm_label="确认保存", describe=change.saved_counts,
                          on_saved=next_round)

if account.is_admin and current is not None and data is not None and not data.stale:
    deleted = change.saved_message("delete")
    pick_key = f"delete_pick_{st.session_state.get('delete_round', 0)}"  # a new picker after each deletion
    with st.expander("删除进展记录（管理员）", expanded=bool(deleted or st.session_state.get(pick_key))):
        if deleted:
            st.success(deleted)
        choices = tables.update_choices(data.book)
        picked = st.multiselect("选择要删除的记录", list(choices), key=pick_key)
        if picked:
            delete = store.Change(store.DELETE, account, delete_keys=tuple(choices[p] for p in picked))
            change.confirm_change(
                "delete", path, delete, today, is_admin=True, confirm_label="删除",
                check_label="我已核对，确认删除以上记录",
                describe=lambda preview: f"已删除 {preview.counts['removed']} 条记录。原版本已存入版本记录。",
                on_saved=lambda: st.session_state.update(delete_round=st.session_state.get("delete_round", 0) + 1))
