"""Sheet text made literal for each place it is shown: Markdown, HTML, plotly and a terminal.

Text typed by a colleague in the workbook must never become markup. Every page,
chart and slide passes such text through the one function for its target.
"""

from __future__ import annotations

import re
import unicodedata
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


# Control (C0, DEL, C1), format (bidi overrides, zero-width), line and paragraph separators,
# surrogates and unassigned code points. Spaces (全角空格, NBSP) and private-use glyphs stay.
_NOT_FOR_TERMINAL = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Cn"})
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(char: str) -> str:
    if unicodedata.category(char) not in _NOT_FOR_TERMINAL:
        return char
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def for_terminal(text: object) -> str:
    """As one line of printable text for a terminal: each control or invisible character written
    as its Python escape, e.g. ESC as ``\\x1b``, a line break as ``\\n``, U+202E as ``\\u202e``.

    An ESC or C1 character would let a cell clear the screen, retitle the window or hide text; a
    line break would let it forge a line of the CLI's own output, so a cell's line break shows as
    ``\\n`` too. A backslash already in the text is kept as it is: Windows paths stay readable.
    """
    text = str(text)
    if text.isprintable():
        return text
    return "".join(map(_visible, text))
