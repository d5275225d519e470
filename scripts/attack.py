"""A hostile user's attacks on the shared workbook, rerun and counted: bad uploads, parallel uploaders, killed saves.

Everything runs against private copies of a small shared workbook in a temp dir (data/ is never touched):

1. bad inputs: each of several dozen bad or tricky uploads goes through ``store.apply`` with a reporter's
   or an admin's account, in a process of its own (a reader that aborts the process is recorded, not fatal).
   Each is refused (not saved; its error codes), accepted (saved) or crashed (an exception escaped lib.store,
   or the process died). After each, the shared workbook must still validate and hold at least as many rows.
   Accepted formula and HTML text must be stored as text (openpyxl ``data_type`` "s"); no saved cell is a formula.
2. parallel uploaders: N processes each merge K uploads of distinct rows at once; rows expected vs present.
3. kills: a save is SIGKILLed at a random moment (or while paused before its rename); the workbook must
   validate and equal the old or the new version, and the next save removes the temp files left behind.

Run: ``python -m scripts.attack`` (sizes: ``--rows``, ``--parallel 8 24``, ``--merges``, ``--kills``, ``--seed``;
``--only TEXT…`` runs the bad inputs whose name contains a TEXT). Exits 1 when anything crashed, broke or was lost.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl

from lib import schema, settings, store, validate
from lib.accounts import ROLE_ADMIN, ROLE_REPORTER, Account
from lib.store import persist
from tests.builders import BASE_UPDATES, TODAY, update, updates_upload, workbook_file

ROOT = Path(__file__).resolve().parents[1]
REPORTER = Account("张三", ROLE_REPORTER, ("甲处",))
ADMIN = Account("管理员", ROLE_ADMIN)
ACCOUNTS = {"reporter": REPORTER, "admin": ADMIN}
FIRST_DAY = dt.date(2026, 4, 1)  # case i reports on FIRST_DAY + i days: every accepted case adds its own rows
SHEET = "xl/worksheets/sheet1.xml"
MAIN_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


@dataclass(frozen=True)
class Sizes:
    rows: int = 100_000  # the reporter's oversized upload
    columns: int = 100_000  # the empty columns of the wide sheet
    seed: int = 7


# ---- building bad uploads ---------------------------------------------------------------------


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _one_row(day: dt.date, note: str, **fields) -> bytes:
    """A reporter's upload of one row for task 1 / 甲处, with ``fields`` overriding the contract's fields."""
    return updates_upload([{**update(day, "1", "甲处", 60, note), **fields}])


def _patched(data: bytes, old: bytes, new: bytes) -> bytes:
    """``data`` with ``old`` replaced in every part: how characters openpyxl refuses to write get in."""
    return _zip({name: content.replace(old, new) for name, content in _parts(data).items()})


def _streamed(data: bytes, member: str, head: bytes, filler: bytes, megabytes: int, tail: bytes) -> bytes:
    """``data`` with ``member`` (re)written as head + filler × N (``megabytes`` of it) + tail, without holding it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in _parts(data).items():
            if name != member:
                archive.writestr(name, content)
        with archive.open(member, "w", force_zip64=True) as handle:
            handle.write(head)
            chunk = filler * ((1 << 20) // len(filler))
            for _ in range(megabytes):
                handle.write(chunk)
            handle.write(tail)
    return buffer.getvalue()


def _zip_bomb(day: dt.date, note: str) -> bytes:
    megabytes = settings.max_uncompressed_bytes() // (1 << 20) + 10
    return _streamed(_one_row(day, note), "xl/media/padding.bin", b"", b"\0", megabytes, b"")


def _inflating_sheet(member: str = SHEET) -> Callable[[dt.date, str], bytes]:
    """A worksheet padded with whitespace to just over KANBAN_MAX_SHEET_MB (the whole file stays under the zip cap)."""
    def build(day: dt.date, note: str) -> bytes:
        sheet = _parts(_one_row(day, note))[SHEET]
        upload = _with_sheet(_one_row(day, note), sheet, member)
        head, tail = sheet.split(b"</sheetData>")
        return _streamed(upload, member, head, b" ", settings.value("KANBAN_MAX_SHEET_MB") + 1, b"</sheetData>" + tail)
    return build


def _full_workbook(day: dt.date, note: str) -> bytes:
    """The shared workbook's four sheets with one more report: what a REPLACE uploads."""
    with tempfile.TemporaryDirectory() as folder:
        updates = [*BASE_UPDATES, update(day, "1", "甲处", 60, note)]
        return workbook_file(Path(folder) / "full.xlsx", updates=updates).read_bytes()


def _cell(reference: str, value: object) -> str:
    if isinstance(value, int | float):
        return f'<c r="{reference}"><v>{value}</v></c>'
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def _sheet_xml(rows: list[list]) -> bytes:
    """A worksheet of ``rows`` from A1, inline strings: fast to build at 10^5 rows."""
    lines = []
    for number, values in enumerate(rows, start=1):
        cells = "".join(_cell(f"{openpyxl.utils.get_column_letter(col)}{number}", value)
                        for col, value in enumerate(values, start=1) if value != "")
        lines.append(f'<row r="{number}">{cells}</row>')
    return (b'<?xml version="1.0" encoding="UTF-8"?><worksheet ' + MAIN_NS + b"><sheetData>"
            + "".join(lines).encode() + b"</sheetData></worksheet>")


def _many_rows(count: int, day: dt.date, note: str) -> list[list]:
    header = [c.header for c in schema.UPDATE_COLUMNS]
    return [header] + [[day.isoformat(), "1", "甲处", 50, "", f"{note}-{i}", "", "", ""] for i in range(count)]


def _with_sheet(data: bytes, sheet_xml: bytes, member: str = SHEET) -> bytes:
    """``data`` with its first worksheet replaced; a ``member`` outside xl/worksheets/ is linked from the workbook."""
    parts = _parts(data)
    del parts[SHEET]
    parts[member] = sheet_xml
    if member != SHEET:
        target = member.removeprefix("xl/").encode()
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"worksheets/sheet1.xml", target)
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"/xl/worksheets/sheet1.xml",
                                                                            b"/" + member.encode())
    return _zip(parts)


