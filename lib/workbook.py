"""Read and write the shared xlsx workbook.

Reading uses the calamine engine for speed and keeps Excel's row numbers so
that every later message can point at the cell a person must fix. openpyxl
is used only where cell formats matter: percent-formatted progress cells on
read, and styled sheets with data validation on write.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

from lib import filecheck, schema, xlsx_writer
from lib.model import CLEANED, ROW

HEADER_SEARCH_ROWS = 10  # office sheets put a title or two above the header

Source = str | Path | bytes


class WorkbookError(Exception):
    """The file is not a readable xlsx workbook. The message is Chinese.

    ``code`` says which kind, for code to match on: ``not-xlsx`` (not an xlsx
    package at all), ``sheet-too-large`` (a sheet's extent is beyond what we
    read) or ``damaged-workbook`` (an xlsx that cannot be read).
    """

    def __init__(self, message: str, code: str = "damaged-workbook"):
        super().__init__(message)
        self.code = code


@dataclass
class RawSheet:
    """One known sheet as found in the file, before any value is checked.

    ``frame`` has one column per header we recognised (named by field) plus
    ``row``; cells are as calamine gives them ('' for blank). ``missing``
    lists required headers that were not found.
    """

    name: str
    header_row: int | None  # Excel row of the header, None if none was found
    frame: pd.DataFrame
    missing: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)  # headers outside the contract, with data below


@dataclass
class RawWorkbook:
    sheets: dict[str, RawSheet]  # keyed by schema sheet name; absent sheets left out
    source: Source
    other_sheets: list[str] = field(default_factory=list)  # sheets outside the contract, as named in the file


def _open(source: Source, measure_sheets: bool = True) -> CalamineWorkbook:
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    refusal = filecheck.check_container(data, measure_sheets)
    if refusal is not None:
        raise WorkbookError(refusal.message, refusal.code)
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except WorkbookError:
        raise
    except Exception as exc:  # zipfile, calamine: a damaged file, not our bug
        raise WorkbookError(f"工作簿已损坏，无法读取（{type(exc).__name__}），请重新保存后上传。",
                            "damaged-workbook") from exc


def _find_header(rows: list[list], columns: tuple[schema.Column, ...]) -> tuple[int, dict[str, int]]:
    """The 0-based index of the header row and the field → column index map."""
    wanted = {col.header: col.field for col in columns}
    best_index = -1
    best_map: dict[str, int] = {}
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found: dict[str, int] = {}
        for position, cell in enumerate(row):
            header = schema.normalise_header(cell)
            if header in wanted and wanted[header] not in found:
                found[wanted[header]] = position
        if len(found) > len(best_map):
            best_index, best_map = index, found
    return best_index, best_map


def _fill_merged(rows: list[list], merged: list | None) -> None:
    """Copy a merged cell's value into every cell it covers (a 板块 merged down)."""
    for (top, left), (bottom, right) in merged or []:
        if top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            for c in range(left, min(right, len(rows[r]) - 1) + 1):
                if rows[r][c] == "":
                    rows[r][c] = value


def _sheet_lookup(names: list[str]) -> dict[str, str]:
    """schema sheet name → the sheet's name in the file (spaces, full width forgiven)."""
    lookup = {}
    for name in names:
        key = schema.normalise_header(name)
        if key in schema.CONTRACT_SHEETS and key not in lookup:
            lookup[key] = name
    return lookup


def read_raw(source: Source, measure_sheets: bool = True) -> RawWorkbook:
    """Read the known sheets of a workbook. Raises WorkbookError if unreadable.

    ``measure_sheets=False`` skips measuring each sheet's extent before calamine reads it: only for a
    file this process has just written from parsed rows, whose size it knows.
    """
    book = _open(source, measure_sheets)
    sheets: dict[str, RawSheet] = {}
    try:
        lookup = _sheet_lookup(book.sheet_names)
        for sheet_name, file_name in lookup.items():
            sheet = book.get_sheet_by_name(file_name)
            rows = sheet.to_python(skip_empty_area=False)  # a fresh list of lists: _fill_merged may write to it
            _fill_merged(rows, sheet.merged_cell_ranges)
            sheets[sheet_name] = _raw_sheet(sheet_name, rows)
    except WorkbookError:
        raise
    except Exception as exc:
        raise WorkbookError(f"工作簿已损坏，无法读取（{type(exc).__name__}），请重新保存后上传。",
                            "damaged-workbook") from exc
    _apply_percent_formats(source, lookup.get(schema.SHEET_UPDATES), sheets.get(schema.SHEET_UPDATES))
    others = [name for name in book.sheet_names if name not in lookup.values()]
    return RawWorkbook(sheets=sheets, source=source, other_sheets=others)


