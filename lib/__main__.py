"""Command line: ``python -m lib <command>``. A thin layer over the same functions as the pages.

The commands live in ``lib/cli/``, one module per command or family of commands, each with
``register(subparsers)``; this module builds the parser from them, in the order ``--help`` lists them, and
runs the chosen handler. Everything a command prints passes through ``cli.output.PrintableStream`` on its way
out (see ``main``): sheet text may hold ESC and other control characters, which a terminal would obey.
"""

from __future__ import annotations

import argparse
import contextlib
import sys

from lib import plans
from lib.cli import (
    accounts,
    apply,
    import_plan,
    options,
    remind,
    report,
    summary,
    supervision,
    urge,
    validate,
)
from lib.cli.output import PrintableStream

COMMANDS = (validate, summary, import_plan, apply, accounts, report, remind, urge, supervision)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lib", description="落实看板命令行工具")
    commands = parser.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
        module.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    with contextlib.redirect_stdout(PrintableStream(sys.stdout)), \
            contextlib.redirect_stderr(PrintableStream(sys.stderr)):
        args = build_parser().parse_args(argv)
        try:
            return args.handler(args)
        except plans.PlanError as error:
            # An unknown plan, or a workbook named twice: a sentence for the person, never a traceback.
            print(str(error), file=sys.stderr)
            return options.USAGE_ERROR if isinstance(error, options.NamedTwice) else 1


if __name__ == "__main__":
    raise SystemExit(main())
