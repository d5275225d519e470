"""The change adapter: what an upload, deletion or restore would do, shown before it is saved."""

from __future__ import annotations

import streamlit as st

from lib import tables


def show_preview(preview, is_admin: bool, key: str = "preview") -> None:
    """What a change would do: problems (errors first), notes, counts, the rows added, changed and removed,
    任务/处室/方案 changes (admin) and how progress moves."""
    if preview.problems:
        errors = len(preview.errors)
        (st.error if errors else st.warning)(
            f"发现 {errors} 个错误、{len(preview.problems) - errors} 个警告。" + ("有错误时不能保存，请修改后重新上传。" if errors else ""))
        st.dataframe(tables.problems_table(preview.problems), hide_index=True, key=f"{key}_problems")
    for note in preview.notes:
        st.info(note)
    if preview.merged is None:
        return
    counts = preview.counts
    cols = st.columns(4)
    cols[0].metric("新增记录", counts["added"])
    cols[1].metric("修改记录", counts["changed"])
    cols[2].metric("未变记录", preview.unchanged)
    cols[3].metric("删除记录", counts["removed"])
    sections = [("added", "**新增的进展记录**"), ("changed", "**修改的进展记录（原值与新值对照）**"),
                ("removed", "**将被删除的进展记录**（原版本仍存入版本记录，可恢复）")]
    for name, title in sections:
        if counts[name]:
            st.markdown(title)
            st.dataframe(tables.labelled(getattr(preview, name)), hide_index=True, key=f"{key}_{name}")
    if is_admin and counts["other"]:
        st.markdown("**方案、处室、任务的改动**")
        st.dataframe(preview.other_changes, hide_index=True, key=f"{key}_other")
    st.markdown("**保存后进度的变化（百分比）**")
    shown = tables.moved_rows(preview.movement) if preview.has_changes else preview.movement.head(1)
    st.dataframe(shown, hide_index=True, key=f"{key}_movement")
