"""Changes to the shared workbook: preview what a change does, then save exactly that, locked and versioned.

- ``lib.store.change``: the records, ``Change`` (what a person asks: merge, replace, delete, restore, 督办) and
  ``Preview`` (exactly what saving it would write);
- ``lib.store.flow``: the preview, step by step (``preview``), and a change previewed and saved at once for
  callers that confirm nothing (``apply``);
- ``lib.store.base``: the workbook a change starts from, read once per version and shared with the board
  (``load_file``);
- ``lib.store.merge``: an upload read and merged into the base (or replacing it), or saved rows deleted;
- ``lib.store.template_rows``: template rows sent back unfilled, left out of a merge;
- ``lib.store.rights``: what the uploading account may change, and whose name its rows carry;
- ``lib.store.supervise``: the 督办 events a change appends (a 督办 decision or request, an upload's requests);
- ``lib.store.carried``: what the save keeps beyond the contract's sheets, and warnings for what it drops;
- ``lib.store.compare``: the merged book compared with the base, filling the preview;
- ``lib.store.diff``: what the change does, as tables;
- ``lib.store.build``: the new file built once on confirm, read back and re-checked;
- ``lib.store.persist``: the lock, the atomic write, history, audit and versions;
- ``lib.store.journal``: one change to several plans saved all together or not at all (``save_all``), and
  the completion of such a set a crash interrupted (``recover``).

The names callers need are imported here, so pages and the CLI say ``store.preview`` and ``store.save``.
"""

from lib.store.base import load_file
from lib.store.change import Change, Preview
from lib.store.flow import apply, preview
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
