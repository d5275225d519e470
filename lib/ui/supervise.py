"""The 督办 adapter: a request or decision asked for by a button, saved through the store at the next run's top.

A button only notes what was asked (``note``): its form's values, read when it is clicked. The page calls
``settle`` first thing, before it reads the workbook, so the event is built against the newest workbook and the
page then shows what the save left. The store previews the change again under its stale check, so a request
decided by someone else in the meantime is refused (``duplicate-decision``) and nothing is saved; the page says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import streamlit as st

from lib import schema, settings, store, supervision, tables
from lib.accounts import Account
from lib.escape import for_markdown
from lib.model import Book
from lib.supervision import urge
from lib.ui import board, login

_NOTED = "_supervise_noted"
SAVED = "saved"
ALREADY_DECIDED = "duplicate-decision"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
Build = Callable[[Book, Account, dt.date, dict], supervision.Event]


@dataclass(frozen=True)
class Outcome:
    """What became of a submission: ``code`` is SAVED or the refusal's code; ``message`` is Chinese."""

    code: str
    message: str
    event_id: str = ""


@dataclass(frozen=True)
class Noted:
    key: str  # the block that asked: its outcome is shown there, its fields cleared after a save
    path: str
    build: Build
    values: dict = field(default_factory=dict)
    clear: tuple[str, ...] = ()


def note(key: str, path: Path, build: Build, fields: dict[str, str], clear: tuple[str, ...] = ()) -> None:
    """A button's callback: note ``build`` with the values of the widgets ``fields`` names (argument → key)."""
    values = {name: st.session_state.get(widget) for name, widget in fields.items()}
    st.session_state[_NOTED] = Noted(key, str(path), build, values, clear)


def request_builder(kind: str, task_id: str, unit: str) -> Build:
    def build(book: Book, account: Account, day: dt.date, values: dict) -> supervision.Event:
        return supervision.new_request(book, account, kind, task_id, unit, day, values.get("reason") or "",
                                       values.get("evidence") or "", until=values.get("until"))
    return build


def decision_builder(request_id: str, verdict: str) -> Build:
    def build(book: Book, account: Account, day: dt.date, values: dict) -> supervision.Event:
        return supervision.new_decision(book, account, request_id, verdict, day, values.get("comment") or "",
                                        until=values.get("until"))
    return build


def _saved(noted: Noted, account: Account) -> Outcome:
    path, today = Path(noted.path), settings.today()
    loaded = store.load_file(path, today)
    if loaded.book is None or not loaded.ok:
        return Outcome("shared-workbook-invalid", "共享工作簿当前存在错误，暂不能办理督办事项，请联系管理员修复后再试。")
    try:
        made = noted.build(loaded.book, account, today, noted.values)
    except supervision.SupervisionError as refused:
        return Outcome(refused.code, str(refused))
    result = store.apply(path, store.Change(store.SUPERVISE, account, events=(made,), label=f"督办：{made.kind}"), today)
    preview = result.preview
    if not result.saved:
        errors = preview.errors if preview is not None else []
        return Outcome(errors[0].code if errors else "not-saved",
                       errors[0].message if errors else result.message)
    assert preview is not None
    event_id = str(preview.supervision_added["event_id"].iloc[0])
    return Outcome(SAVED, f"已保存：{made.kind}（编号 {event_id}），已记入版本记录。", event_id)


def settle(account: Account | None) -> None:
    """Save what a button noted in the last run, as ``account`` (who is logged in now: a logout saves nothing)."""
    noted: Noted | None = st.session_state.pop(_NOTED, None)
    if noted is None or account is None:
        return
    outcome = _saved(noted, account)
    st.session_state[f"{noted.key}_outcome"] = outcome
    st.session_state[f"{noted.key}_show"] = True
    if outcome.code == SAVED:
        for widget in noted.clear:  # set, not dropped: the browser would keep showing the text it holds
            st.session_state[widget] = ""


def outcome(key: str) -> Outcome | None:
    """The last submission's outcome of block ``key`` in this session."""
    return st.session_state.get(f"{key}_outcome")


def show_outcome(key: str) -> None:
    """The last submission's outcome of block ``key``, once: saved, decided by someone else, or refused."""
    if not st.session_state.pop(f"{key}_show", False):
        return
    shown = outcome(key)
    if shown is None:
        return
    if shown.code == SAVED:
        st.success(for_markdown(shown.message))
    elif shown.code == ALREADY_DECIDED:
        st.warning(f"该申请已由其他管理员审核，您的审核未保存。{for_markdown(shown.message)}")
    else:
        st.error(f"未保存：{for_markdown(shown.message)}")


