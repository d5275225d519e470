"""lib.exports.pptx, lib.exports.xlsx and lib.cli.report: the PowerPoint and Excel exports of the review."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from PIL import Image, ImageStat
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.oxml.ns import qn

from lib import __main__ as cli
from lib import metrics, review, tables, validate
from lib.exports import pptx, xlsx
from lib.workbook import workbook_bytes, write_workbook
from tests.builders import KNOWN_PERIOD, REVIEW_PLAN, REVIEW_TASKS, REVIEW_UNITS, REVIEW_UPDATES, write_known

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def known(tmp_path_factory):
    path = write_known(tmp_path_factory.mktemp("known") / "tasks.xlsx")
    book = validate.load(path).book
    return path, book, review.build_review(book, review.period_from_code(KNOWN_PERIOD, book))


@pytest.fixture(scope="module")
def bundled():
    book = validate.load(ROOT / "data" / "tasks.xlsx").book
    return book, review.build_review(book, review.period_from_code("2026Q3", book))


def _titles(presentation) -> list[str]:
    return [s.shapes[0].text_frame.paragraphs[0].text for s in presentation.slides]


def _charts(presentation) -> list:
    return [shape.chart for s in presentation.slides for shape in s.shapes if shape.has_chart]


def test_pptx_has_the_review_slides_and_native_charts_with_the_metrics(bundled):
    book, built = bundled
    presentation = Presentation(io.BytesIO(pptx.pptx_bytes(built)))
    assert presentation.slide_width * 9 == presentation.slide_height * 16
    titles = _titles(presentation)
    assert len(presentation.slides) == len(built.slides) == 11
    assert titles == [s.title if s.kind == review.COVER else s.heading for s in built.slides]
    charts = _charts(presentation)
    assert [c.chart_type for c in charts] == [XL_CHART_TYPE.COLUMN_CLUSTERED, XL_CHART_TYPE.BAR_CLUSTERED,
                                              XL_CHART_TYPE.BAR_CLUSTERED]
    snapshot = metrics.compute(book, built.as_of)
    sections = charts[1].plots[0]
    assert list(sections.categories) == list(snapshot.sections["label"])
    assert list(sections.series[1].values) == [round(v, 1) for v in snapshot.sections["progress"]]
    assert list(sections.series[0].values) == [round(v, 1) for v in snapshot.sections["previous_progress"]]
    units = charts[2].plots[0]
    assert list(units.series[0].values) == [round(v, 1) for v in snapshot.units["progress"]]
    assert list(charts[0].plots[0].series[0].values) == [float(snapshot.overall.lights[k]) for k in
                                                          ("红", "黄", "蓝", "绿", "已完成")]


def test_pptx_writes_dates_as_prose(bundled):
    _, built = bundled
    presentation = Presentation(io.BytesIO(pptx.pptx_bytes(built)))
    texts = [shape.text_frame.text for slide in presentation.slides for shape in slide.shapes if shape.has_text_frame]
    as_of = [t.splitlines()[0] for t in texts if t.startswith("数据截至")]
    assert len(as_of) == len(built.slides) and set(as_of) == {"数据截至 2026年9月30日"}  # not 2026-09-30


def test_every_pptx_run_and_chart_text_names_an_east_asian_font(bundled):
    _, built = bundled
    presentation = Presentation(io.BytesIO(pptx.pptx_bytes(built)))
    runs = 0
    for slide in presentation.slides:
        for run in slide.shapes._spTree.iter(qn("a:r")):
            runs += 1
            ea = run.find(qn("a:rPr")).find(qn("a:ea"))
            assert ea is not None and ea.get("typeface") == pptx.EA_FONT, run.findtext(qn("a:t"))
    assert runs > 100
    for chart in _charts(presentation):
        defaults = list(chart._chartSpace.iter(qn("a:defRPr")))
        assert defaults and all(d.find(qn("a:ea")).get("typeface") == pptx.EA_FONT for d in defaults)


def test_every_text_property_in_every_part_of_the_pptx_names_an_east_asian_font(bundled):
    """Master, layouts, slides and charts: no run, default or end-of-paragraph property without a:ea,
    and the theme's fonts name 微软雅黑 too (else WPS falls back per part and may draw boxes)."""
    import re
    import zipfile

    from lxml import etree

    _book, built = bundled
    package = zipfile.ZipFile(io.BytesIO(pptx.pptx_bytes(built)))
    tags = {qn("a:rPr"), qn("a:defRPr"), qn("a:endParaRPr")}
    checked, missing = 0, []
    for name in package.namelist():
        if not name.endswith(".xml"):
            continue
        root = etree.fromstring(package.read(name))
        for element in root.iter(*tags):
            checked += 1
            ea = element.find(qn("a:ea"))
            if ea is None or not ea.get("typeface"):
                missing.append(name)
    assert checked > 100 and missing == []
    theme = package.read("ppt/theme/theme1.xml").decode()
    assert re.findall(r'<a:ea typeface="([^"]*)"', theme) == [pptx.EA_FONT, pptx.EA_FONT]  # major, minor
    assert not any(n.startswith("ppt/slideLayouts/slideLayout") and n.endswith(".xml")
                   for n in package.namelist()
                   if n != "ppt/slideLayouts/slideLayout7.xml")  # only the blank layout is kept


