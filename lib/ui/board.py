"""The board adapter: the cached loader, the data-source banners and the shared sidebar.

Pages import this module for the state they share (the workbook, the date D,
the filters) and for the way tables and charts are placed.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

from lib import charts, dates, detail, metrics, plans, portfolio, settings, store, tables, validate
from lib.escape import for_markdown
from lib.metrics import Snapshot
from lib.model import ERROR, Book, Problem
from lib.ui import chrome

MAX_CACHED_FILES = 64  # files whose latest read version stays in memory: every plan, with room to spare


# The board's frames are cached as shared objects (cache_resource), not copied per rerun (cache_data):
# unpickling a 100,000-report book and its metrics took half a second of every rerun and a copy per
# session. They are read-only by convention: every lib function copies a frame before adding a column.
@st.cache_resource(show_spinner=False)
def _loaded_files() -> dict[str, tuple[tuple, validate.LoadResult]]:
    """Per workbook file (each plan, each history copy read), its latest version read: one entry per file, so
    twenty plans stay cached together while an edited plan's older versions leave at once."""
    return {}


def _load(path: str, mtime_ns: int, size: int, today_iso: str) -> validate.LoadResult:
    """Keyed on the file's identity, so an edit in Excel is picked up on the next rerun. Through the
    store's cache by content: the version a save has just written, or an upload is previewed against, is not read again."""
    loaded = _loaded_files()
    identity = (mtime_ns, size, today_iso)
    found = loaded.get(path)
    if found is not None and found[0] == identity:
        return found[1]
    with st.spinner("正在读取工作簿……"):
        result = store.load_file(Path(path), dt.date.fromisoformat(today_iso))
    loaded.pop(path, None)
    loaded[path] = (identity, result)  # dict operations are atomic under the GIL; whichever session wins is right
    while len(loaded) > MAX_CACHED_FILES:  # history copies read while the current file was invalid leave first
        loaded.pop(next(iter(loaded)), None)
    return result


@st.cache_data(show_spinner=False, max_entries=16)
def _record(path: str, mtime_ns: int, size: int) -> bool:
    """Keep a valid file no save made in the history, once per file identity (``store.record_current``)."""
    store.record_current(Path(path))
    return True


@dataclass
class BoardData:
    book: Book
    path: Path
    modified: dt.datetime  # the workbook version shown
    version: str  # short content id of the version shown
    problems: list[Problem]  # problems of the *current* file (may be errors)
    stale: bool  # True when the current file is invalid and an older version is shown


@dataclass
class BoardLoad:
    """What :func:`load_board` found: the data to show, if any version is valid, and the current file's problems."""

    data: BoardData | None  # None when neither the current file nor any earlier version is valid
    problems: list[Problem]  # of the current file; the same list as ``data.problems`` when there is data


def _version_id(stat: os.stat_result) -> str:
    return f"{stat.st_mtime_ns:x}"[-8:]


def _load_path(path: Path) -> tuple[validate.LoadResult, os.stat_result]:
    stat = path.stat()
    return _load(str(path), stat.st_mtime_ns, stat.st_size, settings.today().isoformat()), stat


def load_board() -> BoardLoad:
    """The workbook to show: the current file, or the last valid version with the current file's problems."""
    store.recover()  # a save of several plans cut short is completed before anyone reads a plan (one stat when none)
    path = current_plan().path
    if path.exists():
        result, stat = _load_path(path)
        if result.ok and result.book is not None:
            _record(str(path), stat.st_mtime_ns, stat.st_size)
            return BoardLoad(BoardData(result.book, path, dt.datetime.fromtimestamp(stat.st_mtime),
                                       _version_id(stat), result.problems, stale=False), result.problems)
        current_problems = result.problems
    else:
        current_problems = [Problem(ERROR, "", None, "", str(path), f"找不到工作簿文件 {path}。", code="missing-workbook")]
    earlier, earlier_stat = _newest_valid_version(path)
    if earlier is None or earlier_stat is None or earlier.book is None:
        return BoardLoad(None, current_problems)
    return BoardLoad(BoardData(earlier.book, path, dt.datetime.fromtimestamp(earlier_stat.st_mtime),
                               _version_id(earlier_stat), current_problems, stale=True), current_problems)