def _far_cell_xml(day: dt.date, note: str) -> bytes:
    rows = _many_rows(1, day, note)
    body = _sheet_xml(rows).replace(b"</sheetData>", b'<row r="200000"><c r="XFD200000" t="inlineStr">'
                                                      b"<is><t>x</t></is></c></row></sheetData>")
    return body


def _wide_sheet(columns: int) -> bytes:
    cells = b'<c s="0"/>' * columns
    return (b'<?xml version="1.0" encoding="UTF-8"?><worksheet ' + MAIN_NS +
            b'><dimension ref="A1:EQXD2"/><sheetData><row r="1">' + cells + b"</row></sheetData></worksheet>")


def _entity(declaration: bytes, reference: bytes, padding: int = 0) -> Callable[[dt.date, str], bytes]:
    """An upload whose sheet declares entities (after ``padding`` bytes of comment) and uses one in 进展情况."""
    def build(day: dt.date, note: str) -> bytes:
        parts = _parts(_one_row(day, "ENTITY"))
        comment = b"<!--" + b"x" * padding + b"-->" if padding else b""
        xml = parts[SHEET].replace(b"ENTITY", reference)
        head, body = xml.split(b"?>", 1) if xml.startswith(b"<?xml") else (b'<?xml version="1.0"', xml)
        parts[SHEET] = head + b"?>" + comment + declaration + body  # before the root element, where XML allows it
        return _zip(parts)
    return build


def _lying_sizes(day: dt.date, note: str) -> bytes:
    """A sheet of 150 MB of whitespace whose central directory says it is 1 KB."""
    data = _streamed(_one_row(day, note), SHEET, b"", b" ", 150, b"")
    directory = at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        name_length = int.from_bytes(data[at + 28:at + 30], "little")
        if data[at + 46:at + 46 + name_length] == SHEET.encode():
            directory = at
        at += 4
    size = data[directory + 24:directory + 28]
    if size == b"\xff\xff\xff\xff":  # zip64: the real size sits in the extra field; lie there
        extra = directory + 46 + int.from_bytes(data[directory + 28:directory + 30], "little")
        return data[:extra + 4] + (1024).to_bytes(8, "little") + data[extra + 12:]
    return data[:directory + 24] + (1024).to_bytes(4, "little") + data[directory + 28:]


def _empty_workbook(day: dt.date, note: str) -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


