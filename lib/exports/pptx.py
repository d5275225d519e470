"""The review as a 16:9 PowerPoint: one slide per review slide, with native charts and tables.

Built from ``lib.review``'s slide records, so it carries the same numbers as the 季度汇报 page (and as the
Excel summary, ``exports.xlsx``). Every PowerPoint run names an East Asian font
(``a:ea``): python-pptx only sets ``a:latin``, and WPS, LibreOffice and
PowerPoint otherwise pick a font without Chinese glyphs and draw boxes.
"""

from __future__ import annotations

import io
import math
from contextlib import contextmanager

from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.chart.xlsx import CategoryWorkbookWriter
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt, lazyproperty
from xlsxwriter import Workbook as XlsxWorkbook

from lib import charts, palette
from lib.dates import chinese_date
from lib.exports import LIGHT_OF_LABEL
from lib.palette import LIGHT_COLORS
from lib.review import COVER, FOCUS, OVERDUE, PLANS, REPORTING, SUPERVISION, Chart, Review, Slide

EA_FONT = "微软雅黑"  # Microsoft YaHei: present with Office and WPS
LATIN_FONT = "Microsoft YaHei"
GB2312_CHARSET = "-122"  # tells a renderer without 微软雅黑 to substitute a Chinese font
SLIDE_WIDTH = Emu(12192000)  # exactly 16:9 with the 7.5-inch height
SLIDE_HEIGHT = Inches(7.5)
MARGIN = Inches(0.5)
BLANK_LAYOUT = 6  # the default template's 空白 layout
BODY_TOP = Inches(1.55)
BODY_HEIGHT = SLIDE_HEIGHT - BODY_TOP - Inches(0.6)
TITLE_SIZE = Pt(36)
BODY_SIZE = Pt(20)
TABLE_SIZE = Pt(16)
CHART_SIZE = Pt(16)
DARK = RGBColor(0x11, 0x11, 0x11)
MUTED = RGBColor(0x44, 0x44, 0x44)
HEADER_FILL = RGBColor(0xDD, 0xE6, 0xF0)
# Relative column widths of the list slides' tables, by slide kind.
TABLE_WEIGHTS = {FOCUS: (1.0, 4.0, 3.0, 4.6), REPORTING: (3.0, 7.0), PLANS: (3.0, 7.0), SUPERVISION: (4.0, 4.6, 4.6),
                 OVERDUE: (4.6, 2.6, 4.0, 1.4)}


def _hex(color: str) -> RGBColor:
    return RGBColor.from_string(color.lstrip("#").upper())


# ---- fonts ---------------------------------------------------------------------


def set_east_asian(rPr) -> None:
    """Name 微软雅黑 as the latin and East Asian typeface of a run or default run property element."""
    for tag, face in (("a:latin", LATIN_FONT), ("a:ea", EA_FONT)):
        element = rPr.find(qn(tag))
        if element is None:
            element = etree.SubElement(rPr, qn(tag))
        element.set("typeface", face)
        if tag == "a:ea":
            element.set("charset", GB2312_CHARSET)
    # The schema orders latin before ea, and both after any fill or line.
    latin, ea = rPr.find(qn("a:latin")), rPr.find(qn("a:ea"))
    rPr.remove(latin)
    rPr.remove(ea)
    successors = [e for e in rPr if e.tag in (qn("a:cs"), qn("a:sym"), qn("a:hlinkClick"),
                                               qn("a:hlinkMouseOver"), qn("a:rtl"), qn("a:extLst"))]
    if successors:
        successors[0].addprevious(latin)
        latin.addnext(ea)
    else:
        rPr.append(latin)
        rPr.append(ea)


def east_asian_everywhere(presentation) -> None:
    """Name 微软雅黑 as the East Asian font of the whole file: the theme's fonts, and every run,
    default and end-of-paragraph property of the master, layouts, slides and charts.

    The template's unused layouts are dropped first: only the blank one is used.
    """
    blank = presentation.slide_layouts[BLANK_LAYOUT]
    for layout in list(presentation.slide_layouts):
        if layout is not blank and not layout.used_by_slides:
            presentation.slide_layouts.remove(layout)
    tags = (qn("a:rPr"), qn("a:defRPr"), qn("a:endParaRPr"))
    for part in presentation.part.package.iter_parts():
        element = getattr(part, "_element", None)
        if element is not None:
            for properties in element.iter(*tags):
                if properties.find(qn("a:ea")) is None:
                    set_east_asian(properties)
        elif str(part.partname).startswith("/ppt/theme/"):
            # The theme is not parsed by python-pptx; its major and minor fonts name no East Asian face.
            part._blob = part.blob.replace(b'<a:ea typeface=""/>', f'<a:ea typeface="{EA_FONT}"/>'.encode())


