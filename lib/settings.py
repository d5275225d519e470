"""Every setting of the board, declared once: name, default, meaning.

Settings come from environment variables and nowhere else; this is the only
module that reads the environment. The README documents each one (a test
checks), and where Streamlit must see the same value in ``.streamlit/config.toml``
(``server.maxUploadSize``), a test checks that the two agree.

What belongs to one plan (起始日期, 报送周期, the light thresholds) is not a
setting: it lives in the workbook's 方案 sheet.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class SettingError(ValueError):
    """A setting whose value cannot be used; the message names the variable and what it expects."""


def _flag(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on", "是")


def _positive(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        value = kind(text)
        if value <= 0:
            raise ValueError(text)
        return value
    return parse


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str


SETTINGS: tuple[Setting, ...] = (
    Setting("KANBAN_WORKBOOK", Path("data/tasks.xlsx"),
            "The shared workbook. Its versions and audit log live beside it, in `<name>.history/` "
            "and `<name>.audit.jsonl`.", Path),
    Setting("KANBAN_PLANS_DIR", None, "The plans folder: one workbook per further plan, `archive/` for archived "
            "ones. Unset means `plans/` beside `KANBAN_WORKBOOK` (`data/plans/`).", Path),
    Setting("KANBAN_ACCOUNTS", Path("data/accounts.toml"), "The accounts file (scrypt hashes only).", Path),
    Setting("KANBAN_REQUIRE_LOGIN", False, "`1` makes login required for viewing the board too.", _flag),
    Setting("KANBAN_SESSION_IDLE_MINUTES", 30.0, "Idle minutes before a session is logged out; also how long after the last "
            "click a reload or a new tab still finds the login (its cookie).",
            _positive(float)),
    Setting("KANBAN_LOCKOUT_FAILURES", 5, "Failed logins for a name before it must wait.", _positive(int)),
    Setting("KANBAN_LOCKOUT_SECONDS", 30.0, "The first wait after too many failures; it doubles with each "
            "further failure, up to 15 minutes.", _positive(float)),
    Setting("KANBAN_LOCKOUT_NAME_FAILURES", 50, "Failed logins for a name from all clients together before every "
            "client must wait, except one that has logged in as that name before; slows guessing spread over many "
            "clients. (`KANBAN_LOCKOUT_FAILURES` counts per client and name, and per password across names.)",
            _positive(int)),
    Setting("KANBAN_TODAY", None, "Fixes “today” (YYYY-MM-DD) for demos and tests; unset means the real date.",
            dt.date.fromisoformat),
    Setting("KANBAN_REVIEW_SECONDS", 20.0, "The 轮播 interval of the quarterly review, in seconds.",
            _positive(float)),
    Setting("KANBAN_MAX_UPLOAD_MB", 20, "Largest upload, in MB. Must equal `server.maxUploadSize` in "
            "`.streamlit/config.toml`.", _positive(int)),
    Setting("KANBAN_MAX_UNCOMPRESSED_MB", 200, "Largest summed uncompressed size of an uploaded .xlsx, in MB "
            "(zip-bomb guard).", _positive(int)),
    Setting("KANBAN_MAX_SHEET_MB", 100, "Largest uncompressed size of one worksheet of an upload, in MB "
            "(100,000 reports take about 45 MB).", _positive(int)),
    Setting("KANBAN_MAX_SHEET_CELLS", 5_000_000, "Largest extent (rows × columns) of any sheet read, the shared "
            "workbook's included.", _positive(int)),
    Setting("KANBAN_MAX_REPORTER_ROWS", 2000, "Most rows in any sheet of one upload by a 处室填报 account "
            "(an office's template has a row per open assignment: a few dozen).", _positive(int)),
    Setting("KANBAN_LOCK_TIMEOUT_SECONDS", 60.0, "How long a save waits for another save to finish.",
            _positive(float)),
)
BY_NAME = {setting.name: setting for setting in SETTINGS}


def value(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """The value of setting ``name``: the environment's when set and not empty, else the default."""
    setting = BY_NAME[name]
    text = (os.environ if environ is None else environ).get(name, "")
    if not text.strip():
        return setting.default
    try:
        return setting.parse(text.strip())
    except ValueError as exc:
        raise SettingError(f"环境变量 {name} 的值“{text}”无法使用：{setting.help}") from exc


# Typed accessors for the settings read most.

def workbook_path(environ: Mapping[str, str] | None = None) -> Path:
    return value("KANBAN_WORKBOOK", environ)


def plans_dir(environ: Mapping[str, str] | None = None) -> Path:
    return value("KANBAN_PLANS_DIR", environ) or workbook_path(environ).parent / "plans"


def accounts_path(environ: Mapping[str, str] | None = None) -> Path:
    return value("KANBAN_ACCOUNTS", environ)


def today(environ: Mapping[str, str] | None = None) -> dt.date:
    return value("KANBAN_TODAY", environ) or dt.date.today()


def max_upload_bytes(environ: Mapping[str, str] | None = None) -> int:
    return value("KANBAN_MAX_UPLOAD_MB", environ) * 1024 * 1024


def max_uncompressed_bytes(environ: Mapping[str, str] | None = None) -> int:
    return value("KANBAN_MAX_UNCOMPRESSED_MB", environ) * 1024 * 1024
