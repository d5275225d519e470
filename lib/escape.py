"""Sheet text made literal for each place it is shown: Markdown, HTML and plotly.

Text typed by a colleague in the workbook must never become markup. Every page,
chart and slide passes such text through the one function for its target.
"""

from __future__ import annotations

import re
from html import escape as _html_escape

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")
_LINE_BREAKS = re.compile(r"\s*[\r\n\v\f\u2028\u2029]+\s*")


def for_markdown(text: object) -> str:
    """For any Streamlit element that reads Markdown (markdown, caption, subheader, metric,
    tab and expander labels): every Markdown character is backslash-escaped.

    Streamlit already drops raw HTML; this keeps ``*``, ``_``, ``#``, ``[`` and ``<`` literal too.
    """
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


def for_html(text: object) -> str:
    """As HTML text on one line: escaped, each line break (with the blank space around it) one space.

    One line, because a blank line inside ``st.markdown(unsafe_allow_html=True)`` ends the
    HTML block and hands the rest to the Markdown parser.
    """
    return _html_escape(_LINE_BREAKS.sub(" ", str(text)).strip())


def for_plotly(text: object) -> str:
    """For plotly labels, hovers and trace names, which read ``<b>``, ``<a href>`` and ``<br>``."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