def _style_font(font, size, bold: bool = False, color: RGBColor = DARK) -> None:
    font.size = size
    font.bold = bold
    font.color.rgb = color
    set_east_asian(font._rPr)


def _paragraph(frame, text: str, size, bold: bool = False, color: RGBColor = DARK,
               align=PP_ALIGN.LEFT, first: bool = False):
    paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
    paragraph.alignment = align
    run = paragraph.add_run()
    run.text = text
    _style_font(run.font, size, bold, color)
    return paragraph


def _textbox(slide, left, top, width, height, lines, anchor=MSO_ANCHOR.TOP):
    """A text box of (text, size, bold, color, align) lines, wrapped, never auto-shrunk."""
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    for index, (text, size, bold, color, align) in enumerate(lines):
        _paragraph(frame, text, size, bold, color, align, first=index == 0)
    return box


# ---- charts --------------------------------------------------------------------

# Every chart carries its data as an embedded workbook, written by XlsxWriter, whose write()
# makes text that starts with "=" a formula, and text like a URL a link. Category labels are
# units' 简称 and 板块 headings, typed by an administrator: they stay text.
LITERAL_CELLS = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                 "strings_to_urls": False}


class _LiteralWorkbookWriter(CategoryWorkbookWriter):
    """python-pptx's chart workbook writer, with every string written as a string."""

    @contextmanager
    def _open_worksheet(self, xlsx_file):
        workbook = XlsxWorkbook(xlsx_file, LITERAL_CELLS)
        worksheet = workbook.add_worksheet()
        yield workbook, worksheet
        workbook.close()


class LiteralChartData(CategoryChartData):
    """Category chart data whose embedded workbook holds labels as text, never formulas or links."""

    @lazyproperty
    def _workbook_writer(self):
        return _LiteralWorkbookWriter(self)


# ---- slides --------------------------------------------------------------------


def _header(pptx_slide, slide: Slide) -> None:
    _textbox(pptx_slide, MARGIN, Inches(0.35), SLIDE_WIDTH - 2 * MARGIN, Inches(0.7),
             [(slide.heading, TITLE_SIZE, True, DARK, PP_ALIGN.LEFT)])
    if slide.note:
        _textbox(pptx_slide, MARGIN, Inches(1.0), Inches(8.5), Inches(0.45),
                 [(slide.note, Pt(18), False, MUTED, PP_ALIGN.LEFT)])
    _textbox(pptx_slide, SLIDE_WIDTH - MARGIN - Inches(4), Inches(1.0), Inches(4), Inches(0.45),
             [(f"数据截至 {chinese_date(slide.as_of)}", Pt(18), True, DARK, PP_ALIGN.RIGHT)])


def _cover(pptx_slide, slide: Slide, review: Review) -> None:
    lines = [
        (slide.title, Pt(36), True, DARK, PP_ALIGN.CENTER),
        (slide.note, Pt(24), False, MUTED, PP_ALIGN.CENTER),
    ]
    _textbox(pptx_slide, Inches(0.8), Inches(0.8), SLIDE_WIDTH - Inches(1.6), Inches(2.2), lines)
    _textbox(pptx_slide, Inches(0.8), Inches(3.1), SLIDE_WIDTH - Inches(1.6), Inches(2.4), [
        (slide.big_number, Pt(96), True, _hex(palette.REVIEW_ROLE_COLORS["current"]), PP_ALIGN.CENTER),
        (slide.big_note, Pt(24), False, DARK, PP_ALIGN.CENTER),
    ])
    footer = [(f"数据截至 {chinese_date(slide.as_of)}", Pt(24), True, DARK, PP_ALIGN.CENTER)]
    if review.sample:
        footer.append(("示例数据：进展记录为演示用示例，不代表实际工作进展", Pt(16), False, MUTED, PP_ALIGN.CENTER))
    _textbox(pptx_slide, Inches(0.8), Inches(5.7), SLIDE_WIDTH - Inches(1.6), Inches(1.2), footer)


