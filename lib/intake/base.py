"""What every reader returns, and the one error they raise.

A reader turns the bytes of a file into a ``NoticeText``: the notice's blocks
in reading order, each a paragraph (one line of text) or a table (rows of
cell texts, a merged cell's text repeated in every row and column it spans).
The layout parser (``lib.intake.layout``) reads those blocks; ``text`` is the
same content as plain lines, for a preview or for pasting.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Stable codes of IntakeError; code and tests match on these, people read the message.
TOO_LARGE = "too-large"
EMPTY = "empty"
UNKNOWN_FORMAT = "unknown-format"
NOT_TEXT = "not-text"
BROKEN_FILE = "broken-file"
NEEDS_OCR = "needs-ocr"
NEEDS_CONVERSION = "needs-conversion"
CONVERSION_FAILED = "conversion-failed"


class IntakeError(ValueError):
    """A file that cannot be read as a notice. ``message`` is one Chinese sentence saying what to do."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Table:
    """A table as a grid: ``rows[r][c]`` is the text of the cell covering row r, column c."""

    rows: list[list[str]]


Block = str | Table  # a paragraph's text, or a table


@dataclass
class NoticeText:
    """A notice read from a file: its blocks in order, and the format it came from (``docx``, ``pdf`` …)."""

    blocks: list[Block]
    source: str = "txt"
    notes: list[str] = field(default_factory=list)  # Chinese remarks on how it was read, e.g. converted by LibreOffice

    @property
    def text(self) -> str:
        """The blocks as lines; a table row is its cells joined by tabs."""
        lines: list[str] = []
        for block in self.blocks:
            if isinstance(block, Table):
                lines.extend("\t".join(cell.replace("\n", " ") for cell in row) for row in block.rows)
            else:
                lines.append(block)
        return "\n".join(lines)

    @property
    def tables(self) -> list[Table]:
        return [block for block in self.blocks if isinstance(block, Table)]
