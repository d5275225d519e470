"""The documents the app produces, one module per kind.

``pptx`` (the review as slides), ``xlsx`` (the review as a summary workbook), ``report_docx`` (the review as a
Word report), all three from the same ``lib.review.Review``; ``gongwen`` holds the 公文 rules any Word document
here is typed by (the report, and the 催报 / 催办 notices of ``lib.remind`` and ``lib.supervision.urge``).
"""

from __future__ import annotations

from lib.schema import LIGHT_LABELS

# The slides' and the workbook's 预警 cells hold a light's label, and are coloured by the light it names.
LIGHT_OF_LABEL = {label: light for light, label in LIGHT_LABELS.items()}
