"""Checks an .xlsx file passes before anything parses it: size, container, zip bomb, macros, extent.

Each refusal is a Problem with a stable code and a Chinese message that says what to do.
"""

from __future__ import annotations

import io
import zipfile

from lib import settings
from lib.model import ERROR, Problem
from lib.workbook import check_extent

MAX_ZIP_ENTRIES = 5000


def _refused(code: str, message: str) -> Problem:
    return Problem(ERROR, "", None, "", "", message, code=code)


def check_upload(data: bytes, max_bytes: int | None = None) -> Problem | None:
    """Why an uploaded file is refused before it is read; None when it may be read.

    Checks size, the .xlsx magic bytes, that the zip opens, the summed
    uncompressed size (zip bomb), macros, and each sheet's real extent (``workbook.check_extent``).
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
    if not data.startswith(b"PK\x03\x04"):
        return _refused("not-xlsx", "文件不是 Excel 工作簿（.xlsx）。如为 CSV 或其他格式，请在 Excel 中另存为 .xlsx 后重新上传。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return _refused("damaged-file", "文件已损坏或未完整上传，无法打开，请在 Excel 中重新保存后上传。")
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            return _refused("too-many-entries", "文件内部结构异常（条目过多），已拒绝，请在 Excel 中重新保存后上传。")
        names = [entry.filename.lower() for entry in entries]
        if any(name.endswith("vbaproject.bin") for name in names):
            return _refused("macros", "文件含有宏（VBA），出于安全考虑不予接收。请另存为不含宏的 .xlsx 工作簿后重新上传。")
        if "xl/workbook.xml" not in names:
            return _refused("not-xlsx", "文件不是有效的 Excel 工作簿（缺少工作簿内容），请在 Excel 中另存为 .xlsx 后重新上传。")
        total = sum(entry.file_size for entry in entries)
        if total > max_uncompressed:
            return _refused("zip-bomb", f"文件解压后达 {total / 1048576:.0f} MB，超过上限 {max_uncompressed // 1048576} MB，"
                            "疑似异常文件，已拒绝。请只保留填报所需的工作表后重新上传。")
        try:
            bad_member = archive.testzip()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            bad_member = "?"
        if bad_member:
            return _refused("damaged-file", "文件已损坏或未完整上传（内容校验失败），请在 Excel 中重新保存后上传。")
    too_large = check_extent(data)
    return _refused("sheet-too-large", too_large) if too_large else None
