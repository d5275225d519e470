"""``python -m lib requests | request | decide``: the 督办 loop from the shell, saved through the store like the pages.

- ``requests [--pending] [--json]`` lists the 督办 events (or only the requests still waiting, oldest first);
- ``request --task N --unit U --kind 销号|延期 [--until DATE] --reason TEXT [--evidence TEXT] --user USER`` files one;
- ``decide --id ID --approve|--return|--refuse [--until DATE] --comment TEXT --user USER`` answers one (admins).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from lib import settings, store, supervision
from lib.accounts import AccountError
from lib.cli.options import add_user_options, add_workbook_options, chosen_workbook, named_account, valid_book
from lib.cli.output import json_for_terminal
from lib.model import Book

VERDICT_OPTIONS = {"approve": supervision.APPROVE, "return": supervision.RETURN, "refuse": supervision.REFUSE}


def _book(path: Path) -> Book | None:
    """The valid workbook at ``path``, or None with its errors printed."""
    return valid_book(path, "办理督办事项", settings.today())


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期「{text}」无法识别，请写作 2026-12-31。") from None


def _day_text(value: object) -> str:
    return "" if value is None or value != value else f"{value:%Y-%m-%d}"


def _event_line(record: dict) -> str:
    until = record.get("approved_until") or record.get("requested_until")
    parts = [record["event_id"], _day_text(record["date"]), record["kind"], f"任务{record['task_id']}", record["unit"],
             record["account"], f"→{_day_text(until)}" if _day_text(until) else "",
             f"答复{record['answers']}" if record.get("answers") else "", record.get("text") or "",
             f"已等待{record['age_days']}天" if "age_days" in record else ""]
    return "  ".join(part for part in parts if part)


def _as_json(record: dict) -> dict:
    keys = ["event_id", "kind", "task_id", "unit", "date", "account", "text", "evidence", "requested_until",
            "approved_until", "answers", "age_days"]
    return {key: (_day_text(record[key]) or None) if key in ("date", "requested_until", "approved_until")
            else record[key] for key in keys if key in record}


def cmd_requests(args: argparse.Namespace) -> int:
    book = _book(chosen_workbook(args))
    if book is None:
        return 1
    events = supervision.events_of(book.supervision)
    if args.pending:
        records = supervision.pending(events, settings.today()).to_dict("records")
    else:
        records = [{**e.__dict__} for e in events]
    if args.json:
        print(json_for_terminal([_as_json(record) for record in records]))
    elif records:
        print("\n".join(_event_line(record) for record in records))
    else:
        print("没有待审核的申请。" if args.pending else "尚无督办记录。")
    return 0


def _save(path: Path, change: store.Change) -> int:
    result = store.apply(path, change, settings.today())
    preview = result.preview
    for problem in preview.problems if preview is not None else []:
        print(problem.as_text(), file=sys.stderr)
    if not result.saved:
        print(result.message, file=sys.stderr)
        return 1
    assert preview is not None
    for record in preview.supervision_added.to_dict("records"):
        print(f"已保存：{_event_line(record)}")
    return 0


def cmd_request(args: argparse.Namespace) -> int:
    path = chosen_workbook(args)
    book = _book(path)
    if book is None:
        return 1
    try:
        account = named_account(args, admin=False)
        made = supervision.new_request(book, account, args.kind, args.task, args.unit, settings.today(), args.reason,
                                       args.evidence or "", until=_date(args.until))
    except (AccountError, supervision.SupervisionError, argparse.ArgumentTypeError) as error:
        print(str(error), file=sys.stderr)
        return 1
    return _save(path, store.Change(store.SUPERVISE, account, events=(made,), label=f"督办：{made.kind}"))


def cmd_decide(args: argparse.Namespace) -> int:
    path = chosen_workbook(args)
    book = _book(path)
    if book is None:
        return 1
    verdict = next(VERDICT_OPTIONS[name] for name in VERDICT_OPTIONS if getattr(args, name))
    try:
        account = named_account(args, admin=False)  # a reporter is refused with the decision's own code
        made = supervision.new_decision(book, account, args.id, verdict, settings.today(), args.comment,
                                        until=_date(args.until))
    except (AccountError, supervision.SupervisionError, argparse.ArgumentTypeError) as error:
        print(str(error), file=sys.stderr)
        return 1
    return _save(path, store.Change(store.SUPERVISE, account, events=(made,), label=f"督办：{made.kind}"))


def register(subparsers) -> None:
    listing = subparsers.add_parser("requests", help="列出督办记录（销号、延期的申请与审核）")
    add_workbook_options(listing)
    listing.add_argument("--pending", action="store_true", help="只列待审核的申请，最早的在前")
    listing.add_argument("--json", action="store_true", help="以 JSON 输出")
    listing.set_defaults(handler=cmd_requests)

    request = subparsers.add_parser("request", help="申请销号或延期")
    add_workbook_options(request)
    request.add_argument("--task", required=True, help="任务编号")
    request.add_argument("--unit", required=True, help="处室全称")
    request.add_argument("--kind", required=True, choices=sorted(supervision.REQUEST_WORDS), help="申请事项：销号或延期")
    request.add_argument("--until", help="延期：申请完成时限，如 2026-12-31")
    request.add_argument("--reason", required=True, help="办结说明（销号）或延期理由及进展（延期）")
    request.add_argument("--evidence", help="佐证材料：文号、链接或文件名")
    add_user_options(request, required=True, help_text="提出申请的账号")
    request.set_defaults(handler=cmd_request)

    decide = subparsers.add_parser("decide", help="审核销号或延期申请（仅管理员）")
    add_workbook_options(decide)
    decide.add_argument("--id", required=True, help="申请的编号，如 D0003")
    verdicts = decide.add_mutually_exclusive_group(required=True)
    verdicts.add_argument("--approve", action="store_true", help="销号，或同意延期")
    verdicts.add_argument("--return", dest="return", action="store_true", help="退回销号申请，或不同意延期")
    verdicts.add_argument("--refuse", action="store_true", help="不同意（与 --return 相同）")
    decide.add_argument("--until", help="同意延期：批准完成时限，默认为申请的日期")
    decide.add_argument("--comment", required=True, help="审核意见")
    add_user_options(decide, required=True, help_text="审核的管理员账号")
    decide.set_defaults(handler=cmd_decide)