def _typed_upload(rows: list[list], title: str = schema.SHEET_UPDATES) -> bytes:
    """An upload as Excel would save what was typed: text starting with = becomes a real formula."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _row(day: dt.date, note: str, task: str = "1", unit: str = "甲处", progress: object = 60) -> list:
    return [day, task, unit, progress, "", note, "", "", ""]


HEADER = [c.header for c in schema.UPDATE_COLUMNS]


# ---- the cases ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[dt.date, str], bytes]  # (the case's day, its marker note) → upload bytes
    expect: str  # "refused" or "accepted": what the security review asks for
    who: str = "reporter"  # or "admin": the account of ACCOUNTS that uploads
    kind: str = store.MERGE
    text: str = ""  # accepted: this value must be stored as text in the 进展 sheet
    check: Callable[[Path, str], str] | None = None  # accepted: (workbook, marker) → "" or what is wrong


def _note_is(expected: Callable[[str], bool], what: str) -> Callable[[Path, str], str]:
    def check(path: Path, marker: str) -> str:
        updates = validate.load(path, today=TODAY).book.updates
        notes = [str(n) for n in updates["progress_note"] if marker in str(n)]
        return "" if notes and all(map(expected, notes)) else f"{what}: {notes!r}"[:60]
    return check


def _reporter_is(name: str) -> Callable[[Path, str], str]:
    def check(path: Path, marker: str) -> str:
        updates = validate.load(path, today=TODAY).book.updates
        found = set(updates.loc[updates["progress_note"] == marker, "reporter"])
        return "" if found == {name} else f"填报人 stored as {found}"
    return check


def _one(**fields) -> Callable[[dt.date, str], bytes]:
    return lambda day, note: _one_row(day, note, **fields)


def _payload(text: str) -> Case:
    return Case(f"进展情况 {text!r}", lambda day, note: _one_row(day, text + note), "accepted", text=text)


def _reference_attacks(sizes: Sizes) -> list[Case]:
    """The attacks of the security review, in its order."""
    noise = random.Random(sizes.seed).randbytes(4096)
    rows = [Case("random bytes", lambda d, n: noise, "refused", "admin"),
            Case("CSV renamed .xlsx", lambda d, n: "填报日期,编号,处室,完成进度\n2026-06-30,1,甲处,70\n".encode(),
                 "refused", "admin"),
            Case("truncated zip", lambda d, n: (data := _one_row(d, n))[: len(data) // 2], "refused", "admin"),
            Case("zip bomb (padding member over the cap)", _zip_bomb, "refused", "admin"),
            Case("worksheet inflating over KANBAN_MAX_SHEET_MB", _inflating_sheet(), "refused", "admin"),
            Case(".xlsm with vbaProject.bin", lambda d, n: _zip({**_parts(_one_row(d, n)),
                                                                "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}),
                 "refused", "admin"),
            Case(f"{sizes.columns:,} empty columns", lambda d, n: _with_sheet(_one_row(d, n), _wide_sheet(sizes.columns)),
                 "refused", "admin"),
            Case("far cell XFD200000", lambda d, n: _with_sheet(_one_row(d, n), _far_cell_xml(d, n)), "refused", "admin"),
            Case("empty workbook", _empty_workbook, "refused", "admin"),
            Case("no 进展 sheet (rows on Sheet1)", lambda d, n: _typed_upload([HEADER, _row(d, n)], "Sheet1"),
                 "refused"),
            Case("XXE DOCTYPE", _entity(b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', b"&xxe;"),
                 "refused"),
            Case("billion laughs", _entity(b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
                                           + b"".join(b'<!ENTITY %c "%s">' % (98 + i, b"&%c;" % (97 + i) * 10)
                                                      for i in range(8)) + b"]>", b"&i;"), "refused"),
            Case("control chars _x000B_ _x001B_ in 进展情况",
                 lambda d, n: _patched(_one_row(d, n + "前MARK后"), b"MARK", b"_x000B__x001B_[2J"), "accepted",
                 check=_note_is(lambda s: "前" in s and not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", s),
                                "control characters kept")),
        ]
    for typed in ["0206-11-30", "1899-12-31", "0001-01-01", "2099-01-01", "2026-02-30", "下周"]:
        rows.append(Case(f"填报日期 {typed}", _one(date=typed), "refused"))
    for typed in [150, -5, "abc", ""]:
        rows.append(Case(f"完成进度 {typed!r}", _one(progress=typed), "refused"))
    return rows + [
        Case("unknown 编号 99", _one(task_id="99"), "refused"),
        Case("unit not responsible (乙处 on task 1)", _one(unit="乙处"), "refused", "admin"),
        Case("reporter of 甲处 reports for 乙处", _one(task_id="2", unit="乙处"), "refused"),
        Case("填报人 spoofed as 管理员", _one(reporter="管理员"), "accepted", check=_reporter_is(REPORTER.name)),
        _payload("=1+1"), _payload("@SUM(A1)"), _payload("+cmd|' /C calc'!A0"),
        Case(f"{sizes.rows:,} rows by a reporter",
             lambda d, n: _with_sheet(_one_row(d, n), _sheet_xml(_many_rows(sizes.rows, d, n))), "refused"),
        Case("REPLACE (full workbook) by a reporter", _full_workbook, "refused", kind=store.REPLACE),
        Case("duplicate rows (same key twice)", lambda d, n: updates_upload(
            [update(d, "1", "甲处", 50, n), update(d, "1", "甲处", 60, n)]), "accepted"),
        Case("header only", lambda d, n: updates_upload([]), "refused"),
        Case("title rows above the header", lambda d, n: _typed_upload(
            [["关于报送进展情况的通知"], ["填报单位：甲处"], HEADER, _row(d, n)]), "accepted"),
        Case("full-width headers", lambda d, n: _typed_upload(
            [["　".join(h) + "　" for h in HEADER], _row(d, n)]), "accepted"),
        _payload("<script>alert(1)</script>"), _payload("**x**"), _payload("[a](javascript:alert(1))"),
        Case("编号 with ESC[2J", lambda d, n: _patched(_one_row(d, n, task_id="1MARK"), b"MARK", b"_x001B_[2J"),
             "refused"),
        Case("50-character unit name", _one(unit="甲" * 49 + "处"), "refused", "admin"),
    ]


def _further_attacks(sizes: Sizes) -> list[Case]:
    """Variations on the review's attacks: limits checked on one path and perhaps not on another."""
    far = lambda d, n: _far_cell_xml(d, n)  # noqa: E731
    return [
        Case("empty file", lambda d, n: b"", "refused"),
        Case("legacy .xls (OLE header)", lambda d, n: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088), "refused"),
        Case("zip magic then random bytes", lambda d, n: b"PK\x03\x04" + random.Random(sizes.seed).randbytes(4092),
             "refused"),
        Case("upload over KANBAN_MAX_UPLOAD_MB", lambda d, n: b"PK\x03\x04" + bytes(settings.max_upload_bytes()),
             "refused"),
        Case("6,000 zip entries", lambda d, n: _zip({**_parts(_one_row(d, n)),
                                                    **{f"xl/media/{i}.bin": b"" for i in range(6000)}}), "refused"),
        Case("zip sizes that lie (150 MB declared as 1 KB)", _lying_sizes, "refused", "admin"),
        Case("DOCTYPE after a 5 KB comment", _entity(b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
                                                     b"&xxe;", padding=5000), "refused"),
        Case("far cell in a sheet outside xl/worksheets/",
             lambda d, n: _with_sheet(_one_row(d, n), far(d, n), "xl/elsewhere/sheet1.xml"), "refused", "admin"),
        Case("over-limit sheet outside xl/worksheets/", _inflating_sheet("xl/elsewhere/sheet1.xml"),
             "refused", "admin"),
        Case("far cell, sheet XML in UTF-16", lambda d, n: _with_sheet(
            _one_row(d, n), far(d, n).replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode().encode("utf-16")),
             "refused", "admin"),
        Case("real formula =1+1 typed in 进展情况", lambda d, n: _typed_upload(
            [HEADER, _row(d, n), [d + dt.timedelta(days=1), "1", "甲处", 61, "=1+1", "", "", "", ""]]), "accepted"),
        _payload('=HYPERLINK("http://evil.example","点我")'), _payload("-2+3"),
        _payload("\u202e\u200b右到左"),
        Case("完成进度 'nan'", _one(progress="nan"), "refused"),
        Case("完成进度 'inf'", _one(progress="inf"), "refused"),
        Case("完成进度 '60%'", _one(progress="60%"), "accepted"),
        Case("full-width 编号 '１'", _one(task_id="１"), "accepted"),
        Case("zero-width space in 处室", _one(unit="甲\u200b处"), "refused"),
        Case("40,000-character 进展情况", lambda d, n: _one_row(d, n + "长" * 40_000), "accepted"),
        Case("reporter edits the 任务 sheet", lambda d, n: _typed_upload(
            [[c.header for c in schema.TASK_COLUMNS], ["1", "一、联络", "改掉的内容", "甲处", "", "", "", ""]],
            schema.SHEET_TASKS), "refused"),
        # Last: if accepted, the shared workbook holds these rows for every case after it.
        Case(f"{sizes.rows:,} reporter rows outside xl/worksheets/", lambda d, n: _with_sheet(
            _one_row(d, n), _sheet_xml(_many_rows(sizes.rows, d, n)), "xl/elsewhere/sheet1.xml"), "refused"),
    ]


