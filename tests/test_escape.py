"""lib.escape.for_terminal: sheet text made printable before it reaches a terminal."""

import pytest

from lib.escape import for_terminal


@pytest.mark.parametrize(("text", "shown"), [
    ("7\x1b[2J", "7\\x1b[2J"),  # ESC: the start of every terminal control sequence
    ("a\x9b31mb", "a\\x9b31mb"),  # C1 CSI, the one-byte form of ESC [
    ("\x07\x00\x7f", "\\x07\\x00\\x7f"),  # bell, NUL, DEL
    ("第一行\n第二行\r\n", "第一行\\n第二行\\r\\n"),  # a cell's line break shows, and cannot forge a line
    ("甲\t乙", "甲\\t乙"),
    ("abc\u202edcba", "abc\\u202edcba"),  # right-to-left override (reorders what follows)
    ("零\u200b宽", "零\\u200b宽"),
    ("行\u2028分隔", "行\\u2028分隔"),
    ("tag\U000e0041", "tag\\U000e0041"),
])
def test_control_and_invisible_characters_become_visible_escapes(text, shown):
    assert for_terminal(text) == shown
    assert for_terminal(text).isprintable()


def test_ordinary_text_is_unchanged():
    text = "一、建立常态化联络机制，构建\u3000新模式（2026年）\xa0C:\\data 100%"  # 全角空格 and NBSP stay spaces
    assert for_terminal(text) == text
    assert for_terminal(7) == "7"
