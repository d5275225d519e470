"""The command line's commands, one module per command or family of commands (``python -m lib <command>``).

Each command module has ``register(subparsers)``, which adds its commands, their options and help texts;
``lib/__main__.py`` builds the parser from them and runs the chosen handler. Two modules are shared rather
than commands: ``options``, how every command names a workbook (``--plan`` / ``--workbook``) and the person
acting (``--user``), so they read the same everywhere; and ``output``, which makes everything printed safe
for a terminal.
"""
