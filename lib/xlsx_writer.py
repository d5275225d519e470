"""The contract workbook written straight to SpreadsheetML: the shared workbook's file, fast.

openpyxl builds a Python object per cell and a style object per formatted cell; at
100,000 reports that took some 40 s of a save. This writer produces the same
workbook (the four sheets, the formatted header, frozen panes, column widths, wrapped
long text, dates as dates, text always as text, the 进展 data validation, and extra
sheets as plain values) as XML strings, one column at a time.

The workbooks people fill in by hand (the templates) are still built with openpyxl
(``workbook.contract_workbook``), which they edit further.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import quoteattr

import pandas as pd

from lib import schema

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
WRAP_WIDTH = 30  # columns at least this wide wrap their text (as ``workbook.write_table``)
HEADER_FILL = "DDE6F0"
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML cannot hold

# Cell styles (cellXfs): the index each cell's s= names.
PLAIN, HEADER, DATE, WRAP, TEXT_AS_TYPED, WRAP_AS_TYPED = range(6)

_STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FF{HEADER_FILL}"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="6">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def column_letter(position: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _text(value: str) -> str:
    return _ILLEGAL.sub("", value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell_tail(value: object, text_style: int, typed_style: int) -> str:
    """A cell's element after its reference (``' s="1"><v>3</v></c>'``), '' for a blank cell."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, list):
        value = "、".join(map(str, value))
    if isinstance(value, str):
        if not value:
            return ""
        style = typed_style if value.startswith(schema.FORMULA_PREFIXES) else text_style
        return f' s="{style}" t="inlineStr"><is><t xml:space="preserve">{_text(value)}</t></is></c>'
    if isinstance(value, bool):
        return f' t="b"><v>{int(value)}</v></c>'
    if isinstance(value, dt.date):  # datetime and pd.Timestamp too
        moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
        serial = (moment.replace(tzinfo=None) - EXCEL_EPOCH).total_seconds() / 86400
        return f' s="{DATE}"><v>{serial:g}</v></c>'
    if hasattr(value, "item"):  # a numpy scalar
        return _cell_tail(value.item(), text_style, typed_style)
    if isinstance(value, int | float):
        return f"><v>{value!r}</v></c>"
    return f' s="{text_style}" t="inlineStr"><is><t xml:space="preserve">{_text(str(value))}</t></is></c>'


def _cells(values: Iterable[object], letter: str, first_row: int, wrap: bool) -> list[str]:
    """The <c> elements of one column, '' for a blank cell. Text is always inline text, never a formula."""
    text_style, typed_style = (WRAP, WRAP_AS_TYPED) if wrap else (PLAIN, TEXT_AS_TYPED)
    # Most columns repeat a few values (dates, ids, units, statuses): each is escaped and formatted once.
    tails: dict[tuple[type, object], str] = {}
    cells = []
    for row, value in enumerate(values, start=first_row):
        try:
            key = (type(value), value)
            tail = tails.get(key)
            if tail is None:
                tail = tails[key] = _cell_tail(value, text_style, typed_style)
        except TypeError:  # unhashable, e.g. a list of group names
            tail = _cell_tail(value, text_style, typed_style)
        cells.append(f'<c r="{letter}{row}"{tail}' if tail else "")
    return cells


def _sheet_xml(headers: list[str], widths: list[int], columns: list[list], validations: str = "") -> str:
    """A worksheet: a formatted, frozen header and one <row> per record."""
    count = len(columns[0]) if columns else 0
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, start=1))
    header = "".join(f'<c r="{column_letter(i)}1" s="{HEADER}" t="inlineStr"><is><t>{_text(h)}</t></is></c>'
                     for i, h in enumerate(headers, start=1))
    cell_columns = [_cells(values, column_letter(i), 2, width >= WRAP_WIDTH)
                    for i, (values, width) in enumerate(zip(columns, widths), start=1)]
    rows = [f'<row r="1">{header}</row>']
    rows += [f'<row r="{number}">{"".join(cells)}</row>'
             for number, cells in enumerate(zip(*cell_columns), start=2)] if count else []
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" xmlns:r="{_RELS}">'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/></sheetView></sheetViews>'
            f'<cols>{cols}</cols><sheetData>{"".join(rows)}</sheetData>{validations}</worksheet>')


def _values_xml(rows: list[list]) -> str:
    """A sheet of plain values from A1 (the extra sheets a workbook carries)."""
    width = max((len(r) for r in rows), default=0)
    columns = [[r[i] if i < len(r) else None for r in rows] for i in range(width)]
    cell_columns = [_cells(values, column_letter(i), 1, False) for i, values in enumerate(columns, start=1)]
    body = "".join(f'<row r="{n}">{"".join(cells)}</row>' for n, cells in enumerate(zip(*cell_columns), start=1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}">'
            f"<sheetData>{body}</sheetData></worksheet>")


def _validation(kind: str, cells: str, title: str, error: str, formula1: str, formula2: str = "",
                operator: str = "") -> str:
    operator_attr = f' operator="{operator}"' if operator else ""
    second = f"<formula2>{formula2}</formula2>" if formula2 else ""
    return (f'<dataValidation type="{kind}"{operator_attr} allowBlank="1" showErrorMessage="1" '
            f'errorTitle={quoteattr(title)} error={quoteattr(error)} sqref="{cells}">'
            f"<formula1>{_text(formula1)}</formula1>{second}</dataValidation>")


