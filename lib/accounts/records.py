"""The account record: who someone is (name), what they may do (role, units), and whether they may log in.

Every other module of the package reads or changes this record; :class:`AccountError` is the one error they
raise, carrying a ``code`` for tests and a Chinese message for people.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

ROLE_ADMIN = "admin"
ROLE_REPORTER = "reporter"
ROLE_LABELS = {ROLE_ADMIN: "管理员", ROLE_REPORTER: "处室填报"}


@dataclass
class Account:
    name: str
    role: str
    units: tuple[str, ...] = ()
    password_hash: str = field(default="", repr=False)
    created: str = ""
    disabled: bool = False  # may not log in; set and cleared by an admin
    must_change: bool = False  # a temporary password: the next login must choose a new one first
    revision: int = 0  # counts the changes made to the record, so that no change ever gives back an old version

    @property
    def is_admin(self) -> bool:
        return self.role == ROLE_ADMIN

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    def may_report_for(self, unit: str) -> bool:
        return self.is_admin or unit in self.units

    @property
    def version(self) -> str:
        """A token that changes with every change to the account (hex).

        A session keeps it from login and ends when it differs: a password change, a removal, the name
        added again (a new salt and time), a role or unit change, disabling, a reset must not leave an old
        session with the old rights. ``revision`` makes it differ even when a change is undone (units A → B
        → A). An account without the newer fields keeps the version it had before they existed, so
        upgrading ends no session.
        """
        fields: list = [self.password_hash, self.role, list(self.units), self.created]
        if self.disabled or self.must_change or self.revision:
            fields.append([self.disabled, self.must_change, self.revision])
        record = json.dumps(fields, ensure_ascii=False)
        return hashlib.sha256(record.encode()).hexdigest()


class AccountError(Exception):
    """A refused account operation; the message is Chinese and says what to do, ``code`` says what for tests."""

    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.code = code
