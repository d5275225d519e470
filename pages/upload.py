"""上传更新: download a template, upload it, check it, preview what changes, confirm."""

import hashlib

import streamlit as st

from lib import store, template, ui

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

st.title("上传更新")
account = ui.require_account()
path = ui.workbook_path()
data = ui.load_board()
current = path.read_bytes() if path.exists() else None
today = ui.today()

st.subheader("一、下载填报模板")
if data is not None:
    units = list(data.book.units["unit"]) if account.is_admin else list(account.units)
    st.download_button("下载本处室填报模板（.xlsx）",
                       template.reporter_template(data.book, units, account.name, today),
                       file_name=f"填报模板_{account.name}_{today:%Y%m%d}.xlsx", mime=XLSX, key="dl_template")
if account.is_admin:
    cols = st.columns(2)
    if current is not None:
        cols[0].download_button("下载完整工作簿", current, file_name=path.name, mime=XLSX, key="dl_full")
    cols[1].download_button("下载空白模板（全部工作表）", template.empty_template(), file_name="空白模板.xlsx",
                            mime=XLSX, key="dl_empty")

st.subheader("二、上传并核对")
mode = store.MERGE
if account.is_admin:
    choice = st.radio("上传方式", ["合并（新增或更新，不删除）", "整体替换（以上传文件为准）"], horizontal=True, key="mode")
    mode = store.REPLACE if choice.startswith("整体替换") else store.MERGE
uploaded = st.file_uploader("选择填写好的工作簿（仅限 .xlsx）", type=["xlsx"], key="upload_file")

if uploaded is not None:
    upload_bytes = uploaded.getvalue()
    change = store.Change(mode, account.name, account.is_admin, account.units, upload_bytes, uploaded.name)
    request_id = (hashlib.sha256(upload_bytes).hexdigest(), mode, account.name)
    if st.session_state.get("preview_for") != request_id:
        st.session_state["preview_for"] = request_id
        st.session_state["preview"] = store.preview(current, change, today)
    preview: store.Preview = st.session_state["preview"]

    if preview.problems:
        errors = len(preview.errors)
        (st.error if errors else st.warning)(
            f"发现 {errors} 个错误、{len(preview.problems) - errors} 个警告。" + ("有错误时不能保存，请修改后重新上传。" if errors else ""))
        st.dataframe(ui.problems_table(preview.problems), hide_index=True, key="problems")
    if preview.merged is not None:
        counts = preview.counts
        cols = st.columns(4)
        cols[0].metric("新增记录", counts["added"])
        cols[1].metric("修改记录", counts["changed"])
        cols[2].metric("未变记录", preview.unchanged)
        cols[3].metric("删除记录", counts["removed"])
        if counts["added"]:
            st.markdown("**新增的进展记录**")
            st.dataframe(store.labelled(preview.added), hide_index=True, key="added")
        if counts["changed"]:
            st.markdown("**修改的进展记录（原值与新值对照）**")
            st.dataframe(store.labelled(preview.changed), hide_index=True, key="changed")
        if counts["removed"]:
            st.markdown("**将被删除的进展记录**")
            st.dataframe(store.labelled(preview.removed), hide_index=True, key="removed")
        if account.is_admin and counts["other"]:
            st.markdown("**方案、处室、任务的改动**")
            st.dataframe(preview.other_changes, hide_index=True, key="other")
        st.markdown("**保存后进度的变化（百分比）**")
        moved = preview.movement
        st.dataframe(moved[moved["变化"].fillna(1) != 0] if preview.has_changes else moved.head(1),
                     hide_index=True, key="movement")

    st.subheader("三、确认保存")
    if not preview.has_changes and preview.ok:
        st.info("上传文件与现有数据一致，没有需要保存的变化。")
    if st.button("确认保存", type="primary", disabled=not (preview.ok and preview.has_changes), key="confirm"):
        result = store.save(path, change, expected_hash=preview.base_hash, today=today)
        if result.saved:
            st.session_state.pop("preview_for", None)
            st.session_state["saved_message"] = (
                f"已保存：新增 {result.preview.counts['added']} 条，修改 {result.preview.counts['changed']} 条，"
                f"删除 {result.preview.counts['removed']} 条。原版本已存入版本记录。")
        else:
            st.session_state["preview"] = result.preview
            st.session_state["save_warning"] = result.message
        st.rerun()

if message := st.session_state.pop("saved_message", None):
    st.success(message)
    st.caption("看板各页面已按新版本显示，可在左侧「总览」查看最新进度。")
if message := st.session_state.pop("save_warning", None):
    st.warning(message)

if account.is_admin and current is not None:
    with st.expander("删除进展记录（管理员）"):
        choices = store.update_choices(current)
        picked = st.multiselect("选择要删除的记录", list(choices), key="delete_pick")
        if picked:
            st.warning(f"以下 {len(picked)} 条记录将被删除（原版本仍保存在版本记录中，可恢复）：")
            st.dataframe({"将删除的记录": picked}, hide_index=True, key="delete_list")
            if st.checkbox("我已核对，确认删除以上记录", key="delete_ok") and st.button("删除", key="delete_go"):
                delete = store.Change(store.DELETE, account.name, True, delete_keys=tuple(choices[p] for p in picked))
                result = store.save(path, delete, today=today)
                st.session_state["saved_message" if result.saved else "save_warning"] = (
                    f"已删除 {len(picked)} 条记录。" if result.saved else result.message)
                st.rerun()
