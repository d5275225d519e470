"""AppTests of the board pages (总览 / 板块 / 处室 / 任务) with numbers computed by hand.

The small workbook (``tests.builders.board_workbook``) has two units and two tasks:

- task 1 (section 一, deadline 2026-12-31, start 2026-01-01): 甲处 (lead) and 乙处;
- task 2 (section 二, deadline 2026-06-30): 乙处 alone (so it leads).

Reports: 03-15 t1 甲 40; 03-20 t1 乙 20; 05-01 t2 乙 50 (存在问题 "经费未落实"); 05-10 t1 甲 60.

At D = 2026-05-31 (2026年第二季度, previous period end 2026-03-31):
assignments t1甲 60, t1乙 20, t2乙 50 → task 1 = 40, task 2 = 50, overall 45;
at 03-31: t1 = (40+20)/2 = 30, t2 = 0 → overall 15, change +30.
序时进度 t1 = 150/364 days = 41.2% (gap 1.2 → 绿); t2 = 150/180 = 83.3% (gap 33.3 ≥ 30 → 红).
Reporting this period: t1甲 yes, t2乙 yes, t1乙 no → 2/3 = 66.7%.
Units: 甲处 60 (lead 1, 1/1 reported); 乙处 (20+50)/2 = 35 (lead 1, cooperate 1, 1/2 reported).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib import schema, tables
from lib.workbook import write_workbook
from tests.builders import SECTION_1, SECTION_2, board_frames, board_workbook

ROOT = Path(__file__).resolve().parents[1]
D = dt.date(2026, 5, 31)


@pytest.fixture
def known(tmp_path, monkeypatch) -> Path:
    path = board_workbook(tmp_path)
    monkeypatch.setenv("KANBAN_WORKBOOK", str(path))
    monkeypatch.setenv("KANBAN_TODAY", "2026-06-15")
    return path


def run_page(name: str, as_of: dt.date | None = D, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if as_of is not None:
        at.date_input(key="as_of").set_value(as_of).run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def metrics_of(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def decoded(value):
    """Plotly's JSON with its typed arrays ({dtype, bdata, shape}) turned back into lists; NaN → None."""
    if isinstance(value, dict) and "bdata" in value and "dtype" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        if "shape" in value:
            array = array.reshape([int(n) for n in str(value["shape"]).split(",")])
        return decoded(array.tolist())
    if isinstance(value, dict):
        return {key: decoded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decoded(item) for item in value]
    if isinstance(value, float) and value != value:
        return None
    return value


def figures(at: AppTest) -> list[dict]:
    return [decoded(json.loads(chart.proto.spec)) for chart in at.get("plotly_chart")]


def trace(figure: dict, name: str) -> dict:
    return next(t for t in figure["data"] if t.get("name") == name)


# ---- 总览 ------------------------------------------------------------------------------