def _newest_valid_version(path: Path) -> tuple[validate.LoadResult | None, os.stat_result | None]:
    """The most recently current version on disk that is valid, whatever this process has seen."""
    for candidate in store.versions_newest_first(path):
        result, stat = _load_path(candidate)
        if result.ok:
            return result, stat
    return None, None


def enter_through_app() -> None:
    """Make a page opened by a deep link run inside app.py's navigation.

    On a freshly started server, Streamlit treats the ``pages/`` folder next to
    app.py as an old-style multipage app until app.py has called
    st.navigation once, so the first visit to ``/task?task=8`` would run the
    page on its own (no grouped navigation, no wide layout). Our url_paths
    equal the file names, so the page keeps its identity across the rerun.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def require_board() -> BoardData:
    """The board data for a page, with the data-source banners; stops the page if none."""
    enter_through_app()
    loaded = load_board()
    data = loaded.data
    if data is None:
        st.error("当前工作簿未通过校验，且没有可用的历史有效版本，看板暂无法显示。请修正以下问题后重新保存或上传：")
        st.dataframe(tables.problems_table(loaded.problems), hide_index=True)
        st.stop()
    if data.stale:
        errors = [p for p in data.problems if p.is_error]
        st.warning(
            f"当前工作簿存在 {len(errors)} 处错误，看板暂按上一有效版本（{dates.iso_minute(data.modified)}）显示。"
            "请修正后重新保存："
        )
        with st.expander("查看问题清单", expanded=False):
            st.dataframe(tables.problems_table(errors), hide_index=True)
    if current_plan().archived:
        st.info("本方案已归档，仅供查阅。")
    if data.book.plan.sample:
        st.info("示例数据：当前工作簿中的进展记录为演示用示例数据（填报人为“示例”），不代表实际工作进展。")
    return data


# ---- the plan shown: ?plan= names it; the sidebar's 方案 picker switches it --------------------

PLAN_PARAM = "plan"
_PLAN_KEY = "plan"


@st.cache_data(show_spinner=False, max_entries=256)
def _plan_name(path: str, mtime_ns: int) -> str:
    return plans.plan_name(Path(path))


def plan_title(plan: plans.Plan) -> str:
    """What the switcher and lists call a plan: its 方案名称, else its key."""
    try:
        mtime = plan.path.stat().st_mtime_ns
    except OSError:
        return plan.key
    return _plan_name(str(plan.path), mtime) or plan.key


def current_plan() -> plans.Plan:
    """The plan this page shows: the picker's choice, else the address's ``?plan=`` (an archived plan too,
    read-only), else the default plan."""
    for key in (st.session_state.get(_PLAN_KEY), st.query_params.get(PLAN_PARAM)):
        found = plans.find(key) if key else None
        if found is not None:
            return found
    return plans.default_plan()


def plan_link(plan: plans.Plan, page: str = "overview") -> str:
    """The address of ``page`` showing ``plan``, relative to the app's root."""
    from urllib.parse import quote

    return f"{page}?{PLAN_PARAM}={quote(plan.key)}"


def app_root() -> str:
    """The address this app is served at, so a pasted message's link opens it; "" when not known."""
    from urllib.parse import urlsplit

    url = urlsplit(st.context.url or "")
    return f"{url.scheme}://{url.netloc}{url.path.rsplit('/', 1)[0]}" if url.netloc else ""


