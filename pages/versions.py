"""版本记录: every saved change from the audit log; download any version; an admin may restore one."""

import streamlit as st

from lib import settings, store
from lib.ui import change, login

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

st.title("版本记录")
account = login.require_account()
path = settings.workbook_path()
versions = store.list_versions(path)

if message := change.saved_message("restore"):
    st.success(message)
if versions.empty:
    st.info("尚无保存记录。通过「上传更新」保存后，每次改动都会在此留档，原版本可下载和恢复。")
    st.stop()

shown = versions.assign(版本=versions["hash"].str[:8], 状态=versions["当前"].map({True: "当前版本", False: ""}))
st.dataframe(shown[["时间", "操作人", "操作", "新增", "修改", "删除", "版本", "状态"]], hide_index=True, key="versions")

labels = {f"{row['时间'] or '初始'} {row['操作']}（{row['操作人'] or '—'}，版本 {row['hash'][:8]}）": row
          for row in versions.to_dict("records") if row["文件"] is not None}
picked = st.selectbox("选择版本", list(labels), key="version_pick")
if picked:
    row = labels[picked]
    st.download_button("下载该版本", row["文件"].read_bytes, file_name=f"tasks_{row['hash'][:8]}.xlsx", mime=XLSX,
                       key="dl_version", on_click="ignore")
    if account.is_admin and not row["当前"]:
        st.caption("恢复会把该版本保存为一个新版本并留档，现有版本不会被删除。下面是恢复将带来的改动：")
        restore = store.Change(store.RESTORE, account, upload=row["文件"].read_bytes(), filename=row["文件"].name)
        change.confirm_change("restore", path, restore, settings.today(), is_admin=True,
                                   confirm_label="恢复该版本", check_label="我已核对，确认恢复为该版本",
                                   describe=lambda preview: "已恢复，并记为新版本。")
