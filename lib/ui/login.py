"""The account adapter: the login form and its throttle, the session's account, and the login gate.

Owned by the upload feature: who is logged in (with the idle timeout), the pages that need an
account, and the page shown instead of the board when ``KANBAN_REQUIRE_LOGIN=1``.

A login lives in the session and, for reloads and other tabs, in a cookie holding a signed token
(:mod:`lib.session_token`, where every rule of what a token may do is; this module only carries it).
"""

from __future__ import annotations

import json
import secrets
import time

import streamlit as st

from lib import accounts, session_token
from lib.ui import board

_USER_KEY = "_kanban_user"
_SEEN_KEY = "_kanban_last_seen"
_VERSION_KEY = "_kanban_account_version"
_CLIENT_KEY = "_kanban_client"
_LOGIN_KEY = "_kanban_login_id"  # the login's id, shared by the tabs its cookie reaches
_COOKIE_AT_KEY = "_kanban_cookie_at"  # when the cookie was last written (unix seconds)
_CLEAR_COOKIE_KEY = "_kanban_clear_cookie"  # logged out: the next run deletes the cookie
_REFUSED_KEY = "_kanban_refused_cookie"
_PASSWORD_CHANGED_KEY = "_kanban_password_changed"  # the next run says the password was changed


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

    A session without a login takes one from the browser's cookie (a reload, another tab). Logs out
    after the idle timeout; when the account is no longer the one logged in to (removed, disabled, or
    its password, role or units changed since: any change gives it a new version); and when the login was ended by logging out in another
    tab: checked on every run, so at the next click. Keeps the cookie fresh while the session is used.
    """
    settings = accounts.load_settings()
    now = time.time()
    if not st.session_state.get(_USER_KEY):
        _adopt_cookie(settings, now)
    account = _session_account(settings, now)
    _sync_cookie(settings, account, now)
    return account


def _session_account(settings, now: float):
    """The session's account if its login still holds at ``now``; otherwise ends it in this session."""
    name = st.session_state.get(_USER_KEY)
    if not name:
        return None
    if now - st.session_state.get(_SEEN_KEY, now) > settings.session_idle_minutes * 60:
        # Only this session: another tab may have kept the login (and its cookie) alive meanwhile.
        _forget()
        st.session_state["_kanban_timed_out"] = True
        return None
    account = _accounts(settings).get(name)
    if account is None or account.disabled or account.version != st.session_state.get(_VERSION_KEY):
        _forget()
        st.session_state["_kanban_account_changed"] = True
        return None
    if st.session_state.get(_LOGIN_KEY) in session_token.logged_out(settings.accounts_path, now):
        _forget()  # logged out in another tab of this browser: nothing to explain
        return None
    st.session_state[_SEEN_KEY] = now
    return account


def _adopt_cookie(settings, now: float) -> None:
    """Log this session in with the login the browser's cookie carries, when it still holds.

    Streamlit reads cookies once, when the page opens; a token refused once is not checked again.
    A refused cookie is left for the browser to expire: the cookie may since have been replaced by
    another tab's new login, which this session cannot see.
    """
    token = _cookie_token()
    if not token or token == st.session_state.get(_REFUSED_KEY):
        return
    verdict = session_token.verify(_secret(settings), token, _accounts(settings), now, _max_age(settings),
                                   session_token.logged_out(settings.accounts_path, now))
    if not verdict.ok or verdict.account is None or verdict.claims is None:
        st.session_state[_REFUSED_KEY] = token
        return
    _start(verdict.account, verdict.claims.login_id, now)
    st.session_state[_COOKIE_AT_KEY] = verdict.claims.issued


def _cookie_token() -> str:
    cookies = getattr(st.context, "cookies", None) or {}
    return str(cookies.get(session_token.COOKIE, ""))


def _sync_cookie(settings, account, now: float) -> None:
    """Write the login's cookie when it is new or getting old, or clear it after a logout.

    Rewritten every tenth of the idle period while the session is used, not on every click, so a
    cookie outlives the last click by 90–100 % of the idle period.
    """
    if account is None:
        if st.session_state.pop(_CLEAR_COOKIE_KEY, False):
            _set_cookie("", 0)
        return
    max_age = _max_age(settings)
    if now - st.session_state.get(_COOKIE_AT_KEY, 0.0) < max_age / 10:
        return
    token = session_token.issue(_secret(settings), account, st.session_state[_LOGIN_KEY], now, max_age)
    st.session_state[_COOKIE_AT_KEY] = now
    _set_cookie(token, max_age)


