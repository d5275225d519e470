"""Checks an .xlsx file passes before anything parses it: size, container, zip bomb, macros, extent.

``check_upload`` guards an upload; ``check_container`` (the container and the extent) guards every
read, the shared workbook's included, since ``lib.workbook`` calls it before calamine opens a file.

Each refusal is a Problem with a stable code and a Chinese message that says what to do.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from lib import settings
from lib.model import ERROR, Problem

MAX_ZIP_ENTRIES = 5000


def _refused(code: str, message: str) -> Problem:
    return Problem(ERROR, "", None, "", "", message, code=code)


# calamine builds a dense grid from A1 to the last cell it meets, and aborts the whole
# process (not an exception) when that grid does not fit in memory; one cell at XFD200000
# in a 5 KB file is enough. So the real extent is measured from the cell references first.
# XML declares entities in a DOCTYPE before its root element, and names its root element first:
# the head of each part is enough to look at.
_XML_HEAD_BYTES = 4096
MAX_SHEET_ROWS = 1_048_576  # Excel's own limits
MAX_SHEET_COLUMNS = 16_384  # XFD
_EXTENT_CHUNK = 1 << 20
_TAG_RE = re.compile(rb"<(?:\w+:)?(row|c)(?=[\s/>])([^>]*)>")
_REF_ATTR_RE = re.compile(rb'\sr="([A-Z]*)(\d+)"')
# Excel and openpyxl write r= first: these literal prefixes keep the common case fast.
_ROW_REFS_RE = re.compile(rb'<row r="(\d+)"')
_COLUMN_TIERS = [re.compile(rb'<c r="([A-Z]{3,})\d'), re.compile(rb'<c r="([A-Z]{2})\d')]
_TWO_OR_MORE_LETTERS = re.compile(rb'<c r="[A-Z]{2}')
# A <row> or <c> tag that does not start with its r= reference (<c>, <c/>, <row>, <c s="1" r="A1">): one search
# instead of counting each form (<col>, <cols> and <rowBreaks> do not match).
_TAG_WITHOUT_LEADING_REF = re.compile(rb'<(?:row|c)(?:[>/]|\s(?!r="))')


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + (char - 64)
    return number


def _worksheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Zip member → the sheet's name as Excel shows it (the member name when the file does not say)."""
    import posixpath
    from xml.etree import ElementTree

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel_id = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {rel.get("Id"): rel.get("Target") or "" for rel in rels}
    names = {}
    for sheet in workbook.iter(f"{main}sheet"):
        target = targets.get(sheet.get(rel_id), "")
        member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        names[member] = sheet.get("name") or member
    return names


def _refs_extent(text: bytes) -> tuple[int, int] | None:
    """(last row, last column) when every <row> and <c> tag starts with its r= reference, else None."""
    if _TAG_WITHOUT_LEADING_REF.search(text):
        return None
    rows = _ROW_REFS_RE.findall(text)
    last_row = max(map(int, set(rows))) if rows else 0
    last_column = 0
    # the longest letters hold the last column; most sheets use one letter only, which one scan tells
    tiers = _COLUMN_TIERS if _TWO_OR_MORE_LETTERS.search(text) else []
    for tier in tiers:
        if tier.search(text):
            last_column = _column_number(max(set(tier.findall(text)), key=lambda s: (len(s), s)))
            break
    else:
        low, high = 0, 26  # one letter: bisect on the last one present (fewer scans than a findall)
        while low < high:
            middle = (low + high + 1) // 2
            if re.search(rb'<c r="[%c-Z]\d' % (64 + middle), text):
                low = middle
            else:
                high = middle - 1
        last_column = low
    # A cell may name a row beyond its <row>: look only at cells with at least as many digits.
    digits = len(str(last_row))
    beyond = re.findall(rb'<c r="[A-Z]+(\d{%d,})"' % digits, text)
    if beyond:
        last_row = max(last_row, max(map(int, set(beyond))))
    return last_row, last_column


