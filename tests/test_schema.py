from lib import schema


def test_split_unit_list_keeps_brackets_whole():
    assert schema.split_unit_list("各县(市、区)政府、省志工作处") == ["各县(市、区)政府", "省志工作处"]
    assert schema.split_unit_list("各市（州、县）志办；综合处,  年鉴社\n四川年鉴社") == [
        "各市（州、县）志办", "综合处", "年鉴社", "四川年鉴社"]


def test_split_unit_list_drops_empty_parts():
    assert schema.split_unit_list("、甲处、、乙处、") == ["甲处", "乙处"]
    assert schema.split_unit_list(None) == []


def test_normalise_header_folds_full_width_and_spaces():
    assert schema.normalise_header(" 完成 进度\u3000") == "完成进度"
    assert schema.normalise_header("编号") == "编号"
    assert schema.normalise_header("（备注）") == "(备注)"


def test_status_synonyms_map_and_report_mapping():
    assert schema.normalise_status("进行中") == ("推进中", True)
    assert schema.normalise_status("已办结") == ("已完成", True)
    assert schema.normalise_status("延期") == ("滞后", True)
    assert schema.normalise_status("未开始") == ("未启动", True)
    assert schema.normalise_status("推进中") == ("推进中", False)
    assert schema.normalise_status("  ") == (None, False)


def test_status_from_progress():
    assert schema.status_from_progress(0) == "未启动"
    assert schema.status_from_progress(40) == "推进中"
    assert schema.status_from_progress(100) == "已完成"


def test_every_sheet_has_its_required_columns_named_once():
    for columns in schema.SHEETS.values():
        headers = [c.header for c in columns]
        assert len(headers) == len(set(headers))
    assert schema.header_of(schema.SHEET_UPDATES, "progress") == "完成进度"
