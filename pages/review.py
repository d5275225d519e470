"""季度汇报: the quarterly review, one slide at a time, for a projector; pptx, xlsx and docx downloads."""

import streamlit as st

from lib import charts, remind, review, review_view, settings
from lib.escape import for_markdown
from lib.exports import pptx, report_docx, xlsx
from lib.ui import board, login

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

AUTO_SETTING = "KANBAN_REVIEW_SECONDS"  # 轮播 interval in seconds; the soak test shortens it
AUTO_DEFAULT = settings.BY_NAME[AUTO_SETTING].default  # also used when the setting is too short to read

st.set_page_config(initial_sidebar_state="collapsed", layout="wide")
st.markdown(review_view.CSS, unsafe_allow_html=True)  # static CSS only; no workbook text
data = board.require_board()
book = data.book
periods = review.review_periods(book, settings.today())
codes = [p.code for p in periods]
params = st.query_params


@st.cache_data(max_entries=8, show_spinner=False)
def build(version: str, path: str, code: str, _book) -> review.Review:
    """Keyed on the workbook version and the period; the Book itself is not hashed."""
    return review.build_review(_book, review.period_from_code(code, _book))


if "rv_period" not in st.session_state:
    st.session_state.rv_period = (params.get("period") if params.get("period") in codes
                                  else review.default_period(book, settings.today()).code)
built = build(data.version, str(data.path), st.session_state.rv_period, book)
slides = built.slides
count = len(slides)


def _clamp(value) -> int:
    try:
        return min(max(int(value), 1), count)
    except (TypeError, ValueError):
        return 1


if "rv_slide" not in st.session_state:
    st.session_state.rv_slide = _clamp(params.get("slide", 1))
st.session_state.rv_slide = _clamp(st.session_state.rv_slide)


def go_to(number: int) -> None:
    st.session_state.rv_slide = (number - 1) % count + 1
    st.query_params["slide"] = str(st.session_state.rv_slide)


def on_period() -> None:
    st.query_params["period"] = st.session_state.rv_period
    go_to(1)


def draw(number: int) -> None:
    slide = slides[number - 1]
    with st.container(key="rv_slide_box"):
        st.markdown(review_view.slide_html(slide, f"{number} / {count}"), unsafe_allow_html=True)
        if slide.chart is not None:
            # "stretch": the chart takes the slide's free height, which review_view.CSS computes from the viewport
            st.plotly_chart(charts.review_figure(slide.chart, under_kpis=bool(slide.kpis)), height="stretch",
                            config={"displayModeBar": False, "staticPlot": True}, key=f"rv_chart_{slide.kind}_{slide.part}")


if "rv_auto" not in st.session_state:
    st.session_state.rv_auto = "auto" in params
interval = review.auto_interval(params.get("auto"), str(settings.value(AUTO_SETTING)), AUTO_DEFAULT)
st.session_state.rv_ticked = False  # a full run draws the current slide; only the timer's runs advance


@st.fragment(run_every=interval if st.session_state.rv_auto else None)
def show() -> None:
    if st.session_state.rv_auto and st.session_state.rv_ticked:
        go_to(st.session_state.rv_slide + 1)
    st.session_state.rv_ticked = True
    draw(st.session_state.rv_slide)


show()

with st.container(key="rv_controls", horizontal=True, vertical_alignment="center"):
    st.button("上一页", on_click=go_to, args=(st.session_state.rv_slide - 1,), key="rv_prev")
    st.button("下一页", on_click=go_to, args=(st.session_state.rv_slide + 1,), key="rv_next", type="primary")
    st.session_state.rv_pick = st.session_state.rv_slide
    st.selectbox("跳转", range(1, count + 1), key="rv_pick", label_visibility="collapsed", width=260,
                 format_func=lambda n: f"{n}. {slides[n - 1].label}", on_change=lambda: go_to(st.session_state.rv_pick))
    st.selectbox("报送周期", codes, key="rv_period", label_visibility="collapsed", width=190,
                 format_func=lambda c: periods[codes.index(c)].label, on_change=on_period)
    st.toggle(f"轮播（{interval:g} 秒）", key="rv_auto")
    st.download_button("PPT", lambda: pptx.pptx_bytes(built), f"季度汇报_{built.period.code}.pptx",
                       "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                       on_click="ignore", key="rv_pptx", icon=":material/download:")
    st.download_button("Excel", lambda: xlsx.xlsx_bytes(built, book), f"汇总_{built.period.code}.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       on_click="ignore", key="rv_xlsx", icon=":material/download:")
    st.download_button("Word", lambda: report_docx.docx_bytes(built, book, settings.today()),
                       f"落实情况报告_{built.period.code}.docx",
                       "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                       on_click="ignore", key="rv_docx", icon=":material/download:")
    st.html(review_view.FULLSCREEN_BUTTON, unsafe_allow_javascript=True)
    st.caption("地址加 ?slide=3 打开第 3 页，加 ?auto=20 每 20 秒轮播；加 ?embed=true 不显示侧栏和菜单")

account = login.current_account()
if account is not None:  # who reminded whom is logged: a notice needs a name
    with st.expander(f"催报通知（{built.period.label}，全部处室）", expanded=False):
        due = remind.period_snapshot(book, built.period, settings.today())
        rows = remind.outstanding(due)
        if rows.empty:
            st.success("本期应报送的分工均已报送。")
        else:
            st.caption(f"截至今日，{len(rows)} 项分工未报送。生成或下载即记入本方案的催报记录（时间、操作人、处室和任务）。")

            def issue_messages() -> None:
                st.session_state["rv_remind_messages"] = remind.issue_messages(
                    data.path, book, due, account.name, base=board.app_root())

            with st.container(horizontal=True):
                st.button("生成各处室催报消息", key="rv_remind_text", on_click=issue_messages, icon=":material/sms:")
                st.download_button(
                    "下载催报通知（.docx）", lambda: remind.notice_docx(book, due, None, settings.today()),
                    f"催报通知_{built.period.code}.docx", DOCX, key="rv_remind_docx", icon=":material/download:",
                    on_click=lambda: remind.record(data.path, account.name, due, rows, remind.DOCX))
            for unit, message in st.session_state.get("rv_remind_messages", {}).items():
                st.markdown(f"**{for_markdown(unit)}**")
                st.code(message, language=None)
