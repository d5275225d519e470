"""The command line's commands, one module per command or family of commands (``python -m lib <command>``).

Each command module has ``register(subparsers)``, which adds its commands, their options and help texts;
``lib/__main__.py`` builds the parser from them and runs the chosen handler. ``options`` holds what every
command shares: how a workbook is named (``--plan`` / ``--workbook``) and who acts (``--user``).
"""