def plan_switcher() -> None:
    """The sidebar's 方案 picker, shown once an office has more than one plan; its choice is ``?plan=``.

    An archived plan opened by a link joins the options while it is shown, so the picker never lies
    about what the page shows.
    """
    options = [plan.key for plan in plans.all_plans()]
    wanted = st.query_params.get(PLAN_PARAM)
    linked = plans.find(wanted) if wanted else None
    if linked is not None and linked.key not in options:
        options.append(linked.key)
    if len(options) <= 1:
        st.session_state.pop(_PLAN_KEY, None)
        return
    _keep(_PLAN_KEY, options[0])
    if st.session_state[_PLAN_KEY] not in options:
        st.session_state[_PLAN_KEY] = options[0]
    follow_link(PLAN_PARAM, _PLAN_KEY, wanted if wanted in options else None)
    titles = {plan.key: plan_title(plan) for plan in plans.all_plans(include_archived=True) if plan.key in options}
    # The picker tells options apart by their text: plans sharing a 方案名称 get their keys beside it.
    repeated = {title for title in titles.values() if list(titles.values()).count(title) > 1}
    titles = {key: f"{title}（{key}）" if title in repeated else title for key, title in titles.items()}
    choice = st.sidebar.selectbox("方案", options, key=_PLAN_KEY, format_func=lambda key: titles.get(key, key),
                                  help="选择要查看的方案；「全部方案」页汇总所有方案。")
    _remember(_PLAN_KEY)
    write_link(PLAN_PARAM, _PLAN_KEY, choice)


@st.cache_resource(show_spinner=False, max_entries=256)
def _plan_figures(plan: plans.Plan, _book: Book | None, version: str, as_of: dt.date,
                  _problems: list[Problem]) -> portfolio.PlanFigures:
    return portfolio.figures(plan, _book, as_of, _problems)


def all_plan_figures(as_of: dt.date, include_archived: bool = False) -> list[portfolio.PlanFigures]:
    """Every plan's figures at ``as_of``, each read and computed once per file version (cached per plan file)."""
    store.recover()
    listed = []
    for plan in plans.all_plans(include_archived):
        result, stat = _load_path(plan.path)
        book = result.book if result.ok else None
        listed.append(_plan_figures(plan, book, f"{stat.st_mtime_ns}-{stat.st_size}", as_of, result.problems))
    return listed


def sidebar_source(data: BoardData) -> None:
    """The data source in the sidebar: file, last change, version, and the plan's name and 文号 (sheet text, literal)."""
    plan = data.book.plan
    st.sidebar.caption(
        f"数据来源：{for_markdown(data.path.name)}\n\n最后修改：{dates.iso_minute(data.modified)}　版本：{data.version}"
    )
    if plan.name:
        name = for_markdown(plan.name)
        st.sidebar.caption(f"{name}（{for_markdown(plan.doc_no)}）" if plan.doc_no else name)


# ---- the board's shared sidebar (pages 总览 / 板块 / 处室 / 任务) -------------------

_CUSTOM_DATE = "按所选日期"


@dataclass
class BoardState:
    """What every board page reads: the data, D, the filters, and the metrics of the filtered book."""

    data: BoardData
    as_of: dt.date
    sections: list[str]  # selected 板块 filter (empty: all)
    units: list[str]  # selected 处室 filter (empty: all)
    book: Book  # the workbook restricted to the filters
    snapshot: Snapshot  # of ``book`` at ``as_of``


def _keep(key: str, default) -> None:
    """Carry a sidebar widget's value across pages: Streamlit drops the state of widgets a page did not draw."""
    if key not in st.session_state:
        st.session_state[key] = st.session_state.get(f"_kept_{key}", default)


def _remember(*keys: str) -> None:
    for key in keys:
        st.session_state[f"_kept_{key}"] = st.session_state[key]


def _period_choices(book: Book) -> dict[str, dt.date]:
    today = settings.today()
    ends = {period.label: day for period, day in metrics.period_points(book, today)}
    return {_CUSTOM_DATE: today, **dict(reversed(list(ends.items())))}


