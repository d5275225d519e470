"""lib.intake (layout): notice text to the 方案, 处室 and 任务 sheets."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lib import schema
from lib.intake import ImportedPlan, parse_notice

FIXTURES = Path(__file__).parent / "fixtures" / "notices"
# A copy of the notice shipped with the plan, so a fresh clone can run this.
SHIPPED = FIXTURES / "sichuan-chongqing-fangzhi-plan-2025.txt"


def _read(path: Path) -> str:
    # newline="" keeps \r\n, so the parser, not Python, has to deal with it.
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()


def _task(result: ImportedPlan, task_id: str) -> pd.Series:
    rows = result.tasks.loc[result.tasks["task_id"] == task_id]
    assert len(rows) == 1, task_id
    return rows.iloc[0]


def _column(result: ImportedPlan, column: str) -> dict[str, str]:
    return dict(zip(result.tasks["task_id"], result.tasks[column], strict=True))


# ---- the shipped notice ------------------------------------------------------------

SHIPPED_SECTIONS = [
    "一、建立常态化联络机制,构建川渝地方志工作新模式",
    "二、建立业务合作机制,实施跨区域重大地方志工程项目",
    "三、搭建资源共享平台,促进地方志信息高速公路互联互通",
    "四、实现馆藏联展互展,联合高校共建方志文化服务中心",
    "五、深入开展理论研究,共同建设巴蜀方志文化研究中心",
    "六、形成发展合力,让地方志事业立起来、用起来、活起来。",
]
ALL = "机关各处、四川年鉴社"
INFO, POLICY = "省情信息工作处", "政策法规宣传处"
SHIPPED_UNITS_TEXT = {
    "1": ALL,
    "2": f"{INFO}、{POLICY}",
    "3": "省志工作处",
    "4": f"{INFO}、{POLICY}",
    "5": INFO,
    "6": f"{INFO}、{POLICY}",
    "7": "综合处",
    "8": INFO,
    "9": INFO,
    "10": POLICY,
    "11": "省志工作处、市县志工作处、四川年鉴社",
    "12": ALL,
    "13": POLICY,
    "14": ALL,
    "15": ALL,
    "16": INFO,
}
# Section of each task: 1 | 2-4 | 5-7 | 8-9 | 10-13 | 14-16.
SHIPPED_SECTION_OF = {str(n): SHIPPED_SECTIONS[0] for n in [1]}
SHIPPED_SECTION_OF |= {str(n): SHIPPED_SECTIONS[1] for n in [2, 3, 4]}
SHIPPED_SECTION_OF |= {str(n): SHIPPED_SECTIONS[2] for n in [5, 6, 7]}
SHIPPED_SECTION_OF |= {str(n): SHIPPED_SECTIONS[3] for n in [8, 9]}
SHIPPED_SECTION_OF |= {str(n): SHIPPED_SECTIONS[4] for n in [10, 11, 12, 13]}
SHIPPED_SECTION_OF |= {str(n): SHIPPED_SECTIONS[5] for n in [14, 15, 16]}


@pytest.fixture(scope="module")
def shipped() -> ImportedPlan:
    return parse_notice(_read(SHIPPED))


def test_shipped_plan_fields(shipped: ImportedPlan) -> None:
    # The title is wrapped over two lines under 附件; they are joined.
    assert shipped.plan == {
        schema.PLAN_NAME: "推进《深化川渝地方志工作合作 推动成渝地区双城经济圈建设合作协议》落实分工方案",
        schema.PLAN_DOC_NO: "〔2025〕57号",
        schema.PLAN_ISSUED: "2025-08-26",
    }


def test_shipped_sections_verbatim_and_in_order(shipped: ImportedPlan) -> None:
    assert list(dict.fromkeys(shipped.tasks["section"])) == SHIPPED_SECTIONS
    assert _column(shipped, "section") == SHIPPED_SECTION_OF


def test_shipped_sixteen_tasks_in_order(shipped: ImportedPlan) -> None:
    assert list(shipped.tasks["task_id"]) == [str(n) for n in range(1, 17)]
    assert list(shipped.tasks.columns) == [c.field for c in schema.TASK_COLUMNS]


def test_shipped_task_contents_verbatim(shipped: ImportedPlan) -> None:
    assert _task(shipped, "1")["content"] == (
        "根据工作需要,丰富沟通形式,畅通沟通渠道,充分运用线上(视频会议、平台交流)和线下"
        "(联合调研、互访学习)相结合方式,共同分析研判工作形势,分享交流工作经验,"
        "研究联合开展事关川渝两地经济社会发展全局的地方志工作事项。"
    )
    assert _task(shipped, "3")["content"] == "联合高质量编纂出版《成渝地区双城经济圈建设年鉴》。"
    assert _task(shipped, "16")["content"] == (
        "将川渝两地公开出版的地方志成果纳入史志“七进”活动,让地方志在更大范围内发挥"
        "“存史、育人、资政”功能,在新时代实现高质量发展。"
    )
    # No content keeps its number, and none picked up the web page's footer.
    assert not shipped.tasks["content"].str.match(r"^\d").any()
    assert not shipped.tasks["content"].str.contains("查看原文|用户登录|立即注册|责任处").any()


def test_shipped_units_of_every_task(shipped: ImportedPlan) -> None:
    assert _column(shipped, "units_text") == SHIPPED_UNITS_TEXT
    # The plan names no leads: the first listed leads, so lead_text stays blank.
    assert set(shipped.tasks["lead_text"]) == {""}


def test_shipped_other_columns(shipped: ImportedPlan) -> None:
    assert shipped.tasks["start"].isna().all()
    # "以年度为单位" in task 6 is a rhythm, not a deadline.
    assert set(shipped.tasks["deadline_text"]) == {""}
    assert set(shipped.tasks["note"]) == {""}
    assert shipped.warnings == []


def test_shipped_units_frame(shipped: ImportedPlan) -> None:
    # 机关各处 (task 1) stands for its members there, so the 处 come before
    # 四川年鉴社 even though the 社 is named in task 1 too.
    expected = pd.DataFrame(
        {
            "unit": [INFO, POLICY, "省志工作处", "综合处", "市县志工作处", "四川年鉴社"],
            "short": [""] * 6,
            "groups": [["机关各处"]] * 5 + [[]],
        }
    )
    pd.testing.assert_frame_equal(shipped.units, expected)
    assert schema.ALL_DIVISIONS_GROUP not in set(shipped.units["unit"])


def test_shipped_with_crlf_bom_and_full_width_punctuation(shipped: ImportedPlan) -> None:
    full_width = str.maketrans({",": "，", "(": "（", ")": "）", ":": "：", ".": "．", "?": "？"})
    text = "\ufeff" + _read(SHIPPED).translate(full_width).replace("\n", "\r\n")
    result = parse_notice(text)
    assert list(result.tasks["task_id"]) == list(shipped.tasks["task_id"])
    assert _column(result, "units_text") == SHIPPED_UNITS_TEXT
    # Sections and contents are kept as written, here in full width.
    assert result.tasks["section"].iloc[0] == "一、建立常态化联络机制，构建川渝地方志工作新模式"
    assert _task(result, "3")["content"] == "联合高质量编纂出版《成渝地区双城经济圈建设年鉴》。"
    assert result.plan[schema.PLAN_ISSUED] == "2025-08-26"
    assert result.plan[schema.PLAN_DOC_NO] == "〔2025〕57号"
    assert result.warnings == []


# ---- fixture: trailing parentheses, 一、>(一)>1． restarting, CRLF + BOM ---------------


@pytest.fixture(scope="module")
def paren_roles() -> ImportedPlan:
    return parse_notice(_read(FIXTURES / "paren_roles_crlf.txt"))


def test_paren_roles_file_really_has_crlf_and_bom() -> None:
    raw = (FIXTURES / "paren_roles_crlf.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw


def test_paren_roles_ids_restart_under_each_subheading(paren_roles: ImportedPlan) -> None:
    # 1．2． restart under (一)(二)(三), which run on across sections: (三) item 2 is 3.2.
    assert list(paren_roles.tasks["task_id"]) == ["1.1", "1.2", "2.1", "2.2", "3.1", "3.2"]
    assert _column(paren_roles, "section") == {
        "1.1": "一、全面推进志书编纂",
        "1.2": "一、全面推进志书编纂",
        "2.1": "一、全面推进志书编纂",
        "2.2": "一、全面推进志书编纂",
        "3.1": "二、加强年鉴编纂",
        "3.2": "二、加强年鉴编纂",
    }
    assert _column(paren_roles, "note")["2.1"] == "（二）推进市县志编纂"


def test_paren_roles_units_and_leads(paren_roles: ImportedPlan) -> None:
    assert _column(paren_roles, "units_text") == {
        "1.1": "省志工作处、综合处",  # (X牵头,Y配合)
        "1.2": "省志工作处、政策法规宣传处、各市（州）地方志办",  # (牵头单位:X;责任单位:Y、Z)
        "2.1": "市县志工作处、各县（市、区）政府",  # brackets do not split a unit
        "2.2": "市县志工作处",  # 责任领导 is a person
        "3.1": "四川年鉴社",  # (X负责)
        "3.2": "市县志工作处、四川年鉴社、各市（州）地方志办",  # 分别牵头
    }
    assert _column(paren_roles, "lead_text") == {
        "1.1": "省志工作处",
        "1.2": "省志工作处",
        "2.1": "",
        "2.2": "",
        "3.1": "",
        "3.2": "市县志工作处、四川年鉴社",
    }


def test_paren_roles_content_loses_the_parenthesis(paren_roles: ImportedPlan) -> None:
    assert _column(paren_roles, "content") == {
        "1.1": "完成《四川省志·交通志》复审，2026年6月底前完成。",
        "1.2": "推进专业志编纂出版。",
        "2.1": "指导各县（市、区）完成二轮志书出版扫尾工作。",
        "2.2": "开展乡镇（街道）村志编纂示范创建。",
        # Wrapped over two lines in the file; the inner （2026） is not a unit list.
        "3.1": "编纂出版《四川年鉴（2026）》，2026年10月底前出版。",
        "3.2": "开展全省年鉴质量评议。",
    }
    assert _column(paren_roles, "deadline_text") == {
        "1.1": "2026年6月底前",
        "1.2": "",
        "2.1": "",
        "2.2": "",
        "3.1": "2026年10月底前",
        "3.2": "",
    }


def test_paren_roles_plan_and_units(paren_roles: ImportedPlan) -> None:
    assert paren_roles.plan == {
        schema.PLAN_NAME: "2026年全省地方志工作要点任务分工方案",
        schema.PLAN_DOC_NO: "川志办发〔2026〕3号",
        schema.PLAN_ISSUED: "2026-01-15",
    }
    assert list(paren_roles.units["unit"]) == [
        "省志工作处",
        "综合处",
        "政策法规宣传处",
        "各市（州）地方志办",
        "市县志工作处",
        "各县（市、区）政府",
        "四川年鉴社",
    ]
    groups = dict(zip(paren_roles.units["unit"], paren_roles.units["groups"], strict=True))
    assert groups["综合处"] == ["机关各处"]
    assert groups["各市（州）地方志办"] == []
    assert groups["四川年鉴社"] == []
    assert paren_roles.warnings == []


# ---- fixture: 牵头单位/配合单位 lines, (1) sub-points, 完成时限 lines ---------------------


@pytest.fixture(scope="module")
def lead_lines() -> ImportedPlan:
    return parse_notice(_read(FIXTURES / "lead_lines.txt"))


def test_lead_lines_tasks(lead_lines: ImportedPlan) -> None:
    assert list(lead_lines.tasks["task_id"]) == ["1", "2", "3", "4"]
    # The (1)(2) sub-points have no units of their own: they are part of task 1.
    assert _task(lead_lines, "1")["content"] == (
        "做好区志续修资料征集工作：(1) 制定资料征集方案；(2) 召开资料征集培训会。"
    )
    assert _column(lead_lines, "units_text") == {
        "1": "区志办编研科、区档案馆、各街道办事处",
        "2": "区志办年鉴科、区档案馆",
        "3": "区志办综合科、区教委",  # 协作单位 counts as cooperating
        "4": "区志办信息科",
    }
    assert _column(lead_lines, "lead_text") == {
        "1": "区志办编研科",
        "2": "区志办年鉴科、区档案馆",  # 分别牵头: every listed unit leads
        "3": "区志办综合科",
        "4": "",
    }
    assert _column(lead_lines, "deadline_text") == {"1": "2025年6月底前", "2": "长期坚持", "3": "", "4": ""}


def test_lead_lines_people_and_footer_are_ignored(lead_lines: ImportedPlan) -> None:
    assert "李四" not in "".join(lead_lines.tasks["units_text"]) + "".join(lead_lines.units["unit"])
    assert lead_lines.plan == {
        schema.PLAN_NAME: "重庆市某区地方志工作2025年重点任务分工方案",
        schema.PLAN_ISSUED: "2025-03-01",
    }
    assert lead_lines.warnings == []


def test_lead_lines_units_without_division_groups(lead_lines: ImportedPlan) -> None:
    # 各街道办事处 ends in 处 but is not one of the office's 处.
    assert lead_lines.units["groups"].map(len).sum() == 0
    assert list(lead_lines.units["unit"]) == [
        "区志办编研科",
        "区档案馆",
        "各街道办事处",
        "区志办年鉴科",
        "区志办综合科",
        "区教委",
        "区志办信息科",
    ]


# ---- fixture: 责任处室 lines, (一) tasks under 一、, web clutter -----------------------


@pytest.fixture(scope="module")
def web() -> ImportedPlan:
    return parse_notice(_read(FIXTURES / "responsibility_lines_web.txt"))


def test_web_tasks_numbered_with_chinese_parentheses(web: ImportedPlan) -> None:
    # (一)…(四) run on across sections, so the ids are their own numbers.
    assert list(web.tasks["task_id"]) == ["1", "2", "3", "4"]
    assert _column(web, "units_text") == {
        "1": "省志工作处",
        "2": "省情信息工作处、机关各处室",
        "3": "政策法规宣传处",
        "4": "综合处、四川年鉴社",  # half-width colon, ； separator
    }
    assert _column(web, "section") == {
        "1": "一、编纂工作",
        "2": "一、编纂工作",
        "3": "二、研究工作",
        "4": "二、研究工作",
    }
    assert _column(web, "deadline_text")["2"] == "2027年底前"


def test_web_plan_fields(web: ImportedPlan) -> None:
    assert web.plan == {
        schema.PLAN_NAME: "全省地方志系统“十五五”规划重点任务分工",
        schema.PLAN_DOC_NO: "川志办〔2025〕88号",
        schema.PLAN_ISSUED: "2025-12-01",  # 二〇二五年十二月一日
    }


def test_web_warnings_name_the_lines(web: ImportedPlan) -> None:
    assert [p.code for p in web.problems] == ["unplaced-line", "task-without-units", "task-without-units"]
    assert web.warnings == [
        "第16行「本项工作每年向党组报告一次。」无法归入任何任务，已忽略，请核对。",
        "第20行「（一）加强组织领导。」没有写明责任单位，未作为任务导入，请核对。",
        "第21行「（二）强化督促检查。」没有写明责任单位，未作为任务导入，请核对。",
    ]


def test_web_group_uses_the_plans_spelling(web: ImportedPlan) -> None:
    expected = pd.DataFrame(
        {
            "unit": ["省志工作处", "省情信息工作处", "政策法规宣传处", "综合处", "四川年鉴社"],
            "short": [""] * 5,
            "groups": [["机关各处室"]] * 4 + [[]],
        }
    )
    pd.testing.assert_frame_equal(web.units, expected)


# ---- fixture: 1、 restarting per section, units on the task's own line -------------------


@pytest.fixture(scope="module")
def inline() -> ImportedPlan:
    return parse_notice(_read(FIXTURES / "restart_inline.txt"))


def test_inline_units_and_restarting_ids(inline: ImportedPlan) -> None:
    assert list(inline.tasks["task_id"]) == ["1.1", "1.2", "2.1"]
    assert _column(inline, "content") == {
        "1.1": "完成市县二轮志书出版。",
        "1.2": "启动三轮修志试点。",
        "2.1": "实现市县综合年鉴公开出版全覆盖。",
    }
    assert _column(inline, "units_text") == {
        "1.1": "各市(州)地方志办、市县志工作处",
        "1.2": "市县志工作处",
        "2.1": "市县志工作处、各市(州)地方志办",
    }
    # （牵头） after a name marks that unit as the lead.
    assert _column(inline, "lead_text") == {"1.1": "", "1.2": "", "2.1": "市县志工作处"}
    assert _column(inline, "deadline_text")["1.1"] == "2024年12月底前"


def test_inline_plan_units_and_warnings(inline: ImportedPlan) -> None:
    assert inline.plan == {schema.PLAN_NAME: "2024年地方志工作任务清单"}
    assert dict(zip(inline.units["unit"], inline.units["groups"], strict=True)) == {
        "各市(州)地方志办": [],
        "市县志工作处": ["机关各处"],
    }
    assert [p.code for p in inline.problems] == ["task-without-units"]
    assert inline.warnings == ["第9行「2、推进年鉴数字化。」没有写明责任单位，未作为任务导入，请核对。"]


# ---- small cases written inline ---------------------------------------------------------


def test_completion_line_and_responsibility_lines_in_any_order() -> None:
    text = "一、任务\n1. 编写大事记。\n完成时限：2025年12月31日前\n责任部门：综合处、四川年鉴社\n"
    result = parse_notice(text)
    assert _column(result, "units_text") == {"1": "综合处、四川年鉴社"}
    assert _column(result, "deadline_text") == {"1": "2025年12月31日前"}


def test_sections_restarting_numbering_use_section_number() -> None:
    text = "一、甲\n1. 任务甲一（综合处负责）\n2. 任务甲二（综合处负责）\n二、乙\n1. 任务乙一（综合处负责）\n"
    # Own numbers 1, 2, 1 repeat, so the section's number goes in front.
    assert list(parse_notice(text).tasks["task_id"]) == ["1.1", "1.2", "2.1"]


def test_heading_with_units_is_the_task_and_keeps_its_subpoints() -> None:
    # (一) names units and its 1. 2. do not: they are details of one task.
    text = "一、甲\n（一）建设方志馆（省情信息工作处牵头）\n1. 选址；\n2. 布展。\n"
    result = parse_notice(text)
    assert list(result.tasks["task_id"]) == ["1"]
    assert _task(result, "1")["content"] == "建设方志馆1. 选址；2. 布展。"
    assert _task(result, "1")["lead_text"] == "省情信息工作处"


def test_empty_and_unrelated_text_give_a_warning_not_an_error() -> None:
    for text in ["", "\ufeff\r\n", "今天天气很好。\n明天也好。"]:
        result = parse_notice(text)
        assert result.tasks.empty and result.units.empty
        assert list(result.tasks.columns) == [c.field for c in schema.TASK_COLUMNS]
        assert list(result.units.columns) == ["unit", "short", "groups"]
        assert result.problems[-1].code == "no-tasks-found"


def test_duplicate_ids_and_missing_section_have_codes() -> None:
    # Two 1. under one heading cannot be told apart by any prefix; a task above every heading has no section.
    text = "1. 前言任务（综合处负责）\n一、甲\n1. 任务一（综合处负责）\n1. 任务二（综合处负责）\n"
    result = parse_notice(text)
    codes = [p.code for p in result.problems]
    assert "duplicate-task-id" in codes and "missing-section" in codes, result.warnings
    assert all(p.level == "警告" for p in result.problems)


# ---- layouts met in the corpus of real notices, written small ------------------------------


def test_a_table_pasted_as_tab_separated_rows_is_read_by_column() -> None:
    # Word and Excel copy a table as one row per line, cells split by tabs; the section row has no tab.
    text = ("序号\t工作任务\t牵头单位\t配合单位\n一、重点任务\n"
            "1\t建成方志馆\t省情信息工作处\t综合处\n2\t编纂年鉴\t四川年鉴社\t\n")
    result = parse_notice(text)
    assert _column(result, "units_text") == {"1": "省情信息工作处、综合处", "2": "四川年鉴社"}
    assert _column(result, "lead_text") == {"1": "省情信息工作处", "2": "四川年鉴社"}
    assert set(result.tasks["section"]) == {"一、重点任务"}


def test_rule_clauses_inside_a_unit_list_are_applied_never_kept() -> None:
    # 列第一位者为牵头单位,下同: the first unit leads here and in every task below; neither clause is a unit.
    text = ("一、甲\n（一）任务一。（市发改委、市财政局等负责，列第一位者为牵头单位，下同）\n"
            "（二）任务二。（市商务局、市农业局负责。以下各项均需各县区落实，不再列出）\n")
    result = parse_notice(text)
    assert _column(result, "units_text") == {"1": "市发改委、市财政局", "2": "市商务局、市农业局"}
    assert _column(result, "lead_text") == {"1": "市发改委", "2": "市商务局"}


def test_an_item_whose_text_starts_with_digits_follows_its_number() -> None:
    # 11.121人才… reads as the decimal 11.121, but it comes right after 10.: it is item 11.
    text = "一、甲\n10. 博士后项目。（综合处负责）\n11.121人才梯队项目。（综合处负责）\n"
    result = parse_notice(text)
    assert list(result.tasks["task_id"]) == ["10", "11"]
    assert _task(result, "11")["content"] == "121人才梯队项目。"


def test_a_page_that_runs_paragraphs_together_is_cut_before_each_number() -> None:
    text = "现提出以下意见: 一、深入实施就业优先战略 1.坚持就业优先。(市发改委牵头,市财政局参加) 2.扶持小微企业。(市工信局负责)"
    result = parse_notice(text)
    assert _column(result, "section") == {"1": "一、深入实施就业优先战略", "2": "一、深入实施就业优先战略"}
    assert _column(result, "units_text") == {"1": "市发改委、市财政局", "2": "市工信局"}
    assert _column(result, "lead_text") == {"1": "市发改委", "2": ""}


def test_pinyin_glosses_of_a_mirror_and_an_assignment_inside_the_text() -> None:
    # 責(zé)任單位 is a mirror's gloss; 〔…〕 in mid-text assigns the first measure, (…) at the end the second.
    text = "一、甲\n1.建設平台〔市發展(fā)改革委牽頭〕。建設網絡。(責(zé)任單位:市工信局)\n"
    result = parse_notice(text)
    # Leads first, then the other units (see lib.intake.layout).
    assert _column(result, "units_text") == {"1": "市發展改革委、市工信局"}
    assert _column(result, "lead_text") == {"1": "市發展改革委"}
