"""The change adapter: what an upload, deletion or restore would do, shown, then saved exactly as shown.

One flow serves upload, delete and restore (``confirm_change``):

1. the preview is built against the file on disk and kept in the session as *the preview shown*;
2. the confirm button notes the click; the next run saves that very preview first, before anything
   is recomputed, so a click can never save a preview that was recomputed after it (each step is shown);
3. if the workbook changed since it was shown, nothing is saved: the page builds the new preview,
   says why, and the person confirms again.

An upload whose 进展 rows name their plans (a 方案 column, ``lib.plan_upload``) is previewed plan by plan, each
under its own heading, and one confirm saves every plan or none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from lib import escape, plan_upload, store, supervision, tables
from lib.plans import Plan
from lib.ui import login

CHANGED_MEANWHILE = "共享工作簿在您预览之后已被他人更新，以下预览已按最新版本重新生成，请核对后再次确认。"
NO_CHANGES = "与现有数据一致，没有需要保存的变化。"


def _show_problems(problems: list, key: str) -> None:
    """The count of errors and warnings, and the problems as a table (errors first)."""
    if problems:
        errors = sum(p.is_error for p in problems)
        (st.error if errors else st.warning)(
            f"发现 {errors} 个错误、{len(problems) - errors} 个警告。" + ("有错误时不能保存，请修改后重新上传。" if errors else ""))
        st.dataframe(tables.problems_table(problems), hide_index=True, key=f"{key}_problems")


def show_preview(preview, is_admin: bool, key: str = "preview") -> None:
    """What a change would do: problems (errors first), notes, counts, the rows added, changed and removed,
    任务/处室/方案 changes (admin) and how progress moves."""
    _show_problems(preview.problems, key)
    for note in preview.notes:
        st.info(note)
    if not preview.ready:
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
    if counts.get("supervision"):
        events = supervision.events_of(preview.supervision_added)
        asked = all(event.is_request for event in events)
        st.markdown("**本次提出的申请**（保存后转督办审核）" if asked else "**本次新增的督办记录**")
        st.dataframe(supervision.event_table(events).drop(columns=["批准完成时限", "对应申请"] if asked else []),
                     hide_index=True, key=f"{key}_supervision")
    if is_admin and counts["other"]:
        st.markdown("**方案、处室、任务的改动**")
        st.dataframe(preview.other_changes, hide_index=True, key=f"{key}_other")
    st.markdown("**保存后进度的变化（百分比）**")
    shown = tables.moved_rows(preview.movement) if preview.has_changes else preview.movement.head(1)
    st.dataframe(shown, hide_index=True, key=f"{key}_movement")


def _request_id(change: store.Change) -> tuple:
    """What identifies a request across reruns: the same file, rows and person ask for the same change."""
    upload = hashlib.sha256(change.upload).hexdigest() if change.upload is not None else ""
    return change.kind, change.label, change.account.name, upload, change.delete_keys


def _confirmed(key: str) -> None:
    """The confirm button's callback: note the click. The save itself runs at the top of the next run,
    before anything is recomputed, on the preview the person saw, with its steps shown."""
    st.session_state[f"{key}_confirmed"] = True


def plan_heading(part: plan_upload.PlanPreview) -> str:
    """方案名称（key）, or the key alone, as Markdown text."""
    label = f"{part.name}（{part.plan.key}）" if part.name and part.name != part.plan.key else part.plan.key
    return escape.for_markdown(label)


def show_upload(shown: plan_upload.UploadPreview, is_admin: bool, key: str) -> None:
    """An upload's preview: one plan as ``show_preview`` shows it; several, each under a heading with its name."""
    if not shown.split:
        show_preview(shown.plans[0].preview, is_admin, key=key)
        if shown.ok and not shown.has_changes:
            st.info(NO_CHANGES)
        return
    listed = "、".join(escape.for_markdown(part.plan.key) for part in shown.plans) or "无"
    st.info(f"上传文件按「方案」列分 {len(shown.plans)} 个方案（{listed}）分别核对；确认后各方案一并保存，"
            "任一方案有错误时均不保存。")
    _show_problems(shown.problems, key)
    for index, part in enumerate(shown.plans):
        st.markdown(f"#### 方案：{plan_heading(part)}")
        show_preview(part.preview, is_admin, key=f"{key}_{index}")
        if part.preview.ok and not part.preview.has_changes:
            st.info(NO_CHANGES)