@st.cache_resource(show_spinner=False, max_entries=64)
def _filtered(_book: Book, path: str, version: str, as_of: dt.date, sections: tuple, units: tuple):
    book = metrics.filter_book(_book, list(sections), list(units))
    return book, metrics.compute(book, as_of)


# ---- links: the address names what the page shows (?d=, ?section=, ?unit=, ?task=) -------------

DATE_PARAM = "d"


def follow_link(param: str, key: str, value) -> bool:
    """Before the widget ``key`` is drawn: let the address's ``?param=`` (read as ``value``, None when absent
    or not an option) choose it, unless the reader has just changed the widget on this page.

    The address wins on arrival and when it changes under the page (the browser's back button); the widget
    wins once the reader touches it, and :func:`write_link` then puts its choice in the address.
    Returns True when the address changed the widget's value.
    """
    seen = f"_link_{param}"
    if key in st.session_state and seen in st.session_state and st.session_state[key] != st.session_state[seen]:
        return False
    if value is None or st.session_state.get(key) == value:
        return False
    st.session_state[key] = value
    return True


def write_link(param: str, key: str, text: str) -> None:
    """Put the widget ``key``'s choice (as ``text``) in the address, so the address links to what is shown."""
    st.query_params[param] = text
    st.session_state[f"_link_{param}"] = st.session_state[key]


def linked_selectbox(label: str, options: list[str], key: str, param: str, format_func=str) -> str:
    """A selectbox whose choice is in the address as ``?param=``: a link such as ``/unit?unit=综合处`` opens
    that choice, and a choice made here updates the address."""
    wanted = st.query_params.get(param)
    follow_link(param, key, wanted if wanted in options else None)
    choice = st.selectbox(label, options, key=key, format_func=format_func)
    write_link(param, key, str(choice))
    return choice


EARLIEST_DATE, LATEST_DATE = dt.date(2000, 1, 1), dt.date(2099, 12, 31)  # what the 数据截至 picker offers


def linked_date() -> dt.date | None:
    """``?d=2026-09-30`` as a date the 数据截至 picker offers, else None."""
    try:
        day = dt.date.fromisoformat(st.query_params.get(DATE_PARAM, ""))
    except ValueError:
        return None
    return day if EARLIEST_DATE <= day <= LATEST_DATE else None


def date_sidebar() -> dt.date:
    """The sidebar of a page over every plan: 数据截至 alone, the same D the board pages share (``?d=``)."""
    _keep("as_of", settings.today())
    follow_link(DATE_PARAM, "as_of", linked_date())

    def pick_date() -> None:
        st.session_state["_kept_period_pick"] = _CUSTOM_DATE  # the board pages' period picker no longer applies

    as_of = st.sidebar.date_input("数据截至", key="as_of", format="YYYY-MM-DD", on_change=pick_date,
                                  min_value=EARLIEST_DATE, max_value=LATEST_DATE)
    _remember("as_of")
    write_link(DATE_PARAM, "as_of", as_of.isoformat())
    return as_of


