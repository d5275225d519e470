"""督办 on the board: a reporter asks on the 处室 page, an admin decides on 督办审核, the task page shows the timeline.

The workbook is ``tests.test_supervision.supervision_workbook`` (task 1: 甲处 and 乙处, due 2026-06-30; task 2:
乙处, due 09-30; task 3: 甲处, 长期), today 2026-06-15; 甲处 reported task 1 at 100 on 06-10.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import accounts, store, validate
from lib.ui import supervise
from tests import apptests
from tests.test_supervision import supervision_workbook

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 6, 15)
UNIT_KEY, REVIEW_KEY = "unit_supervise", "supervision_review"


@pytest.fixture
def shared(tmp_path, monkeypatch) -> Path:
    path = supervision_workbook(tmp_path / "data" / "tasks.xlsx", [], [(dt.date(2026, 6, 10), "1", "甲处", 100)])
    monkeypatch.setenv("KANBAN_WORKBOOK", str(path))
    monkeypatch.setenv("KANBAN_TODAY", TODAY.isoformat())
    monkeypatch.setenv("KANBAN_ACCOUNTS", str(path.parent / "accounts.toml"))
    accounts.add_user(path.parent / "accounts.toml", "管理员", "password1", admin=True)
    accounts.add_user(path.parent / "accounts.toml", "管理员乙", "password1", admin=True)
    accounts.add_user(path.parent / "accounts.toml", "甲处填报", "password1", ["甲处"])
    return path


def logged_in(name: str, page: str, **query) -> AppTest:
    """``page`` opened by ``name``, logged in on 上传更新 and carried over as a tab's cookie would."""
    return ran(apptests.logged_in(page, name, **query))


