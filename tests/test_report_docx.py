"""lib.exports.report_docx and lib.exports.gongwen: the quarterly report as a 公文 Word draft, and ``export-docx``."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from PIL import Image
from streamlit.testing.v1 import AppTest

from lib import __main__ as cli
from lib import review, validate
from lib.dates import chinese_date
from lib.exports import gongwen, report_docx
from tests.builders import KNOWN_PERIOD, write_known

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "data" / "tasks.xlsx"
ARTIFACTS = ROOT / "test-artifacts"
WRITTEN = dt.date(2026, 10, 8)


def _open(data: bytes):
    return Document(io.BytesIO(data))


@pytest.fixture(scope="module")
def bundled():
    book = validate.load(BUNDLED).book
    built = review.build_review(book, review.period_from_code("2026Q3", book))
    return book, built, report_docx.docx_bytes(built, book, WRITTEN)


@pytest.fixture(scope="module")
def known(tmp_path_factory):
    path = write_known(tmp_path_factory.mktemp("known") / "tasks.xlsx")
    book = validate.load(path).book
    built = review.build_review(book, review.period_from_code(KNOWN_PERIOD, book))
    return path, book, built, _open(report_docx.docx_bytes(built, book, WRITTEN))


def _east_asian(run) -> str | None:
    fonts = run._r.rPr.find(qn("w:rFonts")) if run._r.rPr is not None else None
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def _outline_level(paragraph) -> int | None:
    level = paragraph._p.pPr.find(qn("w:outlineLvl")) if paragraph._p.pPr is not None else None
    return None if level is None else int(level.get(qn("w:val")))


def _all_runs(doc):
    paragraphs = list(doc.paragraphs)
    for table in doc.tables:
        paragraphs += [p for row in table.rows for cell in row.cells for p in cell.paragraphs]
    for section in doc.sections:
        paragraphs += section.footer.paragraphs + section.even_page_footer.paragraphs
    return [run for paragraph in paragraphs for run in paragraph.runs]


def test_page_margins_and_the_landscape_attachment(bundled):
    doc = _open(bundled[2])
    first, attachment = doc.sections[0], doc.sections[-1]
    assert len(doc.sections) == 2
    assert (round(first.page_width.mm), round(first.page_height.mm)) == (210, 297)
    assert first.orientation == WD_ORIENT.PORTRAIT
    margins = [first.top_margin, first.bottom_margin, first.left_margin, first.right_margin]
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    assert attachment.orientation == WD_ORIENT.LANDSCAPE
    assert (round(attachment.page_width.mm), round(attachment.page_height.mm)) == (297, 210)


def test_fonts_sizes_and_east_asian_faces_on_every_run(bundled):
    doc = _open(bundled[2])
    runs = _all_runs(doc)
    assert runs and all(_east_asian(run) for run in runs)  # every run names its Chinese face
    title = next(p for p in doc.paragraphs if p.text == report_docx.report_title(bundled[1]))
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert {(_east_asian(r), r.font.size) for r in title.runs} == {(gongwen.TITLE_FONT, Pt(22))}
    body = next(p for p in doc.paragraphs if p.text == report_docx.overall_text(bundled[1]))
    assert {(_east_asian(r), r.font.size) for r in body.runs} == {(gongwen.BODY_FONT, Pt(16))}
    assert body.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert 28 <= body.paragraph_format.line_spacing.pt <= 29
    # 22 lines fill the text height: 297 − 37 − 35 mm.
    assert round(Mm(297 - 37 - 35).pt / body.paragraph_format.line_spacing.pt) == 22
    faces = {level: {_east_asian(r) for p in doc.paragraphs if _outline_level(p) == level for r in p.runs}
             for level in (0, 1)}
    assert faces == {0: {gongwen.HEADING1_FONT}, 1: {gongwen.HEADING2_FONT}}
    footer = doc.sections[0].footer.paragraphs[0]
    assert "PAGE" in footer._p.xml and footer.text.startswith("— ") and footer.text.endswith(" —")
    assert {(_east_asian(r), r.font.size) for r in footer.runs} == {(gongwen.PAGE_NUMBER_FONT, Pt(14))}
    assert doc.settings.odd_and_even_pages_header_footer
    assert doc.sections[0].even_page_footer.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT


def test_heading_sequence(bundled):
    book, built, data = bundled
    doc = _open(data)
    first = [p.text for p in doc.paragraphs if _outline_level(p) == 0]
    assert first == [f"{n}、{h}" for n, h in zip("一二三四五", report_docx.HEADINGS, strict=True)]
    second = [p.text for p in doc.paragraphs if _outline_level(p) == 1]
    sections = [gongwen.without_numbering(label) for label in built.snapshot.sections["label"]]
    numbered = [f"（{gongwen.chinese_numeral(n)}）{s}" for n, s in enumerate(sections, start=1)]
    # 二 and 五 carry one heading per 板块; 三 the red and yellow tasks and the missing reports; 四 the overdue tasks
    # (no 督办 events in the sample, tasks 5 and 13 past 06-30).
    assert second[:6] == numbered and second[-6:] == numbered and len(second) == 16
    assert second[-7] == "（一）逾期未办结情况"
    assert sections[0] == "建立常态化联络机制"


def test_numbers_agree_with_summary_json(bundled, capsys):
    _, built, data = bundled
    assert cli.main(["summary", "--json", "--as-of", "2026-09-30", "--workbook", str(BUNDLED)]) == 0
    summary = json.loads(capsys.readouterr().out)["overall"]
    assert (round(summary["progress"], 1), round(summary["change"], 1), summary["done"]) == (60.3, 9.6, 3)
    assert (summary["lights"]["红"], summary["lights"]["黄"]) == (5, 4)
    assert (summary["reported"], summary["required"], summary["tasks"]) == (30, 37, 16)
    text = "\n".join(p.text for p in _open(data).paragraphs)
    assert (f"截至2026年9月30日，{summary['tasks']}项任务总体完成进度{summary['progress']:.1f}%，"
            f"较上季度末提高{summary['change']:.1f}个百分点；已完成{summary['done']}项，"
            f"红灯{summary['lights']['红']}项、黄灯{summary['lights']['黄']}项") in text
    assert f"应报送责任分工{summary['required']}项，已报送{summary['reported']}项，报送率81.1%" in text
    for section in built.snapshot.sections.itertuples():
        assert f"本板块{section.tasks}项任务，完成进度{section.progress:.1f}%" in text


def test_attachment_table_has_a_repeating_header_and_one_row_per_task(bundled):
    book, built, data = bundled
    (table,) = _open(data).tables
    assert len(table.rows) == 16 + 1
    assert [c.text for c in table.rows[0].cells] == list(report_docx.ATTACHMENT_HEADER)
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None for row in table.rows[1:])
    assert [row.cells[0].text for row in table.rows[1:]] == list(built.snapshot.tasks["task_id"])
    assert [row.cells[5].text for row in table.rows[1:]].count("红灯") == 5
    assert sum(w.mm for w in report_docx.ATTACHMENT_WIDTHS) == pytest.approx(297 - 37 - 35, abs=0.5)


def test_sample_workbook_says_so_first_and_the_date_has_no_leading_zeros(bundled, known):
    assert bundled[0].plan.sample
    sample_doc = _open(bundled[2])
    assert sample_doc.paragraphs[0].text == report_docx.SAMPLE_NOTE
    _, book, built, doc = known
    assert not book.plan.sample
    assert doc.paragraphs[0].text == report_docx.report_title(built) == "关于《测试方案》2026年第三季度落实情况的报告"
    dated = [p for p in doc.paragraphs if p.text == chinese_date(WRITTEN)]
    assert [p.text for p in dated] == ["2026年10月8日"] and dated[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT


def test_missing_reports_are_stated_and_workbook_text_is_literal(known):
    _, book, built, doc = known
    text = "\n".join(p.text for p in doc.paragraphs)
    # Task 1: 甲处 reported on 8-10; 乙处 last reported in Q1, so not this period.
    task_one = next(p.text for p in doc.paragraphs if p.text.startswith("1. "))
    assert task_one.endswith(f"乙{report_docx.NO_REPORT}。")
    assert "2. " in text and f"（完成进度50.0%）。{report_docx.NO_REPORT}。" in text
    assert "“<b>加快</b>推进”" in text and "“=SUM(A1)”" in text  # quoted as typed, not markup or a formula
    cells = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert "=任务二 HYPERLINK" in cells
    assert report_docx.change_words(36.66, built).endswith("36.7个百分点")


@pytest.mark.parametrize(("change", "word"), [(-2.04, "下降2.0"), (0.04, "持平"), (float("nan"), "无可比数据"),
                                              (1.96, "提高2.0")])
def test_change_words_follow_change_delta(known, change, word):
    assert word in report_docx.change_words(change, known[2])


def test_illegal_characters_and_a_blank_plan_name(known):
    _, book, built, _ = known
    assert gongwen.clean("甲\x0b乙\x00丙\ufffe") == "甲乙丙"
    blank = review.Review("", "", built.period, built.snapshot, built.slides, built.supervision)
    assert report_docx.report_title(blank) == "关于2026年第三季度任务落实情况的报告"
    doc = gongwen.new_document()
    gongwen.paragraph(doc, "进展\x0b情况\x1f")
    assert _open(gongwen.to_bytes(doc)).paragraphs[0].text == "进展情况"


def test_cli_export_docx_writes_a_file_that_opens(known, tmp_path, capsys):
    path = known[0]
    output = tmp_path / "out" / "报告.docx"
    assert cli.main(["export-docx", "--period", KNOWN_PERIOD, "-o", str(output), "--workbook", str(path)]) == 0
    doc = Document(str(output))
    assert len(doc.tables) == 1 and len(doc.tables[0].rows) == 3 + 1
    assert cli.main(["export-docx", "--period", "2026Q7", "-o", str(output), "--workbook", str(path)]) == 1
    assert "2026Q3" in capsys.readouterr().err


def test_review_page_offers_the_word_download(monkeypatch, tmp_path):
    import streamlit as st

    offered = {}
    download = st.download_button

    def record(label, data, file_name, *args, **kwargs):
        offered[kwargs.get("key")] = (file_name, data)
        return download(label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", record)
    monkeypatch.setenv("KANBAN_WORKBOOK", str(write_known(tmp_path / "data" / "tasks.xlsx")))
    monkeypatch.setenv("KANBAN_TODAY", "2026-11-20")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("pages/review.py")
    at.run()
    assert not at.exception, at.exception
    assert {"rv_pptx", "rv_xlsx", "rv_docx"} <= set(offered)
    file_name, data = offered["rv_docx"]
    assert file_name == "落实情况报告_2026Q3.docx"
    doc = _open(data())
    assert chinese_date(dt.date(2026, 11, 20)) in [p.text for p in doc.paragraphs]  # dated KANBAN_TODAY


def test_docx_renders_in_libreoffice_with_chinese(bundled, tmp_path):
    if not shutil.which("soffice") or not shutil.which("pdftoppm"):
        pytest.fail("LibreOffice Writer and pdftoppm are missing: install libreoffice-writer and poppler-utils")
    source = tmp_path / "report.docx"
    source.write_bytes(bundled[2])
    env = {**os.environ, "HOME": str(tmp_path)}
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, env=env, capture_output=True, timeout=240)
    pdf = tmp_path / "report.pdf"
    assert pdf.exists(), "LibreOffice could not open the .docx (is libreoffice-writer installed?)"
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3  # the report runs over pages, and the attachment has its own
    ARTIFACTS.mkdir(exist_ok=True)
    for png in pages:
        shutil.copy(png, ARTIFACTS / f"report-docx-{png.name}")
        image = Image.open(png).convert("L")
        assert image.getextrema()[0] < 100, f"{png.name} is blank"  # some dark ink: text was drawn
    first, last = Image.open(pages[0]), Image.open(pages[-1])
    assert first.height > first.width and last.width > last.height  # portrait body, landscape attachment