def _sheet_extent(handle) -> tuple[int, int]:
    """(last row, last column) of the cells in a worksheet's XML, read in chunks.

    Cells and rows usually carry ``r="B7"`` / ``r="7"``; some generators leave
    it out, and then position counts, as calamine counts it.
    """
    last_row = last_column = 0
    row = column = 0
    tail = b""
    while True:
        chunk = handle.read(_EXTENT_CHUNK)
        text = tail + chunk
        cut = text.rfind(b"<") if chunk else len(text)
        text, tail = text[:cut], text[cut:]
        found = _refs_extent(text)
        if found is not None:
            row = max(row, found[0])
            last_row, last_column = max(last_row, found[0]), max(last_column, found[1])
        else:
            # positional cells or rows, or prefixed tags: walk every tag (only such files pay for it)
            for match in _TAG_RE.finditer(text):
                ref = _REF_ATTR_RE.search(match.group(2))
                if match.group(1) == b"row":
                    row = int(ref.group(2)) if ref else row + 1
                    column = 0
                else:
                    column = _column_number(ref.group(1)) if ref and ref.group(1) else column + 1
                    row = int(ref.group(2)) if ref and ref.group(1) else row
                    last_column = max(last_column, column)
                last_row = max(last_row, row)
        if not chunk:
            return last_row, last_column


_WORKSHEET_ROOT = re.compile(rb"<(?:\w+:)?(?:worksheet|sheetData)[\s>/]")


def worksheet_members(archive: zipfile.ZipFile) -> list[str]:
    """Every member a reader may take for a worksheet, wherever the file puts it: the usual
    ``xl/worksheets/``, the targets the workbook's relationships name, and any part whose XML is one."""
    members = set(archive.namelist())
    found = {m for m in members if m.startswith("xl/worksheets/") and m.endswith(".xml")}
    found |= {m for m in _worksheet_names(archive) if m in members}
    for entry in archive.infolist():
        if entry.filename not in found and not entry.is_dir():
            try:
                with archive.open(entry) as handle:
                    if _WORKSHEET_ROOT.search(handle.read(_XML_HEAD_BYTES)):
                        found.add(entry.filename)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error):
                continue
    return sorted(found)


def check_extent(data: bytes, max_rows: int | None = None) -> Problem | None:
    """Why a workbook is too large to read (the message names the sheet, ``value`` the extent), or None.

    Measures each worksheet from its real cell references, streaming the XML;
    the ``<dimension>`` element is not trusted. ``max_rows`` limits the rows of every
    sheet (a reporter's upload). Raises nothing for a damaged file: reading it later gives the clear error.
    """
    max_cells = settings.value("KANBAN_MAX_SHEET_CELLS")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        return None
    with archive:
        names = _worksheet_names(archive)
        for member in worksheet_members(archive):
            try:
                with archive.open(member) as handle:
                    rows, columns = _sheet_extent(handle)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error):
                return None
            sheet = names.get(member, member)
            if rows > MAX_SHEET_ROWS or columns > MAX_SHEET_COLUMNS or rows * columns > max_cells:
                return Problem(ERROR, sheet, None, "", f"{columns} 列 × {rows} 行",
                               f"工作表「{sheet}」范围过大（{columns} 列 × {rows} 行），多为误操作留下的大量空白行列"
                               "或远处的单元格。请删除多余的行、列后重新保存再上传。", code="sheet-too-large")
            if max_rows is not None and rows > max_rows:
                return Problem(ERROR, sheet, None, "", f"{rows} 行",
                               f"工作表「{sheet}」有 {rows} 行，超过一次填报上传的上限 {max_rows} 行。处室填报只需上传"
                               "本处室的进展行；如需批量导入历史数据，请联系管理员。", code="too-many-rows")
    return None



def check_container(data: bytes, measure_sheets: bool = True) -> Problem | None:
    """Why ``data`` is not an xlsx that may be opened: not a zip with a workbook in it, or (when
    ``measure_sheets``) a sheet too large."""
    return _not_a_workbook(data) or (check_extent(data) if measure_sheets else None)