def read_sheet_values(source: Source, names: list[str]) -> dict[str, list[list]]:
    """The cell values of the named sheets, from A1, as calamine gives them ('' for blank)."""
    book = _open(source)
    try:
        return {name: [[_without_illegal(cell) for cell in r]
                       for r in book.get_sheet_by_name(name).to_python(skip_empty_area=False)]
                for name in names}
    except Exception as exc:
        raise WorkbookError(f"工作簿已损坏，无法读取（{type(exc).__name__}），请重新保存后上传。",
                            "damaged-workbook") from exc


# Characters an XML file cannot hold (openpyxl refuses to write them): C0 controls but tab, LF and CR.
# Text pasted from Word brings them in, stored as _x000B_ and the like; calamine decodes them.
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _without_illegal(cell: object) -> object:
    return ILLEGAL_CHARACTERS.sub("", cell) if isinstance(cell, str) else cell


def _strip_illegal(frame: pd.DataFrame, fields: list[str]) -> list[tuple[str, ...]]:
    """Remove illegal characters from the text cells of ``frame`` in place; per row, the fields cleaned.

    Every illegal character is unprintable, and ``str.isprintable`` is far cheaper than a regex. A column of
    text only is joined and looked at once (one C loop); otherwise only its unprintable texts (most hold a line
    break) are searched.
    """
    cleaned: list[tuple[str, ...]] = [()] * len(frame)
    for name in fields:
        cells = frame[name].to_numpy(dtype=object)
        try:
            joined = "".join(cells)
        except TypeError:  # numbers or dates among the texts
            joined = None
        if joined is not None and (joined.isprintable() or not ILLEGAL_CHARACTERS.search(joined)):
            continue
        suspects = [position for position, cell in enumerate(cells) if isinstance(cell, str) and not cell.isprintable()]
        for position in suspects:
            cell = cells[position]
            if ILLEGAL_CHARACTERS.search(cell):
                frame.iat[position, frame.columns.get_loc(name)] = ILLEGAL_CHARACTERS.sub("", cell)
                cleaned[position] = (*cleaned[position], name)
    return cleaned


def _filled(cell: object) -> bool:
    return not (cell is None or cell == "" or (isinstance(cell, str) and not cell.strip()))


def _raw_sheet(sheet_name: str, rows: list[list]) -> RawSheet:
    columns = schema.CONTRACT_SHEETS[sheet_name]
    header_index, field_positions = _find_header(rows, columns)
    fields = [col.field for col in columns if col.field in field_positions]
    missing = [col.header for col in columns if col.required and col.field not in field_positions]
    if header_index < 0:
        return RawSheet(sheet_name, None, pd.DataFrame(columns=[*fields, ROW]), missing)
    body = rows[header_index + 1 :]
    known = set(field_positions.values())
    extra = [
        str(cell).strip() for position, cell in enumerate(rows[header_index])
        if position not in known and str(cell).strip()
        and any(position < len(r) and str(r[position]).strip() for r in body)
    ]
    if body and all(len(r) == len(body[0]) for r in body):  # calamine's rows are all as wide as the sheet
        by_position = list(zip(*body))
        data = {f: by_position[field_positions[f]] if field_positions[f] < len(body[0]) else [""] * len(body)
                for f in fields}
    else:
        data = {f: [r[field_positions[f]] if field_positions[f] < len(r) else "" for r in body] for f in fields}
    frame = pd.DataFrame(data, dtype=object)
    frame[ROW] = range(header_index + 2, header_index + 2 + len(body))
    frame[CLEANED] = _strip_illegal(frame, fields)
    if fields:
        # Blank trailing (and interleaved) rows carry nothing to check.
        filled = [any(map(_filled, cells)) for cells in zip(*(frame[f].to_numpy(dtype=object) for f in fields))]
        frame = frame[pd.Series(filled, index=frame.index, dtype=bool)].reset_index(drop=True)
    return RawSheet(sheet_name, header_index + 1, frame, missing, extra)