def _update_validations(units: list[str], last_row: int, lists_sheet: str | None) -> str:
    """The 进展 sheet's drop-downs and bounds, as ``workbook.add_update_validation`` sets them."""
    letter = {c.field: column_letter(i) for i, c in enumerate(schema.UPDATE_COLUMNS, start=1)}

    def cells(field_name: str) -> str:
        return f"{letter[field_name]}2:{letter[field_name]}{last_row}"

    rules = [
        _validation("list", cells("status"), "状态", "请从下拉列表中选择：未启动、推进中、已完成、滞后。",
                    '"' + ",".join(schema.STATUSES) + '"'),
        _validation("whole", cells("progress"), "完成进度", "完成进度请填写 0 到 100 之间的整数。", "0", "100", "between"),
        _validation("date", cells("date"), "填报日期", "请填写日期，例如 2026-06-30。", "36526", "73051", "between"),
    ]
    if units:
        listed = ",".join(units)
        formula = f"{lists_sheet}!$A$1:$A${len(units)}" if lists_sheet else f'"{listed}"'
        rules.append(_validation("list", cells("unit"), "处室", "请从下拉列表中选择处室。", formula))
    return f'<dataValidations count="{len(rules)}">{"".join(rules)}</dataValidations>'


def _package(sheets: list[tuple[str, str, bool]]) -> bytes:
    """The .xlsx zip around worksheets given as (name, xml, hidden)."""
    content_types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                     '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                     '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                     '<Default Extension="xml" ContentType="application/xml"/>'
                     '<Override PartName="/xl/workbook.xml" '
                     'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                     '<Override PartName="/xl/styles.xml" '
                     'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                     + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                               'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                               for i in range(1, len(sheets) + 1))
                     + "</Types>")
    root_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                 'officeDocument" Target="xl/workbook.xml"/></Relationships>')
    hidden_state = ' state="hidden"'
    entries = "".join(f'<sheet name={quoteattr(_text(name))} sheetId="{i}" r:id="rId{i}"{hidden_state if hidden else ""}/>'
                      for i, (name, _, hidden) in enumerate(sheets, start=1))
    workbook = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN}" '
                f'xmlns:r="{_RELS}"><bookViews><workbookView/></bookViews><sheets>{entries}</sheets></workbook>')
    sheet_rels = "".join(f'<Relationship Id="rId{i}" Type="{_RELS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                         for i in range(1, len(sheets) + 1))
    workbook_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                     '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                     f'{sheet_rels}<Relationship Id="rId{len(sheets) + 1}" Type="{_RELS}/styles" '
                     'Target="styles.xml"/></Relationships>')
    buffer = io.BytesIO()
    # Level 1: the XML is repetitive, so the file is barely larger and the save several times faster.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        parts = [("[Content_Types].xml", content_types), ("_rels/.rels", root_rels), ("xl/workbook.xml", workbook),
                 ("xl/_rels/workbook.xml.rels", workbook_rels), ("xl/styles.xml", _STYLES),
                 *((f"xl/worksheets/sheet{i}.xml", xml) for i, (_, xml, _) in enumerate(sheets, start=1))]
        for name, xml in parts:
            # A fixed timestamp: the same workbook is the same bytes, hence the same hash and one history copy.
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, xml, compresslevel=1)
    return buffer.getvalue()


def _contract_sheet(columns: tuple[schema.Column, ...], frame: pd.DataFrame, validations: str = "") -> str:
    values = [frame[c.field].tolist() if c.field in frame.columns else [None] * len(frame) for c in columns]
    return _sheet_xml([c.header for c in columns], [c.width for c in columns], values, validations)


def contract_bytes(plan: pd.DataFrame, units: pd.DataFrame, tasks: pd.DataFrame, updates: pd.DataFrame,
                   extra_sheets: dict[str, list[list]] | None = None) -> bytes:
    """The contract workbook as .xlsx bytes: 方案 (a key/value frame), 处室, 任务, 进展, then ``extra_sheets``."""
    unit_names = [str(u) for u in units["unit"]] if len(units) else []
    lists_sheet = "_lists" if len(",".join(unit_names)) > 250 else None  # a list formula holds 255 characters
    last_row = max(2000, len(updates) + 200)
    sheets = [
        (schema.SHEET_PLAN, _contract_sheet(schema.PLAN_COLUMNS, plan), False),
        (schema.SHEET_UNITS, _contract_sheet(schema.UNIT_COLUMNS, units), False),
        (schema.SHEET_TASKS, _contract_sheet(schema.TASK_COLUMNS, tasks), False),
        (schema.SHEET_UPDATES, _contract_sheet(schema.UPDATE_COLUMNS, updates,
                                               _update_validations(unit_names, last_row, lists_sheet)), False),
    ]
    if lists_sheet:
        sheets.append((lists_sheet, _values_xml([[name] for name in unit_names]), True))
    sheets += [(name, _values_xml(rows), False) for name, rows in (extra_sheets or {}).items()]
    return _package(sheets)