def _not_a_workbook(data: bytes) -> Problem | None:
    if not data.startswith(b"PK\x03\x04"):
        return _refused("not-xlsx", "文件不是 Excel 工作簿（.xlsx）。如为 CSV 或其他格式，请在 Excel 中另存为 .xlsx 后重新上传。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "xl/workbook.xml" not in {name.lower() for name in archive.namelist()}:
                return _refused("not-xlsx", "文件不是有效的 Excel 工作簿（缺少工作簿内容），请在 Excel 中另存为 .xlsx 后重新上传。")
            return _entity_declarations(archive)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, zlib.error):
        return _refused("damaged-workbook", "文件已损坏或未完整上传，无法打开，请在 Excel 中重新保存后上传。")


_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def _entity_declarations(archive: zipfile.ZipFile) -> Problem | None:
    """A part that declares XML entities: Excel never writes one, and they are the stuff of XXE and
    "billion laughs" files, which read local files or expand to gigabytes."""
    for entry in archive.infolist():
        if entry.filename.lower().endswith((".xml", ".rels")):
            with archive.open(entry) as handle:
                if _DECLARATION.search(handle.read(_XML_HEAD_BYTES)):
                    return _refused("xml-entities",
                                    f"文件内部含有 XML 实体声明（{entry.filename}），Excel 保存的工作簿不会有这类内容，"
                                    "出于安全考虑不予接收。请在 Excel 中打开后另存为新的 .xlsx 文件再上传。")
    return None


def check_upload(data: bytes, max_bytes: int | None = None, max_rows: int | None = None) -> Problem | None:
    """Why an uploaded file is refused before it is read; None when it may be read.

    Checks size, the .xlsx magic bytes, that the zip opens, the summed
    uncompressed size (zip bomb), macros, and each sheet's real extent (``check_extent``), cheapest first.
    """
    max_bytes = max_bytes or settings.max_upload_bytes()
    max_uncompressed = settings.max_uncompressed_bytes()
    if not data:
        return _refused("empty-file", "上传的文件为空，请选择填写好的 .xlsx 工作簿。")
    if len(data) > max_bytes:
        return _refused("file-too-large", f"文件大小 {len(data) / 1048576:.1f} MB，超过上限 {max_bytes // 1048576} MB，"
                        "请删除无关内容后重新上传。")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return _refused("legacy-xls", "这是旧版 Excel（.xls）或加密文件，请在 Excel 中另存为 .xlsx 格式后重新上传。")
    refusal = _not_a_workbook(data)
    if refusal is not None:
        return refusal
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            return _refused("too-many-entries", "文件内部结构异常（条目过多），已拒绝，请在 Excel 中重新保存后上传。")
        names = [entry.filename.lower() for entry in entries]
        if any(name.endswith("vbaproject.bin") for name in names):
            return _refused("macros", "文件含有宏（VBA），出于安全考虑不予接收。请另存为不含宏的 .xlsx 工作簿后重新上传。")
        max_sheet = settings.value("KANBAN_MAX_SHEET_MB") * 1024 * 1024
        sheets = set(worksheet_members(archive))
        for entry in entries:
            if entry.filename in sheets and entry.file_size > max_sheet:
                return _refused("sheet-too-large", f"文件中有一张工作表解压后达 {entry.file_size / 1048576:.0f} MB，"
                                f"超过单表上限 {max_sheet // 1048576} MB，已拒绝。请只保留填报所需的内容后重新上传。")
        total = sum(entry.file_size for entry in entries)
        if total > max_uncompressed:
            return _refused("zip-bomb", f"文件解压后达 {total / 1048576:.0f} MB，超过上限 {max_uncompressed // 1048576} MB，"
                            "疑似异常文件，已拒绝。请只保留填报所需的工作表后重新上传。")
        try:
            bad_member = archive.testzip()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            bad_member = "?"
        if bad_member:
            return _refused("damaged-workbook", "文件已损坏或未完整上传（内容校验失败），请在 Excel 中重新保存后上传。")
    return check_extent(data, max_rows)  # last: it streams every worksheet
