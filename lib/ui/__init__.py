"""The Streamlit adapters, the only part of ``lib`` that imports Streamlit.

Pages import the modules, not names from them: ``from lib.ui import board, login, change``.

- ``board``: the cached workbook loader, the data-source banners and the board pages' shared sidebar;
- ``login``: accounts in the session, the login form and the login gate;
- ``change``: the preview of a change before it is saved;
- ``intake``: a notice parsed with its steps shown, and the editors that correct the plan read from it;
- ``chrome``: CSS that says in Chinese, or hides, what Streamlit draws in English;
- ``errors``: the page boundary, where an exception becomes a logged error id and a message in Chinese.
"""