def _apply_percent_formats(source: Source, file_sheet: str | None, raw: RawSheet | None) -> None:
    """Turn 0.6 into 60 where the cell is formatted as a percentage.

    calamine gives values without formats, so for the few cells that could be
    a fraction (0 < v ≤ 1) we look up how the cell is shown.
    """
    if raw is None or file_sheet is None or "progress" not in raw.frame.columns:
        return
    values = raw.frame["progress"]
    candidates = raw.frame.index[values.map(lambda v: isinstance(v, float) and 0 < v <= 1)]
    if len(candidates) == 0:
        return
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    percent_rows = _percent_formatted_rows(data, file_sheet, raw.header_row or 1)
    for index in candidates:
        if int(raw.frame.at[index, ROW]) in percent_rows:
            raw.frame.at[index, "progress"] = float(raw.frame.at[index, "progress"]) * 100


_PERCENT_BUILTIN_FORMATS = {9, 10}  # 0% and 0.00%


def _percent_formatted_rows(data: bytes, sheet_name: str, header_row: int) -> set[int]:
    """Excel rows whose 完成进度 cell has a percent number format.

    Reads styles.xml and the sheet's XML directly: openpyxl would parse every
    cell of the sheet, which costs seconds on a large 进展 sheet.
    """
    import html
    import posixpath
    from xml.etree import ElementTree

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target") for rel in rels.findall("p:Relationship", ns)}
        sheet_path = None
        for sheet in workbook.findall("m:sheets/m:sheet", ns):
            if sheet.get("name") == sheet_name:
                target = targets.get(sheet.get(f"{{{ns['r']}}}id")) or ""
                sheet_path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        if sheet_path is None or "xl/styles.xml" not in archive.namelist():
            return set()
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
        percent_formats = set(_PERCENT_BUILTIN_FORMATS)
        for number_format in styles.findall("m:numFmts/m:numFmt", ns):
            if "%" in (number_format.get("formatCode") or ""):
                percent_formats.add(int(number_format.attrib["numFmtId"]))
        percent_styles = {
            index for index, xf in enumerate(styles.findall("m:cellXfs/m:xf", ns))
            if int(xf.get("numFmtId", 0)) in percent_formats
        }
        if not percent_styles:
            return set()
        sheet_xml = archive.read(sheet_path).decode("utf-8", errors="replace")
    header_cells = re.search(rf'<row[^>]*\br="{header_row}"[^>]*>(.*?)</row>', sheet_xml, re.S)
    column = None
    if header_cells:
        shared = _shared_strings(data)
        wanted = schema.header_of(schema.SHEET_UPDATES, "progress")
        for ref, attrs, body in re.findall(r'<c r="([A-Z]+)\d+"([^>]*?)(?:/>|>(.*?)</c>)', header_cells.group(1), re.S):
            text = html.unescape(re.sub(r"<[^>]+>", "", body or ""))
            if 't="s"' in attrs and text.strip().isdigit():
                text = shared[int(text)]
            if schema.normalise_header(text) == wanted:
                column = ref
    if column is None:
        return set()
    return {
        int(row) for row, style in re.findall(rf'<c r="{column}(\d+)"[^>]*?\bs="(\d+)"', sheet_xml)
        if int(style) in percent_styles
    }


def _shared_strings(data: bytes) -> list[str]:
    from xml.etree import ElementTree

    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if "xl/sharedStrings.xml" not in archive.namelist():
            return []
        root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in item.iter(f"{ns}t")) for item in root.findall(f"{ns}si")]


# ---- writing -----------------------------------------------------------------


def set_cell(cell, value: object) -> None:
    """Put a value into an openpyxl cell as data.

    Text is always stored as text: openpyxl would turn a string that starts
    with '=' into a formula, and a cell from a spreadsheet is never one.
    Timestamps become dates, numpy scalars plain numbers, NaN an empty cell.
    """
    if value is None or (not isinstance(value, (str, list)) and pd.isna(value)):
        return
    if isinstance(value, pd.Timestamp):
        value = value.date()
    elif isinstance(value, list):
        value = "、".join(map(str, value))
    elif hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(schema.FORMULA_PREFIXES):
            cell.quotePrefix = True  # Excel shows it as typed and will not evaluate it on edit
    elif isinstance(value, (dt.date, dt.datetime)):
        cell.number_format = "yyyy-mm-dd"


