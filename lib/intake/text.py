"""Plain text in whatever encoding a Chinese office machine saved it: UTF-8 (with or without BOM), UTF-16, GB18030."""

from __future__ import annotations

import codecs

from lib.intake.base import NOT_TEXT, Block, IntakeError, NoticeText

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _plausible(char: str) -> bool:
    return char.isprintable() or char in "\r\n\t"


def _utf16_without_bom(data: bytes) -> str | None:
    """Text of BOM-less UTF-16 (Notepad's 'Unicode'), in whichever byte order reads as text; else None.

    Only tried when ``data`` holds NUL bytes, which UTF-8 and GB18030 text never does.
    """
    best: tuple[float, str] | None = None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data[: len(data) - len(data) % 2].decode(encoding)
        except UnicodeDecodeError:
            continue
        share = sum(1 for char in text if _plausible(char) and not "\ue000" <= char <= "\uf8ff") / max(1, len(text))
        if share > 0.95 and (best is None or share > best[0]):
            best = (share, text)
    return None if best is None else best[1]


def _looks_like_text(text: str) -> bool:
    """Whether decoded text is prose, not binary that happened to decode: few control characters."""
    controls = sum(1 for char in text if ord(char) < 32 and char not in "\r\n\t\f")
    odd = sum(1 for char in text if "\ue000" <= char <= "\uf8ff" or char == "\ufffd")
    return controls + odd <= max(2, len(text) // 200)


def decode(data: bytes) -> str:
    """The text of ``data``; raises IntakeError(NOT_TEXT) when it is not text in a known encoding."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                break
    candidates = [_utf16_without_bom(data)] if b"\x00" in data else []
    for encoding in ("utf-8", "gb18030"):
        try:
            candidates.append(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    for text in candidates:
        if text is not None and _looks_like_text(text):
            return text
    raise IntakeError(NOT_TEXT, "无法识别该文件的文字编码，请另存为 UTF-8 文本或 Word（.docx）文件后再导入。")


def read_text(data: bytes) -> NoticeText:
    """A text notice: each line one paragraph, as written (line ends of any kind)."""
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[Block] = list(text.split("\n"))
    return NoticeText(blocks, source="txt")
