"""AppTest helpers shared by the page tests: a page opened in a logged-in session."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
# What a login keeps in the session (lib/ui/login.py); a reload or a new tab gets the same from the cookie.
LOGIN_KEYS = ("_kanban_user", "_kanban_account_version", "_kanban_login_id", "_kanban_last_seen")


def page(name: str, timeout: float = 90) -> AppTest:
    """``pages/<name>.py`` (not run yet)."""
    return AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=timeout)


def logged_in(name: str, user: str, password: str = "password1", **query) -> AppTest:
    """``pages/<name>.py`` opened by ``user``, who logs in on 上传更新, with the login carried over as a tab's
    cookie would carry it; ``query`` goes into the address. Not run yet: the caller sets state and runs it."""
    login = page("upload").run()
    login.text_input[0].set_value(user)
    login.text_input[1].set_value(password)
    login.button[0].click().run()
    assert not login.exception, [e.value for e in login.exception]
    opened = page(name)
    for key in LOGIN_KEYS:
        opened.session_state[key] = login.session_state[key]
    for key, value in query.items():
        opened.query_params[key] = value
    return opened
