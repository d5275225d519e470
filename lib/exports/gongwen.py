"""公文 (GB/T 9704-2012) formatting for Word documents, as offices type them.

A4 with the standard margins; the title in 方正小标宋简体 二号, the body in
仿宋_GB2312 三号 at a fixed line spacing that gives 22 lines a page; 一级
headings in 黑体, 二级 in 楷体_GB2312; page numbers ``— 1 —`` in 宋体 四号.

Every run names its Chinese font as ``w:eastAsia``: python-docx only sets the
Latin faces, and Word, WPS and LibreOffice otherwise pick a face by the
document's defaults. Where a 公文 font is not installed (LibreOffice here),
the renderer substitutes a CJK face rather than drawing boxes.

All text is added as literal runs; characters XML cannot hold are dropped first.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Length, Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from lib.dates import chinese_date
from lib.intake.numbering import fold, match_number
from lib.workbook import ILLEGAL_CHARACTERS

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"  # figures and Latin letters, as offices set them beside 仿宋

SIZE_2 = Pt(22)  # 二号: the title
SIZE_3 = Pt(16)  # 三号: body and headings
SIZE_4 = Pt(14)  # 四号: page numbers, table text
SIZE_SMALL_4 = Pt(12)  # 小四

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
# 225 mm of text height over 22 lines: 28.95 pt, the 固定值 offices type.
LINE_SPACING = Pt(28.95)
INDENT = Pt(32)  # 首行缩进 2 字 at 三号
SIGNATURE_RIGHT = Pt(64)  # the date stands 4 字 from the right margin
TABLE_LINE_SPACING = Pt(20)

# GB2312's charset, so a renderer without the named face substitutes a Chinese one.
_EAST_ASIA_LANGUAGE = "zh-CN"


def clean(text: object) -> str:
    """``text`` as a string without the characters an XML file cannot hold."""
    return ILLEGAL_CHARACTERS.sub("", "" if text is None else str(text))


_NUMERALS = "〇一二三四五六七八九"


def chinese_numeral(value: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十: a heading's number (``一、``, ``（十二）``); digits from 100 on."""
    if value < 10:
        return _NUMERALS[value]
    if value >= 100:
        return str(value)
    tens, ones = divmod(value, 10)
    return ("" if tens == 1 else _NUMERALS[tens]) + "十" + (_NUMERALS[ones] if ones else "")


def without_numbering(text: object) -> str:
    """A heading's text without its own number (``一、`` ``（一）`` ``1.``), so the document can number it."""
    text = clean(text).strip()
    found = match_number(fold(text))
    return text[found[2]:].strip() if found else text


# ---- runs and fonts ---------------------------------------------------------------------------------


