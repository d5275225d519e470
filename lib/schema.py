"""The workbook contract: sheet names, column headers, vocabularies.

Every other module refers to these constants; a Chinese header literal
anywhere else is a smell. Frames inside the program use the English
``field`` names; the Chinese ``header`` is what staff see in Excel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SHEET_PLAN = "方案"
SHEET_UNITS = "处室"
SHEET_TASKS = "任务"
SHEET_UPDATES = "进展"
SHEET_SUPERVISION = "督办"


@dataclass(frozen=True)
class Column:
    field: str  # English name used in DataFrames
    header: str  # exact Chinese header in the workbook
    required: bool = False  # the column must exist and the cell must be filled
    width: int = 14  # column width when we write the sheet


PLAN_COLUMNS = (
    Column("key", "项目", required=True, width=14),
    Column("value", "内容", required=True, width=60),
)

UNIT_COLUMNS = (
    Column("unit", "处室", required=True, width=22),
    Column("short", "简称", width=12),
    Column("groups", "分组", width=20),
)

TASK_COLUMNS = (
    Column("task_id", "编号", required=True, width=8),
    Column("section", "板块", required=True, width=36),
    Column("content", "任务内容", required=True, width=60),
    Column("units_text", "责任处室", required=True, width=30),
    Column("lead_text", "牵头处室", width=20),
    Column("start", "开始日期", width=12),
    Column("deadline_text", "完成时限", width=16),
    Column("note", "备注", width=20),
)

UPDATE_COLUMNS = (
    Column("date", "填报日期", required=True, width=12),
    Column("task_id", "编号", required=True, width=8),
    Column("unit", "处室", required=True, width=18),
    Column("progress", "完成进度", required=True, width=10),
    Column("status", "状态", width=10),
    Column("progress_note", "进展情况", width=40),
    Column("problems", "存在问题", width=30),
    Column("next_steps", "下步计划", width=30),
    Column("reporter", "填报人", width=10),
)

# 督办: one row per request or decision, appended by the app only (never in a template, never edited in place).
SUPERVISION_COLUMNS = (
    Column("event_id", "编号", required=True, width=8),  # D0001, D0002, … in the order events happen
    Column("kind", "事项", required=True, width=12),
    Column("task_id", "任务编号", required=True, width=8),
    Column("unit", "处室", required=True, width=18),
    Column("date", "日期", required=True, width=12),
    Column("account", "经办人", required=True, width=12),
    Column("text", "说明", width=40),  # 办结说明 / 延期理由及进展 / 意见
    Column("evidence", "佐证材料", width=30),
    Column("requested_until", "申请完成时限", width=14),
    Column("approved_until", "批准完成时限", width=14),
    Column("answers", "对应申请", width=10),  # a decision: the 编号 of the request it answers
)

# A reporter's template also lets a 进展 row ask for 销号 or 延期 (``lib.supervision.upload_requests``): optional columns read
# from an upload only; a request becomes a 督办 row, and the 进展 sheet never keeps these columns.
REQUEST_COLUMNS = (
    Column("request", "申请事项", width=10),  # 销号 / 延期; the row's 进展情况 is the 办结说明 or the reason
    Column("requested_until", "申请完成时限", width=14),  # 延期: the date asked for
    Column("evidence", "佐证材料", width=24),
)

# The sheets people fill in: templates carry these, uploads merge them.
SHEETS: dict[str, tuple[Column, ...]] = {
    SHEET_PLAN: PLAN_COLUMNS,
    SHEET_UNITS: UNIT_COLUMNS,
    SHEET_TASKS: TASK_COLUMNS,
    SHEET_UPDATES: UPDATE_COLUMNS,
}
# Sheets only the app writes; optional, since workbooks from before they existed have none.
APP_SHEETS: dict[str, tuple[Column, ...]] = {SHEET_SUPERVISION: SUPERVISION_COLUMNS}
CONTRACT_SHEETS: dict[str, tuple[Column, ...]] = {**SHEETS, **APP_SHEETS}  # every sheet a workbook is read for
REQUIRED_SHEETS = (SHEET_UNITS, SHEET_TASKS, SHEET_UPDATES)


def header_of(sheet: str, field: str) -> str:
    """The Chinese header of ``field`` on ``sheet``."""
    for column in CONTRACT_SHEETS[sheet]:
        if column.field == field:
            return column.header
    raise KeyError(f"{sheet}.{field}")


# ---- 方案 sheet keys -------------------------------------------------------
PLAN_NAME = "方案名称"
PLAN_DOC_NO = "文号"
PLAN_ISSUED = "印发日期"
PLAN_START = "起始日期"
PLAN_CYCLE = "报送周期"
PLAN_SOON_DAYS = "临近天数"
PLAN_YELLOW_GAP = "黄灯差距"
PLAN_RED_GAP = "红灯差距"
PLAN_SAMPLE = "示例数据"
PLAN_REPORT_DEADLINE = "报送截止日"
PLAN_SIGN_OFF_REVIEW = "销号审核"  # 是: a 100 report waits for the admin's 销号 before it counts as done
PLAN_KEYS = (
    PLAN_NAME,
    PLAN_DOC_NO,
    PLAN_ISSUED,
    PLAN_START,
    PLAN_CYCLE,
    PLAN_SOON_DAYS,
    PLAN_YELLOW_GAP,
    PLAN_RED_GAP,
    PLAN_SAMPLE,
    PLAN_REPORT_DEADLINE,
    PLAN_SIGN_OFF_REVIEW,
)

CYCLE_QUARTER = "季度"
CYCLE_MONTH = "月度"
CYCLES = (CYCLE_QUARTER, CYCLE_MONTH)
DEFAULT_SOON_DAYS = 30
DEFAULT_YELLOW_GAP = 10.0
DEFAULT_RED_GAP = 30.0
YES, NO = "是", "否"
# 报送截止日 is N days after a period's end: the longest N still ends before the next period does.
REPORT_DAYS_LIMIT = {CYCLE_QUARTER: 89, CYCLE_MONTH: 27}

# ---- 督办 events ---------------------------------------------------------------
KIND_SIGN_OFF_REQUEST = "销号申请"
KIND_EXTENSION_REQUEST = "延期申请"
KIND_SIGN_OFF = "销号"
KIND_RETURN = "退回"
KIND_EXTENSION_APPROVED = "同意延期"
KIND_EXTENSION_REFUSED = "不同意延期"
REQUEST_KINDS = (KIND_SIGN_OFF_REQUEST, KIND_EXTENSION_REQUEST)
# Each decision answers one kind of request.
DECISION_KINDS = {
    KIND_SIGN_OFF: KIND_SIGN_OFF_REQUEST,
    KIND_RETURN: KIND_SIGN_OFF_REQUEST,
    KIND_EXTENSION_APPROVED: KIND_EXTENSION_REQUEST,
    KIND_EXTENSION_REFUSED: KIND_EXTENSION_REQUEST,
}
SUPERVISION_KINDS = (*REQUEST_KINDS, *DECISION_KINDS)
EVENT_ID_PREFIX = "D"

# An assignment's state in the 督办 loop.
STATE_OPEN = "推进中"
STATE_AWAITING = "待销号"
STATE_SIGNED_OFF = "已销号"
STATE_RETURNED = "退回"

# ---- 状态 vocabulary --------------------------------------------------------
STATUS_NOT_STARTED = "未启动"
STATUS_IN_PROGRESS = "推进中"
STATUS_DONE = "已完成"
STATUS_LAGGING = "滞后"
STATUSES = (STATUS_NOT_STARTED, STATUS_IN_PROGRESS, STATUS_DONE, STATUS_LAGGING)
STATUS_SYNONYMS = {
    "未开始": STATUS_NOT_STARTED,
    "尚未启动": STATUS_NOT_STARTED,
    "进行中": STATUS_IN_PROGRESS,
    "正在推进": STATUS_IN_PROGRESS,
    "正在进行": STATUS_IN_PROGRESS,
    "完成": STATUS_DONE,
    "已办结": STATUS_DONE,
    "办结": STATUS_DONE,
    "延期": STATUS_LAGGING,
    "进度滞后": STATUS_LAGGING,
    "滞后": STATUS_LAGGING,
}

# ---- 预警 (warning lights) ---------------------------------------------------
LIGHT_DONE = "已完成"
LIGHT_RED = "红"
LIGHT_YELLOW = "黄"
LIGHT_BLUE = "蓝"
LIGHT_GREEN = "绿"
LIGHTS = (LIGHT_RED, LIGHT_YELLOW, LIGHT_BLUE, LIGHT_GREEN, LIGHT_DONE)
# The name a light is shown with, everywhere: never colour alone.
LIGHT_LABELS = {
    LIGHT_RED: "红灯", LIGHT_YELLOW: "黄灯", LIGHT_BLUE: "蓝灯", LIGHT_GREEN: "绿灯", LIGHT_DONE: "已完成",
}

# ---- 完成时限 that mean "ongoing, never overdue" -------------------------------


def light_label(light: str) -> str:
    """The label a light is shown with: 红灯, 黄灯, 蓝灯, 绿灯, 已完成."""
    return LIGHT_LABELS.get(light, light)


ONGOING_WORDS = ("长期坚持", "长期", "持续推进", "常态化", "以年度为单位", "持续")

# Unit lists are split on these, but never inside brackets: 各县(市、区)政府 is one unit.
LIST_SEPARATORS = "、，,；;\n"
_OPEN = "(（[【〔"
_CLOSE = ")）]】〕"

# 机关各处 is the usual name of the group of every 处 in the office.
ALL_DIVISIONS_GROUP = "机关各处"

# Characters Excel would treat as the start of a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def split_unit_list(text: str) -> list[str]:
    """Split a unit list such as ``省志工作处、市县志工作处`` into names.

    Separators inside brackets do not split. Empty parts are dropped and the
    order is kept, because the first unit listed leads by convention.
    """
    if text is None:
        return []
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in str(text):
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(0, depth - 1)
        if char in LIST_SEPARATORS and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    names = [p.strip() for p in parts]
    return [n for n in names if n]


_SPACE_RE = re.compile(r"[\s\u3000\u00a0]+")


def normalise_header(text: object) -> str:
    """A header cell as we compare it: full-width folded, spaces removed."""
    import unicodedata

    if text is None:
        return ""
    folded = unicodedata.normalize("NFKC", str(text))
    return _SPACE_RE.sub("", folded)


def normalise_status(text: object) -> tuple[str | None, bool]:
    """Map a 状态 cell to the vocabulary.

    Returns (status or None when blank, whether a synonym was mapped).
    Unknown text returns (the text itself, False); validation flags it.
    """
    if text is None:
        return None, False
    value = _SPACE_RE.sub("", str(text))
    if not value:
        return None, False
    if value in STATUSES:
        return value, False
    if value in STATUS_SYNONYMS:
        return STATUS_SYNONYMS[value], True
    return value, False


def status_from_progress(progress: float) -> str:
    """The 状态 implied by 完成进度 when the cell is blank."""
    if progress >= 100:
        return STATUS_DONE
    if progress <= 0:
        return STATUS_NOT_STARTED
    return STATUS_IN_PROGRESS