def ran(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def kinds(path: Path) -> list[str]:
    result = validate.load(path, today=TODAY)
    assert result.ok, [p.as_text() for p in result.problems]
    return list(result.book.supervision["kind"])


def outcome_code(at: AppTest, key: str) -> str:
    shown = at.session_state[f"{key}_outcome"]
    assert isinstance(shown, supervise.Outcome)
    return shown.code


def request_sign_off(at: AppTest, task_id: str, note: str, evidence: str = "") -> AppTest:
    at.selectbox(key="sv_task_pick").set_value(task_id)
    ran(at)
    at.text_area(key=f"sv_note_{task_id}").set_value(note)
    at.text_input(key=f"sv_evidence_{task_id}").set_value(evidence)
    at.button(key=f"sv_signoff_go_{task_id}").click()
    return ran(at)


def decide(at: AppTest, request_id: str, verdict: str, comment: str) -> AppTest:
    at.text_input(key=f"sv_comment_{request_id}").set_value(comment)
    at.button(key=f"sv_{verdict}_{request_id}").click()
    return ran(at)


def table_with(at: AppTest, column: str):
    """The one table on the page with ``column``, or None (AppTest gives a plain table no key)."""
    found = [frame.value for frame in at.dataframe if column in frame.value.columns]
    assert len(found) <= 1
    return found[0] if found else None


def returned_rows(at: AppTest) -> list[tuple[str, str]]:
    found = table_with(at, "退回意见")
    return [] if found is None else list(zip(found["申请编号"], found["退回意见"], strict=True))


def test_the_sign_off_loop_request_return_request_sign_off(shared: Path):
    reporter = logged_in("甲处填报", "unit", unit="甲处")
    request_sign_off(reporter, "1", "已印发实施方案", "川志〔2026〕3号")
    assert outcome_code(reporter, UNIT_KEY) == supervise.SAVED
    assert kinds(shared) == ["销号申请"]

    admin = logged_in("管理员", "supervision")
    decide(admin, "D0001", "return", "缺少印发文件")
    assert outcome_code(admin, REVIEW_KEY) == supervise.SAVED

    ran(reporter)
    assert returned_rows(reporter) == [("D0001", "缺少印发文件")]
    request_sign_off(reporter, "1", "已补充印发文件", "川志〔2026〕3号.pdf")
    assert outcome_code(reporter, UNIT_KEY) == supervise.SAVED
    assert returned_rows(reporter) == []  # asked again: no longer waiting on the unit

    ran(admin)
    decide(admin, "D0003", "approve", "同意销号")
    assert outcome_code(admin, REVIEW_KEY) == supervise.SAVED
    book = validate.load(shared, today=TODAY).book
    events = book.supervision
    assert list(zip(events["event_id"], events["kind"], events["answers"].fillna(""), strict=True)) == [
        ("D0001", "销号申请", ""), ("D0002", "退回", "D0001"), ("D0003", "销号申请", ""), ("D0004", "销号", "D0003")]
    assert list(events["evidence"].fillna(""))[2] == "川志〔2026〕3号.pdf"
    lines = [line for line in store.read_audit(shared) if line["action"] == "supervise"]
    assert [(line["user"], line["supervision"]) for line in lines] == [
        ("甲处填报", 1), ("管理员", 1), ("甲处填报", 1), ("管理员", 1)]
    assert not [b for b in ran(admin).button if b.key.startswith("sv_approve_")]  # the queue is empty


def test_a_refused_request_saves_nothing(shared: Path):
    reporter = logged_in("甲处填报", "unit", unit="甲处")
    request_sign_off(reporter, "1", "   ")
    assert outcome_code(reporter, UNIT_KEY) == "missing-reason"
    reporter.text_area(key="sv_reason_1").set_value("资料未齐")
    reporter.date_input(key="sv_until_1").set_value(dt.date(2026, 6, 1))
    reporter.button(key="sv_extend_go_1").click()
    ran(reporter)
    assert outcome_code(reporter, UNIT_KEY) == "extension-not-later"
    assert kinds(shared) == []
    assert [line for line in store.read_audit(shared) if line["action"] == "supervise"] == []


def test_an_approved_extension_shows_its_date_on_the_task_page(shared: Path):
    reporter = logged_in("甲处填报", "unit", unit="甲处")
    reporter.selectbox(key="sv_task_pick").set_value("1")
    ran(reporter)
    reporter.text_area(key="sv_reason_1").set_value("需会签，已完成初稿")
    reporter.date_input(key="sv_until_1").set_value(dt.date(2026, 9, 30))
    reporter.button(key="sv_extend_go_1").click()
    ran(reporter)
    assert outcome_code(reporter, UNIT_KEY) == supervise.SAVED

    admin = logged_in("管理员", "supervision")
    assert admin.date_input(key="sv_approved_D0001").value == dt.date(2026, 9, 30)  # defaults to the date asked for
    admin.date_input(key="sv_approved_D0001").set_value(dt.date(2026, 8, 31))
    decide(admin, "D0001", "approve", "同意延期至8月底")
    assert kinds(shared) == ["延期申请", "同意延期"]

    task = AppTest.from_file(str(ROOT / "pages" / "task.py"), default_timeout=90)
    task.query_params["task"] = "1"
    ran(task)
    cards = {m.label: m.value for m in task.metric}
    assert (cards["原定时限"], cards["调整后时限"], cards["延期次数"]) == ("2026-06-30", "2026-08-31", "1 次")
    timeline = table_with(task, "批准完成时限")
    assert list(timeline["事项"]) == ["填报进展", "延期申请", "同意延期"]
    assert list(timeline["批准完成时限"]) == ["", "", "2026-08-31"]


def test_two_admins_deciding_one_request_save_one_decision(shared: Path):
    reporter = logged_in("甲处填报", "unit", unit="甲处")
    request_sign_off(reporter, "1", "已完成")
    first, second = logged_in("管理员", "supervision"), logged_in("管理员乙", "supervision")
    decide(first, "D0001", "approve", "同意销号")
    decide(second, "D0001", "return", "缺佐证")
    assert outcome_code(first, REVIEW_KEY) == supervise.SAVED
    assert outcome_code(second, REVIEW_KEY) == supervise.ALREADY_DECIDED
    assert len(second.warning) == 1
    assert kinds(shared) == ["销号申请", "销号"]
    assert [line["user"] for line in store.read_audit(shared) if line["action"] == "supervise"] == ["甲处填报", "管理员"]


def test_a_reporter_is_refused_the_review_page(shared: Path):
    reporter = logged_in("甲处填报", "unit", unit="甲处")
    request_sign_off(reporter, "1", "已完成")
    refused = logged_in("甲处填报", "supervision")
    assert len(refused.warning) == 1
    assert not [b for b in refused.button if b.key and b.key.startswith("sv_")]
    assert not refused.dataframe and not refused.text_input  # neither the queue nor a decision form


def test_returned_lists_what_the_unit_has_not_asked_again():
    from lib import supervision
    from tests.test_supervision import event

    day = dt.date(2026, 6, 1)
    rows = [event("D0001", "销号申请", "1", "甲处", day, text="完成"), event("D0002", "退回", "1", "甲处", day, text="缺件", answers="D0001"),
            event("D0003", "延期申请", "1", "甲处", day, requested_until=dt.date(2026, 9, 30)),
            event("D0004", "不同意延期", "1", "甲处", day, text="理由不足", answers="D0003"),
            event("D0005", "销号申请", "1", "乙处", day), event("D0006", "退回", "1", "乙处", day, answers="D0005")]
    events = [supervision.Event(**row) for row in rows]
    assert [(r.event_id, d.event_id) for r, d in supervision.returned(events, "甲处")] == [("D0001", "D0002"), ("D0003", "D0004")]
    again = [*events, supervision.Event("D0007", "销号申请", "1", "甲处", day, "甲处填报", "补齐")]
    assert [(r.event_id, d.event_id) for r, d in supervision.returned(again, "甲处")] == [("D0003", "D0004")]


# ---- 逾期催办 -------------------------------------------------------------------------------------------------
# On 07-10, task 1 (due 06-30) is 10 days overdue for 乙处, which never reported; 甲处 reported 100 on 06-10, which
# closes it (销号审核 = 否). Task 2 (09-30) is not due, task 3 is 长期.


def overdue_rows(at: AppTest) -> list[tuple]:
    found = table_with(at, "逾期天数")
    return [] if found is None else list(zip(found["处室"], found["任务编号"], found["逾期天数"], found["已催办次数"],
                                             strict=True))


def test_review_page_lists_the_overdue_and_issues_the_units_notice(shared: Path, monkeypatch):
    monkeypatch.setenv("KANBAN_TODAY", "2026-07-10")
    admin = logged_in("管理员", "supervision")
    assert overdue_rows(admin) == [("乙处", "1", 10, 0)]
    assert [b.key for b in admin.get("download_button")] == ["urge_docx_unit_乙处"]  # one unit: no notice for all
    admin.button(key="urge_text_unit_乙处").click()
    ran(admin)
    (line,) = [line for line in store.read_audit(shared) if line.get("notice")]  # the board also logs the first version
    assert (line["action"], line["notice"], line["user"], line["tasks"], line["form"]) == (
        "remind", "urge", "管理员", {"乙处": ["1"]}, "text")
    assert overdue_rows(admin) == [("乙处", "1", 10, 1)]
    assert admin.code[-1].value.splitlines()[0] == "乙处："


def test_review_page_without_overdue_tasks_shows_no_list(shared: Path):
    admin = logged_in("管理员", "supervision")  # 06-15: nothing is due yet
    assert overdue_rows(admin) == []
    assert not admin.get("download_button")


def unit_overdue_script(path: str, unit: str) -> None:
    import datetime as dt
    from pathlib import Path

    from lib import validate
    from lib.ui import supervise

    book = validate.load(Path(path), today=dt.date(2026, 7, 10)).book
    supervise.overdue_block(Path(path), book, dt.date(2026, 7, 10), unit)


def test_the_unit_block_lists_only_the_units_tasks_and_asks_for_a_login(shared: Path):
    at = ran(AppTest.from_function(unit_overdue_script, args=(str(shared), "乙处"), default_timeout=60))
    assert overdue_rows(at) == [("乙处", "1", 10, 0)]
    assert not at.get("download_button")  # no one is logged in: a notice needs a name for the log
    mine = ran(AppTest.from_function(unit_overdue_script, args=(str(shared), "甲处"), default_timeout=60))
    assert overdue_rows(mine) == [] and len(mine.success) == 1


def test_a_task_without_a_deadline_offers_no_extension_form(shared: Path):
    """Task 3 is 长期: an extension would be refused (no-deadline-to-extend), so its form is not offered; task 1's is."""
    reporter = logged_in("甲处填报", "unit", unit="甲处")
    reporter.selectbox(key="sv_task_pick").set_value("3")
    ran(reporter)
    keys = {b.key for b in reporter.button}
    assert "sv_signoff_go_3" in keys and "sv_extend_go_3" not in keys
    reporter.selectbox(key="sv_task_pick").set_value("1")
    assert "sv_extend_go_1" in {b.key for b in ran(reporter).button}
