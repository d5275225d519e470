"""What Streamlit itself draws in English, said in Chinese or hidden; app.py places this CSS on every page.

Streamlit 1.67 offers no parameter for these texts, so CSS does it (by ``data-testid``, as Streamlit's own
browser tests find elements):

- ``st.file_uploader`` writes "Upload" on its button and "20MB per file • XLSX" beside it. Both are hidden and
  our own words take their place: 选择文件, and the format and size limit in Chinese (the limit from
  ``KANBAN_MAX_UPLOAD_MB``). The "Drag and drop a file here" overlay, shown only while a file is dragged over
  the box, has no test id and stays. A notice uploader (方案导入, key starting ``NOTICE_UPLOADER_KEY``) names
  the notice formats instead of .xlsx.
- ``st.dataframe``'s toolbar (show/hide columns, CSV download, search, full screen) has English tooltips and
  cannot be switched off; it is hidden. Every table has its own .xlsx download (``board.show_table``).

- On paper (``@media print``, every page): A4 landscape with 12 mm margins; no sidebar, header, toolbars, buttons,
  links between pages or Streamlit's decoration; the content takes the page's width; charts, cards and table
  rows are not split across pages, headings stay with what follows, and table text wraps. A scrolling
  ``st.dataframe`` prints only what it shows: the print view (``?print=1``, ``board.print_mode``) lays the page
  out for paper, with whole static tables and charts drawn A4-wide.
- On a phone (under 640 px) Streamlit puts each column on its own line, which makes seven KPI cards a
  screen and a half; the rows of cards go two to a line.

The CSS holds no workbook text: only these constants and a number from the settings.

CSS can hide the uploader's "Upload" but cannot name the button for a screen reader: the ``::after`` text
is not part of the name every tool computes (axe-core finds a button without a name). A small script in the
page gives each uploader button ``aria-label="选择文件"``, the word shown on it, and renames each help icon's
English "Help for …" to 说明：…. Another shrinks the charts to
the paper's width while the browser prints (``print_fit_script``).
"""

from __future__ import annotations

import streamlit as st

from lib import settings

UPLOAD_BUTTON = "选择文件"
# A row of KPI cards: Streamlit stacks columns one per line below 640 px; the cards go two to a line instead.
CARD_ROW = '[data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"])'
# Uploaders whose key starts with this take notices (方案导入), not workbooks: their hint names those formats.
NOTICE_UPLOADER_KEY = "notice_file"


def upload_hint(formats: str = ".xlsx 格式") -> str:
    """The uploader's hint in Chinese, in place of Streamlit's "20MB per file • XLSX"."""
    return f"或将文件拖放到此处（仅限 {formats}，单个文件不超过 {settings.value('KANBAN_MAX_UPLOAD_MB')} MB）"


# What paper does without: Streamlit's chrome, the sidebar, and whatever is clicked rather than read.
PRINT_HIDDEN = ", ".join(f'[data-testid="{test_id}"]' for test_id in (
    "stSidebar", "stSidebarCollapsedControl", "stHeader", "stToolbar", "stDecoration", "stStatusWidget", "stBottom",
    "stElementToolbar", "stButton", "stDownloadButton", "stPageLink", "stFileUploader",
)) + ", .modebar-container"
# Kept whole on a page: a chart, a KPI card, a table row.
PRINT_UNBROKEN = '[data-testid="stPlotlyChart"], [data-testid="stMetric"], [data-testid="stTable"] tr'


def print_css() -> str:
    return f"""@page {{ size: A4 landscape; margin: 12mm; }}
@media print {{
  {PRINT_HIDDEN} {{ display: none !important; }}
  [data-testid="stAppViewContainer"], [data-testid="stMain"] {{ position: static !important; overflow: visible !important;
    height: auto !important; }}
  [data-testid="stMainBlockContainer"] {{ padding: 0 !important; max-width: none !important; }}
  {PRINT_UNBROKEN} {{ break-inside: avoid; }}
  h1, h2, h3 {{ break-after: avoid; }}
  [data-testid="stTable"], [data-testid="stTable"] > div {{ overflow: visible !important; }}  /* a scroll box never splits across pages */
  [data-testid="stTable"] table {{ display: table !important; width: 100% !important; }}  /* an inline table would not split */
  [data-testid="stTable"] th, [data-testid="stTable"] td {{ white-space: normal !important; overflow-wrap: anywhere;
    max-width: none !important; overflow: visible !important; text-overflow: clip !important; }}
  [data-testid="stTable"] thead {{ display: table-header-group; }}
}}"""


