"""修改密码: every logged-in user changes their own password (the old one, the new one twice)."""

import streamlit as st

from lib.ui import login

st.title("修改密码")
account = login.require_account()
st.caption("修改后，本账号在其他浏览器或设备上的登录将退出，须用新密码重新登录。")
login.password_form(account)