HEADER_FILL = "DDE6F0"
WRAP_WIDTH = 30  # columns at least this wide wrap their text


def print_setup(sheet, title_rows: str | None = "1:1") -> None:
    """How the sheet prints: A4 landscape, one page wide (as many pages long as it takes), ``title_rows``
    repeated on every page, the sheet's name atop each page and the page number below.

    The name goes in as text: ``&`` starts a code in a page header, so it is doubled.
    """
    from openpyxl.worksheet.properties import PageSetupProperties

    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # 0: as many pages as the rows need
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    if title_rows:
        sheet.print_title_rows = title_rows
    sheet.oddHeader.center.text = sheet.title.replace("&", "&&")
    sheet.oddHeader.center.size = 12
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def write_table(
    sheet,
    frame: pd.DataFrame,
    widths: dict[str, int] | None = None,
    fill_of: Callable[[str, object], str | None] | None = None,
    headers: list[str] | None = None,
) -> None:
    """Write a frame as a formatted table: bold filled header, frozen, sized columns, set up to print
    (``print_setup``).

    ``widths`` maps a header to its column width (default from the header's
    length); ``fill_of(header, value)`` may return a hex colour for a cell,
    e.g. the 预警 column. ``headers`` overrides the header texts.
    """
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    headers = headers or [str(c) for c in frame.columns]
    widths = widths or {}
    column_widths = [widths.get(h, max(10, len(h) * 2 + 2)) for h in headers]
    for position, (header, width) in enumerate(zip(headers, column_widths), start=1):
        cell = sheet.cell(row=1, column=position, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = "A2"
    print_setup(sheet)
    for row_index, record in enumerate(frame.itertuples(index=False), start=2):
        for position, (header, width, value) in enumerate(zip(headers, column_widths, record), start=1):
            cell = sheet.cell(row=row_index, column=position)
            set_cell(cell, value)
            colour = fill_of(header, cell.value) if fill_of else None
            if colour:
                cell.fill = PatternFill("solid", fgColor=colour)
                cell.font = Font(bold=True)
                cell.alignment = Alignment(horizontal="center")
            elif width >= WRAP_WIDTH:
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def write_contract_sheet(sheet, columns: tuple[schema.Column, ...], frame: pd.DataFrame) -> None:
    """Write one contract sheet (schema columns, by field) as a formatted table."""
    ordered = pd.DataFrame({c.field: frame[c.field] if c.field in frame.columns else None for c in columns},
                           index=frame.index)
    write_table(sheet, ordered, widths={c.header: c.width for c in columns}, headers=[c.header for c in columns])


def add_update_validation(sheet, units: list[str], first_row: int = 2, last_row: int = 2000) -> None:
    """Excel data validation on a 进展 sheet laid out as schema.UPDATE_COLUMNS."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    letter = {
        col.field: get_column_letter(i) for i, col in enumerate(schema.UPDATE_COLUMNS, start=1)
    }

    def cells(field_name: str) -> str:
        return f"{letter[field_name]}{first_row}:{letter[field_name]}{last_row}"

    status = DataValidation(
        type="list", formula1='"' + ",".join(schema.STATUSES) + '"', allow_blank=True,
        errorTitle="状态", error="请从下拉列表中选择：未启动、推进中、已完成、滞后。",
    )
    status.add(cells("status"))
    progress = DataValidation(
        type="whole", operator="between", formula1="0", formula2="100", allow_blank=False,
        errorTitle="完成进度", error="完成进度请填写 0 到 100 之间的整数。",
    )
    progress.add(cells("progress"))
    date = DataValidation(
        type="date", operator="between", formula1="36526", formula2="73051",
        errorTitle="填报日期", error="请填写日期，例如 2026-06-30。",
    )
    date.add(cells("date"))
    for validation in (status, progress, date):
        validation.showErrorMessage = True
        sheet.add_data_validation(validation)
    if units:
        # A list formula is capped at 255 characters; longer lists live on a hidden sheet.
        listed = ",".join(units)
        if len(listed) <= 250:
            formula = f'"{listed}"'
        else:
            lists = sheet.parent.create_sheet("_lists")
            lists.sheet_state = "hidden"
            for i, unit in enumerate(units, start=1):
                lists.cell(row=i, column=1, value=unit).data_type = "s"
            formula = f"_lists!$A$1:$A${len(units)}"
        unit_validation = DataValidation(
            type="list", formula1=formula, allow_blank=False,
            errorTitle="处室", error="请从下拉列表中选择处室。", showErrorMessage=True,
        )
        unit_validation.add(cells("unit"))
        sheet.add_data_validation(unit_validation)


def plan_frame(plan: dict[str, object]) -> pd.DataFrame:
    """The 方案 sheet's rows, in contract order, from a key → value dict."""
    keys = [k for k in schema.PLAN_KEYS if k in plan] + [k for k in plan if k not in schema.PLAN_KEYS]
    return pd.DataFrame({"key": keys, "value": [plan[k] for k in keys]})


def contract_workbook(
    plan: dict[str, object],
    units: pd.DataFrame,
    tasks: pd.DataFrame,
    updates: pd.DataFrame,
    extra_sheets: dict[str, list[list]] | None = None,
):
    """An openpyxl Workbook with the four sheets, formatted, and 进展's data validation.

    ``extra_sheets`` (name → rows of cell values) are appended after them as plain values.
    """
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    frames = {
        schema.SHEET_PLAN: plan_frame(plan),
        schema.SHEET_UNITS: units,
        schema.SHEET_TASKS: tasks,
        schema.SHEET_UPDATES: updates,
    }
    for sheet_name, frame in frames.items():
        sheet = workbook.create_sheet(sheet_name)
        write_contract_sheet(sheet, schema.SHEETS[sheet_name], frame)
    add_update_validation(workbook[schema.SHEET_UPDATES], list(units["unit"]) if len(units) else [])
    for name, rows in (extra_sheets or {}).items():
        sheet = workbook.create_sheet(name)
        for row_index, row in enumerate(rows, start=1):
            for column_index, value in enumerate(row, start=1):
                if not (isinstance(value, str) and value == ""):
                    set_cell(sheet.cell(row=row_index, column=column_index), value)
    return workbook


def write_workbook(path_or_buffer, plan, units, tasks, updates, extra_sheets=None) -> None:
    """Write the four sheets (see ``workbook_bytes``) to a path or a binary buffer."""
    data = workbook_bytes(plan, units, tasks, updates, extra_sheets)
    if hasattr(path_or_buffer, "write"):
        path_or_buffer.write(data)
    else:
        Path(path_or_buffer).write_bytes(data)


def tables_bytes(
    frames: dict[str, pd.DataFrame],
    widths: dict[str, int] | None = None,
    fill_of: Callable[[str, object], str | None] | None = None,
) -> bytes:
    """An .xlsx of one formatted table per sheet (sheet name → frame), see ``write_table``."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, frame in frames.items():
        write_table(workbook.create_sheet(name[:31]), frame, widths=widths, fill_of=fill_of)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def supervision_sheet(events: pd.DataFrame) -> dict[str, list[list]]:
    """The 督办 sheet (header, then one row per event in order) as an ``extra_sheets`` entry; {} without events.

    Written as values after the four sheets: no template carries it, and a workbook without events has none.
    """
    if events.empty:
        return {}
    columns = schema.SUPERVISION_COLUMNS
    cells = events.astype(object).where(events.notna(), None)
    rows: list[list] = [[column.header for column in columns]]
    rows += [[_cell_value(cells.at[index, c.field]) if c.field in cells.columns else None for c in columns]
             for index in cells.index]
    return {schema.SHEET_SUPERVISION: rows}


def _cell_value(value: object) -> object:
    return value.date() if isinstance(value, pd.Timestamp) else value


def workbook_bytes(plan, units, tasks, updates, extra_sheets: dict[str, list[list]] | None = None) -> bytes:
    """The contract workbook as saved: formatted like ``contract_workbook``, written by ``lib.xlsx_writer``."""
    return xlsx_writer.contract_bytes(plan_frame(plan), units, tasks, updates, extra_sheets)
