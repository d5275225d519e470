"""The reader on messy office spreadsheets, built cell by cell with openpyxl."""

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from lib import validate
from lib.workbook import WorkbookError, read_raw

ROOT = Path(__file__).resolve().parents[1]


def messy_workbook(path):
    workbook = openpyxl.Workbook()
    units = workbook.active
    units.title = "处室"
    units.append(["处 室", "简称", "分组"])  # a stray space in the header
    units.append(["甲处", "", "机关各处"])
    units.append(["乙处", "", "机关各处"])
    units.append(["丙社", "", ""])

    tasks = workbook.create_sheet("任务")
    tasks["A1"] = "推进落实分工方案任务清单"  # a title row above the header
    tasks.merge_cells("A1:E1")
    tasks.append(["（填表说明：按方案原文填写）"])
    tasks.append(["编号", "板块", "任务内容", "责任处室", "完成时限"])
    tasks.append([1, "一、建立联络机制，构建新模式", "任务一", "机关各处、丙社", "长期坚持"])
    tasks.append([2, None, "任务二", "乙处", "2026年6月底前"])
    tasks.merge_cells("B4:B5")  # 板块 merged down over its tasks
    tasks.append(["3", "二、合作", "任务三", "甲处", 46387])  # deadline as an Excel serial
    tasks.append([])  # blank trailing rows
    tasks.append([None, None, None])

    updates = workbook.create_sheet("进展")
    updates.append(["填报日期", "编　号", "处室", "完成进度", "状态", "进展情况"])  # full-width space
    updates.append(["2026年3月31日", "1", "甲处", "60%", "进行中", "=HYPERLINK(\"x\")"])
    updates.append([dt.date(2026, 3, 31), 2, "乙处", 0.6, None, ""])
    updates["F2"].data_type = "s"  # text that merely looks like a formula
    updates["D3"].number_format = "0%"  # shows 60%, stores 0.6
    updates.append(["2026/3/30", "3", "甲处", "40", "", ""])  # number stored as text
    updates.append([46112, "1", "丙社", 0.5, "", ""])  # date as a serial; 0.5 without % format
    updates.append([None, None, None, None])
    workbook.create_sheet("说明").append(["extra sheets are ignored"])
    workbook.save(path)
    return path


def test_messy_workbook_reads_with_excel_row_numbers(tmp_path):
    result = validate.load(messy_workbook(tmp_path / "m.xlsx"), today=dt.date(2026, 11, 1))
    assert result.ok, [p.as_text() for p in result.problems]
    tasks = result.book.tasks.set_index("task_id")
    assert list(tasks.index) == ["1", "2", "3"]
    assert tasks.loc["2", "section"] == "一、建立联络机制，构建新模式"  # merged cell filled down
    assert tasks.loc["1", "row"] == 4 and tasks.loc["3", "row"] == 6  # rows as Excel shows them
    assert tasks.loc["1", "ongoing"] and tasks.loc["2", "deadline"] == dt.datetime(2026, 6, 30)
    assert tasks.loc["3", "deadline"] == dt.datetime(2026, 12, 31)
    updates = result.book.updates.set_index("row")
    assert updates.loc[2, "progress"] == 60  # "60%"
    assert updates.loc[3, "progress"] == 60  # 0.6 in a percent-formatted cell
    assert updates.loc[4, "progress"] == 40  # "40" stored as text
    assert updates.loc[5, "progress"] == 0.5  # 0.5 without a % format stays 0.5
    assert updates.loc[5, "date"] == dt.datetime(2026, 3, 31)
    assert updates.loc[2, "progress_note"] == '=HYPERLINK("x")'  # data, not a formula
    assert len(result.book.updates) == 4  # blank trailing rows dropped


def test_not_an_xlsx_is_one_clear_error(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"\x00\x01 random bytes")
    result = validate.load(path)
    assert result.book is None and len(result.problems) == 1
    assert result.problems[0].code == "not-xlsx"


def test_corrupt_zip_is_one_clear_error(tmp_path):
    good = io.BytesIO()
    openpyxl.Workbook().save(good)
    path = tmp_path / "t.xlsx"
    path.write_bytes(good.getvalue()[:300])  # truncated
    result = validate.load(path)
    assert result.book is None and len(result.problems) == 1
    assert result.problems[0].code == "damaged-workbook"


def test_zip_without_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(WorkbookError) as raised:
        read_raw(buffer.getvalue())
    assert raised.value.code == "not-xlsx"


def test_far_away_cell_is_refused_before_reading(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active["XFD400"] = "x"  # 16384 columns × 400 rows is beyond MAX_SHEET_CELLS
    path = tmp_path / "far.xlsx"
    workbook.save(path)
    with pytest.raises(WorkbookError) as raised:
        read_raw(path)
    assert raised.value.code == "sheet-too-large"


def test_sheet_names_with_spaces_are_found(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = " 任务 "
    workbook.active.append(["编号", "板块", "任务内容", "责任处室"])
    path = tmp_path / "s.xlsx"
    workbook.save(path)
    assert "任务" in read_raw(path).sheets


def test_the_same_workbook_is_written_as_the_same_bytes():
    # One history copy per version depends on it: the zip entries carry no clock time.
    from lib import workbook as workbook_module
    from lib.store.build import book_frames

    loaded = validate.load(ROOT / "data" / "tasks.xlsx")
    plan = {"方案名称": loaded.book.plan.name}
    first = workbook_module.workbook_bytes(plan, *book_frames(loaded.book))
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {entry.date_time for entry in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert workbook_module.workbook_bytes(plan, *book_frames(loaded.book)) == first
