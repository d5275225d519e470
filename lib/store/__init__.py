"""Changes to the shared workbook: preview what a change does, then save exactly that, locked and versioned.

- ``lib.store.changes``: a change (merge, replace, delete, restore) previewed against the base
  workbook, checked for rights, and built into the new file once;
- ``lib.store.base``: the workbook a change starts from, read once per version and shared with the board
  (``load_file``);
- ``lib.store.diff``: what the change does, as tables;
- ``lib.store.persist``: the lock, the atomic write, history, audit and versions;
- ``lib.store.journal``: one change to several plans saved all together or not at all (``save_all``), and
  the completion of such a set a crash interrupted (``recover``).

The names callers need are imported here, so pages and the CLI say ``store.preview`` and ``store.save``.
"""

from lib.store.base import load_file
from lib.store.flow import Change, Preview, apply, preview
from lib.store.journal import MultiSaveResult, journal_path, recover, save_all
from lib.store.persist import (
    ACTION_LABELS,
    DELETE,
    EXTERNAL,
    INITIAL,
    MERGE,
    REPLACE,
    RESTORE,
    SUPERVISE,
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
    "ACTION_LABELS", "DELETE", "EXTERNAL", "INITIAL", "MERGE", "REPLACE", "RESTORE", "SUPERVISE", "Change", "MultiSaveResult", "Preview",
    "SaveResult", "apply", "audit_path", "content_hash", "history_dir", "journal_path", "list_versions", "load_file", "preview",
    "read_audit", "record_current", "recover", "save", "save_all", "versions_newest_first",
]
