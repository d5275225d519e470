"""The CLI end to end, on the shipped notice and the bundled workbook."""

import json
import subprocess
import sys
from pathlib import Path

from lib import store

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
    kept = list(store.history_dir(output).glob("*.xlsx"))
    assert len(kept) == 1 and kept[0].read_bytes() == before  # the example updates are not lost
    audit = [json.loads(line) for line in store.audit_path(output).read_text(encoding="utf-8").splitlines()]
    assert [(a["user"], a["action"]) for a in audit] == [("import-plan", "replace")]
    summary = json.loads(run("summary", str(output), "--as-of", "2026-09-30", "--json").stdout)
    assert summary["overall"]["progress"] == 0  # the new workbook has an empty 进展