def css() -> str:
    dropzone = '[data-testid="stFileUploaderDropzone"]'
    hint = '[data-testid="stFileUploaderDropzoneInstructions"]'
    return f"""<style>
{dropzone} button [data-testid="stMarkdownContainer"] > p {{ display: none; }}
{dropzone} button [data-testid="stMarkdownContainer"]::after {{ content: "{UPLOAD_BUTTON}"; }}
{hint} span {{ display: none; }}
{hint} > div::after {{ content: "{upload_hint()}"; font-size: 0.875rem; }}
[class*="st-key-{NOTICE_UPLOADER_KEY}"] {hint} > div::after {{ content: "{upload_hint(".docx、.pdf、.doc、.wps、.txt 文件")}"; }}
[data-testid="stDataFrame"] [data-testid="stElementToolbar"] {{ display: none !important; }}
@media (max-width: 640px) {{
  {CARD_ROW} {{ flex-flow: row wrap !important; gap: 0.5rem !important; }}
  {CARD_ROW} > [data-testid="stColumn"] {{ flex: 1 1 calc(50% - 0.25rem) !important; min-width: calc(50% - 0.25rem) !important;
    max-width: calc(50% - 0.25rem) !important; }}
  {CARD_ROW} [data-testid="stMetricValue"] {{ font-size: 1.5rem; }}
  {CARD_ROW} [data-testid="stMetricValue"] * {{ white-space: normal !important; overflow: visible !important; }}
}}
{print_css()}
</style>"""


HELP_LABEL = "说明"  # a help icon's name for screen readers, for Streamlit's English "Help for …"


def button_label_script() -> str:
    """Names every uploader button 选择文件 and every help icon 说明：(its widget's label) for assistive technology,
    now and whenever Streamlit draws one.

    The script's text must not hold a "<" before a letter or "/" (not even in a comment): the sanitiser Streamlit
    passes ``st.html`` through drops such a script whole, and silently."""
    return f"""<style>[data-testid=stElementContainer]:has(> [data-testid=stHtml] .kanban-labels) {{ display: none; }}
</style><span class="kanban-labels"></span><script>
(() => {{
  if (window.kanbanLabels) return;  // once per page load: Streamlit keeps this element across reruns
  window.kanbanLabels = true;
  const label = () => {{
    document.querySelectorAll(
      '[data-testid="stFileUploaderDropzone"] button:not([aria-label])'
    ).forEach(button => button.setAttribute("aria-label", "{UPLOAD_BUTTON}"));
    // Streamlit names a widget's help icon "Help for " and the label: the same words in Chinese.
    document.querySelectorAll('[aria-label^="Help"]').forEach(icon => {{
      const name = icon.getAttribute("aria-label");
      if (name === "Help") icon.setAttribute("aria-label", "{HELP_LABEL}");
      else if (name.startsWith("Help for ")) icon.setAttribute("aria-label", "{HELP_LABEL}：" + name.slice(9));
    }});
  }};
  new MutationObserver(label).observe(document.body, {{ childList: true, subtree: true }});
  label();
}})();
</script>"""


# The width of an A4 landscape page within print_css's 12 mm margins, in CSS pixels (273 mm is 1032), less a little.
PRINT_PAGE_WIDTH = 1000


def print_fit_script() -> str:
    """Shrinks the charts to the paper's width while the browser prints, and back after.

    Plotly draws a chart at the pixel width of the screen; the print layout has no time to redraw it, so a chart
    drawn for a wide screen would be cut at the page's edge. Each chart shrinks to the share of the paper its place
    on the page has (charts side by side keep their share); a chart drawn A4-wide (the print view, ``?print=1``)
    already fits and stays as it is.
    """
    return f"""<script>
(() => {{
  if (window.kanbanPrintFit) return;  // once per page load
  window.kanbanPrintFit = true;
  const charts = () => document.querySelectorAll('[data-testid="stPlotlyChart"]');
  addEventListener("beforeprint", () => {{
    const main = document.querySelector('[data-testid="stMainBlockContainer"]');
    if (!main) return;
    const style = getComputedStyle(main);
    const page = main.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    charts().forEach(chart => {{
      const drawn = parseFloat(chart.querySelector(".main-svg")?.getAttribute("width") || "0");
      const place = chart.closest('[data-testid="stVerticalBlock"]') || main;  // the column it stands in, or the page
      const room = place.getBoundingClientRect().width / page * {PRINT_PAGE_WIDTH};
      if (drawn > room) chart.style.zoom = String(room / drawn);
    }});
  }});
  addEventListener("afterprint", () => charts().forEach(chart => {{ chart.style.zoom = ""; }}));
}})();
</script>"""


def apply() -> None:
    """Place the CSS, the uploader's label script and the charts' print fit; none takes space on the page."""
    st.html(css())
    st.html(button_label_script() + print_fit_script(), unsafe_allow_javascript=True)
