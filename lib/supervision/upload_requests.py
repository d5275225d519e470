"""申请事项 in an upload: a 进展 row that also asks for 销号 or 延期, and the automatic 销号申请 of 销号审核 = 是.

A reporter's template (``lib.template``) has three optional columns after the contract's (``schema.REQUEST_COLUMNS``):
申请事项 (销号 / 延期), 申请完成时限 and 佐证材料. The row's 进展情况 is the request's text: the 办结说明 of a 销号申请,
the reason and progress of a 延期申请. A merge turns each such row, besides its report, into a 督办 request appended
in the same save; each is built by ``supervision.new_request`` against the events before it (the saved ones, then
the upload's own, in row order), so the rules are those of the 处室 page's forms. A refused request is an error
naming the row and the column, and nothing is saved.

With 销号审核 = 是 a report the upload adds or changes at 100 also files a 销号申请 (the report's 进展情况 as
办结说明, the row's 佐证材料), unless the assignment is 待销号 or 已销号 by then, or the row asks 销号 itself. The
explicit requests come first, so a row asking 销号 makes the assignment 待销号 before the automatic ones are looked at.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import pandas as pd

from lib import dates, schema, supervision, upload_columns, validate
from lib.accounts import Account
from lib.model import ERROR, ORIGIN_UPLOAD, ROW, WARNING, Book, Problem
from lib.workbook import RawSheet

FIELDS = [c.field for c in schema.REQUEST_COLUMNS]
HEADERS = {c.field: c.header for c in schema.REQUEST_COLUMNS}
WORDS = tuple(supervision.REQUEST_WORDS)  # 销号, 延期: the dropdown of 申请事项
NOTE_HEADER = schema.header_of(schema.SHEET_UPDATES, "progress_note")
ASKED_COLUMNS = [ROW, "task_id", "unit", "progress_note", *FIELDS]
# The column a refusal of ``supervision.new_request`` is about; the rest are about 申请事项.
_FIELD_OF_CODE = {"missing-reason": "progress_note", "missing-requested-date": "requested_until",
                  "extension-not-later": "requested_until", "no-deadline-to-extend": "requested_until"}


def read_cells(data: bytes | None, sheet: RawSheet | None) -> pd.DataFrame:
    """The request cells of each row of the uploaded 进展 ``sheet`` (same index, with ``ROW``): a column per request
    column the sheet has with something below it, none when it has none (the file is then not read again)."""
    if sheet is None:
        return pd.DataFrame(columns=[ROW])
    extra = {schema.normalise_header(name) for name in sheet.extra_columns}
    wanted = {name: header for name, header in HEADERS.items() if schema.normalise_header(header) in extra}
    if data is None or not wanted:
        return pd.DataFrame({ROW: sheet.frame[ROW]}, index=sheet.frame.index)
    return upload_columns.cells_under(upload_columns.updates_rows(data) or [], sheet, wanted)


def asked_rows(cells: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    """``ASKED_COLUMNS`` of the rows with a request cell filled, in row order, joined on the Excel row to the report
    they are on (``reports``: the upload's parsed 进展 rows, before any is skipped). A row whose report validation
    dropped (an earlier duplicate of its key) has a blank 编号."""
    present = [name for name in FIELDS if name in cells.columns]
    if not present:
        return pd.DataFrame(columns=ASKED_COLUMNS)
    filled = cells[~cells[present].map(validate.is_blank).all(axis=1)]
    texts = pd.DataFrame({ROW: filled[ROW].astype(int),
                          **{name: filled[name] if name in present else "" for name in FIELDS}})
    found = reports[[ROW, "task_id", "unit", "progress_note"]].astype({ROW: int})
    joined = texts.merge(found, on=ROW, how="left").fillna({"task_id": "", "unit": "", "progress_note": ""})
    return joined[ASKED_COLUMNS].sort_values(ROW).reset_index(drop=True)


@dataclass
class _Requests:
    """The requests an upload files, and the problems of its request cells, gathered row by row."""

    book: Book
    account: Account
    day: dt.date
    events: list[supervision.Event] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, level: str, code: str, row: int, column: str, value: object, message: str) -> None:
        self.problems.append(Problem(level, schema.SHEET_UPDATES, row, column, validate.cell_text(value), message,
                                     code=code, origin=ORIGIN_UPLOAD))

    def file(self, word: str, row: int, task_id: str, unit: str, reason: str, evidence: str,
             until: dt.date | None, cells: dict, automatic: bool = False) -> None:
        """Build the request after the events so far; a refusal is an error on the cell it is about."""
        book = replace(self.book, supervision=supervision.with_events(self.book, self.events)) if self.events else self.book
        try:
            self.events.append(supervision.new_request(book, self.account, word, task_id, unit, self.day, reason,
                                                       evidence, until=until))
        except supervision.SupervisionError as refused:
            name = _FIELD_OF_CODE.get(refused.code, "request")
            column = NOTE_HEADER if name == "progress_note" else HEADERS[name]
            message = str(refused)
            if refused.code == "missing-reason":
                message = (f"完成进度为 100，按本方案「{schema.PLAN_SIGN_OFF_REVIEW}」将同时申请销号，请在「{NOTE_HEADER}」中"
                           "填写办结说明。" if automatic else
                           f"申请销号、延期时，「{NOTE_HEADER}」即办结说明或延期理由及目前进展，请填写。")
            self.problem(ERROR, refused.code, row, column, cells.get(name, ""), message)


def _requested_date(found: _Requests, row: int, cell: object) -> tuple[dt.date | None, bool]:
    """(the 申请完成时限, whether the cell is usable): a cell that is not a plausible date is an error."""
    header = HEADERS["requested_until"]
    try:
        day = dates.parse_date(cell)
    except (ValueError, TypeError, OverflowError):
        day = None
    if (day is None and not validate.is_blank(cell)) or (day is not None and not dates.storable(day)):
        found.problem(ERROR, "bad-date", row, header, cell, f"「{header}」无法识别为日期，请填写日期，例如 2026-12-31。")
        return None, False
    return day, True


def _explicit(found: _Requests, record: dict) -> None:
    """The request a row asks for in its 申请事项, or the problem with its cells."""
    row, word = int(record[ROW]), schema.normalise_header(record["request"])
    until, usable = _requested_date(found, row, record["requested_until"])
    if not word:
        if until is not None:
            found.problem(ERROR, "requested-date-without-request", row, HEADERS["requested_until"],
                          record["requested_until"], f"填写了「{HEADERS['requested_until']}」，但「{HEADERS['request']}」"
                          "为空。申请延期请在「申请事项」中选择「延期」；否则请清空该单元格。")
        return
    kind = supervision.REQUEST_WORDS.get(word, word)
    if kind not in schema.REQUEST_KINDS:
        found.problem(ERROR, "unknown-request-kind", row, HEADERS["request"], record["request"],
                      f"「{HEADERS['request']}」只能为「{'」或「'.join(WORDS)}」（从下拉列表中选择），不申请请留空。")
        return
    if not record["task_id"]:
        found.problem(ERROR, "request-row-dropped", row, HEADERS["request"], record["request"],
                      "本行与另一行的填报日期、编号、处室相同，未予采用，其申请亦不受理。请将申请填在保留的那一行。")
        return
    if not usable or not found.account.may_report_for(record["unit"]):  # the row's own error says why
        return
    if kind == schema.KIND_SIGN_OFF_REQUEST and until is not None:
        found.problem(WARNING, "requested-date-ignored", row, HEADERS["requested_until"], record["requested_until"],
                      f"申请销号无需填写「{HEADERS['requested_until']}」，已忽略。")
    found.file(kind, row, record["task_id"], record["unit"], record["progress_note"],
               validate.cell_text(record["evidence"]).strip(), until if kind == schema.KIND_EXTENSION_REQUEST else None,
               record)


def _automatic(found: _Requests, fresh: pd.DataFrame, asked: pd.DataFrame) -> set[int]:
    """销号审核 = 是: a 销号申请 for each assignment a fresh report brings to 100 (its latest such report), unless it
    is 待销号 or 已销号 by now or the row asks 销号 itself. Returns the rows that filed one."""
    words = dict(zip(asked[ROW], asked["request"].map(schema.normalise_header)))
    evidence = dict(zip(asked[ROW], asked["evidence"].map(lambda cell: validate.cell_text(cell).strip())))
    done = fresh[fresh["progress"] >= 100].sort_values(["date", ROW])
    filed: set[int] = set()
    saved = supervision.events_of(found.book.supervision)
    for (task_id, unit), group in done.groupby(["task_id", "unit"], sort=False):
        last = group.iloc[-1]
        row = int(last[ROW])
        if supervision.REQUEST_WORDS.get(words.get(row, ""), "") == schema.KIND_SIGN_OFF_REQUEST:
            continue
        if supervision.assignment_state([*saved, *found.events], str(task_id), str(unit)) in (schema.STATE_AWAITING,
                                                                            schema.STATE_SIGNED_OFF):
            continue
        if not found.account.may_report_for(str(unit)):
            continue
        found.file(schema.KIND_SIGN_OFF_REQUEST, row, str(task_id), str(unit), str(last["progress_note"]),
                   evidence.get(row, ""), None, {"progress_note": last["progress_note"]}, automatic=True)
        filed.add(row)
    return filed


def requests(book: Book, account: Account, asked: pd.DataFrame, fresh: pd.DataFrame,
             day: dt.date) -> tuple[list[supervision.Event], list[Problem]]:
    """The 督办 requests an upload files on ``day`` as ``account``, in order (numbered after ``book``'s events), and
    the problems of its request cells.

    ``asked``: the rows with a request cell filled (``asked_rows``); ``fresh``: the upload's reports the save adds
    or changes (``book.updates``' columns), for the automatic 销号申请 of 销号审核 = 是.
    """
    found = _Requests(book, account, day)
    for record in asked.to_dict("records"):
        _explicit(found, record)
    filed = _automatic(found, fresh, asked) if book.plan.sign_off_review else set()
    for record in asked.to_dict("records"):
        if not validate.is_blank(record["evidence"]) and validate.is_blank(record["request"]) \
                and int(record[ROW]) not in filed:
            found.problem(WARNING, "evidence-not-kept", int(record[ROW]), HEADERS["evidence"], record["evidence"],
                          f"「{HEADERS['evidence']}」随销号或延期申请保存；本行未提出申请，该单元格未保存。")
    return found.events, found.problems
