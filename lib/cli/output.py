"""What the CLI prints, made safe for a terminal: every command's output passes through ``PrintableStream``
(installed by ``lib/__main__.py``'s ``main``), and JSON output is written by ``json_for_terminal``.

Sheet text may hold ESC and other control characters, which a terminal would obey; here is the one place
they are escaped on their way out.
"""

from __future__ import annotations

import json
import re
from typing import TextIO

from lib.escape import for_terminal

_LAYOUT = re.compile(r"([\n\t])")


class PrintableStream:
    """A text stream that writes its text through ``for_terminal``, keeping only line breaks and tabs.

    The one choke point for the CLI's output: every print of every command, including tables and
    messages that quote a cell, reaches stdout and stderr as printable text. Line breaks and tabs are
    the output's own layout (``user list`` is tab-separated); a cell's own ones are escaped before,
    by ``Problem.as_text``, the preview printer and pandas' ``to_string``.
    """

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write("".join(part if _LAYOUT.fullmatch(part) else for_terminal(part)
                                   for part in _LAYOUT.split(text)))
        return len(text)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)  # flush, encoding, isatty, fileno


def json_for_terminal(value: object) -> str:
    """``value`` as JSON, with any character ``for_terminal`` would escape written as a JSON ``\\u`` escape.

    ``json.dumps`` escapes C0 controls but not C1 ones (U+0080–U+009F) or bidi overrides; as ``\\u``
    escapes the output is still valid JSON, holds the same text, and passes ``PrintableStream`` unchanged.
    """
    text = json.dumps(value, ensure_ascii=False, indent=2)
    # A line break in the output is the indent's: json.dumps writes one inside a string as \n.
    return "".join(char if char.isprintable() or char == "\n" or for_terminal(char) == char
                   else json.dumps(char)[1:-1] for char in text)
