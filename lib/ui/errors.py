"""The page boundary: an error in a page is logged on the server with an id, and the reader sees a Chinese
message quoting that id instead of a traceback (``client.showErrorDetails = "none"`` covers what runs outside it)."""

from __future__ import annotations

import uuid

import streamlit as st
from streamlit.logger import get_logger

LOG = get_logger("kanban.pages")  # Streamlit's console format: time, level, name, message
MESSAGE = "系统出现错误，请联系管理员（错误编号：{error_id}）。"


def run_page(page) -> None:
    """Run the page ``st.navigation`` picked; an exception in it becomes a logged error with a short id.

    ``st.stop()``, ``st.rerun()`` and ``st.switch_page()`` raise BaseException subclasses
    (``StopException``, ``RerunException``), which ``except Exception`` lets through, as it must.
    """
    try:
        page.run()
    except Exception:
        error_id = uuid.uuid4().hex[:8]
        LOG.exception("错误编号 %s: page %s failed", error_id, getattr(page, "url_path", "") or "/")
        st.error(MESSAGE.format(error_id=error_id))