def cases(sizes: Sizes) -> list[Case]:
    return _reference_attacks(sizes) + _further_attacks(sizes)


# ---- 1. bad inputs, each in a process of its own ---------------------------------------------------


@dataclass
class Outcome:
    case: str
    who: str
    outcome: str  # refused | accepted | crashed | timeout | harness-error
    codes: list[str]
    seconds: float
    detail: str = ""  # a refusal's message without codes, a crash's traceback
    check: str = ""  # what is wrong with an accepted case's saved rows; "" when fine
    broken: bool = False  # the shared workbook no longer validates
    lost: int = 0  # rows fewer than before
    expected: str = ""


def _attack_one(sender, shared: str, index: int, sizes: Sizes) -> None:
    """In the child: build case ``index`` and put it through store.apply; sends (outcome, codes, seconds, detail)."""
    os.dup2(os.open(Path(shared).parent.parent / f"stderr-{index}.txt", os.O_WRONLY | os.O_CREAT, 0o600), 2)
    case = cases(sizes)[index]
    try:
        upload = case.build(FIRST_DAY + dt.timedelta(days=index), marker(index))
    except Exception:
        sender.send(("harness-error", [], 0.0, traceback.format_exc()))
        return
    began = time.perf_counter()
    try:
        result = store.apply(Path(shared), store.Change(case.kind, ACCOUNTS[case.who], upload, "upload.xlsx"), today=TODAY)
    except Exception:
        sender.send(("crashed", [], time.perf_counter() - began, traceback.format_exc()))
        return
    seconds = time.perf_counter() - began
    codes = [p.code for p in result.preview.errors] if result.preview else []
    sender.send(("accepted" if result.saved else "refused", codes, seconds,
                 "" if codes or result.saved else result.message))


def marker(index: int) -> str:
    return f"攻击{index:02d}"


def _context():
    """Forked from a server that has imported lib already: a fresh process per case costs milliseconds."""
    context = multiprocessing.get_context("forkserver")
    # Not scripts.attack itself: a child re-runs the main module by name, and runpy warns when it is already loaded.
    context.set_forkserver_preload(["lib.store", "lib.validate", "openpyxl", "tests.builders"])
    return context


