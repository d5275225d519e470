"""The account adapter: the login form and its throttle, the session's account, and the login gate.

Owned by the upload feature: who is logged in (with the idle timeout), the pages that need an
account, and the page shown instead of the board when ``KANBAN_REQUIRE_LOGIN=1``.
"""

from __future__ import annotations

import secrets
import time

import streamlit as st

from lib import accounts
from lib.ui import board

_USER_KEY = "_kanban_user"
_SEEN_KEY = "_kanban_last_seen"
_VERSION_KEY = "_kanban_account_version"
_CLIENT_KEY = "_kanban_client"


@st.cache_resource
def _login_throttle():
    """One throttle per server process, shared by every session."""
    settings = accounts.load_settings()
    return accounts.LoginThrottle(settings.lockout_failures, settings.lockout_seconds,
                                  name_failures=settings.lockout_name_failures)


def _client_key() -> str:
    """Who is trying, for the throttle: the connection's address, else this session.

    Streamlit reports no address for localhost, so behind a reverse proxy on the same host every
    user is keyed by session. A new session is cheap for a guesser; the throttle's per-name count
    is what slows that.
    """
    address = getattr(st.context, "ip_address", None)
    if isinstance(address, str) and address:
        return f"ip:{address}"
    return "session:" + st.session_state.setdefault(_CLIENT_KEY, secrets.token_hex(16))


def current_account():
    """The logged-in Account, or None.

    Logs out after the idle timeout, and when the account is no longer the one logged in to (removed,
    or its password, role or units changed since): checked on every run, so at the next click.
    """
    name = st.session_state.get(_USER_KEY)
    if not name:
        return None
    settings = accounts.load_settings()
    now = time.time()
    if now - st.session_state.get(_SEEN_KEY, now) > settings.session_idle_minutes * 60:
        logout()
        st.session_state["_kanban_timed_out"] = True
        return None
    account = _accounts(settings).get(name)
    if account is None or account.version != st.session_state.get(_VERSION_KEY):
        logout()
        st.session_state["_kanban_account_changed"] = True
        return None
    st.session_state[_SEEN_KEY] = now
    return account


def _accounts(settings) -> dict:
    """The accounts; a damaged accounts file stops the page with a Chinese message, not a traceback."""
    try:
        return accounts.load_accounts(settings.accounts_path)
    except accounts.AccountError as exc:
        st.error(str(exc))
        st.stop()


def logout() -> None:
    st.session_state.pop(_USER_KEY, None)
    st.session_state.pop(_SEEN_KEY, None)
    st.session_state.pop(_VERSION_KEY, None)


def login_form(key: str = "login") -> None:
    """The login form; on success the page reruns as the logged-in user."""
    if st.session_state.pop("_kanban_timed_out", False):
        st.info("长时间未操作，已自动退出登录，请重新登录。")
    if st.session_state.pop("_kanban_account_changed", False):
        st.info("账号信息已变更，请重新登录。")
    with st.form(key):
        name = st.text_input("账号", key=f"{key}_name")
        password = st.text_input("密码", type="password", key=f"{key}_password")
        submitted = st.form_submit_button("登录")
    if submitted:
        settings = accounts.load_settings()
        _accounts(settings)
        result = accounts.login(settings.accounts_path, name, password, _login_throttle(), client=_client_key())
        if result.account is None:
            st.error(result.message)
            return
        st.session_state[_USER_KEY] = result.account.name
        st.session_state[_VERSION_KEY] = result.account.version
        st.session_state[_SEEN_KEY] = time.time()
        st.rerun()


def require_account():
    """The logged-in Account for a page that needs one; otherwise explains and stops the page."""
    board.enter_through_app()
    settings = accounts.load_settings()
    if not _accounts(settings):
        st.warning("尚未设置任何账号，暂不能上传。请系统管理员在服务器上执行以下命令创建第一个管理员账号（看板浏览不受影响）：")
        st.code(accounts.first_admin_command(settings), language="bash")
        st.stop()
    account = current_account()
    if account is None:
        st.caption("上传和管理功能需要登录。")
        login_form()
        st.stop()
    scope = "全部处室" if account.is_admin else "、".join(account.units)
    st.sidebar.caption(f"当前用户：{account.name}（{account.role_label}，{scope}）")
    if st.sidebar.button("退出登录", key="logout"):
        logout()
        st.rerun()
    return account


def may_view() -> bool:
    """False only when KANBAN_REQUIRE_LOGIN=1 and nobody is logged in."""
    return not accounts.load_settings().require_login_to_view or current_account() is not None


def login_gate() -> None:
    """The page shown instead of the board until login (KANBAN_REQUIRE_LOGIN=1); stops the run."""
    settings = accounts.load_settings()
    st.title("落实看板")
    if not _accounts(settings):
        st.warning("已设置为登录后方可查看，但尚未创建任何账号。请系统管理员执行：")
        st.code(accounts.first_admin_command(settings), language="bash")
    else:
        login_form("view_login")
    st.stop()
