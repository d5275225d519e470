"""The audit log beside the accounts file: who changed which account, and how; never a password or a hash.

One JSON line per change (``accounts.audit.jsonl``), appended under the accounts file's lock after the change
is saved, so the log never names a change that did not happen.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

CLI_ACTOR = "命令行"  # who the audit log names for a change made with python -m lib user …

# Audit actions, one per kind of change.
ADDED, REMOVED, PASSWORD_SET, PASSWORD_RESET, OWN_PASSWORD = "add", "remove", "passwd", "reset-password", "own-password"
DISABLED, ENABLED, ACCESS_CHANGED = "disable", "enable", "change-access"


def audit_path(path: Path) -> Path:
    return Path(path).with_name(Path(path).stem + ".audit.jsonl")


def append_audit(path: Path, actor: str, action: str, name: str, changes: dict) -> None:
    """Append one line; called under the accounts file's lock, after the change is saved."""
    line = json.dumps({"time": dt.datetime.now().isoformat(timespec="seconds"), "admin": actor, "action": action,
                       "account": name, "changes": changes}, ensure_ascii=False)
    descriptor = os.open(audit_path(path), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def read_audit(path: Path) -> list[dict]:
    """The audit log's records, oldest first; none when there is no log yet."""
    try:
        text = audit_path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in text.splitlines() if line.strip()]