def set_fonts(element, font: str, size: Length | None = None, bold: bool | None = None) -> None:
    """Name ``font`` as the East Asian face (and LATIN_FONT as the Latin one) of a run or style ``rPr`` owner."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), font)
    fonts.set(qn("w:hint"), "eastAsia")
    if size is not None:
        rpr.get_or_add_sz().set(qn("w:val"), str(int(size.pt * 2)))
        size_cs = rpr.find(qn("w:szCs"))
        if size_cs is None:
            size_cs = OxmlElement("w:szCs")
            rpr.get_or_add_sz().addnext(size_cs)
        size_cs.set(qn("w:val"), str(int(size.pt * 2)))
    if bold is not None:
        rpr.get_or_add_b().set(qn("w:val"), "1" if bold else "0")


def add_run(paragraph: Paragraph, text: object, font: str = BODY_FONT, size: Length = SIZE_3,
            bold: bool = False) -> Run:
    """A literal run of ``text`` in ``font`` at ``size``; a line break in the text stays a line break."""
    run = paragraph.add_run(clean(text))
    set_fonts(run._r, font, size, bold)
    return run


def _fixed_spacing(paragraph: Paragraph, line: Length = LINE_SPACING, first_line: Length | None = INDENT) -> None:
    layout = paragraph.paragraph_format
    layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    layout.line_spacing = line
    layout.space_before = Pt(0)
    layout.space_after = Pt(0)
    layout.first_line_indent = first_line
    layout.widow_control = False  # a fixed 22 lines a page: Word must not push a line over


def _outline(paragraph: Paragraph, level: int) -> None:
    """Mark a heading for Word's navigation pane without the built-in heading styles' look."""
    element = OxmlElement("w:outlineLvl")
    element.set(qn("w:val"), str(level))
    paragraph._p.get_or_add_pPr().append(element)


# ---- the document -------------------------------------------------------------------------------------


def _portrait(section: Section) -> None:
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance, section.footer_distance = Mm(15), Mm(20)


def _chinese_defaults(doc: DocumentType) -> None:
    """The document defaults: Chinese text, and no theme fonts that would outrank a named face."""
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = defaults.find(qn("w:rFonts"))
    for theme in ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    defaults.find(qn("w:lang")).set(qn("w:eastAsia"), _EAST_ASIA_LANGUAGE)


def new_document() -> DocumentType:
    """An empty A4 document with the 公文 margins and 仿宋_GB2312 三号 as its default text."""
    doc = Document()
    _portrait(doc.sections[0])
    _chinese_defaults(doc)
    normal = doc.styles["Normal"]
    set_fonts(normal.element, BODY_FONT, SIZE_3)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = LINE_SPACING
    normal.paragraph_format.space_after = Pt(0)
    # Start with no paragraph: the first thing added is the first line of the page.
    body = doc.element.body
    for paragraph in list(body.iterchildren(qn("w:p"))):
        body.remove(paragraph)
    return doc


def title(doc: DocumentType, text: object) -> Paragraph:
    """The 标题: 方正小标宋简体 二号, centred, followed by one blank line."""
    paragraph = doc.add_paragraph()
    _fixed_spacing(paragraph, Pt(36), None)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_run(paragraph, text, TITLE_FONT, SIZE_2)
    blank(doc)
    return paragraph


def blank(doc: DocumentType) -> Paragraph:
    """An empty body line."""
    paragraph = doc.add_paragraph()
    _fixed_spacing(paragraph)
    return paragraph


def paragraph(doc: DocumentType, text: object = "", font: str = BODY_FONT, indent: bool = True) -> Paragraph:
    """A body paragraph: 仿宋_GB2312 三号, first line indented two characters."""
    added = doc.add_paragraph()
    _fixed_spacing(added, first_line=INDENT if indent else Pt(0))
    added.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if text != "":
        add_run(added, text, font)
    return added


def heading1(doc: DocumentType, text: object) -> Paragraph:
    """一级标题 ``一、……`` in 黑体 三号, indented like the body."""
    added = paragraph(doc, text, HEADING1_FONT)
    added.paragraph_format.keep_with_next = True
    _outline(added, 0)
    return added


def heading2(doc: DocumentType, text: object) -> Paragraph:
    """二级标题 ``（一）……`` in 楷体_GB2312 三号, indented like the body."""
    added = paragraph(doc, text, HEADING2_FONT)
    added.paragraph_format.keep_with_next = True
    _outline(added, 1)
    return added


def _keep_with_body(doc: DocumentType) -> None:
    """The last body paragraph stays on the page of what follows: the 附件说明 and the date never
    stand on a page of their own (GB/T 9704-2012 7.3.5)."""
    paragraphs = doc.paragraphs
    if paragraphs:
        paragraphs[-1].paragraph_format.keep_with_next = True


def attachment_note(doc: DocumentType, names: Sequence[str]) -> Paragraph:
    """附件说明 after the body: ``附件：名称``, or ``附件：1. 名称`` numbered when there are several."""
    _keep_with_body(doc)
    blank(doc).paragraph_format.keep_with_next = True
    if len(names) == 1:
        first = paragraph(doc, f"附件：{names[0]}")
    else:
        first = paragraph(doc, f"附件：1. {names[0]}")
        for number, name in enumerate(names[1:], start=2):
            follow = paragraph(doc, f"{number}. {name}")
            follow.paragraph_format.first_line_indent = INDENT + Pt(16 * 3)  # under the first name
    _keep_with_body(doc)
    return first


def signature(doc: DocumentType, day: dt.date, organ: str = "") -> Paragraph:
    """署名 and 成文日期: the date as 2026年10月8日, 4 字 from the right; the organ, if any, centred over it."""
    _keep_with_body(doc)
    for _ in range(2):
        blank(doc).paragraph_format.keep_with_next = True
    if organ:
        above = paragraph(doc, organ, indent=False)
        above.paragraph_format.keep_with_next = True
        above.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        # Centred over the date: indent by half the difference of their widths (full-width characters).
        difference = max(0, len(chinese_date(day)) - len(clean(organ)))
        above.paragraph_format.right_indent = SIGNATURE_RIGHT + Pt(16 * difference / 2)
    dated = paragraph(doc, chinese_date(day), indent=False)
    dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    dated.paragraph_format.right_indent = SIGNATURE_RIGHT
    return dated


# ---- page numbers -------------------------------------------------------------------------------------


def _field_runs(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A complex field (``PAGE``) whose every run carries the page number font."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("text", shown), ("end", None)):
        run = add_run(paragraph, "", PAGE_NUMBER_FONT, SIZE_4)
        if kind == "instr":
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = f" {text} "
            run._r.append(code)
        elif kind == "text":
            run.text = text or ""
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)


def _page_number_line(footer_paragraph: Paragraph, odd: bool) -> None:
    footer_paragraph.clear()
    footer_paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    layout = footer_paragraph.paragraph_format
    # 单页码居右空一字，双页码居左空一字 (GB/T 9704-2012 7.5).
    layout.right_indent, layout.left_indent = (Pt(14), Pt(0)) if odd else (Pt(0), Pt(14))
    add_run(footer_paragraph, "— ", PAGE_NUMBER_FONT, SIZE_4)
    _field_runs(footer_paragraph, "PAGE", "1")
    add_run(footer_paragraph, " —", PAGE_NUMBER_FONT, SIZE_4)


def page_numbers(doc: DocumentType) -> None:
    """``— 1 —`` in 宋体 四号 at the foot of every page: odd pages at the right, even at the left.

    Set on the first section; later sections (a landscape attachment) inherit the footers.
    """
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    _page_number_line(section.footer.paragraphs[0], odd=True)
    _page_number_line(section.even_page_footer.paragraphs[0], odd=False)


# ---- landscape attachment and tables -------------------------------------------------------------------


def landscape_section(doc: DocumentType) -> Section:
    """A new landscape A4 section on a new page, for a wide attachment table.

    The margins turn with the page, so the binding edge keeps its 28 mm.
    """
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = PAGE_HEIGHT, PAGE_WIDTH
    section.top_margin, section.bottom_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.left_margin, section.right_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.header_distance, section.footer_distance = Mm(10), Mm(12)
    return section


def attachment_heading(doc: DocumentType, name: str, number: int | None = None) -> None:
    """The attachment's first lines: ``附件`` (or ``附件1``) in 黑体 at the left margin, then its title."""
    paragraph(doc, f"附件{number or ''}", HEADING1_FONT, indent=False)
    heading = doc.add_paragraph()
    _fixed_spacing(heading, Pt(36), None)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_run(heading, name, TITLE_FONT, SIZE_2)
    blank(doc)


