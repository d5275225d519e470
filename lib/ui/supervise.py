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

import streamlit as st

from lib import settings, store, supervision
from lib.accounts import Account
from lib.escape import for_markdown
from lib.model import Book

_NOTED = "_supervise_noted"
SAVED = "saved"
ALREADY_DECIDED = "duplicate-decision"
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
