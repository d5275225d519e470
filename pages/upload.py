"""上传更新: download a template, upload it, check it, preview what changes, confirm."""

import hashlib

import streamlit as st

from lib import settings, store, tables, template
from lib.ui import board, login
from lib.ui import change as change_view  # "change" is this page's store.Change

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

st.title("上传更新")
account = login.require_account()
path = settings.workbook_path()
data = board.load_board().data
current = path.read_bytes() if path.exists() else None
current_id = store.content_hash(current) if current is not None else ""
today = settings.today()

st.subheader("一、下载填报模板")
if data is not None:
    units = list(data.book.units["unit"]) if account.is_admin else list(account.units)
    # Built only when clicked (a callable with on_click="ignore"), not on every rerun.
    st.download_button("下载本处室填报模板（.xlsx）",
                       lambda: template.reporter_template(data.book, units, account.name, today),
                       file_name=f"填报模板_{account.name}_{today:%Y%m%d}.xlsx", mime=XLSX, key="dl_template",
                       on_click="ignore")
if account.is_admin:
    cols = st.columns(2)
    if current is not None:
        cols[0].download_button("下载完整工作簿", current, file_name=path.name, mime=XLSX, key="dl_full",
                                on_click="ignore")
    cols[1].download_button("下载空白模板（全部工作表）", template.empty_template, file_name="空白模板.xlsx",
                            mime=XLSX, key="dl_empty", on_click="ignore")

st.subheader("二、上传并核对")
mode = store.MERGE
if account.is_admin:
    choice = st.radio("上传方式", ["合并（新增或更新，不删除）", "整体替换（以上传文件为准）"], horizontal=True, key="mode")
    mode = store.REPLACE if choice.startswith("整体替换") else store.MERGE
uploaded = st.file_uploader("选择填写好的工作簿（仅限 .xlsx）", type=["xlsx"], key="upload_file")

if uploaded is not None:
    upload_bytes = uploaded.getvalue()
    change = store.Change(mode, account, upload_bytes, uploaded.name)
    request_id = (hashlib.sha256(upload_bytes).hexdigest(), mode, account.name, current_id)
    if st.session_state.get("preview_for") != request_id:
        st.session_state["preview_for"] = request_id
        st.session_state["preview"] = store.preview(current, change, today)
    preview: store.Preview = st.session_state["preview"]
    change_view.show_preview(preview, account.is_admin)

    st.subheader("三、确认保存")
    if not preview.has_changes and preview.ok:
        st.info("上传文件与现有数据一致，没有需要保存的变化。")
    if st.button("确认保存", type="primary", disabled=not (preview.ok and preview.has_changes), key="confirm"):
        result = store.save(path, preview)
        if result.saved:
            st.session_state.pop("preview_for", None)
            st.session_state["saved_message"] = (
                f"已保存：新增 {result.preview.counts['added']} 条，修改 {result.preview.counts['changed']} 条，"
                f"删除 {result.preview.counts['removed']} 条。原版本已存入版本记录。")
        else:
            st.session_state.pop("preview_for", None)  # rebuilt against the current file on the rerun
            st.session_state["save_warning"] = result.message
        st.rerun()

if message := st.session_state.pop("saved_message", None):
    st.success(message)
    st.caption("看板各页面已按新版本显示，可在左侧「总览」查看最新进度。")
if message := st.session_state.pop("save_warning", None):
    st.warning(message)

if account.is_admin and current is not None and data is not None and not data.stale:
    with st.expander("删除进展记录（管理员）"):
        choices = tables.update_choices(data.book)
        picked = st.multiselect("选择要删除的记录", list(choices), key="delete_pick")
        if picked:
            delete = store.Change(store.DELETE, account, delete_keys=tuple(choices[p] for p in picked))
            delete_id = (tuple(picked), current_id)
            if st.session_state.get("delete_for") != delete_id:
                st.session_state["delete_for"] = delete_id
                st.session_state["delete_preview"] = store.preview(current, delete, today)
            delete_preview: store.Preview = st.session_state["delete_preview"]
            change_view.show_preview(delete_preview, True, key="delete")
            confirmed = st.checkbox("我已核对，确认删除以上记录", key="delete_ok")
            if st.button("删除", key="delete_go", disabled=not (confirmed and delete_preview.ok)):
                result = store.save(path, delete_preview)
                removed = delete_preview.counts["removed"]
                st.session_state["saved_message" if result.saved else "save_warning"] = (
                    f"已删除 {removed} 条记录。原版本已存入版本记录。" if result.saved else result.message)
                st.session_state.pop("delete_for", None)
                st.rerun()