def _described(shown: plan_upload.UploadPreview, describe: Callable[[store.Preview], str]) -> str:
    """What a save did, in words: ``describe`` of the one preview, or of each plan saved, under its name."""
    if not shown.split:
        return describe(shown.plans[0].preview)
    return "\n\n".join(f"**{plan_heading(part)}**：{describe(part.preview)}"
                        for part in shown.plans if part.preview.has_changes)


def _save_shown(key: str, describe: Callable[[store.Preview], str], on_saved: Callable[[], None] | None) -> None:
    """Save the preview the person saw, showing each step; afterwards the page starts again from the result."""
    shown: plan_upload.UploadPreview = st.session_state[f"{key}_shown"][1]
    account = login.current_account()
    if account is None or account.name != shown.change.account.name:  # a changed or removed account saves nothing
        st.session_state.pop(f"{key}_shown", None)
        return
    with st.status("正在保存……", expanded=False) as status:
        result = plan_upload.save_upload(shown, progress=lambda step: status.update(label=f"{step}……"))
        status.update(label=result.message, state="complete" if result.saved else "error")
    if result.saved:
        st.session_state.pop(f"{key}_shown", None)
        st.session_state[f"{key}_saved"] = _described(shown, describe)
        if on_saved is not None:
            on_saved()
        st.rerun()  # the result alone, on a page that starts clean
    elif result.stale:
        st.session_state.pop(f"{key}_shown", None)  # rebuilt against the newer file below
        st.session_state[f"{key}_notice"] = CHANGED_MEANWHILE
    else:
        st.session_state[f"{key}_notice"] = result.message


def saved_counts(preview: store.Preview) -> str:
    counts = preview.counts
    asked = f"；提出申请 {counts['supervision']} 项，待督办审核" if counts.get("supervision") else ""
    return (f"已保存：新增 {counts['added']} 条，修改 {counts['changed']} 条，删除 {counts['removed']} 条{asked}。"
            "原版本已存入版本记录。")


def saved_message(key: str) -> str | None:
    """What the last confirm of ``key`` saved, once (then the page starts clean)."""
    return st.session_state.pop(f"{key}_saved", None)


def confirm_change(key: str, path: Path, change: store.Change, today: dt.date, *, is_admin: bool,
                   confirm_label: str, describe: Callable[[store.Preview], str], check_label: str = "",
                   on_saved: Callable[[], None] | None = None) -> None:
    """Preview ``change`` against the workbook at ``path``, and a confirm button that saves exactly that preview.

    An upload whose 进展 rows name their plans is previewed against each plan's workbook instead
    (``plan_upload.preview_upload``), and the button saves them all or none. ``describe`` words what a saved
    preview did, for ``saved_message``; ``check_label`` adds a box to tick before the button works (delete, restore).
    """
    if st.session_state.pop(f"{key}_confirmed", False) and f"{key}_shown" in st.session_state:
        _save_shown(key, describe, on_saved)
    request = (*_request_id(change), str(path))  # the same change asked of another plan is another request
    kept = st.session_state.get(f"{key}_shown")
    if kept is None or kept[0] != request or not kept[1].is_current():
        if kept is not None and kept[0] == request:
            st.session_state[f"{key}_notice"] = CHANGED_MEANWHILE
        with st.status("正在核对……", expanded=False) as status:
            built = plan_upload.preview_upload(change, Plan(path.stem, path), today,
                                               progress=lambda step: status.update(label=f"{step}……"))
            status.update(label="核对完成", state="complete" if built.ok else "error")
        kept = (request, built)
        st.session_state[f"{key}_shown"] = kept
    shown: plan_upload.UploadPreview = kept[1]
    if notice := st.session_state.pop(f"{key}_notice", None):
        st.warning(notice)
    show_upload(shown, is_admin, key)
    ticked = st.checkbox(check_label, key=f"{key}_ok") if check_label else True
    st.button(confirm_label, type="primary", key=f"{key}_go", on_click=_confirmed, args=(key,),
              disabled=not (ticked and shown.ok and shown.has_changes))
