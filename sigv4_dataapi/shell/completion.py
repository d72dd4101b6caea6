"""Tab completion: SQL keywords, meta-commands, table and column names.

Names are fetched lazily: the first Tab that could use them runs one catalog
query, and they are fetched again only after DDL (``session.names_stale``).
The readline glue is separate from :meth:`Completer.candidates` so the choice
of words is testable without a terminal.
"""

from __future__ import annotations

from collections.abc import Callable

KEYWORDS = tuple(
    """
ABORT ALTER AND ANALYZE AS ASC BEGIN BETWEEN BY CASCADE CASE CAST COLUMN COMMIT
CONSTRAINT CREATE CROSS DATABASE DEFAULT DELETE DESC DISTINCT DROP ELSE END EXISTS
EXPLAIN FALSE FOREIGN FROM FULL GROUP HAVING IF IN INDEX INNER INSERT INTO IS JOIN KEY
LEFT LIKE LIMIT NOT NULL OFFSET ON OR ORDER OUTER PRIMARY REFERENCES RETURNING RIGHT
ROLLBACK SCHEMA SELECT SET SHOW TABLE THEN TRANSACTION TRUE TRUNCATE UNION UNIQUE UPDATE
USING VALUES VIEW WHEN WHERE WITH
""".split()  # noqa: SIM905
)

NamesLoader = Callable[[], list[tuple[str, str | None]]]


class Completer:
    """Candidates for the word being typed; ``load_names`` runs the catalog query."""

    def __init__(self, meta_names: list[str], load_names: NamesLoader) -> None:
        self.meta_names = meta_names
        self.load_names = load_names
        self.tables: set[str] = set()
        self.columns: set[str] = set()
        self.loaded = False
        self._matches: list[str] = []

    def refresh(self) -> None:
        """Fetch the names again at the next Tab (after DDL, ``\\c``)."""
        self.loaded = False

    def _names(self) -> None:
        if self.loaded:
            return
        self.loaded = True
        tables, columns = set(), set()
        for table, column in self.load_names():
            tables.add(table)
            if column:
                columns.add(column)
        self.tables, self.columns = tables, columns

    def candidates(self, line: str, word: str) -> list[str]:
        """Completions of ``word``, the end of ``line`` typed so far."""
        if line.lstrip().startswith("\\") and line.lstrip() == word:
            return [n for n in self.meta_names if n.startswith(word)]
        if word.startswith("\\"):
            return [n for n in self.meta_names if n.startswith(word)]
        self._names()
        lower = word.lower()
        names = sorted(n for n in self.tables | self.columns if n.lower().startswith(lower))
        keywords = [k for k in KEYWORDS if k.lower().startswith(lower)]
        if word and word == word.lower():
            keywords = [k.lower() for k in keywords]
        return names + keywords

    def readline_hook(self, get_line: Callable[[], str]) -> Callable[[str, int], str | None]:
        """The ``readline.set_completer`` function."""

        def complete(text: str, state: int) -> str | None:
            if state == 0:
                self._matches = self.candidates(get_line(), text)
            return self._matches[state] if state < len(self._matches) else None

        return complete
