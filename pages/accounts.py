"""账号管理 (admins): add accounts, reset passwords, disable or enable them, change their role and units.

Each change is made by lib/accounts (locked, atomic, audited) and ends the account's open sessions.
"""

import pandas as pd
import streamlit as st

from lib import accounts, settings
from lib.ui import board, change, login

ROLES = [accounts.ROLE_REPORTER, accounts.ROLE_ADMIN]
_TEMPORARY_KEY = "accounts_temporary"  # (name, password): shown on the next run only, then gone

st.title("账号管理")
account = login.require_account()
if not account.is_admin:
    st.warning("账号管理仅限管理员使用。如需新增账号或重设密码，请联系管理员。")
    st.stop()
path = accounts.load_settings().accounts_path


def plan_units() -> list[str]:
    """The units of every current plan, in plan order: an account's units apply to all plans alike."""
    found: dict[str, None] = {}
    for figures in board.all_plan_figures(settings.today()):
        if figures.book is not None:
            found.update(dict.fromkeys(str(unit) for unit in figures.book.units["unit"]))
    return list(found)


def done(message: str, temporary: tuple[str, str] | None = None) -> None:
    st.session_state["accounts_saved"] = message
    if temporary is not None:
        st.session_state[_TEMPORARY_KEY] = temporary
    st.rerun()


def attempt(action, message: str) -> None:
    """Run ``action``; a refusal is shown in Chinese, a success reruns the page with ``message``."""
    try:
        result = action()
    except accounts.AccountError as error:
        st.error(str(error))
        return
    done(message, result if isinstance(result, tuple) else None)


def account_rows(found: dict[str, accounts.Account]) -> pd.DataFrame:
    return pd.DataFrame([{"账号": a.name, "角色": a.role_label, "处室": "全部" if a.is_admin else "、".join(a.units),
                          "状态": "已停用" if a.disabled else "启用", "临时密码": "是，待本人修改" if a.must_change else "",
                          "创建时间": a.created.replace("T", " ")} for a in found.values()])


def add_form(units: list[str]) -> None:
    with st.form("account_add", clear_on_submit=True):
        name = st.text_input("账号名称", key="acc_add_name", max_chars=40)
        role = st.radio("角色", ROLES, format_func=accounts.ROLE_LABELS.get, horizontal=True, key="acc_add_role")
        picked = st.multiselect("负责处室", units, key="acc_add_units", placeholder="选择处室",
                                help="处室填报账号须至少选择一个处室；管理员无需选择。")
        submitted = st.form_submit_button("新增账号")
    if submitted:
        def add() -> tuple[str, str]:
            temporary = accounts.new_temporary_password()
            accounts.add_user(path, name, temporary, picked, role == accounts.ROLE_ADMIN, must_change=True,
                              known_units=units, actor=account.name)
            return name.strip(), temporary
        attempt(add, f"已新增账号「{name.strip()}」。")


def access_form(target: accounts.Account, units: list[str]) -> None:
    options = list(dict.fromkeys([*units, *target.units]))  # a unit no plan lists any more stays visible
    with st.form(f"account_access_{target.name}"):
        role = st.radio("角色", ROLES, index=ROLES.index(target.role) if target.role in ROLES else 0,
                        format_func=accounts.ROLE_LABELS.get, horizontal=True, key=f"acc_role_{target.name}")
        picked = st.multiselect("负责处室", options, default=list(target.units), key=f"acc_units_{target.name}",
                                placeholder="选择处室")
        submitted = st.form_submit_button("保存角色与处室")
    if submitted:
        attempt(lambda: accounts.change_access(path, target.name, role, picked, actor=account.name,
                                               known_units=units),
                f"已修改账号「{target.name}」的角色与处室，其已登录的会话已退出。")


def reset_button(target: accounts.Account) -> None:
    if not st.button("重设密码", key=f"acc_reset_{target.name}",
                     help="生成一个临时密码（仅显示一次），该账号下次登录时须先修改密码。"):
        return
    if target.name == account.name:
        st.error("不能在此重设自己的密码，请在「修改密码」页修改。")
        return
    attempt(lambda: (target.name, accounts.reset_password(path, target.name, actor=account.name)),
            f"已重设账号「{target.name}」的密码，其已登录的会话已退出。")


def disable_button(target: accounts.Account) -> None:
    label = "启用账号" if target.disabled else "停用账号"
    if st.button(label, key=f"acc_disable_{target.name}",
                 help="停用后该账号不能登录，已登录的会话随即退出；可随时重新启用。"):
        attempt(lambda: accounts.set_disabled(path, target.name, not target.disabled, actor=account.name),
                f"已{label[:2]}账号「{target.name}」。")


if message := change.saved_message("accounts"):
    st.success(message)
if shown := st.session_state.pop(_TEMPORARY_KEY, None):
    st.warning(f"账号「{shown[0]}」的临时密码如下，仅显示这一次，请当面或通过可靠渠道告知本人。"
               "本人用它登录后须立即设置新密码。")
    st.code(shown[1], language=None)

found = login.account_list()
units = plan_units()
st.subheader("账号列表")
st.dataframe(account_rows(found), hide_index=True, key="accounts_table")

st.subheader("新增账号")
st.caption("新账号获得一个临时密码（仅显示一次），本人首次登录时须修改。")
add_form(units)

st.subheader("修改账号")
picked_name = st.selectbox("选择账号", list(found), key="acc_pick")
if picked_name in found:
    target = found[picked_name]
    st.caption(f"状态：{'已停用' if target.disabled else '启用'}。每项修改都会记入账号日志，并使该账号已登录的会话退出。")
    access_form(target, units)
    left, right = st.columns(2)
    with left:
        reset_button(target)
    with right:
        disable_button(target)
