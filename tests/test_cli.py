"""The CLI end to end, on the shipped notice and the bundled workbook."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from lib import accounts, store, validate
from lib.workbook import write_workbook
from tests.builders import UPLOAD_PLAN, UPLOAD_TASKS, UPLOAD_UNITS, update, updates_upload, workbook_file

ROOT = Path(__file__).resolve().parents[1]
NOTICE = ROOT / "data" / "plan-notice.txt"
DIVISIONS = ["省情信息工作处", "政策法规宣传处", "省志工作处", "综合处", "市县志工作处"]


def run(*args):
    return subprocess.run([sys.executable, "-m", "lib", *args], cwd=ROOT, capture_output=True, text=True)


def test_import_plan_then_summary_json(tmp_path):
    output = tmp_path / "x.xlsx"
    imported = run("import-plan", str(NOTICE), "-o", str(output))
    assert imported.returncode == 0, imported.stderr
    assert "6 个板块，16 项任务，6 个处室" in imported.stdout
    summary = run("summary", str(output), "--as-of", "2026-09-30", "--json")
    assert summary.returncode == 0, summary.stderr
    data = json.loads(summary.stdout)
    assert [t["id"] for t in data["tasks"]] == [str(i) for i in range(1, 17)]
    assert len(data["sections"]) == 6
    assert data["sections"][0]["name"] == "一、建立常态化联络机制,构建川渝地方志工作新模式"
    assert [s["tasks"] for s in data["sections"]] == [1, 3, 3, 2, 4, 3]
    units = {t["id"]: list(t["units"]) for t in data["tasks"]}
    assert units["1"] == [*DIVISIONS, "四川年鉴社"]  # 机关各处 expanded, 年鉴社 beside it
    assert units["2"] == ["省情信息工作处", "政策法规宣传处"]
    assert units["7"] == ["综合处"]
    assert units["11"] == ["省志工作处", "市县志工作处", "四川年鉴社"]
    assert all(t["progress"] == 0 and t["expected"] is None for t in data["tasks"])  # 进展 is empty


def test_import_plan_refuses_to_overwrite(tmp_path):
    output = tmp_path / "x.xlsx"
    output.write_bytes(b"keep me")
    result = run("import-plan", str(NOTICE), "-o", str(output))
    assert result.returncode == 1 and "--force" in result.stderr
    assert output.read_bytes() == b"keep me"


def test_summary_on_bundled_workbook():
    result = run("summary", "data/tasks.xlsx", "--as-of", "2026-09-30", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["as_of"] == "2026-09-30" and data["overall"]["tasks"] == 16
    assert 0 < data["overall"]["progress"] < 100
    text = run("summary", "data/tasks.xlsx", "--as-of", "2026-09-30")
    assert "总体进度" in text.stdout and "板块进度" in text.stdout


def test_validate_broken_file_exits_1(tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_text("编号,板块\n1,x\n")  # a CSV renamed .xlsx
    result = run("validate", str(broken))
    assert result.returncode == 1
    assert "不是 Excel 工作簿（.xlsx）" in result.stdout  # what the person at the shell reads
    assert "Traceback" not in result.stdout + result.stderr


def test_import_plan_force_keeps_the_old_workbook_as_a_version(tmp_path):
    output = tmp_path / "tasks.xlsx"
    output.write_bytes((ROOT / "data" / "tasks.xlsx").read_bytes())
    before = output.read_bytes()
    result = run("import-plan", str(NOTICE), "-o", str(output), "--force")
    assert result.returncode == 0, result.stderr
    kept = {p.read_bytes() for p in store.history_dir(output).glob("*.xlsx")}
    assert kept == {before, output.read_bytes()}  # the example updates are not lost; the new version is kept too
    audit = [json.loads(line) for line in store.audit_path(output).read_text(encoding="utf-8").splitlines()]
    assert [(a["user"], a["action"]) for a in audit] == [("import-plan", "replace")]
    summary = json.loads(run("summary", str(output), "--as-of", "2026-09-30", "--json").stdout)
    assert summary["overall"]["progress"] == 0  # the new workbook has an empty 进展


# ---- sheet text cannot drive the terminal ----------------------------------------------------

ESC_ID = "7_x001B_[2J"  # decoded to "7\x1b[2J", an escape that clears the screen
SHOWN_ID = "7[2J"  # the reader drops the escape (XML cannot hold it) and says so


def _shared_and_account(tmp_path):
    shared = workbook_file(tmp_path / "tasks.xlsx")
    accounts_file = tmp_path / "accounts.toml"
    accounts.add_user(accounts_file, "甲处填报", "password-甲处", ["甲处"])
    return shared, accounts_file


def test_apply_prints_sheet_text_without_terminal_escapes(tmp_path):
    shared, accounts_file = _shared_and_account(tmp_path)
    upload = tmp_path / "upload.xlsx"
    upload.write_bytes(updates_upload([
        update(dt.date(2026, 6, 30), ESC_ID, "甲处", 50, "推进_x001B_]0;标题_x0007_中"),
        {**update(dt.date(2026, 6, 30), "1", "甲处", 60, "推进_x001B_[2J中"), "status": "推进_x009B_31m中"},
    ]))
    for extra in ([], ["--yes"]):
        result = run("apply", str(upload), "--user", "甲处填报", "--workbook", str(shared),
                     "--accounts", str(accounts_file), *extra)
        output = result.stdout + result.stderr
        assert result.returncode == 1 and "Traceback" not in output, output
        assert "\x1b" not in output and "\x9b" not in output and "\x07" not in output
        assert f"编号「{SHOWN_ID}」在任务表中不存在" in result.stdout  # still recognisable


def test_validate_and_summary_print_sheet_text_without_terminal_escapes(tmp_path):
    section = "一、联络_x001B_[2J_x009B_31m，测试"
    tasks = UPLOAD_TASKS.assign(section=[section, "二、合作"], task_id=["1", ESC_ID],
                                content=["建立联络机制", "第一行\n第二行"])
    book = workbook_file(tmp_path / "tasks.xlsx", [update(dt.date(2026, 3, 31), ESC_ID, "乙处", 10)], tasks)
    # A unit's name with an escape, and a task naming an unknown unit: both quoted by validate.
    odd_units = tmp_path / "units.xlsx"
    write_workbook(odd_units, UPLOAD_PLAN, UPLOAD_UNITS.assign(unit=["甲处_x001B_[31m", "乙处"]),
                   tasks.assign(units_text=["甲处_x001B_[31m", "丙处_x001B_[2J"]), validate.empty_updates())
    checked = run("validate", str(odd_units))
    summary = run("summary", str(book), "--as-of", "2026-06-30")
    for result in (checked, summary):
        output = result.stdout + result.stderr
        assert "Traceback" not in output and "\x1b" not in output and "\x9b" not in output, output
    assert "「丙处[2J」不在处室表中" in checked.stdout
    assert "一、联络[2J\\x9b31m" in summary.stdout and SHOWN_ID in summary.stdout  # C1 is legal XML: shown escaped
    as_json = run("summary", str(book), "--as-of", "2026-06-30", "--json")
    assert as_json.returncode == 0 and "\x9b" not in as_json.stdout
    data = json.loads(as_json.stdout)  # still JSON, and still the sheet's text
    assert data["sections"][0]["name"] == "一、联络[2J\x9b31m，测试"
    assert {t["id"] for t in data["tasks"]} == {"1", "7[2J"}


def test_apply_without_yes_and_without_input_exits_1_without_saving(tmp_path):
    shared, accounts_file = _shared_and_account(tmp_path)
    before = shared.read_bytes()
    upload = tmp_path / "upload.xlsx"
    upload.write_bytes(updates_upload([update(dt.date(2026, 6, 30), "1", "甲处", 60, "推进")]))
    result = subprocess.run([sys.executable, "-m", "lib", "apply", str(upload), "--user", "甲处填报",
                             "--workbook", str(shared), "--accounts", str(accounts_file)],
                            cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert result.returncode == 1
    assert "没有收到确认（输入已关闭），未保存" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert shared.read_bytes() == before


def test_apply_preview_keeps_a_changed_cell_on_one_line(tmp_path):
    shared, accounts_file = _shared_and_account(tmp_path)
    accounts.add_user(accounts_file, "管理员", "password-管理员", admin=True)
    upload = workbook_file(tmp_path / "upload.xlsx",
                           tasks=UPLOAD_TASKS.assign(content=["建立联络机制\n[错误] 伪造的一行", "联合编纂年鉴"]))
    result = subprocess.run([sys.executable, "-m", "lib", "apply", str(upload), "--user", "管理员", "--replace",
                             "--workbook", str(shared), "--accounts", str(accounts_file)],
                            cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "→ 建立联络机制\\n[错误] 伪造的一行" in result.stdout
    assert not any(line.startswith("[错误] 伪造") for line in result.stdout.splitlines())


# ---- which workbook: --plan / --workbook / FILE / the default -----------------------------------

AS_OF = ("--as-of", "2026-09-30")


def _plans(tmp_path, monkeypatch):
    """A default workbook (the 2-task builder one) and a plans folder holding the bundled workbook as 川渝合作."""
    default = workbook_file(tmp_path / "tasks.xlsx")
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "川渝合作.xlsx").write_bytes((ROOT / "data" / "tasks.xlsx").read_bytes())
    monkeypatch.setenv("KANBAN_WORKBOOK", str(default))
    monkeypatch.setenv("KANBAN_PLANS_DIR", str(folder))
    return default, folder / "川渝合作.xlsx"


def _summary(*args):
    result = run("summary", *args, *AS_OF, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_plan_workbook_file_and_default_pick_the_workbook(tmp_path, monkeypatch):
    default, folder_plan = _plans(tmp_path, monkeypatch)
    by_plan = _summary("--plan", "川渝合作")
    assert (by_plan["plan"], by_plan["overall"]["tasks"]) == ("川渝合作", 16)
    assert _summary("--workbook", str(folder_plan)) == by_plan
    assert _summary(str(folder_plan)) == by_plan  # the positional FILE still works, as --workbook
    assert (_summary()["plan"], _summary()["overall"]["tasks"]) == ("tasks", 2)  # neither: the default workbook
    assert run("validate", "--plan", "川渝合作").returncode == 0
    assert run("validate").returncode == 0


def test_plan_and_workbook_together_is_a_usage_error(tmp_path, monkeypatch):
    default, folder_plan = _plans(tmp_path, monkeypatch)
    for args in (["summary", "--plan", "川渝合作", "--workbook", str(default)],
                 ["summary", str(default), "--workbook", str(folder_plan)],
                 ["validate", str(default), "--plan", "川渝合作"],
                 ["summary", "--all", "--plan", "川渝合作"],
                 ["export-xlsx", "--period", "2026Q3", "--plan", "川渝合作", "--workbook", str(default),
                  "-o", str(tmp_path / "out.xlsx")]):
        result = run(*args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr and result.stdout == ""
    assert not (tmp_path / "out.xlsx").exists()


def test_unknown_plan_exits_1_naming_the_known_plans(tmp_path, monkeypatch):
    _plans(tmp_path, monkeypatch)
    for args in (["summary", "--plan", "不存在"], ["validate", "--plan", "不存在"],
                 ["export-pptx", "--period", "2026Q3", "--plan", "不存在", "-o", str(tmp_path / "x.pptx")],
                 ["import-plan", str(NOTICE), "--plan", "不存在"]):
        result = run(*args)
        assert result.returncode == 1, (args, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr
        assert "川渝合作" in result.stderr and "tasks" in result.stderr  # the plans there are
    assert not (tmp_path / "x.pptx").exists()


def test_summary_all_json_is_each_plans_summary(tmp_path, monkeypatch):
    _plans(tmp_path, monkeypatch)
    listed = _summary("--all")
    assert [entry["plan"] for entry in listed] == ["tasks", "川渝合作"]
    for entry in listed:
        assert entry == _summary("--plan", entry["plan"])
    bundled = listed[1]["overall"]
    assert sum(bundled["lights"].values()) == bundled["tasks"] == 16
    assert 0 < bundled["reported"] <= bundled["required"]
    text = run("summary", "--all", *AS_OF)
    assert text.returncode == 0 and [line.split("　")[0] for line in text.stdout.splitlines()] == ["tasks", "川渝合作"]


def test_summary_all_reports_a_broken_plan_and_goes_on(tmp_path, monkeypatch):
    _, folder_plan = _plans(tmp_path, monkeypatch)
    (folder_plan.parent / "坏方案.xlsx").write_text("编号,板块\n1,x\n")  # a CSV renamed .xlsx
    result = run("summary", "--all", *AS_OF, "--json")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    listed = {entry["plan"]: entry for entry in json.loads(result.stdout)}
    assert list(listed) == ["tasks", "坏方案", "川渝合作"]
    assert listed["坏方案"]["errors"] == 1 and listed["川渝合作"]["overall"]["tasks"] == 16
    text = run("summary", "--all", *AS_OF)
    assert text.returncode == 1 and len(text.stdout.splitlines()) == 3


def test_apply_and_export_act_on_the_named_plan(tmp_path, monkeypatch):
    default, _ = _plans(tmp_path, monkeypatch)
    folder_plan = workbook_file(tmp_path / "plans" / "小方案.xlsx")
    accounts_file = tmp_path / "accounts.toml"
    accounts.add_user(accounts_file, "甲处填报", "password-甲处", ["甲处"])
    upload = tmp_path / "upload.xlsx"
    upload.write_bytes(updates_upload([update(dt.date(2026, 6, 30), "1", "甲处", 60, "推进")]))
    before = default.read_bytes()
    applied = run("apply", str(upload), "--user", "甲处填报", "--plan", "小方案", "--accounts", str(accounts_file),
                  "--yes")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert default.read_bytes() == before
    assert [a["user"] for a in map(json.loads, store.audit_path(folder_plan).read_text("utf-8").splitlines())][-1] == "甲处填报"
    assert _summary("--plan", "小方案")["tasks"][0]["progress"] == 60
    exported = run("export-xlsx", "--period", "2026Q3", "--plan", "川渝合作", "-o", str(tmp_path / "汇总.xlsx"))
    assert exported.returncode == 0 and (tmp_path / "汇总.xlsx").exists()


def test_import_plan_over_a_plan_is_recorded_under_the_admin_named_by_user(tmp_path, monkeypatch):
    _, folder_plan = _plans(tmp_path, monkeypatch)
    accounts_file = tmp_path / "accounts.toml"
    accounts.add_user(accounts_file, "管理员", "password-管理员", admin=True)
    accounts.add_user(accounts_file, "甲处填报", "password-甲处", ["甲处"])
    before = folder_plan.read_bytes()
    for name in ("甲处填报", "无此人"):
        refused = run("import-plan", str(NOTICE), "--plan", "川渝合作", "--force", "--user", name,
                      "--accounts", str(accounts_file))
        assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert folder_plan.read_bytes() == before
    result = run("import-plan", str(NOTICE), "--plan", "川渝合作", "--force", "--user", "管理员",
                 "--accounts", str(accounts_file))
    assert result.returncode == 0, result.stderr
    audit = [json.loads(line) for line in store.audit_path(folder_plan).read_text(encoding="utf-8").splitlines()]
    assert [(a["user"], a["action"]) for a in audit] == [("管理员", "replace")]
    assert _summary("--plan", "川渝合作")["overall"]["progress"] == 0  # the new plan's empty 进展


def test_a_disabled_account_cannot_act_on_the_command_line(tmp_path):
    import argparse

    import pytest

    from lib.cli import options

    accounts_file = tmp_path / "accounts.toml"
    accounts.add_user(accounts_file, "管理员", "password1", admin=True)
    accounts.add_user(accounts_file, "张三", "password1", admin=True)
    args = argparse.Namespace(user="张三", accounts=str(accounts_file))
    assert options.named_account(args, admin=True).name == "张三"
    accounts.set_disabled(accounts_file, "张三", True, actor="管理员")
    with pytest.raises(accounts.AccountError) as refused:
        options.named_account(args, admin=True)
    assert refused.value.code == "disabled"
