"""Every colour of the app (plotly, CSS, pptx, xlsx): the Okabe–Ito palette, by name.

Okabe–Ito reads for colour-blind viewers; lights always carry a text label as well.
"""

from __future__ import annotations

from lib import schema

BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
PINK = "#CC79A7"
SKY = "#56B4E9"
VERMILION = "#D55E00"
YELLOW = "#F0E442"
GREY = "#999999"
BLACK = "#000000"
GRID_COLOR = "#E5E5E5"
PROGRESS_COLOR = BLUE  # the one sequential colour of progress bars
RATE_COLOR = GREEN  # reporting rates
GHOST_COLOR = "rgba(0, 114, 178, 0.22)"  # BLUE, faint: last period's value behind the bar
EXPECTED_COLOR = BLACK
LIGHT_COLORS = {
    schema.LIGHT_RED: VERMILION,
    schema.LIGHT_YELLOW: ORANGE,
    schema.LIGHT_BLUE: SKY,
    schema.LIGHT_GREEN: GREEN,
    schema.LIGHT_DONE: GREY,
}
LINE_COLORS = [BLUE, ORANGE, GREEN, PINK, SKY, VERMILION, YELLOW, GREY]
PROGRESS_SCALE = [[0.0, "#F0F6FB"], [1.0, "#08457A"]]  # sequential, light → dark blue

# The projector: last period paler than this period's progress blue (opaque: a washed-out
# projector loses transparency); the reporting rate in the board's green.
REVIEW_TEXT_COLOR = "#111111"
REVIEW_PREVIOUS_COLOR = "#8DB6DB"  # BLUE, lightened
REVIEW_ROLE_COLORS = {"previous": REVIEW_PREVIOUS_COLOR, "current": PROGRESS_COLOR, "rate": RATE_COLOR,
                      "count": PROGRESS_COLOR}
REVIEW_GRID_COLOR = "#D0D0D0"  # darker than the board's: a projector washes light grey out
