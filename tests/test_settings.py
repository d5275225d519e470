"""lib/settings: every setting documented, in step with Streamlit's config, and the only reader of the environment."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import pytest

from lib import accounts, settings

ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENT_READ = re.compile(r"\bos\.(environ|getenv)\b|\bfrom os import\b.*\b(environ|getenv)\b")


def test_readme_documents_every_setting():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [s.name for s in settings.SETTINGS if f"`{s.name}`" not in readme]
    assert not missing, f"README.md does not document: {', '.join(missing)}"


def test_streamlit_upload_limit_equals_the_setting_default():
    with (ROOT / ".streamlit" / "config.toml").open("rb") as handle:
        config = tomllib.load(handle)
    assert config["server"]["maxUploadSize"] == settings.BY_NAME["KANBAN_MAX_UPLOAD_MB"].default  # 20 MB both


def _environment_readers() -> list[str]:
    files = [ROOT / "app.py", *sorted((ROOT / "lib").rglob("*.py")), *sorted((ROOT / "pages").rglob("*.py"))]
    found = []
    for path in files:
        if path == ROOT / "lib" / "settings.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if ENVIRONMENT_READ.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_the_pattern_finds_environment_reads():
    assert ENVIRONMENT_READ.search('pause = os.environ.get("X")')
    assert ENVIRONMENT_READ.search('os.getenv("X")')
    assert ENVIRONMENT_READ.search("from os import environ")
    assert not ENVIRONMENT_READ.search("temp = os.replace(a, b)")


def test_only_settings_reads_the_environment():
    readers = _environment_readers()
    assert not readers, "read the environment through lib.settings instead:\n" + "\n".join(readers)


def test_a_bad_value_names_the_variable():
    with pytest.raises(settings.SettingError, match="KANBAN_SESSION_IDLE_MINUTES"):
        settings.value("KANBAN_SESSION_IDLE_MINUTES", {"KANBAN_SESSION_IDLE_MINUTES": "abc"})
    with pytest.raises(settings.SettingError, match="KANBAN_LOCKOUT_FAILURES"):
        accounts.load_settings({"KANBAN_LOCKOUT_FAILURES": "0"})  # must be positive
    with pytest.raises(settings.SettingError, match="KANBAN_TODAY"):
        settings.today({"KANBAN_TODAY": "2026-13-01"})


def test_unset_or_empty_means_the_default():
    assert settings.value("KANBAN_SESSION_IDLE_MINUTES", {}) == 30.0
    assert settings.value("KANBAN_SESSION_IDLE_MINUTES", {"KANBAN_SESSION_IDLE_MINUTES": " "}) == 30.0
    assert settings.value("KANBAN_SESSION_IDLE_MINUTES", {"KANBAN_SESSION_IDLE_MINUTES": "5"}) == 5.0
    assert settings.today({"KANBAN_TODAY": "2026-09-30"}) == dt.date(2026, 9, 30)
    assert settings.max_upload_bytes({}) == 20 * 1024 * 1024  # 20 MB