def board_sidebar() -> BoardState:
    """The shared sidebar of the board pages: D, the period picker, the filters and the data source."""
    data = require_board()
    book = data.book
    choices = _period_choices(book)
    _keep("as_of", settings.today())
    _keep("period_pick", _CUSTOM_DATE)
    _keep("filter_sections", [])
    _keep("filter_units", [])
    # A filter value that the current workbook no longer has would make the widget fail.
    st.session_state["filter_sections"] = [s for s in st.session_state["filter_sections"] if s in book.sections]
    st.session_state["filter_units"] = [u for u in st.session_state["filter_units"] if u in set(book.units["unit"])]
    if st.session_state["period_pick"] not in choices:
        st.session_state["period_pick"] = _CUSTOM_DATE
    if follow_link(DATE_PARAM, "as_of", linked_date()):
        st.session_state["period_pick"] = _CUSTOM_DATE

    def pick_period() -> None:
        if st.session_state["period_pick"] != _CUSTOM_DATE:
            st.session_state["as_of"] = choices[st.session_state["period_pick"]]

    def pick_date() -> None:
        st.session_state["period_pick"] = _CUSTOM_DATE

    with st.sidebar:
        as_of = st.date_input("数据截至", key="as_of", format="YYYY-MM-DD", on_change=pick_date,
                              min_value=EARLIEST_DATE, max_value=LATEST_DATE)
        st.selectbox("报送周期末", list(choices), key="period_pick", on_change=pick_period,
                     help="选择某一报送周期，数据截至日期即设为该周期末（当前周期为今天）。")
        sections = st.multiselect("板块", book.sections, key="filter_sections", format_func=metrics.section_label,
                                  placeholder="全部板块")
        units = st.multiselect("处室", list(book.units["unit"]), key="filter_units", placeholder="全部处室")
    _remember("as_of", "period_pick", "filter_sections", "filter_units")
    write_link(DATE_PARAM, "as_of", as_of.isoformat())
    sidebar_source(data)
    filtered, snapshot = _filtered(book, str(data.path), data.version, as_of, tuple(sections), tuple(units))
    if sections or units:
        chosen_sections = "、".join(for_markdown(metrics.section_label(s)) for s in sections) or "全部板块"
        st.caption(f"已筛选：{chosen_sections}；{'、'.join(map(for_markdown, units)) or '全部处室'}")
    return BoardState(data, as_of, list(sections), list(units), filtered, snapshot)


def board_trend(state: BoardState):
    """``metrics.trend`` of the filtered book, cached per data version, D and filters."""
    return board_drill(state, "trend", "")


@st.cache_resource(show_spinner=False, max_entries=64)
def _drill(view: str, subject: str, _book: Book, path: str, version: str, as_of: dt.date, sections: tuple,
           units: tuple):
    """One derived frame of the filtered book (for one unit or task where ``subject`` names it); the key names everything it depends on."""
    if view == "trend":
        return metrics.trend(_book, as_of)
    if view == "unit_trend":
        return detail.unit_trend(_book, as_of, subject)
    if view == "task_trend":
        return detail.task_trend(_book, subject, as_of)
    if view == "unit_reporting":
        return tables.unit_reporting(_book, subject, as_of)
    raise ValueError(view)


def board_drill(state: BoardState, view: str, subject: str):
    """``metrics.trend`` / ``detail.unit_trend`` / ``detail.task_trend`` / ``tables.unit_reporting`` (``view``),
    cached per data version, D and filters."""
    return _drill(view, subject, state.book, str(state.data.path), state.data.version, state.as_of,
                  tuple(state.sections), tuple(state.units))


def progress_metric(card, label: str, progress: float, change: float) -> None:
    """A progress card: the percent, and the change since the previous period as a rise, a drop or 持平."""
    delta = tables.change_delta(change)
    card.metric(label, f"{progress:.1f}%", delta.card, delta_color=delta.color, delta_arrow=delta.arrow)


def is_phone() -> bool:
    """True when the page is read on a phone: its browser says "Mobi" (Mozilla's advice for telling phones apart).

    The server has no screen width; the user agent arrives with the first request, so a link opened on a phone
    is laid out for it at once. Tablets report a desktop browser and get the desktop layout.
    """
    return "Mobi" in (st.context.headers.get("User-Agent") or "")


# ---- the print view (?print=1): what the page shows, laid out for paper ---------------------------

PRINT_PARAM = "print"
PRINT_CHART_WIDTH = chrome.PRINT_PAGE_WIDTH  # what an A4 landscape page holds (chrome.print_css's @page)


def print_mode() -> bool:
    """True on a page's print view (``?print=1``): whole tables as static tables, charts sized for A4 landscape."""
    return st.query_params.get(PRINT_PARAM) == "1"


