"""催报通知: the .docx and the messages list exactly the 未报送 list; each issue is logged; the 处室 page counts them.

The bundled workbook (data/tasks.xlsx) as on 2026-09-30, the last day of 2026Q3 (报送截止日 not set, so 0).
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import docx
import pytest

from lib import accounts, metrics, remind, store, tables, validate
from lib.__main__ import main
from lib.dates import chinese_date
from lib.periods import parse_period
from tests import apptests
from tests.builders import write_book

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 9, 30)
Q3 = parse_period("2026Q3")


@pytest.fixture
def bundled(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "data" / "tasks.xlsx"
    path.parent.mkdir()
    shutil.copy(ROOT / "data" / "tasks.xlsx", path)
    monkeypatch.setenv("KANBAN_WORKBOOK", str(path))
    monkeypatch.setenv("KANBAN_TODAY", TODAY.isoformat())
    monkeypatch.setenv("KANBAN_ACCOUNTS", str(path.parent / "accounts.toml"))
    return path


def _book(path: Path):
    result = validate.load(path, today=TODAY)
    assert result.ok, [p.as_text() for p in result.errors]
    return result.book


def _pairs(frame) -> list[tuple[str, str]]:
    return list(zip(frame[remind.UNIT], frame[remind.TASK_ID], strict=True))


def _attachment_rows(data: bytes) -> list[list[str]]:
    (grid,) = docx.Document(io.BytesIO(data)).tables
    return [[cell.text for cell in row.cells] for row in grid.rows[1:]]


def test_notice_lists_exactly_the_unreported_units_and_tasks(bundled):
    book = _book(bundled)
    board = metrics.compute(book, TODAY)
    unreported = tables.reminder_list(board)
    assert len(unreported) > 1  # the bundled data leaves several units behind in Q3
    data = remind.issue_docx(bundled, book, Q3, "张三", today=TODAY)
    rows = _attachment_rows(data)
    assert sorted((unit, task) for _, unit, task, _, _ in rows) == sorted(_pairs(unreported))
    content = dict(zip(book.tasks["task_id"], book.tasks["content"], strict=True))
    assert all(text == content[task] for _, _, task, text, _ in rows)  # each task in full
    assert [number for number, *_ in rows] == [str(n) for n in range(1, len(rows) + 1)]
    paragraphs = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert paragraphs[0] == remind.notice_title(book, Q3)
    assert any(chinese_date(Q3.end) in text for text in paragraphs)  # the deadline: the period's last day


def test_notice_title_puts_the_plan_in_book_title_marks(bundled):
    title = remind.notice_title(_book(bundled), Q3)
    assert title.startswith("关于报送《推进〈") and title.endswith("》2026年第三季度工作进展情况的通知")


def test_one_message_per_unit_with_its_tasks_and_its_page(bundled):
    book = _book(bundled)
    unreported = tables.reminder_list(metrics.compute(book, TODAY))
    messages = remind.issue_messages(bundled, book, Q3, "张三", today=TODAY)
    assert sorted(messages) == sorted(set(unreported[remind.UNIT]))
    for unit, text in messages.items():
        mine = unreported[unreported[remind.UNIT] == unit]
        assert all(content in text for content in mine[remind.CONTENT])
        assert text.splitlines()[-1].endswith(f"/unit?unit={unit}")  # one plan: no &plan=
        assert sum(line[0].isdigit() for line in text.splitlines()) == len(mine)


def test_links_name_the_plan_when_there_are_several(bundled):
    (bundled.parent / "plans").mkdir()
    shutil.copy(bundled, bundled.parent / "plans" / "第二方案.xlsx")
    assert remind.unit_link("综合处", remind.link_plan(bundled)) == "/unit?unit=综合处&plan=tasks"
    assert remind.unit_link("A&B 处", None, "http://host/") == "http://host/unit?unit=A%26B%20处"


def test_every_issue_is_logged_and_is_not_a_version(bundled):
    book = _book(bundled)
    store.record_current(bundled)  # the first version, as the board logs it
    before = len(store.list_versions(bundled))
    remind.issue_docx(bundled, book, Q3, "张三", units=["综合处"], today=TODAY)
    remind.issue_messages(bundled, book, Q3, "李四", today=TODAY)
    docx_line, text_line = store.read_audit(bundled)[-2:]
    assert (docx_line["action"], docx_line["user"], docx_line["form"], docx_line["period"]) == ("remind", "张三", "docx", "2026Q3")
    unreported = tables.reminder_list(metrics.compute(book, TODAY))
    assert docx_line["units"] == ["综合处"]
    assert docx_line["tasks"]["综合处"] == list(unreported.loc[unreported[remind.UNIT] == "综合处", remind.TASK_ID])
    assert sorted(text_line["units"]) == sorted(set(unreported[remind.UNIT])) and text_line["user"] == "李四"
    dt.datetime.fromisoformat(text_line["time"])
    assert len(store.list_versions(bundled)) == before
    assert remind.reminded_times(bundled, Q3)["综合处"] == 2
    assert remind.reminded_times(bundled, Q3.next()) == {}


def test_nothing_outstanding_issues_nothing(bundled):
    book = _book(bundled)
    done = next(unit for unit in book.units["unit"] if unit not in set(tables.reminder_list(metrics.compute(book, TODAY))[remind.UNIT]))
    assert remind.issue_docx(bundled, book, Q3, "张三", units=[done], today=TODAY) == b""
    assert remind.issue_messages(bundled, book, Q3, "张三", units=[done], today=TODAY) == {}
    assert store.read_audit(bundled) == []


def test_a_period_not_begun_cannot_be_reminded(bundled):
    with pytest.raises(remind.NotStarted):
        remind.period_snapshot(_book(bundled), Q3.next(), TODAY)


def test_deadline_setting_moves_the_period_and_the_date(tmp_path):
    # 季度末后5日, on 10-03: 本期 is still Q3, due 10-05; 甲处 reported on 10-02 (Q3's), 乙处 has not.
    tasks = [{"task_id": "1", "section": "一、甲", "content": "任务一", "units_text": "甲处、乙处"}]
    updates = [(dt.date(2026, 10, 2), "1", "甲处", 40)]
    path = write_book(tmp_path / "g.xlsx", tasks, updates, plan={"报送截止日": "季度末后5日"})
    book = validate.load(path, today=dt.date(2026, 12, 1)).book
    snapshot = metrics.compute(book, dt.date(2026, 10, 3))
    data = remind.notice_docx(book, snapshot, today=dt.date(2026, 10, 3))
    assert [(unit, task) for _, unit, task, _, _ in _attachment_rows(data)] == [("乙处", "1")]
    paragraphs = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert paragraphs[0] == remind.notice_title(book, Q3)
    assert any("2026年10月5日" in text for text in paragraphs)


# ---- the command line --------------------------------------------------------------------------------------


def test_cli_prints_the_messages_and_writes_the_notice(bundled, capsys, tmp_path):
    book = _book(bundled)
    unreported = tables.reminder_list(metrics.compute(book, TODAY))
    assert main(["remind", "--period", "2026Q3", "--workbook", str(bundled)]) == 0
    printed = capsys.readouterr().out
    assert all(f"/unit?unit={unit}" in printed for unit in set(unreported[remind.UNIT]))
    output = tmp_path / "out" / "通知.docx"
    assert main(["remind", "--period", "2026Q3", "--workbook", str(bundled), "--unit", "综合处", "-o", str(output)]) == 0
    assert {unit for _, unit, *_ in _attachment_rows(output.read_bytes())} == {"综合处"}
    assert [line["form"] for line in store.read_audit(bundled)] == ["text", "docx"]


def test_cli_refuses_what_it_cannot_do(bundled, capsys):
    assert main(["remind", "--period", "2026Q4", "--workbook", str(bundled)]) == 1  # not begun on 09-30
    assert main(["remind", "--period", "2026Q3", "--workbook", str(bundled), "--unit", "不存在处"]) == 1
    assert main(["remind", "--period", "2026Q3", "--workbook", str(bundled), "--user", "无此人"]) == 1
    assert store.read_audit(bundled) == []


# ---- the 处室 page ---------------------------------------------------------------------------------------


def test_unit_page_issues_a_message_and_counts_it(bundled):
    accounts.add_user(bundled.parent / "accounts.toml", "张三", "password1", admin=True)
    unit = tables.reminder_list(metrics.compute(_book(bundled), TODAY))[remind.UNIT].iloc[0]
    at = apptests.logged_in("unit", "张三", unit=unit).run()
    assert not at.exception, [e.value for e in at.exception]
    reminded = {m.label: m.value for m in at.metric}
    assert reminded["本期已催报"] == "0 次"
    at.button(key="remind_text").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert {m.label: m.value for m in at.metric}["本期已催报"] == "1 次"
    assert at.code[-1].value.splitlines()[-1].endswith(f"/unit?unit={unit}")
    (line,) = store.read_audit(bundled)[-1:]
    assert (line["action"], line["user"], line["units"], line["form"]) == ("remind", "张三", [unit], "text")


def test_review_page_reminds_every_unit_at_once(bundled, monkeypatch):
    monkeypatch.setenv("KANBAN_TODAY", "2026-10-08")  # the review of 2026Q3, shown after the quarter
    accounts.add_user(bundled.parent / "accounts.toml", "张三", "password1", admin=True)
    at = apptests.logged_in("review", "张三").run()
    assert not at.exception, [e.value for e in at.exception]
    at.button(key="rv_remind_text").click().run()
    assert not at.exception, [e.value for e in at.exception]
    line = store.read_audit(bundled)[-1]
    book = _book(bundled)
    expected = remind.outstanding(remind.period_snapshot(book, Q3, dt.date(2026, 10, 8)))
    assert (line["action"], line["period"]) == ("remind", "2026Q3")
    assert sorted(line["units"]) == sorted(set(expected[remind.UNIT]))
    assert len(at.code) == len(set(expected[remind.UNIT]))  # one message per unit
