"""The page scripts survive Streamlit's sanitiser: it drops, silently, a ``<script>`` whose text holds a "<" before a
letter or "/" (DOMPurify's guard against markup hidden in text), so a comment such as "<label>" would switch the
script off. The browser test (tests/e2e/test_interface_language.py) sees the scripts work; this says why they could
stop."""

from __future__ import annotations

import re

from lib.ui import chrome


def test_no_page_script_holds_text_the_sanitiser_drops():
    scripts = re.findall(r"<script>(.*?)</script>", chrome.button_label_script() + chrome.print_fit_script(), re.S)
    assert len(scripts) == 2
    assert [re.search(r"<[/\w]", script) for script in scripts] == [None, None]
