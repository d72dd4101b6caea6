"""``sigv4-dataapi shell``: an interactive SQL shell over the Data API, psql's habits.

Built on :mod:`sigv4_dataapi.dbapi`; standard library only (readline when
present). The modules, in data-flow order: ``statements`` (the buffer, on the
shared ``_sqltext`` lexer), ``loop`` (interactive and batch), ``special`` and
``meta_*`` (backslash commands), ``catalog_pg``/``catalog_mysql`` (describe and
list queries), ``execute`` (one statement, streamed), ``format``/``cells``
(table, expanded, CSV, JSON), ``pager``, ``history``, ``completion``,
``prompt``, ``errors``; ``main.run_shell`` ties them together.
"""

from __future__ import annotations

from sigv4_dataapi.shell.answer import Answer
from sigv4_dataapi.shell.main import ShellOptions, run_shell

__all__ = ["Answer", "ShellOptions", "run_shell"]
