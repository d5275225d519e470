"""Changes to the shared workbook: preview what a change does, then save exactly that, locked and versioned.

- ``lib.store.changes``: a change (merge, replace, delete, restore) previewed against the base
  workbook, checked for rights, and built into the new file once;
- ``lib.store.base``: the workbook a change starts from, read once per version and shared with the board
  (``load_file``);
- ``lib.store.diff``: what the change does, as tables;
- ``lib.store.persist``: the lock, the atomic write, history, audit and versions.

The names callers need are imported here, so pages and the CLI say ``store.preview`` and ``store.save``.
"""

from lib.store.base import load_file
from lib.store.changes import Change, Preview, apply, preview
from lib.store.persist import (
    ACTION_LABELS,
    DELETE,
    EXTERNAL,
    INITIAL,
    MERGE,
    REPLACE,
    RESTORE,
    SaveResult,
    audit_path,
    content_hash,
    history_dir,
    list_versions,
    read_audit,
    record_current,
    save,
    versions_newest_first,
)

__all__ = [
    "ACTION_LABELS", "DELETE", "EXTERNAL", "INITIAL", "MERGE", "REPLACE", "RESTORE", "Change", "Preview", "SaveResult", "apply",
    "audit_path", "content_hash", "history_dir", "list_versions", "load_file", "preview", "read_audit", "record_current", "save",
    "versions_newest_first",
]