def test_overview_known_numbers(known):
    at = run_page("overview")
    shown = metrics_of(at)
    assert shown["总体进度"] == ("45.0%", "较上期提高 30.0")  # (40+50)/2; 15 at 03-31
    assert shown["任务数"][0] == "2 项"
    assert shown["已完成"][0] == "0 项"
    assert shown["红灯"][0] == "1 项"  # task 2: 50 vs 83.3 序时
    assert shown["黄灯"][0] == "0 项"
    assert shown["蓝灯"][0] == "0 项"
    assert shown["本期报送率"] == ("66.7%", "2/3 已报")
    assert at.caption[0].value.startswith("数据截至 2026年5月31日（2026年第二季度），较上期为与 2026年3月31日 相比")

    sections, lights, units, trend, heat = figures(at)
    current = trace(sections, "当前")
    assert current["y"] == ["二、第二板块", "一、测试板块"]  # plan order, first at the top
    assert current["x"] == [50.0, 40.0]
    assert trace(sections, "上期末")["x"] == [0.0, 30.0]
    assert current["text"][1] == "40.0%（较上期 +10.0）"
    assert sections["layout"]["font"]["family"].startswith("Noto Sans CJK SC")

    assert lights["data"][0]["x"] == [0, 1, 0, 0, 1]  # 已完成, 绿, 蓝, 黄, 红
    assert lights["data"][0]["text"][-1] == "红灯 1 项"

    progress, rate = units["data"]
    assert progress["y"] == ["乙（牵头1·配合1）", "甲（牵头1·配合0）"]
    assert progress["x"] == [35.0, 60.0]
    assert rate["x"] == [50.0, 100.0]
    assert rate["text"] == ["1/2（50%）", "1/1（100%）"]

    overall = trend["data"][0]
    assert overall["name"] == "总体"
    assert overall["x"] == ["2026年第一季度", "2026年第二季度"]
    assert overall["y"] == [15.0, 45.0]
    assert trend["layout"]["yaxis"]["range"] == [0, 100]

    cells = heat["data"][0]
    assert cells["y"] == ["任务1", "任务2"] and cells["x"] == ["甲", "乙"]
    assert cells["z"] == [[60.0, 20.0], [None, 50.0]]  # blank: 甲处 is not responsible for task 2
    assert cells["text"] == [["★60", "20"], ["", "★50"]]

    warned, reminders = (frame.value for frame in at.dataframe)
    assert warned["编号"].tolist() == ["2"]
    assert warned["存在问题"].tolist() == ["乙处：经费未落实"]
    assert reminders[["处室", "编号"]].to_numpy().tolist() == [["乙处", "1"]]


def test_overview_explains_done_and_the_heatmap(known):
    at = run_page("overview")
    notes = "\n".join(m.value for m in at.markdown)
    assert "**已完成**：各责任分工均已完成的任务数" in notes
    assert "**按期办结率**：" in notes and "**逾期未办结**：" in notes
    assert "**任务 × 处室**：每格为该处室对该任务的分工进度" in notes and "空白表示" in notes


def test_overview_follows_filters_date_and_period(known):
    at = run_page("overview")
    at.multiselect(key="filter_units").set_value(["甲处"]).run()
    shown = metrics_of(at)
    assert shown["总体进度"][0] == "60.0%"  # only 甲处's share of task 1
    assert shown["任务数"][0] == "1 项"
    assert shown["本期报送率"][0] == "100.0%"

    at.multiselect(key="filter_units").set_value([]).run()
    at.multiselect(key="filter_sections").set_value([SECTION_2]).run()
    assert metrics_of(at)["总体进度"][0] == "50.0%"

    at.multiselect(key="filter_sections").set_value([]).run()
    at.date_input(key="as_of").set_value(dt.date(2026, 3, 31)).run()
    assert metrics_of(at)["总体进度"][0] == "15.0%"  # (30 + 0) / 2

    at.selectbox(key="period_pick").set_value("2026年第二季度").run()
    assert at.date_input(key="as_of").value == dt.date(2026, 6, 15)  # the current period ends at today
    assert metrics_of(at)["总体进度"][0] == "45.0%"
    at.selectbox(key="period_pick").set_value("2026年第一季度").run()
    assert at.date_input(key="as_of").value == dt.date(2026, 3, 31)


