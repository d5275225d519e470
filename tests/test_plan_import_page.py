"""AppTest of 方案导入: a notice pasted or uploaded, shown in editors, saved as a new plan or as an update."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import accounts, intake, schema, store, validate
from lib.intake.base import BROKEN_FILE
from tests.builders import TODAY, workbook_file

ROOT = Path(__file__).resolve().parents[1]
TABLE_DOCX = ROOT / "tests" / "fixtures" / "notices" / "corpus" / "sichuan-chongqing-fangzhi-2025-table.docx"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# The board's plan (tests/builders.py): 1 建立联络机制 (甲处), 2 联合编纂年鉴 (甲处、乙处), three reports.
# The revision renumbers: old 1 → 1, a new task 2, old 2 → 3, now 甲处 only; its line after the
# units and its task without units are left out.
REVISED = """关于印发《测试方案（修订）》的通知
一、联络
1. 建立健全联络机制。
责任单位：甲处
（此项由办公室统筹）
二、合作
2. 开展学术交流活动。
责任单位：乙处
3. 联合编纂出版年鉴。
责任单位：甲处
完成时限：2026年底前
三、其他
4. 做好其他工作。
"""


@pytest.fixture
def board(tmp_path: Path, monkeypatch) -> Path:
    path = workbook_file(tmp_path / "data" / "tasks.xlsx")
    monkeypatch.setenv("KANBAN_WORKBOOK", str(path))
    monkeypatch.setenv("KANBAN_TODAY", TODAY.isoformat())
    monkeypatch.setenv("KANBAN_ACCOUNTS", str(path.parent / "accounts.toml"))
    accounts.add_user(path.parent / "accounts.toml", "管理员", "password1", admin=True)
    accounts.add_user(path.parent / "accounts.toml", "张三", "password1", ["甲处"])
    return path


def _logged_in(name: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "plan_import.py"), default_timeout=60).run()
    at.text_input[0].set_value(name)
    at.text_input[1].set_value("password1")
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def _pasted(text: str) -> AppTest:
    at = _logged_in("管理员")
    at.radio(key="import_how").set_value("粘贴通知文本").run()
    at.text_area[0].set_value(text)
    at.button(key="import_read").click().run()
    assert not at.exception, at.exception
    return at


def _frame(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_a_reporter_cannot_import(board: Path):
    at = _logged_in("张三")
    assert len(at.warning) == 1
    assert not at.get("file_uploader")


def test_pasted_notice_shows_tasks_units_and_skipped_lines(board: Path):
    at = _pasted(REVISED)
    tasks = _frame(at, "任务内容")
    assert list(tasks.columns) == ["板块", "编号", "任务内容", "责任处室", "牵头处室", "完成时限", "备注"]
    assert list(tasks["编号"]) == ["1", "2", "3"]
    assert list(tasks["完成时限"]) == ["", "", "2026年底前"]
    units = _frame(at, "简称")
    assert list(units["处室"]) == ["甲处", "乙处"]
    assert list(units["分组"]) == ["机关各处", "机关各处"]
    assert list(units["简称"]) == ["甲", "乙"]  # from the current workbook's 甲处 and 乙处
    skipped = _frame(at, "原文")
    # the unplaced line first, then the task without units
    assert list(skipped["原文"]) == ["（此项由办公室统筹）", "4. 做好其他工作。"]
    assert list(skipped["类型"]) == ["未导入的行", "未导入的行"]
    assert at.text_input(key=next(k for k in _keys(at) if k.endswith("_new_name"))).value == "测试方案（修订）"


def _keys(at: AppTest) -> list[str]:
    return [w.key for w in at.text_input if w.key]


def test_a_new_plan_is_saved_beside_the_current_one_under_its_key(board: Path):
    at = _pasted(REVISED)
    key = at.text_input(key=next(k for k in _keys(at) if k.endswith("_key"))).value
    assert key  # suggested from the title
    at.text_input(key=next(k for k in _keys(at) if k.endswith("_key"))).set_value("修订方案").run()
    before = board.read_bytes()
    at.button(key="plan_import_go").click().run()
    assert not at.exception, at.exception
    assert len(at.success) == 1
    assert board.read_bytes() == before  # the current plan is left as it was
    saved = board.parent / "plans" / "修订方案.xlsx"
    loaded = validate.load(saved, today=TODAY)
    assert loaded.ok, [p.as_text() for p in loaded.problems]
    book = loaded.book
    assert list(book.tasks["task_id"]) == ["1", "2", "3"]
    assert book.updates.empty
    assert book.plan.name == "测试方案（修订）"
    assert list(store.list_versions(saved)["操作"]) == ["方案导入（新方案）"]
    assert any("plan=%E4%BF%AE%E8%AE%A2%E6%96%B9%E6%A1%88" in m.value for m in at.markdown)  # a link to it


def test_a_taken_key_is_refused(board: Path):
    at = _pasted(REVISED)
    at.text_input(key=next(k for k in _keys(at) if k.endswith("_key"))).set_value(board.stem).run()
    assert at.error and "plan_import_go" not in [b.key for b in at.button]


def test_settings_edited_in_the_form_are_saved(board: Path):
    at = _pasted(REVISED)
    keys = _keys(at)
    at.text_input(key=next(k for k in keys if k.endswith("_new_doc_no"))).set_value("川志办〔2026〕1号")
    at.selectbox(key=next(s.key for s in at.selectbox if s.key and s.key.endswith("_new_cycle"))).set_value(
        schema.CYCLE_MONTH).run()
    key = at.text_input(key=next(k for k in keys if k.endswith("_key"))).value
    at.button(key="plan_import_go").click().run()
    plan = validate.load(board.parent / "plans" / f"{key}.xlsx", today=TODAY).book.plan
    assert (plan.doc_no, plan.cycle) == ("川志办〔2026〕1号", schema.CYCLE_MONTH)


def test_update_moves_reports_to_their_new_numbers_and_lists_the_orphans(board: Path):
    at = _pasted(REVISED)
    at.radio(key="import_mode").set_value(next(o for o in at.radio(key="import_mode").options if o.startswith("更新"))).run()
    mapping = _frame(at, "原编号")
    assert list(zip(mapping["原编号"], mapping["新编号"])) == [("1", "1"), ("2", "3")]
    orphaned = _frame(at, "填报日期")
    # 乙处's report on old task 2: the new task 3 is 甲处's only
    assert list(zip(orphaned["编号"], orphaned["处室"])) == [("2", "乙处")]
    at.checkbox(key="plan_import_ok").check().run()
    at.button(key="plan_import_go").click().run()
    assert not at.exception, at.exception
    updates = validate.load(board, today=TODAY).book.updates
    assert sorted(zip(updates["task_id"], updates["unit"], updates["progress"])) == [("1", "甲处", 40.0), ("3", "甲处", 20.0)]


def test_a_table_docx_is_read_with_its_steps_shown(board: Path):
    at = _logged_in("管理员")
    at.get("file_uploader")[0].set_value(("方案.docx", TABLE_DOCX.read_bytes(), DOCX))
    at.run()
    assert not at.exception, at.exception
    [status] = [s for s in at.status if s.label.startswith("识别完成")]
    assert status.state == "complete"
    assert len(_frame(at, "任务内容")) == 16
    assert list(_frame(at, "简称")["处室"])[:2] == ["省情信息工作处", "政策法规宣传处"]


def test_a_broken_file_gets_its_sentence_and_no_editor(board: Path):
    garbage = b"\x00\x01not a word file" * 10
    with pytest.raises(intake.IntakeError) as refused:
        intake.read_notice(garbage, "方案.docx")
    assert refused.value.code == BROKEN_FILE
    at = _logged_in("管理员")
    at.get("file_uploader")[0].set_value(("方案.docx", garbage, DOCX))
    at.run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [refused.value.message]
    assert not [d for d in at.dataframe if "任务内容" in d.value.columns]
