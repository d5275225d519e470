"""lib.intake readers: each format reads, and each unreadable file gets one clear sentence and a stable code."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from lib import intake
from lib.__main__ import main
from lib.intake import IntakeError, import_notice, read_notice
from lib.intake import base as codes
from lib.intake.tables import unflatten

SHIPPED = Path(__file__).parent / "fixtures" / "notices" / "sichuan-chongqing-fangzhi-plan-2025.txt"
CORPUS = Path(__file__).parent / "fixtures" / "notices" / "corpus"


def _refusal(data: bytes, filename: str, **kwargs) -> IntakeError:
    with pytest.raises(IntakeError) as caught:
        read_notice(data, filename, **kwargs)
    error = caught.value
    # One Chinese sentence, ending in 。, and no traceback text.
    assert error.message.endswith("。") and error.message.count("。") == 1
    assert "Traceback" not in error.message
    return error


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le", "utf-16-be"])
def test_text_in_every_chinese_encoding_gives_the_shipped_plan(encoding: str) -> None:
    text = SHIPPED.read_text(encoding="utf-8").replace("\n", "\r\n")
    result = import_notice(text.encode(encoding), "方案.txt")
    # 16 tasks in 6 sections, 6 units, as from the UTF-8 file.
    assert len(result.tasks) == 16
    assert result.tasks["section"].nunique() == 6
    assert len(result.units) == 6


def test_garbage_and_binary_are_refused_as_not_text() -> None:
    assert _refusal(bytes(range(256)) * 40, "方案.txt").code == codes.NOT_TEXT


def test_empty_too_large_and_unknown_formats() -> None:
    assert _refusal(b"   \n", "方案.txt").code == codes.EMPTY
    assert _refusal(b"x" * 2000, "方案.txt", max_bytes=1000).code == codes.TOO_LARGE
    assert _refusal(b"\x89PNG\r\n\x1a\n" + b"0" * 100, "方案.png").code == codes.UNKNOWN_FORMAT
    assert _refusal(b"PK\x03\x04broken", "方案.docx").code == codes.BROKEN_FILE
    assert _refusal(b"%PDF-1.4\nbroken", "方案.pdf").code == codes.BROKEN_FILE


def test_doc_without_libreoffice_asks_for_a_docx(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("lib.intake.legacy.soffice_path", lambda: None)
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    for name in ("方案.doc", "方案.wps"):
        error = _refusal(ole2, name)
        assert error.code == codes.NEEDS_CONVERSION
        assert "另存为 .docx" in error.message


def test_scanned_pdf_without_text_asks_for_ocr_or_word() -> None:
    page = Image.new("RGB", (600, 800), "white")
    buffer = io.BytesIO()
    page.save(buffer, format="PDF")
    error = _refusal(buffer.getvalue(), "扫描件.pdf")
    assert error.code == codes.NEEDS_OCR
    assert "OCR" in error.message and "Word" in error.message


def test_docx_list_numbers_are_written_out_and_merged_cells_repeat() -> None:
    numbered = read_notice((CORPUS / "lishan-2023-numbered.docx").read_bytes(), "a.docx")
    assert "一、经济社会发展的主要预期目标" in numbered.blocks
    assert "1.努力实现地区生产总值增长6.2%左右。" in numbered.blocks
    assert "6.居民收入增长与经济增长基本同步。" in numbered.blocks
    table = read_notice((CORPUS / "lishan-2023-table.docx").read_bytes(), "b.docx").tables[0]
    # The 类别 cell is merged down over all six rows: every row carries it.
    assert {row[0] for row in table.rows[1:]} == {"一、经济社会发展的主要预期目标"}
    assert len(table.rows) == 7


def test_pdf_table_reads_as_table() -> None:
    notice = read_notice((CORPUS / "sichuan-chongqing-fangzhi-2025-table.pdf").read_bytes(), "c.pdf")
    assert notice.source == "pdf"
    rows = [row for table in notice.tables for row in table.rows]
    assert rows[0] == ["序号", "任务内容", "责任处（社）"]
    assert sum(1 for row in rows if row[0].isdigit()) == 16  # 16 tasks, across the page break


def test_a_table_flattened_to_one_cell_per_line_is_rebuilt() -> None:
    lines = ["序号", "重点任务", "牵头单位", "配合单位", "完成时限",
             "1", "制定实施方案", "市发展改革委", "市财政局", "2025年6月底前",
             "2", "开展督查", "市政府督查室", "各县（市、区）政府", "长期坚持"]
    blocks = unflatten(lines)
    assert len(blocks) == 1 and isinstance(blocks[0], intake.Table)
    assert blocks[0].rows[2] == ["2", "开展督查", "市政府督查室", "各县（市、区）政府", "长期坚持"]
    result = intake.parse_notice("\n".join(["一、重点任务", *lines]))
    assert list(result.tasks["task_id"]) == ["1", "2"]
    assert list(result.tasks["lead_text"]) == ["市发展改革委", "市政府督查室"]
    assert list(result.tasks["units_text"]) == ["市发展改革委、市财政局", "市政府督查室、各县（市、区）政府"]
    assert list(result.tasks["deadline_text"]) == ["2025年6月底前", "长期坚持"]


def test_cli_imports_a_docx_and_refuses_a_scan_in_one_sentence(tmp_path: Path, capsys) -> None:
    output = tmp_path / "tasks.xlsx"
    assert main(["import-plan", str(CORPUS / "lishan-2023-table.docx"), "-o", str(output)]) == 0
    assert output.exists()
    assert "6 项任务" in capsys.readouterr().out
    scan = tmp_path / "扫描件.pdf"
    Image.new("RGB", (300, 400), "white").save(scan, format="PDF")
    assert main(["import-plan", str(scan), "-o", str(tmp_path / "other.xlsx")]) == 1
    err = capsys.readouterr().err
    assert "OCR" in err and "Traceback" not in err


def test_word_list_that_counts_on_through_its_sections() -> None:
    # The third level has lvlRestart 0: 1 … 45 run on under 二、 三、 …, so the last item under 五、 is 45.
    notice = read_notice((CORPUS / "guangzhou-rencai-2012-numbered.docx").read_bytes(), "d.docx")
    assert "二、实施六大人才行动计划" in notice.blocks
    assert any(block.startswith("11.121人才梯队项目") for block in notice.blocks if isinstance(block, str))
    assert any(block.startswith("45.营造良好环境") for block in notice.blocks if isinstance(block, str))


def test_pdf_radical_forms_become_the_characters_meant() -> None:
    # Chrome's CJK font draws 民 青 长 with radical-supplement glyphs (⺠ ⻘ ⻓); the text must not keep them.
    text = read_notice((CORPUS / "guangzhou-rencai-2012.pdf").read_bytes(), "e.pdf").text
    assert "民营企业家素质提升项目" in text and "青年" in text
    assert not any("\u2e80" <= char <= "\u2eff" for char in text)
