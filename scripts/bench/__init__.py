"""Benchmarks of what people wait for; run ``make bench`` (full) or ``make bench-smoke``. See benchmarks/README.md.

- ``workbooks``: the generated workbooks (cached by shape and seed) and the 500-row upload;
- ``inprocess``: one in-process repetition, in a fresh interpreter;
- ``browser``: the pages in headless Chromium against ``streamlit run``;
- ``report``: the table, targets, growth curve, results.json and the README section;
- ``__main__``: the command line.
"""
