"""版本记录: every saved change from the audit log; download any version; an admin may restore one."""

import streamlit as st

from lib import settings, store
from lib.escape import for_markdown
from lib.ui import board, change, login

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

st.title("版本记录")
st.caption(f"方案：{for_markdown(board.plan_title(board.current_plan()))}")
account = login.require_account()
path = board.current_plan().path
versions = store.list_versions(path)

if message := change.saved_message("restore"):
    st.success(message)
if versions.empty:
    st.info("尚无保存记录。通过「上传更新」保存后，每次改动都会在此留档，原版本可下载和恢复。")
    st.stop()

# The content hash stays in the table as 校验码 (to match a copy in data/tasks.history/), not as the version's name.
shown = versions.assign(状态=versions["当前"].map({True: "当前版本", False: ""}), 校验码=versions["hash"].str[:8])
st.dataframe(shown[["时间", "操作人", "操作", "新增", "修改", "删除", "状态", "校验码"]], hide_index=True, key="versions")

kept = versions[versions["文件"].notna()]
picked = st.selectbox("选择版本", [int(i) for i in kept.index], key="version_pick",
                      format_func=lambda i: kept.at[i, "名称"] + ("（当前版本）" if kept.at[i, "当前"] else ""))
if picked is not None:
    row = kept.loc[picked]
    st.download_button("下载该版本", row["文件"].read_bytes, file_name=row["下载文件名"], mime=XLSX,
                       key="dl_version", on_click="ignore")
    if account.is_admin and not row["当前"]:
        st.caption("恢复会把该版本保存为一个新版本并留档，现有版本不会被删除。下面是恢复将带来的改动：")
        restore = store.Change(store.RESTORE, account, upload=row["文件"].read_bytes(), filename=row["文件"].name)
        change.confirm_change("restore", path, restore, settings.today(), is_admin=True,
                                   confirm_label="恢复该版本", check_label="我已核对，确认恢复为该版本",
                                   describe=lambda preview: "已恢复，并记为新版本。")