def _isolated(shared: Path, index: int, sizes: Sizes, timeout: float) -> tuple[str, list[str], float, str]:
    """Case ``index`` in a child process: its answer, or how the process ended without one."""
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_attack_one, args=(sender, str(shared), index, sizes))
    began = time.perf_counter()
    child.start()
    sender.close()
    try:
        if receiver.poll(timeout):
            return receiver.recv()
        if child.is_alive():
            child.kill()
            return "timeout", [], timeout, f"no answer after {timeout:.0f} s"
    except EOFError:
        pass
    finally:
        child.join(10)
        receiver.close()
    return "crashed", [], time.perf_counter() - began, _death(child.exitcode, shared.parent.parent / f"stderr-{index}.txt")


def _death(exitcode: int | None, stderr: Path) -> str:
    """How a child died: its signal, and the first line it wrote to stderr (a Rust abort says what it tried)."""
    how = f"killed by {signal.Signals(-exitcode).name}" if exitcode and exitcode < 0 else f"exit code {exitcode}"
    said = stderr.read_text(errors="replace").strip().splitlines() if stderr.exists() else []
    return f"process died inside lib.store ({how})" + (f": {said[0][:120]}" if said else "")


def _rows(path: Path) -> int | None:
    """Rows in the 进展 sheet of a valid workbook; None when it does not validate."""
    loaded = validate.load(path, today=TODAY)
    return len(loaded.book.updates) if loaded.ok else None


def _formula_cells(path: Path) -> list[str]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    return [f"{sheet.title}!{cell.coordinate}" for sheet in workbook.worksheets
            for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]


def _stored_as_text(path: Path, text: str) -> str:
    sheet = openpyxl.load_workbook(path)[schema.SHEET_UPDATES]
    found = [cell for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str) and cell.value.startswith(text)]
    if not found:
        return f"{text!r} not found"
    types = {cell.data_type for cell in found}
    return "" if types == {"s"} else f"{text!r} stored with data_type {types}"


def _after_accepted(path: Path, case: Case, index: int) -> str:
    problems = []
    if formulas := _formula_cells(path):
        problems.append(f"formula cells {formulas[:3]}")
    if case.text and (wrong := _stored_as_text(path, case.text)):
        problems.append(wrong)
    if case.check and (wrong := case.check(path, marker(index))):
        problems.append(wrong)
    return "; ".join(problems)


def run_bad_inputs(folder: Path, sizes: Sizes | None = None, only: Sequence[str] = (),
                   timeout: float = 120) -> list[Outcome]:
    """The cases (those whose name contains one of ``only``, if given) against one private shared workbook, in
    order; a broken workbook is put back for the next case."""
    sizes = sizes or Sizes()
    shared = workbook_file(folder / "bad-inputs" / "tasks.xlsx")
    outcomes = []
    for index, case in enumerate(cases(sizes)):
        if only and not any(text in case.name for text in only):
            continue
        good, rows_before = shared.read_bytes(), _rows(shared)
        outcome, codes, seconds, detail = _isolated(shared, index, sizes, timeout)
        result = Outcome(case.name, case.who, outcome, codes, seconds, detail,
                         expected=case.expect)
        rows_after = _rows(shared)
        result.broken = rows_after is None
        if result.broken:
            shared.write_bytes(good)
        elif case.kind == store.MERGE and rows_before is not None:
            result.lost = max(0, rows_before - rows_after)
        if outcome == "accepted" and not result.broken:
            result.check = _after_accepted(shared, case, index)
        outcomes.append(result)
    return outcomes


# ---- 2. parallel uploaders -------------------------------------------------------------------------

UPLOADER = "from scripts.attack import upload_worker; upload_worker()"


def _uploader_rows(worker: int, merge: int, merges: int) -> tuple[Account, list[dict]]:
    """Worker w's merge i: a reporter of 甲处 (even w, two rows) or 乙处 (odd w, one row) on its own date."""
    day = FIRST_DAY + dt.timedelta(days=worker * merges + merge)
    note = f"进程{worker}第{merge}次"
    if worker % 2 == 0:
        return Account(f"甲处{worker}", ROLE_REPORTER, ("甲处",)), [update(day, "1", "甲处", 40 + merge, note),
                                                                    update(day, "2", "甲处", 20 + merge, note)]
    return Account(f"乙处{worker}", ROLE_REPORTER, ("乙处",)), [update(day, "2", "乙处", 10 + merge, note)]


def upload_worker() -> None:
    """In an uploader process (argv: workbook, worker, merges): one JSON line per merge."""
    path, worker, merges = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    for merge in range(merges):
        account, rows = _uploader_rows(worker, merge, merges)
        began = time.perf_counter()
        try:
            result = store.apply(path, store.Change(store.MERGE, account, updates_upload(rows), "u.xlsx"), today=TODAY)
            line = {"saved": result.saved, "rows": len(rows), "message": result.message}
        except Exception:
            line = {"saved": False, "rows": len(rows), "message": traceback.format_exc(), "crashed": True}
        print(json.dumps({**line, "seconds": round(time.perf_counter() - began, 2)}, ensure_ascii=False), flush=True)