def test_overview_bundled_matches_cli(monkeypatch):
    """The pages and ``python -m lib summary --json`` agree for the same D."""
    monkeypatch.setenv("KANBAN_WORKBOOK", str(ROOT / "data" / "tasks.xlsx"))
    monkeypatch.setenv("KANBAN_TODAY", "2026-11-20")
    as_of = dt.date(2026, 9, 30)
    cli = json.loads(subprocess.run(
        [sys.executable, "-m", "lib", "summary", str(ROOT / "data" / "tasks.xlsx"), "--as-of", as_of.isoformat(), "--json"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout)
    at = run_page("overview", as_of)
    shown = metrics_of(at)
    assert shown["总体进度"][0] == f"{cli['overall']['progress']:.1f}%"
    assert shown["任务数"][0] == f"{cli['overall']['tasks']} 项"
    assert shown["已完成"][0] == f"{cli['overall']['done']} 项"
    red = sum(t["light"] == schema.LIGHT_RED for t in cli["tasks"])
    assert shown["红灯"][0] == f"{red} 项"
    reported = sum(u["reported"] for u in cli["units"])
    required = sum(u["required"] for u in cli["units"])
    assert shown["本期报送率"][1] == f"{reported}/{required} 已报"
    sections, _lights, units, _trend, heat = figures(at)
    assert [round(x, 2) for x in trace(sections, "当前")["x"]][::-1] == [s["progress"] for s in cli["sections"]]
    assert [round(x, 2) for x in units["data"][0]["x"]][::-1] == [u["progress"] for u in cli["units"]]
    z = heat["data"][0]["z"]
    for row, task in zip(z, cli["tasks"]):
        assert sorted(round(v, 2) for v in row if v is not None) == sorted(task["units"].values())


# ---- 板块 / 处室 / 任务 --------------------------------------------------------------------


def test_section_page(known):
    at = run_page("section")
    assert metrics_of(at)["板块进度"] == ("40.0%", "较上期提高 10.0")
    at.selectbox(key="section_pick").set_value(SECTION_2).run()
    shown = metrics_of(at)
    assert shown["板块进度"] == ("50.0%", "较上期提高 50.0")
    assert shown["红灯 / 黄灯"][0] == "1 / 0"
    bars, trend = figures(at)
    assert bars["data"][0]["x"] == [50.0] and bars["data"][0]["text"] == ["50.0%　红灯"]
    assert bars["data"][1]["x"] == [pytest.approx(150 / 180 * 100)]  # 序时进度 marker
    assert [t["name"] for t in trend["data"]] == ["总体", "二、第二板块"]
    assert trend["data"][1]["y"] == [0.0, 50.0]
    tasks, notes = (frame.value for frame in at.dataframe)
    row = tasks.iloc[0]
    assert (row["编号"], row["完成进度"], row["预警"], row["责任处室"]) == ("2", 50.0, "红灯", "★乙处")
    assert row["任务内容"] == "=任务二的内容"  # shown as text
    assert notes[["处室", "存在问题", "下步计划"]].to_numpy().tolist() == [["乙处", "经费未落实", "协调经费"]]


def test_unit_page(known):
    at = run_page("unit")
    at.selectbox(key="unit_pick").set_value("乙处").run()
    shown = metrics_of(at)
    assert shown["处室进度"][0] == "35.0%"  # (20 + 50) / 2
    assert shown["牵头 / 配合"][0] == "1 / 1 项"
    assert shown["本期报送率"] == ("50.0%", "1/2 项已报送")
    lead, cooperate, reminders, grid, problems, ranking = (frame.value for frame in at.dataframe)
    assert lead["编号"].tolist() == ["2"] and cooperate["编号"].tolist() == ["1"]
    assert ranking[["名次", "处室", "应办结分工", "按期办结率"]].to_numpy().tolist() == [["—", "甲处", 0, "—"], ["—", "乙处", 0, "—"]]
    assert cooperate["本期报送"].tolist() == ["未报送"]
    assert reminders[["处室", "编号"]].to_numpy().tolist() == [["乙处", "1"]]
    assert "1. 乙处　任务1　任务一的内容" in at.code[0].value
    assert grid.to_numpy().tolist() == [["1", "已报送", "未报送"], ["2", "未报送", "已报送"]]
    assert list(grid.columns) == ["编号", "2026年第一季度", "2026年第二季度"]
    assert problems["存在问题"].tolist() == ["经费未落实"]
    (trend,) = figures(at)
    assert trend["data"][0]["y"] == [10.0, 35.0]  # 03-31: (20 + 0) / 2


def test_unit_page_ranks_by_on_time_rate_once_deadlines_pass(known):
    """07-01: task 2 (乙处 at 50, due 06-30) is overdue: 乙处 has 1 due, 0 on time (0.0 %), placed 1st; 甲处's task 1
    is due 12-31, nothing due yet: unranked, last. 总览's cards count the same task."""
    at = run_page("unit", as_of=dt.date(2026, 7, 1))
    ranking = at.dataframe[-1].value
    assert ranking[["名次", "处室", "应办结分工", "逾期未办结", "按期办结率"]].to_numpy().tolist() == [
        ["1", "乙处", 1, 1, "0.0%"], ["—", "甲处", 0, 0, "—"]]
    shown = metrics_of(run_page("overview", as_of=dt.date(2026, 7, 1)))
    assert (shown["按期办结率"], shown["逾期未办结"][0], shown["待审核"][0]) == (("0.0%", "0/1 项按期办结"), "1 项", "0 项")


def test_task_page_from_link(known):
    at = run_page("task", task="2")
    shown = metrics_of(at)
    assert shown["任务进度"][0] == "50.0%"
    assert shown["序时进度"][0] == "83.3%"
    assert shown["完成时限"][0] == "2026年6月30日"
    assert shown["预警"][0] == "红灯"
    assert "落后序时进度" in " ".join(m.value for m in at.markdown)
    (lines,) = figures(at)
    assert trace(lines, "★乙处")["y"] == [0.0, 50.0]
    assert trace(lines, "序时进度")["y"] == [pytest.approx(89 / 180 * 100), pytest.approx(150 / 180 * 100)]
    units, history = (frame.value for frame in at.dataframe)
    assert units[["处室", "分工"]].to_numpy().tolist() == [["乙处", "牵头"]]
    assert history[["填报日期", "处室", "完成进度"]].to_numpy().tolist() == [[dt.date(2026, 5, 1), "乙处", 50.0]]

    at = run_page("task", task="1")
    history = at.dataframe[1].value
    assert history["填报日期"].tolist() == [dt.date(2026, 5, 10), dt.date(2026, 3, 20), dt.date(2026, 3, 15)]


# ---- the change since the previous period: a drop reads as a drop -------------------------


@pytest.fixture
def dropped(tmp_path, monkeypatch) -> Path:
    """The board workbook plus a correction on 07-10: 甲处 puts task 1 back from 60 to 30.

    At D = 2026-07-31 (previous end 06-30): task 1 = (30 + 20) / 2 = 25 (was 40), task 2 = 50 (was 50);
    overall 37.5 (was 45, −7.5); section 一 −15, section 二 0; 甲处 30 (was 60, −30), 乙处 35 (0).
    """
    plan, units, tasks, updates = board_frames()
    late = updates.iloc[[3]].assign(date=dt.date(2026, 7, 10), progress=30)
    path = tmp_path / "tasks.xlsx"
    write_workbook(path, plan, units, tasks, pd.concat([updates, late], ignore_index=True))
    monkeypatch.setenv("KANBAN_WORKBOOK", str(path))
    monkeypatch.setenv("KANBAN_TODAY", "2026-08-15")
    return path


def delta_of(at: AppTest, label: str):
    """(delta text, colour, direction) of the card ``label``, as the browser draws it."""
    from streamlit.proto.Metric_pb2 import Metric as MetricProto

    card = next(m for m in at.metric if m.label == label)
    return (card.delta, MetricProto.MetricColor.Name(card.proto.color),
            MetricProto.MetricDirection.Name(card.proto.direction))


DROP = ("RED", "DOWN")
FLAT = ("GRAY", "NONE")


@pytest.mark.parametrize(("page", "pick", "label", "text", "look"), [
    ("overview", None, "总体进度", "较上期下降 7.5", DROP),
    ("section", None, "板块进度", "较上期下降 15.0", DROP),
    ("section", ("section_pick", SECTION_2), "板块进度", "与上期持平", FLAT),
    ("unit", ("unit_pick", "甲处"), "处室进度", "较上期下降 30.0", DROP),
    ("unit", ("unit_pick", "乙处"), "处室进度", "与上期持平", FLAT),
    ("task", {"task": "1"}, "任务进度", "较上期下降 15.0", DROP),
    ("task", {"task": "2"}, "任务进度", "与上期持平", FLAT),
])
def test_a_drop_reads_as_a_drop_and_no_change_as_no_change(dropped, page, pick, label, text, look):
    query = pick if isinstance(pick, dict) else {}
    at = run_page(page, as_of=dt.date(2026, 7, 31), **query)
    if pick and not query:
        at.selectbox(key=pick[0]).set_value(pick[1]).run()
    assert delta_of(at, label) == (text, *look)


def test_a_rise_reads_as_a_rise(known):
    assert delta_of(run_page("overview"), "总体进度") == ("较上期提高 30.0", "GREEN", "UP")  # 15 → 45


# ---- links: ?section= / ?unit= / ?task= and ?d= open what they name, and follow the reader's choices ----


def param(at: AppTest, name: str) -> str | None:
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def test_a_section_link_opens_that_section(known):
    at = run_page("section", section=SECTION_2)
    assert at.selectbox(key="section_pick").value == SECTION_2
    assert metrics_of(at)["板块进度"][0] == "50.0%"  # section 二: task 2 alone
    at.selectbox(key="section_pick").set_value(SECTION_1).run()
    assert metrics_of(at)["板块进度"][0] == "40.0%" and param(at, "section") == SECTION_1  # the address follows


def test_a_unit_link_opens_that_unit_at_its_date(known):
    at = run_page("unit", as_of=None, unit="乙处", d="2026-03-31")
    assert at.date_input(key="as_of").value == dt.date(2026, 3, 31)
    assert at.selectbox(key="unit_pick").value == "乙处"
    assert metrics_of(at)["处室进度"][0] == "10.0%"  # 03-31: (20 + 0) / 2
    at.selectbox(key="unit_pick").set_value("甲处").run()
    assert metrics_of(at)["处室进度"][0] == "40.0%" and param(at, "unit") == "甲处"  # the reader's choice stays
    at.date_input(key="as_of").set_value(D).run()
    assert param(at, "d") == "2026-05-31" and metrics_of(at)["处室进度"][0] == "60.0%"  # the date goes in the address


def test_a_task_link_lets_the_reader_pick_another_task(known):
    at = run_page("task", task="2")
    at.selectbox(key="task_pick").set_value("1").run()
    assert at.selectbox(key="task_pick").value == "1" and param(at, "task") == "1"  # not pulled back to 2
    assert metrics_of(at)["任务进度"][0] == "40.0%"


def test_every_board_page_keeps_its_date_in_the_address(known):
    for page in ("overview", "section", "unit", "task"):
        assert param(run_page(page, as_of=None), "d") == "2026-06-15", page  # today
        assert param(run_page(page), "d") == "2026-05-31", page
    for wrong in ("2026-13-40", "1899-12-30"):  # not a date, or one the picker does not offer: today
        assert run_page("overview", as_of=None, d=wrong).date_input(key="as_of").value == dt.date(2026, 6, 15)
    warned = run_page("overview").dataframe[0].value
    assert warned[tables.LINK].tolist() == ["task?task=2&d=2026-05-31"]  # a task link carries the date


@pytest.mark.parametrize("page", ["overview", "section", "unit", "task"])
def test_bundled_pages_render(page, monkeypatch):
    monkeypatch.setenv("KANBAN_WORKBOOK", str(ROOT / "data" / "tasks.xlsx"))
    monkeypatch.setenv("KANBAN_TODAY", "2026-11-20")
    at = run_page(page, as_of=None)
    assert at.get("plotly_chart")
    assert any("示例数据" in info.value for info in at.info)
    assert at.get("download_button")


# ---- invalid workbooks and downloads ----------------------------------------------------


def test_invalid_workbook_without_history_shows_message(tmp_path, monkeypatch):
    monkeypatch.setenv("KANBAN_WORKBOOK", str(board_workbook(tmp_path, bad=True)))
    monkeypatch.setenv("KANBAN_TODAY", "2026-06-15")
    at = AppTest.from_file(str(ROOT / "pages" / "overview.py"), default_timeout=90).run()
    assert not at.exception
    assert "没有可用的历史有效版本" in at.error[0].value
    assert not at.metric
    assert "99" in at.dataframe[0].value.to_string()


def test_a_missing_workbook_lists_a_file_problem_with_a_blank_row_number(tmp_path, monkeypatch):
    monkeypatch.setenv("KANBAN_WORKBOOK", str(tmp_path / "tasks.xlsx"))
    at = AppTest.from_file(str(ROOT / "pages" / "overview.py"), default_timeout=90).run()
    problems = at.dataframe[0].value
    assert problems[["工作表", "行号"]].to_numpy().tolist() == [["（文件）", ""]]  # not "None"


def test_invalid_workbook_falls_back_to_last_valid_version(tmp_path, monkeypatch):
    history = tmp_path / "tasks.history"  # store.history_dir of tmp_path / "tasks.xlsx"
    history.mkdir()
    board_workbook(history)
    monkeypatch.setenv("KANBAN_WORKBOOK", str(board_workbook(tmp_path, bad=True)))
    monkeypatch.setenv("KANBAN_TODAY", "2026-06-15")
    at = run_page("overview")
    assert "上一有效版本" in at.warning[0].value
    assert metrics_of(at)["总体进度"][0] == "45.0%"  # the numbers of the valid version
    assert "99" in at.dataframe[0].value.to_string()  # the banner's problem list names the unknown 编号


def test_download_is_the_shown_table_and_keeps_formulas_as_text(known):
    at = run_page("section")
    at.selectbox(key="section_pick").set_value(SECTION_2).run()
    from lib import metrics, tables
    from lib.validate import load

    book = load(known, today=dt.date(2026, 6, 15)).book
    frame = tables.section_tasks(metrics.compute(book, D), SECTION_2)
    pd.testing.assert_frame_equal(frame, at.dataframe[0].value, check_dtype=False)
    sheet = openpyxl.load_workbook(io.BytesIO(tables.xlsx_bytes(tables.download_frame(frame)))).active
    headers = [c.value for c in sheet[1]]
    assert headers == ["编号", "任务内容", "完成进度", "序时进度", "预警", "责任处室", "最近填报"]
    content = sheet.cell(row=2, column=2)
    assert content.value == "=任务二的内容" and content.data_type == "s"
    assert sheet.cell(row=2, column=3).value == 50
    assert sheet.cell(row=2, column=4).value == 83.3  # shown as 83.3%; the raw 150/180 would be 83.333…
    button = next(b for b in at.get("download_button") if b.proto.id and "section_tasks" in b.proto.id)
    assert "不含“详情”链接" in button.proto.label  # the page says what the file leaves out


def test_download_file_names_are_safe_for_any_unit_name(known):
    from lib import tables

    assert tables.file_name('综合/规划:处*?"<>|\\_牵头任务') == "综合_规划_处________牵头任务"  # 8 unsafe characters and one _


def test_sidebar_choices_follow_the_reader_across_pages(known):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    at.date_input(key="as_of").set_value(dt.date(2026, 3, 31)).run()
    at.multiselect(key="filter_units").set_value(["乙处"]).run()
    assert metrics_of(at)["总体进度"][0] == "10.0%"  # 乙处's shares at 03-31: task 1 20, task 2 0 → (20 + 0) / 2
    at.switch_page("pages/unit.py").run()
    assert not at.exception
    assert at.date_input(key="as_of").value == dt.date(2026, 3, 31)
    assert at.multiselect(key="filter_units").value == ["乙处"]
    assert metrics_of(at)["处室进度"][0] == "10.0%"  # (20 + 0) / 2


@pytest.mark.parametrize(("page", "message"), [("overview", "没有任务"), ("unit", "没有处室"), ("task", "没有任务")])
def test_filters_that_leave_nothing_explain_it(known, page, message):
    at = run_page(page)
    at.multiselect(key="filter_sections").set_value([SECTION_2]).run()
    at.multiselect(key="filter_units").set_value(["甲处"]).run()  # 甲处 has no task in section 二
    assert not at.exception
    assert any(message in info.value for info in at.info)


def test_heatmap_marks_the_lead_with_a_single_unit_filter(known):
    """With one unit the heatmap has no blank cell (a numpy-bool pivot); ★ must survive that."""
    at = run_page("overview")
    at.multiselect(key="filter_units").set_value(["甲处"]).run()
    heat = figures(at)[-1]
    assert heat["data"][0]["text"] == [["★60"]]  # task 1 only; 甲处 leads it at 60


# ---- sheet text is shown literally ------------------------------------------------------

EVIL_PLAN = "测试方案 **粗** [链](http://evil.example) <img src=x onerror=alert(1)>"
EVIL_SECTION = "一、**粗**板块[链](http://evil.example)，建立机制"
EVIL_UNIT = "乙处**粗**<img src=x onerror=alert(1)>"


@pytest.fixture
def evil(tmp_path, monkeypatch) -> Path:
    plan, units, tasks, updates = board_frames()
    plan = plan | {schema.PLAN_NAME: EVIL_PLAN, schema.PLAN_DOC_NO: "**文号**[链](http://evil.example)"}
    units["unit"] = ["甲处", EVIL_UNIT]
    tasks["section"] = [EVIL_SECTION, SECTION_2]
    tasks["units_text"] = [f"甲处、{EVIL_UNIT}", EVIL_UNIT]
    tasks["content"] = ["**任务一** [链](http://evil.example) <img src=x onerror=alert(1)>", "任务二"]
    tasks["deadline_text"] = ["2026年12月31日**粗**", "2026年6月30日"]
    updates["unit"] = ["甲处", EVIL_UNIT, EVIL_UNIT, "甲处"]
    updates["problems"] = ["", "", "**经费** [链](http://evil.example)\n\n<img src=x onerror=alert(1)>", ""]
    path = tmp_path / "tasks.xlsx"
    write_workbook(path, plan, units, tasks, updates)
    monkeypatch.setenv("KANBAN_WORKBOOK", str(path))
    monkeypatch.setenv("KANBAN_TODAY", "2026-06-15")
    return path


def markdown_bodies(at: AppTest) -> list[str]:
    """The Markdown source of every element Streamlit renders as Markdown (sidebar included)."""
    bodies = [e.value for kind in ("markdown", "caption", "title", "header", "subheader", "info", "warning", "success")
              for e in at.get(kind)]
    bodies += [m.label for m in at.metric] + [m.value for m in at.metric] + [t.label for t in at.get("tab")] + [x.label for x in at.get("expandable")]
    return [str(b) for b in bodies]


def assert_literal(bodies: list[str]) -> None:
    import re

    for body in bodies:
        bare = re.sub(r"\\.", "", body)  # what Markdown would still read once escapes are taken out
        assert "**粗" not in bare and "](http" not in bare and "<img" not in bare, body


def test_sheet_text_reaches_markdown_escaped(evil):
    at = run_page("overview")
    at.multiselect(key="filter_sections").set_value([EVIL_SECTION]).run()
    at.multiselect(key="filter_units").set_value([EVIL_UNIT]).run()
    assert not at.exception
    bodies = markdown_bodies(at)
    assert_literal(bodies)
    captions = "\n".join(c.value for c in at.caption)
    assert r"测试方案 \*\*粗\*\* \[链\]\(http://evil\.example\) \<img src=x onerror=alert\(1\)\>" in captions
    assert r"（\*\*文号\*\*\[链\]\(http://evil\.example\)）" in captions
    assert r"已筛选：一、\*\*粗\*\*板块\[链\]\(http://evil\.example\)；乙处\*\*粗\*\*\<img" in captions

    for page, query in (("section", {}), ("unit", {}), ("task", {"task": "1"}), ("task", {"task": "2"})):
        at = run_page(page, **query)
        if page == "unit":
            at.selectbox(key="unit_pick").set_value(EVIL_UNIT).run()
        assert not at.exception, page
        assert_literal(markdown_bodies(at))
    assert metrics_of(run_page("task", task="1"))["完成时限"][0] == r"2026年12月31日\*\*粗\*\*"
    at = run_page("section")
    assert r"一、\*\*粗\*\*板块\[链\]\(http://evil\.example\)，建立机制" in at.subheader[0].value


def test_reruns_build_no_xlsx_and_reuse_the_drill_downs(known, monkeypatch):
    """An .xlsx is built only when its button is clicked; a unit's trend and record are computed once per D."""
    from lib import detail, tables

    def never(*_args, **_kwargs):
        raise AssertionError("xlsx built during a rerun")

    calls = []
    unit_trend = detail.unit_trend
    monkeypatch.setattr(tables, "xlsx_bytes", never)
    monkeypatch.setattr(detail, "unit_trend", lambda *args: calls.append(args) or unit_trend(*args))
    at = run_page("unit")
    at.selectbox(key="unit_pick").set_value("乙处").run()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    # once per (D, unit): the first run at today, then D; the last rerun hit the cache
    assert [(args[1], args[2]) for args in calls] == [(dt.date(2026, 6, 15), "甲处"), (D, "甲处"), (D, "乙处")]


# ---- large plans: a summary heatmap and tables a page at a time -----------------------------------


def test_a_plan_past_the_heatmap_limit_shows_sections_by_units(known, monkeypatch):
    from lib import charts

    monkeypatch.setattr(charts, "HEATMAP_MAX_TASKS", 1)  # our two tasks stand for a 2,000-task plan
    at = run_page("overview")
    subheaders = [header.value for header in at.subheader]
    assert "板块 × 处室" in subheaders and "任务 × 处室" not in subheaders
    heat = figures(at)[-1]["data"][0]
    assert heat["y"] == ["一、测试板块", "二、第二板块"]
    assert decoded(heat["z"])[0] == [60.0, 20.0]  # 甲处 60, 乙处 20 in section 一


def test_a_long_table_is_shown_a_page_at_a_time(known, monkeypatch):
    from lib.ui import board

    monkeypatch.setattr(board, "TABLE_PAGE_ROWS", 2)
    at = run_page("task", task="1")  # three reports: 05-10, 03-20, 03-15
    pager = at.selectbox(key="page_task_history")
    assert pager.options == ["第 1 页（第 1–2 行）", "第 2 页（第 3 行）"]
    assert at.dataframe[1].value["填报日期"].tolist() == [dt.date(2026, 5, 10), dt.date(2026, 3, 20)]
    pager.select_index(1).run()
    assert at.dataframe[1].value["填报日期"].tolist() == [dt.date(2026, 3, 15)]


def test_the_heatmap_as_a_list_names_each_units_progress_lead_first(known):
    from lib import metrics
    from lib.validate import load

    snapshot = metrics.compute(load(known, today=D).book, D)
    listed = tables.task_unit_progress(snapshot)
    assert listed[["编号", "各处室进度"]].to_numpy().tolist() == [["1", "★甲处 60%、乙处 20%"], ["2", "★乙处 50%"]]
