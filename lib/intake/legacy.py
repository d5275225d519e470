"""Word 97–2003 (.doc) and WPS (.wps): converted to .docx by LibreOffice, when it is installed."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from lib.intake.base import CONVERSION_FAILED, NEEDS_CONVERSION, IntakeError, NoticeText
from lib.intake.docx_reader import read_docx

_TIMEOUT_SECONDS = 120


def soffice_path() -> str | None:
    """LibreOffice's command line program, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_legacy(data: bytes, suffix: str) -> NoticeText:
    """The notice in an old Word or WPS file, through LibreOffice; IntakeError when that is not possible."""
    soffice = soffice_path()
    if soffice is None:
        raise IntakeError(NEEDS_CONVERSION, "本机无法读取 .doc/.wps 文件，请在 Word 或 WPS 中另存为 .docx 后再导入。")
    with tempfile.TemporaryDirectory(prefix="notice-") as folder:
        source = Path(folder) / f"notice{suffix}"
        source.write_bytes(data)
        # A private profile, so a desktop LibreOffice that is open does not swallow the conversion.
        profile = Path(folder, "profile").as_uri()
        command = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "docx",
                   "--outdir", folder, str(source)]
        try:
            subprocess.run(command, capture_output=True, timeout=_TIMEOUT_SECONDS, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise IntakeError(CONVERSION_FAILED, "文件转换失败，请在 Word 或 WPS 中另存为 .docx 后再导入。") from error
        converted = Path(folder) / "notice.docx"
        if not converted.exists():
            raise IntakeError(CONVERSION_FAILED, "文件转换失败，请在 Word 或 WPS 中另存为 .docx 后再导入。")
        notice = read_docx(converted.read_bytes())
    notice.source = suffix.lstrip(".")
    return notice
