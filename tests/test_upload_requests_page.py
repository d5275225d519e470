"""AppTest of 上传更新 with requests: the preview lists them apart from the reports, the save message counts them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lib import accounts, validate
from tests.apptests import logged_in
from tests.test_supervision import TODAY
from tests.test_upload_requests import DAY, asking, request_upload, shared

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def board(tmp_path: Path, monkeypatch) -> Path:
    path = shared(tmp_path)
    monkeypatch.setenv("KANBAN_WORKBOOK", str(path))
    monkeypatch.setenv("KANBAN_TODAY", TODAY.isoformat())
    monkeypatch.setenv("KANBAN_ACCOUNTS", str(path.parent / "accounts.toml"))
    accounts.add_user(path.parent / "accounts.toml", "甲处填报", "password1", ["甲处"])
    return path


def test_the_preview_lists_the_requests_apart_and_the_save_counts_them(board: Path):
    at = logged_in("upload", "甲处填报").run()
    upload = request_upload([asking(DAY, "1", "甲处", 60, "资料收集未完成", "延期", dt.date(2026, 12, 31)),
                             asking(DAY, "3", "甲处", 100, "已常态化运行", "销号", evidence="川志〔2026〕3号")])
    at.get("file_uploader")[0].set_value(("填报模板.xlsx", upload, XLSX))
    at.run()
    assert not at.exception, at.exception
    asked = next(d.value for d in at.dataframe if "事项" in d.value.columns)
    assert list(zip(asked["编号"], asked["事项"], asked["任务编号"], asked["申请完成时限"], asked["佐证材料"])) == [
        ("D0001", "延期申请", "1", "2026-12-31", ""), ("D0002", "销号申请", "3", "", "川志〔2026〕3号")]
    assert "批准完成时限" not in asked.columns  # a request has no decision yet
    added = next(d.value for d in at.dataframe if "进展情况" in d.value.columns)
    assert list(added["进展情况"]) == ["资料收集未完成", "已常态化运行"]  # the reports, in their own table
    assert validate.load(board, today=TODAY).book.supervision.empty  # nothing saved before the confirm

    at.button(key="upload_go").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("已保存：新增 2 条，修改 0 条，删除 0 条；提出申请 2 项")
    assert list(validate.load(board, today=TODAY).book.supervision["kind"]) == ["延期申请", "销号申请"]