def _running_page() -> str | None:
    """The script of the page running inside app.py's navigation; None for a page run on its own (an AppTest),
    which has no navigation to link through."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    page = ctx.pages_manager.get_pages().get(ctx.page_script_hash) if ctx else None
    return page["script_path"] if page and page.get("page_script_hash") else None


def print_link() -> None:
    """In the sidebar, a link between the page and its print view (``?print=1``).

    Drawn last on a page, so the link carries what the address names by then (``?d=``, ``?section=`` …); it
    switches the page within the session, so the sidebar's filters, which the address does not name, still apply.
    """
    page = _running_page()
    if page is None:
        return
    params = {name: value for name, value in st.query_params.to_dict().items() if name != PRINT_PARAM}
    if print_mode():
        # The page takes the whole window, so the charts are drawn as wide as on paper (PRINT_CHART_WIDTH).
        st.set_page_config(initial_sidebar_state="collapsed")
        st.sidebar.page_link(page, label="返回交互版", icon=":material/arrow_back:", query_params=params)
        st.sidebar.caption("打印版：表格显示全部行，图表按 A4 横向排版。可用浏览器的打印功能（Ctrl+P）打印或另存为 PDF，"
                           "打印时不含侧栏。")
    else:
        st.sidebar.page_link(page, label="打印版", icon=":material/print:", query_params={**params, PRINT_PARAM: "1"},
                             help="表格显示全部行、图表按 A4 横向排版的版面，便于打印或另存为 PDF。")


def side_by_side(spec: list[int]) -> list:
    """``st.columns(spec)``, but one above another in the print view, where every chart takes the page's width."""
    if print_mode():
        return [st.container() for _ in spec]
    return st.columns(spec)


def _print_table(frame) -> None:
    """The whole table as a static table (the scrolling canvas of st.dataframe does not print whole).

    st.table writes every cell as text, so sheet text is never read as HTML; progress reads as it does on screen.
    """
    shown = tables.download_frame(frame)
    percents = [name for name in (tables.LABELS["progress"], tables.LABELS["expected"]) if name in shown.columns]
    tinted = _tinted(shown)
    st.table((shown.style if tinted is None else tinted).format("{:.1f}%", subset=percents, na_rep="—"),
             hide_index=True)


def _tinted(frame):
    """A Styler of ``frame`` with its light and reporting-status cells tinted (``tables.cell_tints``), or None
    when it has none (a plain frame draws faster)."""
    tints = tables.cell_tints()
    tinted = [name for name in frame.columns if frame[name].isin(tints.keys()).any()]
    return frame.style.map(lambda value: tints.get(value, ""), subset=tinted) if tinted else None


def show_chart(figure, key: str) -> None:
    """A figure from lib.charts, with its own colours and CJK font (not Streamlit's theme).

    On a phone the figure is resized for the screen, and plotly's toolbar, which would cover its title, is left out.
    In the print view it is drawn as a still picture as wide as an A4 landscape page, without the toolbar.
    """
    if print_mode():
        printed = go.Figure(figure).update_layout(width=PRINT_CHART_WIDTH)
        st.plotly_chart(printed, theme=None, key=f"chart_{key}", width="content",
                        config={"displayModeBar": False, "staticPlot": True})
    elif is_phone():
        st.plotly_chart(charts.for_phone(figure), theme=None, key=f"chart_{key}", config={"displayModeBar": False})
    else:
        st.plotly_chart(figure, theme=None, key=f"chart_{key}", config={"displaylogo": False})


TABLE_PAGE_ROWS = 50  # a longer table is shown a page at a time: each styled row costs the browser time on every redraw


def _rows_text(first: int, total: int) -> str:
    last = min(first + TABLE_PAGE_ROWS, total)
    return f"第 {first + 1} 行" if last == first + 1 else f"第 {first + 1}–{last} 行"


