"""The settings the accounts use (accounts file, login for viewing, idle timeout, lockout), read in one go.

Each setting is declared once in :mod:`lib.settings`; this gathers them for the pages and the CLI.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lib import settings as config


@dataclass(frozen=True)
class Settings:
    accounts_path: Path
    require_login_to_view: bool = False
    session_idle_minutes: float = 30
    lockout_failures: int = 5
    lockout_seconds: float = 30
    lockout_name_failures: int = 50


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The upload feature's settings (see :mod:`lib.settings`); ``environ`` replaces the environment in tests."""
    return Settings(
        accounts_path=config.accounts_path(environ),
        require_login_to_view=config.value("KANBAN_REQUIRE_LOGIN", environ),
        session_idle_minutes=config.value("KANBAN_SESSION_IDLE_MINUTES", environ),
        lockout_failures=config.value("KANBAN_LOCKOUT_FAILURES", environ),
        lockout_seconds=config.value("KANBAN_LOCKOUT_SECONDS", environ),
        lockout_name_failures=config.value("KANBAN_LOCKOUT_NAME_FAILURES", environ),
    )


def first_admin_command(settings: Settings) -> str:
    """The command that creates the first admin, as the upload page shows it."""
    suffix = "" if settings.accounts_path == config.accounts_path({}) else f" --accounts {settings.accounts_path}"
    return f"python -m lib user add 管理员 --admin{suffix}"