def test_pptx_tables_fit_their_slides_and_long_lists_split(known, bundled):
    _, built = bundled
    presentation = Presentation(io.BytesIO(pptx.pptx_bytes(built)))
    tables = [(shape, slide) for slide in presentation.slides for shape in slide.shapes if shape.has_table]
    assert len(tables) == 6  # 重点关注 ×3, 逾期未办结, 报送情况, 下步计划 (督办情况 has no decisions)
    for shape, _ in tables:
        assert shape.top + sum(r.height for r in shape.table.rows) <= presentation.slide_height - pptx.Inches(0.3)
    # Forty long red tasks on one web slide would not fit one pptx table: the table continues on a 续 slide.
    many = review.Slide(review.FOCUS, "重点关注", built.as_of, columns=("预警", "任务", "责任处室", "存在问题"),
                        items=[review.Item(f"{n} 任务", (("责任处室", "甲"), ("存在问题", "问" * 90)), "红")
                               for n in range(12)])
    pages = pptx.table_pages(many)
    assert len(pages) > 1 and sum(len(p) for p in pages) == 12


def test_pptx_renders_in_libreoffice_with_chinese(bundled, tmp_path):
    if not shutil.which("libreoffice") or not shutil.which("pdftoppm"):
        pytest.fail("libreoffice and pdftoppm are missing: run `make test`, which installs them")
    _, built = bundled
    deck = tmp_path / "review.pptx"
    deck.write_bytes(pptx.pptx_bytes(built))
    env = {**os.environ, "HOME": str(tmp_path)}
    subprocess.run(["libreoffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(deck)],
                   check=True, env=env, capture_output=True, timeout=180)
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "2", str(tmp_path / "review.pdf"),
                    str(tmp_path / "page")], check=True, timeout=60)
    ARTIFACTS.mkdir(exist_ok=True)
    pngs = sorted(tmp_path.glob("page-*.png"))  # page-1.png, or page-01.png once the deck has ten slides or more
    assert len(pngs) == 2
    for number, png in enumerate(pngs, start=1):
        shutil.copy(png, ARTIFACTS / f"review-pptx-page{number}.png")
        image = Image.open(png).convert("L")
        assert image.width > image.height  # 16:9
        assert ImageStat.Stat(image).var[0] > 100, "page is blank"
        # Ink in the upper half: the title and the big number were drawn, not dropped.
        top = image.crop((0, 0, image.width, image.height // 2))
        assert ImageStat.Stat(top).mean[0] < 250


def test_xlsx_summary_sheets_formats_and_numbers(known):
    _, book, built = known
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.xlsx_bytes(built, book)))
    assert workbook.sheetnames == ["总体", "板块", "处室", "任务", "未报送", "督办情况"]
    total = {row[0]: row[1] for row in workbook["总体"].iter_rows(min_row=2, values_only=True)}
    assert total["数据截至"] == "2026-09-30"  # a table: ISO
    assert total["总体进度（%）"] == 63.3 and total["本期报送率（%）"] == 50.0 and total["红灯任务"] == 1
    tasks = workbook["任务"]
    headers = [c.value for c in tasks[1]]
    assert all(c.font.bold for c in tasks[1])
    assert tasks.column_dimensions["C"].width == 60  # 任务内容
    light = tasks.cell(row=2, column=headers.index("预警") + 1)
    assert light.value == "红灯" and light.fill.fgColor.rgb.endswith("D55E00")
    content = tasks.cell(row=3, column=headers.index("任务内容") + 1)
    assert content.value == "=任务二 HYPERLINK" and content.data_type == "s"  # text, never a formula
    units = list(workbook["处室"].iter_rows(min_row=2, values_only=True))
    assert [(u[0], u[1], u[-1]) for u in units] == [("甲处", 80.0, 100.0), ("乙处", 35.0, 0.0)]
    missing = list(workbook["未报送"].iter_rows(min_row=2, values_only=True))
    assert [(m[0], m[1]) for m in missing] == [("乙处", "1"), ("乙处", "2")]