@dataclass
class ParallelRound:
    processes: int
    merges: int
    saved: int = 0
    gave_up: int = 0  # merges not saved (the lock or the retries ran out), or a worker that failed
    crashed: int = 0
    rows_expected: int = 0
    rows_present: int = 0
    audit_lines: int = 0
    history_files: int = 0
    seconds: float = 0.0
    messages: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return max(0, self.rows_expected - self.rows_present)


def run_parallel(folder: Path, processes: int, merges: int, timeout: float = 600) -> ParallelRound:
    """``processes`` uploaders, each merging ``merges`` uploads of distinct rows, on one fresh shared copy."""
    shared = workbook_file(folder / f"parallel-{processes}" / "tasks.xlsx")
    result = ParallelRound(processes, merges, rows_expected=_rows(shared) or 0)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    began = time.perf_counter()
    workers = [subprocess.Popen([sys.executable, "-c", UPLOADER, str(shared), str(w), str(merges)], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for w in range(processes)]
    deadline = began + timeout
    for worker in workers:
        try:
            out, err = worker.communicate(timeout=max(1.0, deadline - time.perf_counter()))
        except subprocess.TimeoutExpired:
            worker.kill()
            out, err = worker.communicate()
        lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        for line in lines:
            result.saved += line["saved"]
            result.rows_expected += line["rows"] if line["saved"] else 0
            result.crashed += bool(line.get("crashed"))
            if not line["saved"]:
                result.messages.append(line["message"])
        result.gave_up += merges - sum(line["saved"] for line in lines)
        if worker.returncode != 0:
            result.messages.append(err.strip().splitlines()[-1] if err.strip() else f"exit {worker.returncode}")
    result.seconds = time.perf_counter() - began
    result.rows_present = _rows(shared) or 0
    result.audit_lines = len(store.read_audit(shared))
    result.history_files = len(list(store.history_dir(shared).glob("*.xlsx")))
    return result


# ---- 3. kills --------------------------------------------------------------------------------------

PREVIEWING, SAVING, SAVED = 1, 2, 3
SAVE_WINDOW = 0.02  # seconds: a save of the small workbook takes about 10 ms here
PHASES = {0: "before start", PREVIEWING: "in preview", SAVING: "in save", SAVED: "after save"}


def _stop_when_history_is_created(paused) -> None:
    """Fault injection, in the child only: pause right after a history copy is created, before it is written;
    the window a random kill also hits (os.open with O_CREAT | O_TRUNC, then the write)."""
    real_open = os.open

    def open_then_stop(path, flags, *args, **kwargs):
        descriptor = real_open(path, flags, *args, **kwargs)
        if flags & os.O_CREAT and Path(path).parent.name.endswith(".history"):
            paused.set()
            time.sleep(60)
        return descriptor

    shim = type(os)("os_with_a_pause")
    shim.__dict__.update({**vars(os), "open": open_then_stop})
    persist.os = shim


def _save_then_die(shared: str, new_file: str, index: int, mode: str, started, paused, phase) -> None:
    """In the child: preview a one-row change, keep its bytes in ``new_file`` (the "new version"), save it."""
    path = Path(shared)
    if mode == "history":
        _stop_when_history_is_created(paused)
    day = FIRST_DAY + dt.timedelta(days=index % 80)
    change = store.Change(store.MERGE, REPORTER, updates_upload([update(day, "1", "甲处", index % 101, f"kill{index}")]),
                          "u.xlsx")
    phase.value = PREVIEWING
    started.set()
    shown = store.preview(path.read_bytes(), change, TODAY)
    if shown.ensure_built():  # the save would build it the same way; built here so the parent can compare
        assert shown.merged is not None
        part = Path(new_file + ".part")
        part.write_bytes(shown.merged)
        os.replace(part, new_file)

    def stop(temp: Path) -> None:
        paused.set()
        time.sleep(60)

    phase.value = SAVING
    store.save(path, shown, before_replace=stop if mode == "paused" else None)
    phase.value = SAVED


@dataclass
class KillRun:
    mode: str  # "start": 0–window ms after the change starts; "save": 0–20 ms into the save; "paused": before rename
    landed: str  # the child's phase when killed
    which: str  # the workbook afterwards: "old", "new" or "neither"
    valid: bool
    temps_left: int
    temps_cleaned: bool
    audit_missing: bool  # the new version is current but the audit log does not say so
    history_damaged: int  # history copies whose content does not match the hash in their name
    hash_before: str = ""  # of the version current before the kill

    @property
    def survived(self) -> bool:
        return self.valid and self.which in ("old", "new") and self.temps_cleaned


def _kill_one(context, shared: Path, index: int, mode: str, delay: float) -> KillRun:
    old = shared.read_bytes()
    new_file = shared.parent.parent / f"new-{index}.xlsx"
    started, paused, phase = context.Event(), context.Event(), context.Value("i", 0)
    child = context.Process(target=_save_then_die,
                            args=(str(shared), str(new_file), index, mode, started, paused, phase))
    child.start()
    started.wait(30)
    if mode in ("paused", "history"):
        paused.wait(30)
    elif mode == "save":
        until = time.monotonic() + 30
        while phase.value < SAVING and child.is_alive() and time.monotonic() < until:
            time.sleep(0.0005)
    time.sleep(delay)
    if child.is_alive():
        os.kill(child.pid, signal.SIGKILL)
    child.join(30)
    landed = PHASES[phase.value]  # read after the kill: where the child had got to
    current = shared.read_bytes()
    new = new_file.read_bytes() if new_file.exists() else None
    which = "old" if current == old else "new" if current == new else "neither"
    audit = store.read_audit(shared)
    audit_missing = which == "new" and (not audit or audit[-1].get("hash_after") != store.content_hash(current))
    temps = _temps(shared)
    run = KillRun(mode, landed, which, _rows(shared) is not None, len(temps), True, audit_missing,
                  len(_damaged(shared)), store.content_hash(old))
    if temps or mode == "history":  # the next save removes them
        result = store.apply(shared, store.Change(store.MERGE, ADMIN, updates_upload(
            [update(FIRST_DAY + dt.timedelta(days=index % 80), "2", "乙处", index % 101, f"next{index}")]), "u.xlsx"),
            today=TODAY)
        run.temps_cleaned = result.saved and not _temps(shared)
    return run


def _temps(shared: Path) -> list[Path]:
    return list(shared.parent.glob(f".{shared.name}.*.tmp"))


def _damaged(shared: Path) -> list[Path]:
    """History copies whose content does not have the hash their name says."""
    return [p for p in store.history_dir(shared).glob("*.xlsx")
            if store.content_hash(p.read_bytes())[:12] != p.stem.rsplit("_", 1)[-1]]


@dataclass
class Kills:
    runs: list[KillRun]
    damaged: int = 0  # history copies left damaged at the end
    damaged_current: int = 0  # of those, copies of a version that was current: its only copy is unreadable
    targeted: KillRun | None = None  # killed while the history copy of the current version was being created
    targeted_copy: str = ""  # what is left of that copy after the next save

    @property
    def survived(self) -> int:
        return sum(r.survived for r in self.runs)


def run_kills(folder: Path, kills: int, seed: int = 7, window_ms: float = 300) -> Kills:
    """``kills`` saves SIGKILLed at random moments, one after another on one shared copy: one in 5 paused
    before its rename, the others killed 0–``window_ms`` ms after the change starts or 0–20 ms into the save.
    Then one targeted kill: the first save of a fresh workbook, stopped as it creates the old version's history copy."""
    shared = workbook_file(folder / "kills" / "data" / "tasks.xlsx")
    rng = random.Random(seed)
    context = _context()
    runs = []
    for index in range(kills):
        mode = ("start", "save", "paused", "start", "save")[index % 5]
        delay = rng.uniform(0, window_ms / 1000) if mode == "start" else rng.uniform(0, SAVE_WINDOW)
        runs.append(_kill_one(context, shared, index, mode, delay))
    been_current = {r.hash_before[:12] for r in runs} | {store.content_hash(shared.read_bytes())[:12]}
    damaged = _damaged(shared)
    result = Kills(runs, len(damaged), sum(p.stem.rsplit("_", 1)[-1] in been_current for p in damaged))
    fresh = workbook_file(folder / "kills-history" / "data" / "tasks.xlsx")
    result.targeted = _kill_one(context, fresh, kills, "history", 0.0)
    copy = persist.history_file(fresh, result.targeted.hash_before)
    result.targeted_copy = "no copy" if copy is None else (
        f"{copy.stat().st_size} bytes, " + ("intact" if copy not in _damaged(fresh) else "DAMAGED"))
    return result


# ---- the report ----------------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cut(text: str, width: int) -> str:
    while _width(text) > width:
        text = text[:-2] + "…"
    return text + " " * (width - _width(text))


def report_bad_inputs(outcomes: list[Outcome]) -> list[str]:
    lines = [f"{'#':>2}  {_cut('case', 44)} {_cut('by', 8)} {_cut('outcome', 9)} {_cut('codes', 34)} {'s':>6}  note"]
    for number, o in enumerate(outcomes, start=1):
        codes = ",".join(dict.fromkeys(o.codes)) or ("—" if o.outcome != "refused" else o.detail[:34])
        notes = [n for n in (
            "UNEXPECTED (review expects " + o.expected + ")" if o.outcome in ("accepted", "refused")
            and o.outcome != o.expected else "",
            "WORKBOOK BROKEN" if o.broken else "", f"{o.lost} ROWS LOST" if o.lost else "",
            f"CHECK: {o.check}" if o.check else "", o.detail.strip().splitlines()[-1] if o.outcome != "refused"
            and o.outcome != "accepted" and o.detail.strip() else "") if n]
        lines.append(f"{number:>2}  {_cut(o.case, 44)} {_cut(o.who, 8)} {_cut(o.outcome, 9)} {_cut(codes, 34)} "
                     f"{o.seconds:6.2f}  {'; '.join(notes)}")
    count = Counter(o.outcome for o in outcomes)
    lines.append(
        f"tried {len(outcomes)} · refused {count['refused']} · accepted {count['accepted']} · "
        f"crashed {count['crashed'] + count['harness-error']} · timed out {count['timeout']} · "
        f"workbook broken {sum(o.broken for o in outcomes)} · rows lost {sum(o.lost for o in outcomes)} · "
        f"checks failed {sum(bool(o.check) for o in outcomes)} · "
        f"unexpected {sum(o.outcome in ('accepted', 'refused') and o.outcome != o.expected for o in outcomes)}")
    return lines


def report_parallel(rounds: list[ParallelRound]) -> list[str]:
    lines = ["processes × merges  saved  not saved  crashed  rows expected  rows present  lost  audit lines  "
             "history  wall s"]
    for r in rounds:
        lines.append(f"{r.processes:>9} × {r.merges:<6} {r.saved:>5}  {r.gave_up:>9}  {r.crashed:>7}  "
                     f"{r.rows_expected:>13}  {r.rows_present:>12}  {r.lost:>4}  {r.audit_lines:>11}  "
                     f"{r.history_files:>7}  {r.seconds:6.1f}")
        for message, times in Counter(m.strip().splitlines()[-1] for m in r.messages if m.strip()).items():
            lines.append(f"    not saved ×{times}: {message}")
    if any(r.gave_up for r in rounds):
        lines.append(f"    (not saved: store.apply gave up, its preview still stale after KANBAN_LOCK_TIMEOUT_SECONDS = "
                     f"{settings.value('KANBAN_LOCK_TIMEOUT_SECONDS'):.0f} s; the caller is told, no row is lost)")
    return lines


def report_kills(kills: Kills) -> list[str]:
    runs = kills.runs
    landed = Counter(f"{r.mode}/{r.landed}" for r in runs)
    which = Counter(r.which for r in runs)
    return [
        f"kills survived {sum(r.survived for r in runs)} / {len(runs)}  (valid workbook, byte-equal to the old or "
        "the new version, temp files removed by the next save)",
        "killed (mode/phase): " + ", ".join(f"{k} {v}" for k, v in sorted(landed.items())),
        f"workbook afterwards: old {which['old']}, new {which['new']}, neither {which['neither']}; "
        f"invalid {sum(not r.valid for r in runs)}",
        f"temp files left by a kill: {sum(r.temps_left for r in runs)} in {sum(r.temps_left > 0 for r in runs)} runs, "
        f"all removed by the next save: {'yes' if all(r.temps_cleaned for r in runs) else 'NO'}",
        f"new version current without its audit line: {sum(r.audit_missing for r in runs)}; "
        f"history copies not matching their hash: {kills.damaged} (of versions that were current: "
        f"{kills.damaged_current})",
        *([f"targeted kill as the first save creates the current version's history copy: workbook "
           f"{kills.targeted.which}; that copy after the next save: {kills.targeted_copy}"] if kills.targeted else []),
    ]


def failed(outcomes: list[Outcome], rounds: list[ParallelRound], kills: Kills) -> bool:
    """True when anything crashed, broke the workbook or lost rows, or a kill was not survived."""
    return (any(o.outcome not in ("accepted", "refused") or o.broken or o.lost for o in outcomes)
            or any(r.lost or r.crashed for r in rounds) or kills.survived < len(kills.runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the reporter's oversized upload")
    parser.add_argument("--columns", type=int, default=100_000, help="empty columns of the wide sheet")
    parser.add_argument("--parallel", type=int, nargs="*", default=[8, 24], help="uploader processes, per round")
    parser.add_argument("--merges", type=int, default=2, help="merges per uploader process")
    parser.add_argument("--kills", type=int, default=70)
    parser.add_argument("--kill-window-ms", type=float, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", nargs="*", default=[], help="run only the bad inputs whose name contains one of these")
    parser.add_argument("--timeout", type=float, default=120, help="seconds one bad input may take")
    args = parser.parse_args()
    sizes = Sizes(args.rows, args.columns, args.seed)
    folder = Path(tempfile.mkdtemp(prefix="kanban-attack-"))
    try:
        began = time.perf_counter()
        print(f"落实看板 attack harness: seed {args.seed}, today {TODAY}, temp dir {folder}")
        outcomes = run_bad_inputs(folder, sizes, args.only, args.timeout)
        print(f"\n1. Bad inputs ({len(outcomes)} uploads, each through store.apply in its own process)")
        print("\n".join(report_bad_inputs(outcomes)), flush=True)
        rounds = [run_parallel(folder, n, args.merges) for n in args.parallel]
        print("\n2. Parallel uploaders (separate interpreters, store.apply at once on one shared copy)")
        print("\n".join(report_parallel(rounds)), flush=True)
        kills = run_kills(folder, args.kills, args.seed, args.kill_window_ms)
        print("\n3. Kills (SIGKILL during a save; one in 5 paused in before_replace)")
        print("\n".join(report_kills(kills)))
        print(f"\ntotal {time.perf_counter() - began:.0f} s")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    sys.exit(1 if failed(outcomes, rounds, kills) else 0)


if __name__ == "__main__":
    from scripts.attack import main as run  # functions sent to child processes must live in scripts.attack

    run()
