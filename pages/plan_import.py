"""方案导入 (admins): a notice read, corrected in editors, and saved as a new plan or as the current plan revised."""

import streamlit as st

from lib import intake as notices
from lib import plan_draft, plan_update, plans, schema, settings, store, tables
from lib.ui import board, change, chrome, intake, login

NEW_PLAN = "作为新方案保存（方案库中新增一个方案，现有方案不变）"
UPDATE_PLAN = "更新当前方案（保留进展，进展随任务改号）"

st.title("方案导入")
account = login.require_account()
if not account.is_admin:
    st.warning("方案导入仅限管理员使用，如需导入新的分工方案，请联系管理员。")
    st.stop()
today = settings.today()
shown = board.load_board().data
# An update needs a valid plan to keep, and an archived plan is read-only.
current = shown.book if shown is not None and not shown.stale and not board.current_plan().archived else None
round_no = st.session_state.get("import_round", 0)  # a new round after each save starts with an empty page


def next_round() -> None:
    st.session_state["import_round"] = round_no + 1
    st.session_state.pop("import_pasted", None)
    st.session_state["import_saved_plan"] = new_key




def keep_pasted() -> None:
    st.session_state["import_pasted"] = st.session_state.get(f"import_text_{round_no}", "")


if message := change.saved_message("plan_import"):
    st.success(message)
    saved = plans.find(st.session_state.pop("import_saved_plan", "") or board.current_plan().key)
    if saved is not None:
        st.markdown(f"[查看该方案总览]({board.plan_link(saved)})")

st.subheader("一、选择通知")
st.caption("可上传 Word（.docx；.doc、.wps 需服务器装有 LibreOffice）、带文字层的 PDF 或文本文件，"
           "也可粘贴政府网站上的通知全文。识别结果在保存前均可修改。")
how = st.radio("导入方式", ["上传通知文件", "粘贴通知文本"], horizontal=True, key="import_how")
imported, data, source_name = None, b"", "粘贴文本"
if how == "上传通知文件":
    notice = st.file_uploader("选择分工方案通知", type=[s.lstrip(".") for s in notices.SUFFIXES],
                              key=f"{chrome.NOTICE_UPLOADER_KEY}_{round_no}")
    if notice is not None:
        data, source_name = notice.getvalue(), notice.name
        imported = intake.parsed("import_parsed", data, source_name)
else:
    st.text_area("粘贴通知全文", height=220, key=f"import_text_{round_no}")
    st.button("识别粘贴的文本", key="import_read", on_click=keep_pasted)
    if pasted := st.session_state.get("import_pasted", "").strip():
        data = pasted.encode("utf-8")
        imported = intake.parsed("import_parsed", data, pasted=True)
if imported is None:
    st.stop()

editors = f"import_{round_no}_{intake.digest(data)}"  # fresh editors for each notice
st.subheader("二、核对识别结果")
draft, renames = intake.edit_draft(imported, editors, current.units if current is not None else None)

st.subheader("三、保存方式与方案设置")
modes = [NEW_PLAN, UPDATE_PLAN] if current is not None else [NEW_PLAN]
updating = st.radio("保存方式", modes, key="import_mode",
                    help=f"当前方案：{board.plan_title(board.current_plan())}") == UPDATE_PLAN
new_key = ""
if not updating:
    new_key = st.text_input("方案简称", value=plans.suggest_key(str(imported.plan.get(schema.PLAN_NAME, "")) or source_name),
                            key=f"{editors}_key", max_chars=40,
                            help="用于方案切换、链接地址（?plan=）和文件名，保存后不可修改。").strip()
    try:
        path = plans.new_plan_path(new_key)
    except plans.PlanError as error:
        st.error(str(error))
        st.stop()
else:
    path = board.current_plan().path
defaults = plan_draft.plan_values(imported.plan, current.plan if updating and current is not None else None)
draft.plan = plan_draft.plan_from_values(intake.plan_form(defaults, f"{editors}_{'update' if updating else 'new'}"))

st.subheader("四、核对改动并保存")
check_label = ""
if updating and current is not None:
    st.markdown("**原任务与新任务的对应**（按任务文字自动匹配，可在「新编号」列修改；留空表示该任务在新方案中没有对应）")
    proposal = intake.proposed_mapping(current.tasks, draft.tasks, "import_proposal")
    mapping = intake.edit_mapping(proposal, list(draft.tasks["task_id"]), f"{editors}_mapping")
    carried = plan_update.carry_reports(current.updates, mapping, draft.tasks, draft.units, renames)
    st.info(f"现有 {len(current.updates)} 条进展记录：{len(carried.kept)} 条保留，其中 {carried.moved} 条随任务改号或处室改名；"
            f"{len(carried.orphaned)} 条因任务或处室在新方案中不存在而不再保留。"
            "下方预览中，改号的记录按原编号列为删除、按新编号列为新增。")
    if len(carried.orphaned):
        st.warning("以下进展记录对应的任务或处室在新方案中已不存在，保存后不再保留（原版本完整存入版本记录，可下载或恢复）：")
        st.dataframe(tables.labelled(carried.orphaned), hide_index=True, key=f"{editors}_orphaned")
        check_label = f"我已核对：以上 {len(carried.orphaned)} 条进展记录不再保留"
    upload = plan_draft.draft_bytes(draft, carried.kept)
else:
    st.info(f"将在方案库中新增方案「{new_key}」（{draft.summary()}，进展为空），文件 {path.name}；现有方案均不受影响。")
    upload = plan_draft.draft_bytes(draft)
label = "方案导入（更新方案）" if updating else "方案导入（新方案）"
change.confirm_change("plan_import", path,
                      store.Change(store.REPLACE, account, upload=upload, filename=source_name, label=label),
                      today, is_admin=True, confirm_label="确认保存", check_label=check_label,
                      describe=lambda preview: f"已保存方案：{draft.summary()}。"
                      + ("原工作簿已存入版本记录。" if updating else f"新方案「{new_key}」已加入方案库。"),
                      on_saved=next_round)
