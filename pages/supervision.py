"""督办审核 (admins): the requests waiting for a decision, oldest first, each with what the decision rests on; then
逾期催办, the tasks overdue per unit with their 催办通知."""

import streamlit as st

from lib import schema, settings, supervision, tables
from lib.escape import for_markdown
from lib.ui import board, login, supervise

KEY = "supervision_review"

st.title("督办审核")
account = login.require_account()
if not account.is_admin:
    st.warning("督办审核仅限管理员使用。处室可在「处室」页申请销号或延期。")
    st.stop()
supervise.settle(account)  # the decision noted by the last run's button, before the workbook is read
data = board.require_board()
book, today = data.book, settings.today()
st.caption(f"方案：{for_markdown(board.plan_title(board.current_plan()))}")
supervise.show_outcome(KEY)
events = supervision.events_of(book.supervision)
waiting = supervision.pending(events, today)
contents = dict(zip(book.tasks["task_id"], book.tasks["content"]))


def request_facts(request: supervision.Event) -> None:
    """The request itself, and for an extension the deadline it would move (逾期后申请 when asked after it)."""
    deadline = supervision.deadlines(book, request.task_id, request.date)
    late = supervision.late_request(request, deadline.original, events)
    st.caption(f"{request.date:%Y-%m-%d} 由{for_markdown(request.account)}提交，已等待 {(today - request.date).days} 天"
               + ("；逾期后申请" if late else ""))
    st.markdown("**任务内容**")
    st.text(contents.get(request.task_id, ""))
    if request.kind == schema.KIND_SIGN_OFF_REQUEST:
        facts = {"办结说明": request.text, "佐证材料": request.evidence or "（未填写）"}
    else:
        facts = {"延期理由及进展": request.text, "原定时限": tables.deadline_text(deadline.original),
                 "现完成时限": tables.deadline_text(deadline.effective),
                 "申请完成时限": tables.deadline_text(request.requested_until)}
    st.dataframe([{"项目": name, "内容": value} for name, value in facts.items()], hide_index=True,
                 key=f"sv_facts_{request.event_id}")


def earlier_record(request: supervision.Event) -> None:
    history = tables.task_history(book, request.task_id)
    mine = history[history[tables.LABELS["unit"]] == request.unit].head(3)
    st.markdown("**该处室最近的填报**")
    if len(mine):
        st.dataframe(mine, hide_index=True, key=f"sv_reports_{request.event_id}")
    else:
        st.caption("该处室尚未填报此任务。")
    before = [e for e in supervision.on_assignment(events, request.task_id, request.unit)
              if e.event_id != request.event_id and e.date <= request.date and (e.row or 0) < (request.row or 0)]
    if before:
        st.markdown("**此前的申请与审核**")
        st.dataframe(supervision.event_table(before), hide_index=True, key=f"sv_before_{request.event_id}")


def decision_form(request: supervision.Event) -> None:
    rid = request.event_id
    sign_off = request.kind == schema.KIND_SIGN_OFF_REQUEST
    with st.form(f"sv_decide_{rid}", border=False):
        st.text_input("意见", key=f"sv_comment_{rid}", help="退回或不同意时，请写明原因和需补充的内容。")
        fields = {"comment": f"sv_comment_{rid}"}
        if not sign_off:
            st.date_input("批准完成时限", value=request.requested_until, key=f"sv_approved_{rid}", format="YYYY-MM-DD",
                          help="默认为申请的日期。")
            fields["until"] = f"sv_approved_{rid}"
        with st.container(horizontal=True):
            for label, verdict, kind in (("销号" if sign_off else "同意延期", supervision.APPROVE, "primary"),
                                         ("退回" if sign_off else "不同意", supervision.RETURN, "secondary")):
                st.form_submit_button(label, key=f"sv_{verdict}_{rid}", type=kind, on_click=supervise.note,
                                      args=(KEY, data.path, supervise.decision_builder(rid, verdict), fields))


if waiting.empty:
    st.success("目前没有待审核的申请。")
else:
    st.markdown(f"待审核申请 **{len(waiting)}** 项，按提交时间先后排列。")
for record in waiting.to_dict("records"):
    request = next(e for e in events if e.event_id == record["event_id"])
    with st.container(border=True):
        st.markdown(f"#### {request.event_id}　{request.kind}　任务{for_markdown(request.task_id)}　"
                    f"{for_markdown(request.unit)}")
        request_facts(request)
        earlier_record(request)
        decision_form(request)

supervise.overdue_block(data.path, book, today)
