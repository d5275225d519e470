"""落实看板 entry point: page config, grouped navigation, shared sidebar."""

import streamlit as st

from lib.ui import board, chrome, errors, login

st.set_page_config(page_title="落实看板", page_icon="📊", layout="wide")
chrome.apply()  # Chinese, or nothing, where Streamlit draws English

overview = st.Page("pages/overview.py", title="总览", url_path="overview")


def _front_door() -> None:
    """The app root opens 总览 at its own address, keeping the link's parameters (e.g. ?d=)."""
    st.switch_page(overview, query_params=st.query_params.to_dict())


# Streamlit serves the default page at "/" only, and answers its url_path with "Page not found";
# so the default is a hidden step to 总览, and /overview, the address the sidebar links, always works.
pages = {
    "看板": [
        st.Page(_front_door, title="总览", default=True, url_path="home", visibility="hidden"),
        overview,
        st.Page("pages/section.py", title="板块", url_path="section"),
        st.Page("pages/unit.py", title="处室", url_path="unit"),
        st.Page("pages/task.py", title="任务", url_path="task"),
        st.Page("pages/plans.py", title="全部方案", url_path="plans"),
    ],
    "填报与管理": [
        st.Page("pages/upload.py", title="上传更新", url_path="upload"),
        st.Page("pages/versions.py", title="版本记录", url_path="versions"),
        st.Page("pages/supervision.py", title="督办审核", url_path="supervision"),
        st.Page("pages/plan_import.py", title="方案导入", url_path="plan-import"),
        st.Page("pages/accounts.py", title="账号管理", url_path="accounts"),
        st.Page("pages/password.py", title="修改密码", url_path="password"),
    ],
    "汇报": [
        st.Page("pages/review.py", title="季度汇报", url_path="review"),
    ],
}
# Declared before the login gate, so a stale page list never lingers in the sidebar;
# hidden until the viewer may see the board (KANBAN_REQUIRE_LOGIN=1).
allowed = login.may_view()
navigation = st.navigation(pages, position="sidebar" if allowed else "hidden")
if not allowed:
    login.login_gate()
board.plan_switcher()
errors.run_page(navigation)
