"""What Streamlit itself draws in English, said in Chinese or hidden; app.py places this CSS on every page.

Streamlit 1.67 offers no parameter for these texts, so CSS does it (by ``data-testid``, as Streamlit's own
browser tests find elements):

- ``st.file_uploader`` writes "Upload" on its button and "20MB per file • XLSX" beside it. Both are hidden and
  our own words take their place: 选择文件, and the format and size limit in Chinese (the limit from
  ``KANBAN_MAX_UPLOAD_MB``). The "Drag and drop a file here" overlay, shown only while a file is dragged over
  the box, has no test id and stays. A notice uploader (方案导入, key starting ``NOTICE_UPLOADER_KEY``) names
  the notice formats instead of .xlsx.
- ``st.dataframe``'s toolbar (show/hide columns, CSV download, search, full screen) has English tooltips and
  cannot be switched off; it is hidden. Every table has its own .xlsx download (``board.show_table``).

The CSS holds no workbook text: only these constants and a number from the settings.
"""

from __future__ import annotations

import streamlit as st

from lib import settings

UPLOAD_BUTTON = "选择文件"
# Uploaders whose key starts with this take notices (方案导入), not workbooks: their hint names those formats.
NOTICE_UPLOADER_KEY = "notice_file"


def upload_hint(formats: str = ".xlsx 格式") -> str:
    """The uploader's hint in Chinese, in place of Streamlit's "20MB per file • XLSX"."""
    return f"或将文件拖放到此处（仅限 {formats}，单个文件不超过 {settings.value('KANBAN_MAX_UPLOAD_MB')} MB）"


def css() -> str:
    dropzone = '[data-testid="stFileUploaderDropzone"]'
    hint = '[data-testid="stFileUploaderDropzoneInstructions"]'
    return f"""<style>
{dropzone} button [data-testid="stMarkdownContainer"] > p {{ display: none; }}
{dropzone} button [data-testid="stMarkdownContainer"]::after {{ content: "{UPLOAD_BUTTON}"; }}
{hint} span {{ display: none; }}
{hint} > div::after {{ content: "{upload_hint()}"; font-size: 0.875rem; }}
[class*="st-key-{NOTICE_UPLOADER_KEY}"] {hint} > div::after {{ content: "{upload_hint(".docx、.pdf、.doc、.wps、.txt 文件")}"; }}
[data-testid="stDataFrame"] [data-testid="stElementToolbar"] {{ display: none !important; }}
</style>"""


def apply() -> None:
    """Place the CSS; it takes no space on the page."""
    st.html(css())
