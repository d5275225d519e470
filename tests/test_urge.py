"""催办: the overdue list per unit, the 催办通知 (.docx and messages), its audit lines and 已催办 N 次, the CLI.

The workbook is ``tests.test_supervision.supervision_workbook`` with 销号审核 = 是 (a report at 100 closes nothing):

- task 1, 甲处 and 乙处, due 2026-06-30: 甲处 asks for 销号 on 07-05 and is signed off on 07-08; 乙处 reported 60 on
  06-20 and is never closed;
- task 2, 乙处, due 09-30: 乙处 reported 40 on 09-15 and 50 on 10-20; it asked on 09-20 for 11-30, and on 10-10 the
  admin granted 11-15;
- task 3, 甲处, 长期: never due.

By hand:

- on 07-03: task 1 is 3 days overdue for both units (甲处 推进中, 乙处 推进中, progress 60); task 2 not yet due;
- on 07-06: 甲处 is 待销号 and still overdue, 6 days;
- on 10-05: 甲处 is signed off (out); 乙处 task 1 is 97 days overdue (31+31+30+5); task 2 is 5 days overdue against
  09-30, since the approval is dated 10-10, after the date (progress 40: the 10-20 report is later);
- on 10-12: the approved 11-15 is in force, so task 2 is out; task 1 is 104 days overdue;
- on 11-20: task 2 is 5 days past 11-15 (original 09-30, progress 50).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import docx
import pytest

from lib import accounts, remind, store, validate
from lib.__main__ import main
from lib.dates import chinese_date
from lib.periods import parse_period
from lib.supervision import urge
from tests.test_supervision import REVIEW, event, supervision_workbook

TODAY = dt.date(2026, 11, 1)
EVENTS = [
    event("D0001", "销号申请", "1", "甲处", dt.date(2026, 7, 5), "甲处填报", "已印发"),
    event("D0002", "销号", "1", "甲处", dt.date(2026, 7, 8), answers="D0001"),
    event("D0003", "延期申请", "2", "乙处", dt.date(2026, 9, 20), "乙处填报", "待上级批复",
          requested_until=dt.date(2026, 11, 30)),
    event("D0004", "同意延期", "2", "乙处", dt.date(2026, 10, 10), approved_until=dt.date(2026, 11, 15), answers="D0003"),
]
UPDATES = [(dt.date(2026, 6, 20), "1", "乙处", 60), (dt.date(2026, 9, 15), "2", "乙处", 40),
           (dt.date(2026, 10, 20), "2", "乙处", 50)]
JUNE_30, SEPT_30, NOV_15 = dt.date(2026, 6, 30), dt.date(2026, 9, 30), dt.date(2026, 11, 15)


@pytest.fixture
def workbook(tmp_path, monkeypatch) -> Path:
    path = supervision_workbook(tmp_path / "data" / "tasks.xlsx", EVENTS, UPDATES, plan=REVIEW)
    monkeypatch.setenv("KANBAN_WORKBOOK", str(path))
    monkeypatch.setenv("KANBAN_TODAY", TODAY.isoformat())
    monkeypatch.setenv("KANBAN_ACCOUNTS", str(path.parent / "accounts.toml"))
    return path


def _book(path: Path):
    result = validate.load(path, today=TODAY)
    assert result.ok, [p.as_text() for p in result.problems]
    return result.book


def _listed(book, day: dt.date, units=None) -> list[tuple]:
    rows = urge.overdue(book, day, units)
    return [(r["unit"], r["task_id"], r["deadline_original"], r["deadline_effective"], r["days_overdue"],
             None if r["progress"] != r["progress"] else r["progress"], r["state"]) for r in rows.to_dict("records")]


def _attachment_rows(data: bytes) -> list[list[str]]:
    (grid,) = docx.Document(io.BytesIO(data)).tables
    return [[cell.text for cell in row.cells] for row in grid.rows[1:]]


# ---- the overdue list ------------------------------------------------------------------------------------


def test_each_responsible_unit_not_closed_is_listed_with_its_days(workbook):
    book = _book(workbook)
    assert _listed(book, dt.date(2026, 6, 30)) == []  # due that day: not late yet
    assert _listed(book, dt.date(2026, 7, 3)) == [("甲处", "1", JUNE_30, JUNE_30, 3, None, "推进中"),
                                                  ("乙处", "1", JUNE_30, JUNE_30, 3, 60.0, "推进中")]
    assert _listed(book, dt.date(2026, 7, 6))[0] == ("甲处", "1", JUNE_30, JUNE_30, 6, None, "待销号")


def test_a_signed_off_assignment_is_left_out(workbook):
    book = _book(workbook)
    assert [unit for unit, *_ in _listed(book, dt.date(2026, 7, 8))] == ["乙处"]
    assert _listed(book, dt.date(2026, 10, 5), ["甲处"]) == []


def test_an_extension_counts_from_its_approval_and_until_the_new_date(workbook):
    book = _book(workbook)
    # Approved on 10-10: on 10-05 it does not count yet, task 2 is late against 09-30.
    assert _listed(book, dt.date(2026, 10, 5)) == [("乙处", "1", JUNE_30, JUNE_30, 97, 60.0, "推进中"),
                                                   ("乙处", "2", SEPT_30, SEPT_30, 5, 40.0, "推进中")]
    assert _listed(book, dt.date(2026, 10, 12)) == [("乙处", "1", JUNE_30, JUNE_30, 104, 60.0, "推进中")]
    assert _listed(book, NOV_15)[1:] == []
    assert _listed(book, dt.date(2026, 11, 20))[1] == ("乙处", "2", SEPT_30, NOV_15, 5, 50.0, "推进中")


def test_the_shown_list_has_its_headers_and_short_content(workbook):
    book = _book(workbook)
    rows = urge.with_urged(urge.overdue(book, dt.date(2026, 10, 5)), {("乙处", "2"): 2})
    shown = urge.overdue_list(rows)
    assert list(shown.columns) == ["处室", "任务编号", "任务内容", "原定时限", "调整后时限", "逾期天数", "最新进度", "督办状态",
                                   "已催办次数"]
    assert list(shown["已催办次数"]) == [0, 2]
    assert list(shown["调整后时限"]) == ["2026-06-30", "2026-09-30"]
    long = rows.assign(content="很" * 50)
    assert all(len(text) == urge.SHORT_CONTENT for text in urge.overdue_list(long)["任务内容"])


# ---- the notice ------------------------------------------------------------------------------------------


def test_notice_names_the_units_the_tasks_and_the_dates(workbook):
    book = _book(workbook)
    day = dt.date(2026, 11, 20)
    data = urge.notice_docx(book, urge.overdue(book, day), day)
    assert _attachment_rows(data) == [["1", "乙处", "1", "任务一", "2026-06-30", "2026-06-30", "143", "推进中"],
                                      ["2", "乙处", "2", "任务二", "2026-09-30", "2026-11-15", "5", "推进中"]]
    paragraphs = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert paragraphs[0] == urge.notice_title(book) and "《督办测试》" in paragraphs[0]
    assert "乙处：" in paragraphs  # 主送
    assert sum(chinese_date(day) in text for text in paragraphs) == 2  # 截至…, and the date it is signed
    assert urge.notice_docx(book, urge.overdue(book, day, ["甲处"]), day) == b""


def test_one_message_per_unit_with_each_task_and_its_page(workbook):
    book = _book(workbook)
    messages = urge.unit_messages(book, urge.overdue(book, dt.date(2026, 7, 3)), dt.date(2026, 7, 3))
    assert list(messages) == ["甲处", "乙处"]
    lines = messages["乙处"].splitlines()
    assert lines[0] == "乙处：" and lines[-1].endswith("/unit?unit=乙处")
    assert sum(line.startswith("1. 任务1") and "2026-06-30" in line for line in lines) == 1


# ---- the audit log -----------------------------------------------------------------------------------------


def test_every_notice_is_logged_counted_and_is_not_a_version_nor_a_reminder(workbook):
    book = _book(workbook)
    store.record_current(workbook)
    before = len(store.list_versions(workbook))
    day = dt.date(2026, 10, 5)
    urge.issue_docx(workbook, book, day, "张三")
    urge.issue_messages(workbook, book, day, "李四", units=["乙处"])
    docx_line, text_line = store.read_audit(workbook)[-2:]
    assert (docx_line["action"], docx_line["notice"], docx_line["user"], docx_line["form"]) == (
        "remind", "urge", "张三", "docx")
    assert docx_line["tasks"] == {"乙处": ["1", "2"]}
    assert docx_line["deadlines"] == {"1": "2026-06-30", "2": "2026-09-30"}
    assert (text_line["user"], text_line["form"], text_line["as_of"]) == ("李四", "text", "2026-10-05")
    assert len(store.list_versions(workbook)) == before
    assert remind.reminded_times(workbook, parse_period("2026Q4")) == {}
    rows = urge.overdue(book, day)
    assert urge.urged_times(workbook, rows, day) == {("乙处", "1"): 2, ("乙处", "2"): 2}
    assert urge.urged_units(workbook, day) == {"乙处": 2}
    assert urge.urged_units(workbook, dt.date(2026, 10, 4)) == {}  # made as of 10-05: not yet on 10-04


def test_an_extension_starts_the_count_again(workbook):
    book = _book(workbook)
    urge.issue_docx(workbook, book, dt.date(2026, 10, 5), "张三")
    later = dt.date(2026, 11, 20)
    counted = urge.urged_times(workbook, urge.overdue(book, later), later)
    assert counted == {("乙处", "1"): 1}  # task 2 was urged against 09-30; its deadline is 11-15 now


def test_the_second_message_says_how_often_it_was_urged(workbook):
    book = _book(workbook)
    day = dt.date(2026, 10, 5)
    first = urge.issue_messages(workbook, book, day, "张三")["乙处"]
    second = urge.issue_messages(workbook, book, day, "张三")["乙处"]
    assert "已催办" not in first and second.count("已催办1次") == 2


def test_nothing_overdue_issues_nothing(workbook):
    book = _book(workbook)
    assert urge.issue_docx(workbook, book, dt.date(2026, 6, 30), "张三") == b""
    assert urge.issue_messages(workbook, book, dt.date(2026, 10, 5), "张三", units=["甲处"]) == {}
    assert store.read_audit(workbook) == []


# ---- the command line --------------------------------------------------------------------------------------


def test_cli_writes_the_notice_audits_it_and_counts_the_second_run(workbook, tmp_path, capsys):
    accounts.add_user(workbook.parent / "accounts.toml", "张三", "password1", admin=True)
    output = tmp_path / "out" / "催办.docx"
    command = ["urge", "--workbook", str(workbook), "--as-of", "2026-10-05", "--docx", str(output), "--user", "张三"]
    assert main(command) == 0
    assert [row[1:3] for row in _attachment_rows(output.read_bytes())] == [["乙处", "1"], ["乙处", "2"]]
    assert main(command) == 0
    lines = store.read_audit(workbook)
    assert [(line["notice"], line["user"], line["form"]) for line in lines] == [("urge", "张三", "docx")] * 2
    day = dt.date(2026, 10, 5)
    assert urge.urged_times(workbook, urge.overdue(_book(workbook), day), day) == {("乙处", "1"): 2, ("乙处", "2"): 2}
    assert main(["urge", "--workbook", str(workbook), "--as-of", "2026-10-05", "--unit", "乙处"]) == 0
    printed = capsys.readouterr().out
    assert "已催办2次" in printed and printed.rstrip().endswith("/unit?unit=乙处")


def test_cli_defaults_to_today_and_mirrors_remind_output_option(workbook, tmp_path):
    output = tmp_path / "n.docx"
    assert main(["urge", "--workbook", str(workbook), "-o", str(output)]) == 0  # today 11-01: task 1 only
    assert [row[1:3] for row in _attachment_rows(output.read_bytes())] == [["乙处", "1"]]
    assert store.read_audit(workbook)[-1]["as_of"] == TODAY.isoformat()


def test_cli_refuses_what_it_cannot_do(workbook, capsys):
    base = ["urge", "--workbook", str(workbook)]
    assert main([*base, "--unit", "不存在处"]) == 1
    assert main([*base, "--user", "无此人"]) == 1
    assert main([*base, "--as-of", "2026-13-01"]) == 1
    assert main([*base, "--as-of", "2026-06-30"]) == 0  # nothing overdue: nothing issued
    assert main([*base, "--plan", "x", "--workbook", str(workbook)]) == 2
    assert store.read_audit(workbook) == []