def _kpis(pptx_slide, slide: Slide, top, height) -> None:
    count = len(slide.kpis)
    gap = Inches(0.25)
    width = int((SLIDE_WIDTH - 2 * MARGIN - gap * (count - 1)) / count)
    for index, kpi in enumerate(slide.kpis):
        left = MARGIN + index * (width + gap)
        card = pptx_slide.shapes.add_shape(1, left, top, width, height)  # 1: rectangle
        card.fill.solid()
        card.fill.fore_color.rgb = RGBColor(0xF2, 0xF5, 0xF9)
        card.line.color.rgb = RGBColor(0xB0, 0xB8, 0xC4)
        frame = card.text_frame
        frame.word_wrap = True
        frame.vertical_anchor = MSO_ANCHOR.MIDDLE
        _paragraph(frame, kpi.label, Pt(18), False, MUTED, PP_ALIGN.CENTER, first=True)
        _paragraph(frame, kpi.value, Pt(36), True, DARK, PP_ALIGN.CENTER)
        if kpi.note:
            _paragraph(frame, kpi.note, Pt(14), False, MUTED, PP_ALIGN.CENTER)


def _chart(pptx_slide, chart_spec: Chart, top, height) -> None:
    data = LiteralChartData(number_format='0' if chart_spec.unit == "项" else '0.0"%"')
    data.categories = list(chart_spec.categories)
    for series in chart_spec.series:
        data.add_series(series.name, list(series.values))
    kind = XL_CHART_TYPE.BAR_CLUSTERED if chart_spec.horizontal else XL_CHART_TYPE.COLUMN_CLUSTERED
    frame = pptx_slide.shapes.add_chart(kind, MARGIN, top, SLIDE_WIDTH - 2 * MARGIN, height, data)
    chart = frame.chart
    chart.has_title = False  # the slide title says what the chart is
    _style_font(chart.font, CHART_SIZE)
    plot = chart.plots[0]
    plot.gap_width = 60
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format = '0' if chart_spec.unit == "项" else '0.0"%"'
    labels.number_format_is_linked = False
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    _style_font(labels.font, CHART_SIZE, bold=True)
    for spec, series in zip(chart_spec.series, plot.series):
        colors = charts.review_series_colors(chart_spec, spec)
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = _hex(colors[0])
        for index, label in enumerate(spec.labels):
            if label:  # 无应报: a bar of 0 whose printed value is a word, as on the page
                data_label = series.points[index].data_label
                data_label.position = XL_LABEL_POSITION.OUTSIDE_END
                data_label.text_frame.text = label
                for run in data_label.text_frame.paragraphs[0].runs:
                    _style_font(run.font, CHART_SIZE, bold=True)
        if chart_spec.point_lights:
            for index, color in enumerate(colors):
                point = series.points[index]
                point.format.fill.solid()
                point.format.fill.fore_color.rgb = _hex(color)
    value_axis, category_axis = chart.value_axis, chart.category_axis
    value_axis.minimum_scale = 0
    if chart_spec.unit == "%":
        value_axis.maximum_scale = 110
        value_axis.major_unit = 25
    value_axis.has_major_gridlines = True
    value_axis.tick_labels.number_format = '0' if chart_spec.unit == "项" else '0"%"'
    value_axis.tick_labels.number_format_is_linked = False
    _style_font(value_axis.tick_labels.font, CHART_SIZE)
    _style_font(category_axis.tick_labels.font, CHART_SIZE)
    if chart_spec.horizontal:
        # PowerPoint draws the first category at the bottom; a slide reads from the top.
        category_axis.reverse_order = True
    chart.has_legend = len(chart_spec.series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
        _style_font(chart.legend.font, CHART_SIZE)


def _column_widths(slide: Slide) -> list[int]:
    weights = TABLE_WEIGHTS.get(slide.kind, (1.0,) * len(slide.columns))
    total = sum(weights)
    width = SLIDE_WIDTH - 2 * MARGIN
    return [int(width * w / total) for w in weights]


def estimated_row_height(cells: tuple[str, ...], widths: list[int], size=TABLE_SIZE) -> int:
    """EMU a table row needs: the tallest cell's wrapped lines at ``size`` (a CJK glyph is 1 em wide)."""
    em = Emu(size).inches
    padding = 0.2  # inches: the cell's top and bottom margins
    lines = max(math.ceil(len(text) * em / max(Emu(w).inches - 0.2, em)) for text, w in zip(cells, widths))
    return Inches(lines * em * 1.25 + padding)


def table_pages(slide: Slide) -> list[list[tuple[str, ...]]]:
    """The slide's rows split so that each table fits the body; usually one page."""
    widths = _column_widths(slide)
    header = estimated_row_height(slide.columns, widths)
    pages: list[list[tuple[str, ...]]] = [[]]
    used = header
    for row in slide.rows():
        height = estimated_row_height(row, widths)
        if pages[-1] and used + height > _table_room(slide):
            pages.append([])
            used = header
        pages[-1].append(row)
        used += height
    return pages


def _table_room(slide: Slide) -> int:
    return BODY_HEIGHT - (_KPI_HEIGHT + Inches(0.2) if slide.kpis else 0)


_KPI_HEIGHT = Inches(1.3)


def _table(pptx_slide, slide: Slide, rows: list[tuple[str, ...]], top) -> None:
    widths = _column_widths(slide)
    heights = [estimated_row_height(slide.columns, widths)] + [estimated_row_height(r, widths) for r in rows]
    shape = pptx_slide.shapes.add_table(len(rows) + 1, len(slide.columns), MARGIN, top,
                                        SLIDE_WIDTH - 2 * MARGIN, sum(heights))
    table = shape.table
    for index, width in enumerate(widths):
        table.columns[index].width = width
    for index, height in enumerate(heights):
        table.rows[index].height = height
    for r, cells in enumerate([slide.columns, *rows]):
        for c, text in enumerate(cells):
            cell = table.cell(r, c)
            cell.text_frame.word_wrap = True
            paragraph = cell.text_frame.paragraphs[0]
            run = paragraph.add_run()
            run.text = text
            light = LIGHT_OF_LABEL.get(text) if r and c == 0 and slide.kind == FOCUS else None
            # Black on every light's fill: the highest contrast on a washed-out projector.
            _style_font(run.font, TABLE_SIZE, bold=r == 0 or light is not None)
            cell.fill.solid()
            if r == 0:
                cell.fill.fore_color.rgb = HEADER_FILL
            elif light is not None:
                cell.fill.fore_color.rgb = _hex(LIGHT_COLORS[light])
            else:
                cell.fill.fore_color.rgb = RGBColor(0xFF, 0xFF, 0xFF)


def pptx_bytes(review: Review) -> bytes:
    """The review as a 16:9 .pptx: one slide per review slide, lists split further if a table would overflow."""
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    blank = presentation.slide_layouts[BLANK_LAYOUT]
    for slide in review.slides:
        pages = table_pages(slide) if slide.items else [[]]
        for page_index, rows in enumerate(pages):
            pptx_slide = presentation.slides.add_slide(blank)
            if slide.kind == COVER:
                _cover(pptx_slide, slide, review)
                continue
            shown = slide
            if len(pages) > 1:
                # A list the web slide fits but the pptx table does not: number the extra slides 续.
                shown = Slide(slide.kind, slide.title if page_index == 0 else f"{slide.title}（续）", slide.as_of,
                              slide.part, slide.parts, note=slide.note)
            _header(pptx_slide, shown)
            top: int = BODY_TOP
            if slide.kpis:
                _kpis(pptx_slide, slide, top, _KPI_HEIGHT)
                top += _KPI_HEIGHT + Inches(0.2)
            if slide.chart is not None:
                _chart(pptx_slide, slide.chart, top, SLIDE_HEIGHT - top - Inches(0.4))
            if rows:
                _table(pptx_slide, slide, rows, top)
            elif slide.items == [] and slide.kind != COVER and slide.chart is None and not slide.kpis:
                _textbox(pptx_slide, MARGIN, top, SLIDE_WIDTH - 2 * MARGIN, Inches(1),
                         [(slide.note, BODY_SIZE, False, DARK, PP_ALIGN.LEFT)])
    east_asian_everywhere(presentation)
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()