def _repeat_as_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "1")
    properties.append(marker)


def _cell_text(cell, text: object, font: str, size: Length, centred: bool) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    lines = clean(text).split("\n") or [""]
    first = cell.paragraphs[0]
    for number, line in enumerate(lines):
        target = first if number == 0 else cell.add_paragraph()
        _fixed_spacing(target, TABLE_LINE_SPACING, None)
        target.alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.LEFT
        add_run(target, line, font, size)


def table(doc: DocumentType, header: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[Length],
          size: Length = SIZE_SMALL_4, centred: Sequence[bool] = ()) -> Table:
    """A bordered table with fixed column ``widths``: the header row in 黑体 repeats on every page,
    cells wrap, and ``centred[i]`` centres column i (short figures); the rest align left."""
    grid = doc.add_table(rows=1, cols=len(header))
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    aligned = list(centred) + [False] * (len(header) - len(centred))
    _repeat_as_header(grid.rows[0])
    for cell, name in zip(grid.rows[0].cells, header, strict=True):
        _cell_text(cell, name, HEADING1_FONT, size, True)
    for values in rows:
        cells = grid.add_row().cells
        for position, (cell, text) in enumerate(zip(cells, values, strict=True)):
            _cell_text(cell, text, BODY_FONT, size, aligned[position])
    for position, width in enumerate(widths):
        grid.columns[position].width = width
        for cell in grid.columns[position].cells:
            cell.width = width
    return grid


def to_bytes(doc: DocumentType) -> bytes:
    """The document as .docx bytes."""
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