def test_cli_exports_both_files_and_rejects_a_bad_period(known, tmp_path, capsys):
    path, _, _ = known
    deck, summary = tmp_path / "review.pptx", tmp_path / "汇总.xlsx"
    assert cli.main(["export-pptx", "--period", KNOWN_PERIOD, "-o", str(deck), "--workbook", str(path)]) == 0
    assert cli.main(["export-xlsx", "--period", KNOWN_PERIOD, "-o", str(summary), "--workbook", str(path)]) == 0
    assert len(Presentation(str(deck)).slides) == 9
    assert openpyxl.load_workbook(summary).sheetnames[0] == "总体"
    assert cli.main(["export-pptx", "--period", "2026Q7", "-o", str(deck), "--workbook", str(path)]) == 1
    assert "2026Q3" in capsys.readouterr().err


# ---- formula-like labels stay text in every file we write ----------------------------------------

# Labels an admin may type that a spreadsheet would evaluate: a unit's 简称 and 板块 headings.
FORMULA_SECTION = '=HYPERLINK("http://example.invalid/x")'
FORMULA_LABELS = ("=1+2", "+3*4", "@SUM(1)", "-5+6")


@pytest.fixture(scope="module")
def formula_labels(tmp_path_factory):
    units = REVIEW_UNITS.assign(short=[FORMULA_LABELS[0], FORMULA_LABELS[1]])
    tasks = REVIEW_TASKS.assign(section=[FORMULA_SECTION, FORMULA_SECTION, f"{FORMULA_LABELS[2]}，资源共享"])
    path = tmp_path_factory.mktemp("formulas") / "tasks.xlsx"
    write_workbook(path, REVIEW_PLAN, units, tasks, REVIEW_UPDATES)
    book = validate.load(path).book
    return book, review.build_review(book, review.period_from_code(KNOWN_PERIOD, book))


def _cells(data: bytes) -> list:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row
            if cell.value is not None]


def test_pptx_chart_workbooks_hold_formula_like_labels_as_text(formula_labels):
    """python-pptx's chart data is an embedded xlsx; XlsxWriter's write() would make ``=…`` a live formula."""
    _book, built = formula_labels
    package = zipfile.ZipFile(io.BytesIO(pptx.pptx_bytes(built)))
    embedded = [n for n in package.namelist() if n.startswith("ppt/embeddings/") and n.endswith(".xlsx")]
    assert len(embedded) == 3  # 预警, 板块, 处室
    texts = set()
    for name in embedded:
        cells = _cells(package.read(name))
        assert [c.coordinate for c in cells if c.data_type == "f"] == [], name
        texts |= {c.value for c in cells if c.data_type == "s"}
    assert {FORMULA_SECTION, FORMULA_LABELS[0], FORMULA_LABELS[1], FORMULA_LABELS[2]} <= texts


def test_every_xlsx_we_write_keeps_formula_like_text_as_text(formula_labels, tmp_path):
    book, built = formula_labels
    frame = pd.DataFrame({"简称": list(FORMULA_LABELS), "板块": [FORMULA_SECTION] * len(FORMULA_LABELS)})
    files = {
        "summary": xlsx.xlsx_bytes(built, book),
        "table": tables.xlsx_bytes(frame),
        "contract": workbook_bytes({"方案名称": FORMULA_LABELS[0]}, book.units, book.tasks, book.updates),
    }
    for name, data in files.items():
        cells = _cells(data)
        assert [c.coordinate for c in cells if c.data_type == "f"] == [], name
        texts = {c.value for c in cells if c.data_type == "s"}
        assert FORMULA_SECTION in texts or FORMULA_LABELS[0] in texts, name