def overview_cards(figures: supervision.Summary) -> None:
    """总览's 督办 row at a glance: 按期办结率 (of the tasks due by their original deadline), 逾期未办结, 延期,
    待审核 and 已销号, counted by task."""
    cards = st.columns(5, border=True)
    cards[0].metric("按期办结率", tables.percent_text(figures.on_time_rate),
                    f"{figures.on_time}/{figures.due} 项按期办结", delta_color="off", delta_arrow="off",
                    help="原定完成时限已到的任务中，在原定时限内办结的比例。")
    cards[1].metric("逾期未办结", f"{figures.overdue} 项", help="已超过完成时限（经批准延期的按调整后时限）仍未办结。")
    cards[2].metric("延期", f"{figures.extended} 项", f"延期办结 {figures.closed_extended} 项", delta_color="off",
                    delta_arrow="off", help="经批准延期的任务数。")
    cards[3].metric("待审核", f"{figures.pending} 项", help="尚未审核的销号申请和延期申请。")
    cards[4].metric("已销号", f"{figures.signed_off} 项", help="各责任处室均已销号的任务。")


# ---- 逾期催办 ----------------------------------------------------------------------------------------------


def _notice_buttons(path: Path, book: Book, rows: pd.DataFrame, as_of: dt.date, account: Account, key: str,
                    name: str) -> None:
    """The 催办通知 of ``rows`` to download (.docx), and for one unit its message; each issue is logged."""
    units = list(dict.fromkeys(rows["unit"]))
    message_key = f"urge_message_{path}_{key}"

    def issue_message() -> None:
        st.session_state[message_key] = urge.issue_messages(path, book, as_of, account.name, units,
                                                            base=board.app_root())

    def record_download() -> None:
        urge.record(path, account.name, rows, as_of, urge.DOCX)

    with st.container(horizontal=True):
        st.download_button(
            f"下载催办通知（{for_markdown(name)}，.docx）", lambda: urge.notice_docx(book, rows, as_of, settings.today()),
            tables.file_name(f"催办通知_{name}_{as_of:%Y%m%d}") + ".docx", DOCX, key=f"urge_docx_{key}",
            on_click=record_download, icon=":material/download:")
        if len(units) == 1:
            st.button("生成催办消息", key=f"urge_text_{key}", on_click=issue_message, icon=":material/sms:")
    for message in st.session_state.get(message_key, {}).values():
        st.code(message, language=None)


def overdue_block(path: Path, book: Book, as_of: dt.date, unit: str | None = None) -> None:
    """逾期催办: the assignments 逾期未办结 as of ``as_of`` (of ``unit``, or of every unit) with 已催办 N 次, and the
    催办通知 to download: for every unit at once and for each unit (its .docx and its message)."""
    st.subheader("逾期催办")
    rows = urge.overdue(book, as_of, [unit] if unit else None)
    if rows.empty:
        st.success(f"截至{as_of:%Y-%m-%d}，没有逾期未办结的任务。")
        return
    rows = urge.with_urged(rows, urge.urged_times(path, rows, as_of))
    count = rows["unit"].nunique()
    st.caption(f"截至{as_of:%Y-%m-%d}，{'' if unit else f'{count}个处室'}{len(rows)}项分工已超过完成时限仍未办结"
               "（经批准延期的，按调整后时限计算）。已催办次数自现行完成时限起计。")
    shown = urge.overdue_list(rows)
    st.dataframe(shown, hide_index=True, key=f"urge_list_{unit or ''}", column_config={
        urge.HEADERS["progress"]: st.column_config.ProgressColumn(format="%.0f%%", min_value=0, max_value=100)})
    account = login.current_account()
    if account is None:
        st.caption("生成催办通知须先登录（在「上传更新」页登录）；每次生成都记入催办记录。")
        return
    if unit is None and count > 1:
        _notice_buttons(path, book, rows, as_of, account, "all", "全部处室")
    for name, group in rows.groupby("unit", sort=False):
        if unit is None:
            st.markdown(f"**{for_markdown(name)}**　逾期未办结 {len(group)} 项")
        _notice_buttons(path, book, group, as_of, account, f"unit_{name}", str(name))
    st.caption("下载或生成即记入本方案的催办记录（时间、操作人、处室、任务和当时的完成时限）。")