def _table_page(frame, key: str):
    """The rows of ``frame`` to show: all of a short table, else the page picked under it."""
    if len(frame) <= TABLE_PAGE_ROWS:
        return frame
    starts = range(0, len(frame), TABLE_PAGE_ROWS)
    if st.session_state.get(f"page_{key}") not in starts:  # the table got shorter (a filter, a new D)
        st.session_state.pop(f"page_{key}", None)
    start = st.selectbox(
        f"共 {len(frame)} 行，分 {len(starts)} 页显示", starts, key=f"page_{key}",
        format_func=lambda first: f"第 {first // TABLE_PAGE_ROWS + 1} 页（{_rows_text(first, len(frame))}）",
        help="下载本表可得全部行。")
    return frame.iloc[start:start + TABLE_PAGE_ROWS]


def _selected_text(frame, rows: list[int], long_texts: list[str]) -> None:
    """The full long texts of the row picked in a table, where a column is too narrow to show them."""
    if not rows or rows[0] >= len(frame):
        st.caption("点选表格左侧的方框，可在表格下方阅读该行的全部文字。")
        return
    record = frame.iloc[rows[0]]
    with st.container(border=True):
        for name in long_texts:
            if isinstance(record[name], str) and record[name].strip():
                st.markdown(f"**{name}**")
                st.text(record[name])  # sheet text, shown literally


def show_table(frame, key: str, file_name: str, height: int | None = None) -> None:
    """A table with progress bars and task links, and an .xlsx download of all its rows and exactly the shown columns.

    In the print view: every row, as a static table (``_print_table``).
    """
    if print_mode():
        _print_table(frame)
        return
    full, frame = frame, _table_page(frame, key)
    config = {
        name: st.column_config.ProgressColumn(name, format="%.1f%%", min_value=0, max_value=100)
        for name in (tables.LABELS["progress"], tables.LABELS["expected"]) if name in frame.columns
    }
    if tables.LINK in frame.columns:
        config[tables.LINK] = st.column_config.LinkColumn(tables.LINK, display_text="查看任务", width="small")
        if len(plans.all_plans()) > 1:  # a task's number means something only within its plan
            frame = frame.assign(**{tables.LINK: frame[tables.LINK] + plan_link(current_plan(), "").replace("?", "&")})
    # Long texts get a fixed medium width so the row fits the screen; the download has them in full.
    for name in frame.columns:
        if name in tables.LONG_TEXT:
            config[name] = st.column_config.TextColumn(name, width="medium")
        elif name in tables.SHORT_TEXT:
            config[name] = st.column_config.TextColumn(name, width="small")
    if height is None and len(frame) <= 25:
        height = 35 * (len(frame) + 1) + 3  # every row visible, no inner scrollbar
    tinted = _tinted(frame)
    styled = frame if tinted is None else tinted
    long_texts = [name for name in frame.columns if name in tables.LONG_TEXT]
    if long_texts:
        # keyed by the page shown too, so turning a page drops the pick instead of moving it to another row
        page_key = f"table_{key}_{frame.index[0]}" if len(frame) else f"table_{key}"
        chosen = st.dataframe(styled, hide_index=True, column_config=config, key=page_key,
                              height=height or "auto", on_select="rerun", selection_mode="single-row")
        _selected_text(frame, chosen.selection.rows, long_texts)
    else:
        st.dataframe(styled, hide_index=True, column_config=config, key=f"table_{key}", height=height or "auto")
    # Built only when clicked: an .xlsx per table on every rerun would cost more than the page.
    label = "下载本表（.xlsx，不含“详情”链接）" if tables.LINK in frame.columns else "下载本表（.xlsx）"
    st.download_button(label, lambda: tables.xlsx_bytes(tables.download_frame(full)),
                       file_name=f"{tables.file_name(file_name)}.xlsx", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"download_{key}")