def _set_cookie(token: str, max_age: float) -> None:
    """Write (or with ``max_age`` 0, delete) the login cookie in the browser.

    Streamlit 1.67 can read cookies but not write them, so a script does, run by ``st.html`` in the
    page itself. SameSite=Strict keeps it off requests from other sites; never in the address, which
    is sent on as a link. The element hides its own container so it takes no room in the sidebar.
    """
    cookie = f"{session_token.COOKIE}={token}; Path=/; Max-Age={int(max_age)}; SameSite=Strict"
    st.sidebar.html(
        "<style>[data-testid=stElementContainer]:has(> [data-testid=stHtml] .kanban-cookie) { display: none; }"
        "</style><span class='kanban-cookie'></span>"
        f"<script>document.cookie = {json.dumps(cookie)} + "
        "(location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True)


def _secret(settings) -> bytes:
    return session_token.load_secret(settings.accounts_path)


def _max_age(settings) -> float:
    return settings.session_idle_minutes * 60


def _accounts(settings) -> dict:
    """The accounts; a damaged accounts file stops the page with a Chinese message, not a traceback."""
    try:
        return accounts.load_accounts(settings.accounts_path)
    except accounts.AccountError as exc:
        st.error(str(exc))
        st.stop()


def account_list() -> dict:
    """Every account by name, for the 账号管理 page; a damaged file stops the page with its message."""
    return _accounts(accounts.load_settings())


def _start(account, login_id: str, now: float) -> None:
    st.session_state.pop(_COOKIE_AT_KEY, None)  # a new login: its cookie is written on the next run
    st.session_state[_USER_KEY] = account.name
    st.session_state[_VERSION_KEY] = account.version
    st.session_state[_LOGIN_KEY] = login_id
    st.session_state[_SEEN_KEY] = now


def _forget() -> None:
    """End the login in this session only."""
    for key in (_USER_KEY, _SEEN_KEY, _VERSION_KEY, _LOGIN_KEY, _COOKIE_AT_KEY):
        st.session_state.pop(key, None)


def logout() -> None:
    """End the login everywhere: this session, the browser's cookie, and on the server, so a copied cookie dies."""
    login_id = st.session_state.get(_LOGIN_KEY)
    if login_id:
        settings = accounts.load_settings()
        session_token.end_login(settings.accounts_path, login_id, time.time(), _max_age(settings))
    _forget()
    st.session_state[_CLEAR_COOKIE_KEY] = True


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
        _start(result.account, session_token.new_login_id(), time.time())
        st.session_state.pop(_CLEAR_COOKIE_KEY, None)
        st.rerun()


def require_account():
    """The logged-in Account for a page that needs one; otherwise explains and stops the page.

    An account with a temporary password gets only the form to change it until it has.
    """
    board.enter_through_app()
    settings = accounts.load_settings()
    if not _accounts(settings):
        st.warning("尚未设置任何账号，暂不能上传。请系统管理员在服务器上执行以下命令创建第一个管理员账号（看板浏览不受影响）：")
        _show_command(accounts.first_admin_command(settings))
        st.stop()
    account = current_account()
    if account is None:
        st.caption("上传和管理功能需要登录。")
        login_form()
        st.stop()
    _sidebar_user(account)
    if account.must_change:
        _forced_password_change(account)
    _password_changed_notice()
    return account


def _password_changed_notice() -> None:
    """Once, on the first page drawn after the user changed their password (app.py's or the page's own run)."""
    if st.session_state.pop(_PASSWORD_CHANGED_KEY, False):
        st.success("密码已修改，下次请用新密码登录。")


def _sidebar_user(account) -> None:
    scope = "全部处室" if account.is_admin else "、".join(account.units)
    st.sidebar.caption(f"当前用户：{account.name}（{account.role_label}，{scope}）")
    if st.sidebar.button("退出登录", key="logout"):
        logout()
        st.rerun()


def _forced_password_change(account) -> None:
    """The only thing a login with a temporary password may do: choose its own password. Stops the page."""
    st.info("您正在使用管理员设置的临时密码，须先修改密码，才能继续使用。")
    password_form(account, key="forced_password")
    st.stop()


def password_form(account, key: str = "own_password") -> None:
    """The logged-in user changes their own password: the old one, the new one twice.

    The old password is checked like a login, with its throttle. The session carries on with the
    account's new version; the user's other sessions end, as after any change of the account.
    """
    with st.form(key, clear_on_submit=True):
        old = st.text_input("原密码", type="password", key=f"{key}_old")
        new = st.text_input(f"新密码（至少 {accounts.MIN_PASSWORD_LENGTH} 位）", type="password", key=f"{key}_new")
        again = st.text_input("再次输入新密码", type="password", key=f"{key}_again")
        submitted = st.form_submit_button("修改密码")
    if not submitted:
        return
    if new != again:
        st.error("两次输入的新密码不一致，请重新输入。")
        return
    settings = accounts.load_settings()
    try:
        changed = accounts.change_own_password(settings.accounts_path, account.name, old, new, _login_throttle(),
                                               client=_client_key())
    except accounts.AccountError as exc:
        st.error(str(exc))
        return
    _start(changed, st.session_state.get(_LOGIN_KEY) or session_token.new_login_id(), time.time())
    st.session_state[_PASSWORD_CHANGED_KEY] = True
    st.rerun()


def _show_command(command: str) -> None:
    """A shell command to copy: a code block with its copy button, without syntax colours.

    Streamlit's highlighting colours (down to 2.76:1 on the block's grey) cannot be themed; plain text
    in the block is drawn in the theme's colours, which pass WCAG AA.
    """
    st.code(command, language=None)


def may_view() -> bool:
    """False when KANBAN_REQUIRE_LOGIN=1 and nobody is logged in, and while the login has a temporary password.

    Asks for the account on every page, login required or not: that is where a reload or a new tab
    takes its login from the cookie, and where the cookie is kept fresh or deleted.
    """
    account = current_account()
    if account is not None and account.must_change:
        return False
    _password_changed_notice()
    return account is not None or not accounts.load_settings().require_login_to_view


def login_gate() -> None:
    """The page shown instead of the board until login (KANBAN_REQUIRE_LOGIN=1), or until a temporary
    password is changed; stops the run."""
    settings = accounts.load_settings()
    st.title("落实看板")
    account = current_account()
    if account is not None and account.must_change:
        _sidebar_user(account)
        _forced_password_change(account)
    if not _accounts(settings):
        st.warning("已设置为登录后方可查看，但尚未创建任何账号。请系统管理员执行：")
        _show_command(accounts.first_admin_command(settings))
    else:
        login_form("view_login")
    st.stop()