# ---- the 处室 page's 督办: returned requests first, then 申请销号 / 申请延期 for an open assignment ----------------
UNIT_KEY = "unit_supervise"


def _request_forms(path: Path, task_id: str, unit: str, deadline: dt.date | None) -> None:
    sign_off, extend = st.columns(2, border=True)
    with sign_off, st.form(f"sv_signoff_{task_id}", border=False):
        st.markdown("**申请销号**")
        st.text_area("办结说明", key=f"sv_note_{task_id}", help="已完成的工作：做了什么、取得什么成效。")
        st.text_input("佐证材料", key=f"sv_evidence_{task_id}", help="文号、链接或文件名。")
        st.form_submit_button("提交销号申请", key=f"sv_signoff_go_{task_id}", on_click=note, args=(
            UNIT_KEY, path, request_builder("销号", task_id, unit),
            {"reason": f"sv_note_{task_id}", "evidence": f"sv_evidence_{task_id}"},
            (f"sv_note_{task_id}", f"sv_evidence_{task_id}")))
    if deadline is None:  # 长期 or no 完成时限: nothing to extend (the request would be refused)
        with extend:
            st.markdown("**申请延期**")
            st.caption("该任务为长期任务或未设定完成时限，无需申请延期。")
        return
    with extend, st.form(f"sv_extend_{task_id}", border=False):
        st.markdown(f"**申请延期**（现完成时限：{tables.deadline_text(deadline)}）")
        st.text_area("延期理由及目前进展", key=f"sv_reason_{task_id}")
        st.date_input("申请完成时限", value=deadline + dt.timedelta(days=90),
                      key=f"sv_until_{task_id}", format="YYYY-MM-DD")
        st.form_submit_button("提交延期申请", key=f"sv_extend_go_{task_id}", on_click=note, args=(
            UNIT_KEY, path, request_builder("延期", task_id, unit),
            {"reason": f"sv_reason_{task_id}", "until": f"sv_until_{task_id}"}, (f"sv_reason_{task_id}",)))


def _waiting(events: list[supervision.Event], unit: str, today: dt.date) -> dict[str, list]:
    """Task → the requests waiting on it that concern ``unit``: its own, and any extension of the task."""
    waiting: dict[str, list] = {}
    for request in supervision.pending(events, today).itertuples():
        if request.unit == unit or request.kind == schema.KIND_EXTENSION_REQUEST:
            waiting.setdefault(request.task_id, []).append((request.event_id, request.kind))
    return waiting


def unit_block(path: Path, book: Book, unit: str) -> None:
    """督办 on the 处室 page, on today's state: the unit's requests sent back (with the reasons), its assignments
    not signed off, and for the one picked the forms 申请销号 and 申请延期 (to an account that reports for it)."""
    st.subheader("督办：申请销号与延期")
    show_outcome(UNIT_KEY)
    today = settings.today()
    events = supervision.events_of(book.supervision)
    sent_back = tables.returned_requests(events, unit)
    if len(sent_back):
        st.warning(f"有 {len(sent_back)} 项申请被退回或未获同意，请按意见补充后重新申请：")
        st.dataframe(sent_back, hide_index=True, key="unit_returned")
    listed = supervision.open_assignments(book, unit, today)
    if listed.empty:
        st.success("本处室的分工均已销号。")
        return
    account = login.current_account()
    if account is None:
        st.caption("申请销号、延期须先登录（在「上传更新」页登录）。")
        return
    if not account.may_report_for(unit):
        st.caption(f"您的账号不负责{for_markdown(unit)}，不能代其申请销号或延期。")
        return
    contents = dict(zip(book.tasks["task_id"], book.tasks["content"]))
    st.caption("按今天的办理状态列出尚未销号的分工（被退回的在前），不受「数据截至」日期影响。")
    st.dataframe(tables.open_assignments(listed, contents, _waiting(events, unit, today)), hide_index=True,
                 key="unit_open_assignments")
    states = dict(zip(listed["task_id"], listed["state"]))
    if st.session_state.get("sv_task_pick") not in states:  # signed off since: the picker starts again
        st.session_state.pop("sv_task_pick", None)
    task_id = st.selectbox("选择要申请的任务", list(listed["task_id"]), key="sv_task_pick",
                           format_func=lambda t: f"任务{t}：{contents.get(t, '')[:40]}")
    st.caption(f"督办状态：{states[task_id]}")
    _request_forms(path, task_id, unit, supervision.deadlines(book, task_id, today).effective)
