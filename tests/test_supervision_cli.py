"""``python -m lib requests | request | decide``: the 督办 loop from the shell, end to end on a small workbook."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lib import accounts, store, validate
from lib.__main__ import main
from tests.test_supervision import supervision_workbook

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2026-07-10"  # task 1 (甲处、乙处) was due 2026-06-30, task 2 (乙处) is due 2026-09-30


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KANBAN_TODAY", TODAY)
    shared = supervision_workbook(tmp_path / "data" / "tasks.xlsx", [], [(dt.date(2026, 6, 1), "1", "甲处", 100)])
    accounts_file = tmp_path / "accounts.toml"
    accounts.add_user(accounts_file, "甲处填报", "password-甲处", ["甲处"])
    accounts.add_user(accounts_file, "管理员", "password-admin", admin=True)
    return shared, accounts_file


def cli(capsys, setup, *args) -> tuple[int, str, str]:
    shared, accounts_file = setup
    code = main([*args, "--workbook", str(shared), *(["--accounts", str(accounts_file)] if "--user" in args else [])])
    out = capsys.readouterr()
    return code, out.out, out.err


def events(shared: Path) -> list[tuple[str, str]]:
    book = validate.load(shared, today=dt.date(2026, 7, 10)).book
    return list(zip(book.supervision["event_id"], book.supervision["kind"]))


def test_request_then_return_then_request_then_sign_off(capsys, setup):
    shared, _ = setup
    assert cli(capsys, setup, "request", "--task", "1", "--unit", "甲处", "--kind", "销号", "--reason", "已印发",
               "--evidence", "川志〔2026〕3号", "--user", "甲处填报")[0] == 0
    code, out, _ = cli(capsys, setup, "requests", "--pending", "--json")
    assert code == 0
    assert [(r["event_id"], r["kind"], r["age_days"], r["evidence"]) for r in json.loads(out)] == [
        ("D0001", "销号申请", 0, "川志〔2026〕3号")]
    assert cli(capsys, setup, "decide", "--id", "D0001", "--return", "--comment", "缺佐证", "--user", "管理员")[0] == 0
    assert cli(capsys, setup, "request", "--task", "1", "--unit", "甲处", "--kind", "销号", "--reason", "补充佐证",
               "--user", "甲处填报")[0] == 0
    assert cli(capsys, setup, "decide", "--id", "D0003", "--approve", "--comment", "同意", "--user", "管理员")[0] == 0
    assert events(shared) == [("D0001", "销号申请"), ("D0002", "退回"), ("D0003", "销号申请"), ("D0004", "销号")]
    assert json.loads(cli(capsys, setup, "requests", "--pending", "--json")[1]) == []
    assert [entry["action"] for entry in store.read_audit(shared)] == ["supervise"] * 4


def test_extension_approved_with_the_requested_date_by_default(capsys, setup):
    shared, _ = setup
    assert cli(capsys, setup, "request", "--task", "2", "--unit", "乙处", "--kind", "延期", "--until", "2026-12-31",
               "--reason", "人手不足", "--user", "管理员")[0] == 0
    assert cli(capsys, setup, "decide", "--id", "D0001", "--approve", "--comment", "同意", "--user", "管理员")[0] == 0
    listed = json.loads(cli(capsys, setup, "requests", "--json")[1])
    assert [(r["kind"], r["approved_until"]) for r in listed] == [("延期申请", None), ("同意延期", "2026-12-31")]


@pytest.mark.parametrize(("args", "saved"), [
    (("request", "--task", "1", "--unit", "乙处", "--kind", "销号", "--reason", "x", "--user", "甲处填报"), 0),
    (("request", "--task", "1", "--unit", "甲处", "--kind", "延期", "--until", "2026-06-30", "--reason", "x",
      "--user", "甲处填报"), 0),
    (("request", "--task", "1", "--unit", "甲处", "--kind", "延期", "--until", "明年", "--reason", "x",
      "--user", "甲处填报"), 0),
    (("decide", "--id", "D0001", "--approve", "--comment", "x", "--user", "甲处填报"), 1),
    (("decide", "--id", "D0009", "--approve", "--comment", "x", "--user", "管理员"), 1),
    (("request", "--task", "1", "--unit", "甲处", "--kind", "销号", "--reason", "x", "--user", "无此人"), 0),
])
def test_refusals_exit_1_and_save_nothing(capsys, setup, args, saved):
    shared, _ = setup
    if saved:
        assert cli(capsys, setup, "request", "--task", "1", "--unit", "甲处", "--kind", "销号", "--reason", "已完成",
                   "--user", "甲处填报")[0] == 0
    before = shared.read_bytes()
    code, _, err = cli(capsys, setup, *args)
    assert code == 1 and err
    assert shared.read_bytes() == before


def test_a_second_decision_on_one_request_is_refused(capsys, setup):
    shared, _ = setup
    cli(capsys, setup, "request", "--task", "1", "--unit", "甲处", "--kind", "销号", "--reason", "已完成", "--user", "甲处填报")
    assert cli(capsys, setup, "decide", "--id", "D0001", "--approve", "--comment", "同意", "--user", "管理员")[0] == 0
    before = shared.read_bytes()
    assert cli(capsys, setup, "decide", "--id", "D0001", "--return", "--comment", "退回", "--user", "管理员")[0] == 1
    assert shared.read_bytes() == before


def test_requests_through_python_dash_m(setup):
    shared, _ = setup
    result = subprocess.run([sys.executable, "-m", "lib", "requests", "--workbook", str(shared), "--pending"],
                            cwd=ROOT, capture_output=True, text=True, env={**os.environ, "KANBAN_TODAY": TODAY})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
