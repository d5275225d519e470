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

from lib import settings, store, supervision, tables, urge
from lib.accounts import Account
from lib.escape import for_markdown
from lib.model import Book
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


def deadline_text(day: dt.date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else "长期或未设定"


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
