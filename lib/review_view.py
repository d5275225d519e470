"""HTML fragments of the review slides for the 季度汇报 page (pure; no Streamlit).

Every piece of text goes through ``escape.for_html`` here: the page passes these
fragments to ``st.markdown(unsafe_allow_html=True)``, and a cell typed by a
colleague must never become markup. ``for_html`` also folds line breaks into
spaces, because a blank line would end the HTML block and hand the rest of
the slide to the Markdown parser. ``CSS`` is static.

Type scale: ``--u`` is 28 px on a 1920×1080 screen and shrinks with the
viewport (``min(1.4583vw, 2.5926vh)``), so a slide looks the same, and fits, on a
1024×768 projector (there ``--u`` is 28 × 1024/1920 ≈ 14.9 px).
"""

from __future__ import annotations

from lib import palette
from lib.dates import chinese_date
from lib.escape import for_html
from lib.review import COVER, Slide
from lib.schema import LIGHT_LABELS

SCALE = "min(1.4583vw, 2.5926vh)"  # 28 px at 1920×1080
# The charts' labels have a fixed size (plotly draws in pixels, charts.REVIEW_VALUE_SIZE = 24 px): on a small
# projector the title, which shrinks with the screen, would fall below them. It stays the largest text.
TITLE_FLOOR = "32px"
# Below this the chart stops shrinking and the page scrolls instead (a window far smaller than a projector).
CHART_FLOOR = "240px"
_CHART = ".st-key-rv_slide_box .stPlotlyChart"



_LIGHT_CLASSES = {light: f"rv-light-{i}" for i, light in enumerate(LIGHT_LABELS)}

CSS = (
    """
<style>
:root { --u: """ + SCALE + """; }
header[data-testid="stHeader"] { background: transparent; height: 0; }
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
footer { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 1.2vh 2.5vw 0 2.5vw !important; max-width: 100% !important; }
[data-testid="stMain"] { background: #ffffff; }
.st-key-rv_slide_box { margin-bottom: 1vh; }
/* A chart slide fills the screen: the page is a column at least the viewport tall, every block around the
   slide grows, and the chart takes the height left under the title and above the controls. st.plotly_chart
   (height="stretch") measures its box and redraws at that size, on resize and full screen too. */
[data-testid="stMainBlockContainer"]:has(""" + _CHART + """) { min-height: 100dvh; display: flex;
  flex-direction: column; padding-bottom: 1vh !important; }
:is([data-testid="stVerticalBlock"], [data-testid="stLayoutWrapper"]):has(""" + _CHART + """),
.st-key-rv_slide_box:has(.stPlotlyChart) { flex: 1 1 0; min-height: auto; }
.st-key-rv_slide_box [data-testid="stElementContainer"]:has(.stPlotlyChart) { flex: 1 1 0; min-height: """ + CHART_FLOOR + """; }
.rv-slide { color: #111111; line-height: 1.35; font-size: var(--u); }
.rv-title { font-size: max(calc(var(--u) * 1.6), """ + TITLE_FLOOR + """); font-weight: 700; margin: 0; line-height: 1.25; }
.rv-head { display: flex; justify-content: space-between; align-items: baseline; gap: 1em;
           border-bottom: 0.12em solid """ + palette.BLUE + """; padding-bottom: 0.2em; margin-bottom: 0.3em; }
.rv-asof { font-size: var(--u); font-weight: 700; white-space: nowrap; }
.rv-note { font-size: var(--u); color: #333333; margin: 0 0 0.3em 0; }
.rv-kpis { display: grid; grid-template-columns: repeat(4, 1fr); gap: 0.6em; margin: 0.2em 0 0.5em 0; }
.rv-kpi { border: 2px solid #8a96a8; background: #f2f5f9; padding: 0.25em 0.5em; text-align: center; }
.rv-kpi-label, .rv-kpi-note { font-size: var(--u); color: #333333; }
.rv-kpi-value { font-size: calc(var(--u) * 1.6); font-weight: 700; }
.rv-item { margin: 0 0 0.45em 0; }
.rv-item-head { font-weight: 700; }
.rv-line-label { font-weight: 700; color: #333333; }
.rv-light { display: inline-block; padding: 0 0.3em; margin-right: 0.4em; font-weight: 700; color: #000000;
            border: 2px solid #000000; }
.rv-cover { text-align: center; padding-top: 4vh; }
.rv-cover-title { font-size: calc(var(--u) * 1.8); font-weight: 700; line-height: 1.3; margin: 0 5vw; }
.rv-cover-sub { font-size: calc(var(--u) * 1.2); color: #333333; margin-top: 0.6em; }
.rv-big { font-size: calc(var(--u) * 5); font-weight: 800; color: """ + palette.PROGRESS_COLOR + """; line-height: 1.15; margin-top: 0.4em; }
.rv-big-note { font-size: calc(var(--u) * 1.2); }
.rv-cover-asof { font-size: calc(var(--u) * 1.2); font-weight: 700; margin-top: 1em; }
.rv-sample { font-size: var(--u); color: #444444; margin-top: 0.4em; }
"""
    + "".join(f".{cls} {{ background: {palette.LIGHT_COLORS[light]}; }}\n" for light, cls in _LIGHT_CLASSES.items())
    + "</style>"
)


def light_badge(light: str) -> str:
    """The light as a coloured label that also says its name."""
    return f'<span class="rv-light {_LIGHT_CLASSES[light]}">{for_html(LIGHT_LABELS[light])}</span>'


def slide_html(slide: Slide, counter: str = "") -> str:
    """The slide's text (everything but the chart) as one escaped HTML block; ``counter`` e.g. ``3 / 9``."""
    if slide.kind == COVER:
        parts = [
            f'<div class="rv-cover-title">{for_html(slide.title)}</div>',
            f'<div class="rv-cover-sub">{for_html(slide.note)}</div>',
            f'<div class="rv-big">{for_html(slide.big_number)}</div>',
            f'<div class="rv-big-note">{for_html(slide.big_note)}</div>',
            f'<div class="rv-cover-asof">数据截至 {chinese_date(slide.as_of)}</div>',
        ]
        if counter:
            parts.append(f'<div class="rv-sample">{for_html(counter)}</div>')
        return f'<div class="rv-slide rv-cover">{"".join(parts)}</div>'
    parts = [
        '<div class="rv-head">',
        f'<div class="rv-title">{for_html(slide.heading)}</div>',
        f'<div class="rv-asof">数据截至 {chinese_date(slide.as_of)}　{for_html(counter)}</div>',
        "</div>",
    ]
    if slide.note:
        parts.append(f'<div class="rv-note">{for_html(slide.note)}</div>')
    if slide.kpis:
        cards = "".join(
            f'<div class="rv-kpi"><div class="rv-kpi-label">{for_html(k.label)}</div>'
            f'<div class="rv-kpi-value">{for_html(k.value)}</div>'
            + (f'<div class="rv-kpi-note">{for_html(k.note)}</div>' if k.note else "")
            + "</div>"
            for k in slide.kpis
        )
        parts.append(f'<div class="rv-kpis">{cards}</div>')
    for item in slide.items:
        lines = "".join(
            f'<div><span class="rv-line-label">{for_html(label)}：</span>{for_html(text)}</div>'
            for label, text in item.lines
        )
        badge = light_badge(item.light) if item.light else ""
        parts.append(f'<div class="rv-item"><div class="rv-item-head">{badge}{for_html(item.heading)}</div>{lines}</div>')
    return f'<div class="rv-slide">{"".join(parts)}</div>'


# The browser's own full screen, from a button: the page and its slide fill the projector, with no address bar.
# A script in the page (st.html runs it without an iframe, where full screen would cover only the frame).
FULLSCREEN_BUTTON = """<button type="button" class="rv-fullscreen" aria-label="全屏">全屏</button>
<style>
.rv-fullscreen { font: inherit; font-size: 0.875rem; padding: 0.25rem 0.75rem; min-height: 2.5rem; cursor: pointer;
  border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; background: #ffffff; color: #111111; }
.rv-fullscreen:hover { border-color: #1f5fa8; color: #1f5fa8; }
</style>
<script>
(() => {
  const sync = () => document.querySelectorAll(".rv-fullscreen").forEach(button => {
    button.textContent = document.fullscreenElement ? "退出全屏" : "全屏";
  });
  if (!window.kanbanFullscreen) {  // once per page load: the listeners outlive Streamlit's reruns
    window.kanbanFullscreen = true;
    document.addEventListener("click", event => {
      if (!event.target.closest(".rv-fullscreen")) return;
      if (document.fullscreenElement) document.exitFullscreen();
      else document.documentElement.requestFullscreen();
    });
    document.addEventListener("fullscreenchange", sync);
  }
  sync();
})();
</script>"""
