"""``\\l \\dn \\dt \\dv \\di \\d``: list and describe, by the engine's catalog queries.

Each handler returns an :class:`~sigv4_dataapi.shell.answer.Answer` with psql's
titles ("List of relations", ``Table "public.t"``); ``\\d NAME`` puts the
indexes and foreign keys under the column table, as psql does.
"""

from __future__ import annotations

from typing import Any

from sigv4_dataapi.shell.answer import Answer, status_only
from sigv4_dataapi.shell.patterns import NamePattern, parse_pattern
from sigv4_dataapi.shell.session import Session


def _pattern(session: Session, arg: str) -> NamePattern:
    return parse_pattern(arg, fold=session.catalog.FOLD_NAMES)


def _listing(session: Session, sql: str, title: str, empty: str) -> Answer:
    headers, rows = session.query(sql)
    if not rows:
        return status_only(empty)
    return Answer(title, rows, headers, None)


def list_databases(session: Session, arg: str) -> Answer:
    return _listing(
        session, session.catalog.databases(), "List of databases", "Did not find any databases."
    )


def list_schemas(session: Session, arg: str) -> Answer:
    sql = session.catalog.schemas(_pattern(session, arg))
    return _listing(session, sql, "List of schemas", "Did not find any schemas.")


def _relations(session: Session, arg: str, kind: str, what: str) -> Answer:
    pattern = _pattern(session, arg)
    sql = session.catalog.relations(kind, pattern)
    empty = (
        f'Did not find any {what} named "{arg.strip()}".'
        if arg.strip()
        else f"Did not find any {what}."
    )
    return _listing(session, sql, "List of relations", empty)


def list_tables(session: Session, arg: str) -> Answer:
    return _relations(session, arg, "tables", "tables")


def list_views(session: Session, arg: str) -> Answer:
    return _relations(session, arg, "views", "views")


def list_indexes(session: Session, arg: str) -> Answer:
    return _relations(session, arg, "indexes", "indexes")


def describe(session: Session, arg: str) -> Answer:
    """``\\d`` lists every relation; ``\\d NAME`` describes the first one matching NAME."""
    if not arg.strip():
        return _relations(session, arg, "relations", "relations")
    _, found = session.query(session.catalog.find_relation(_pattern(session, arg)))
    if not found:
        return status_only(f'Did not find any relation named "{arg.strip()}".')
    oid, schema, name, kind = found[0]
    key: tuple[Any, ...] = (schema, name) if session.dialect == "mysql" else (oid,)
    headers, rows = session.query(session.catalog.columns(*key))
    footer = _footer(session, key)
    if len(found) > 1:
        others = ", ".join(f"{r[1]}.{r[2]}" for r in found[1:])
        footer.append(f"(also matching: {others})")
    title = f'{str(kind).capitalize()} "{schema}.{name}"'
    return Answer(title, rows, headers, "\n".join(footer) or None)


def _footer(session: Session, key: tuple[Any, ...]) -> list[str]:
    lines: list[str] = []
    sections = (
        ("Indexes:", session.catalog.indexes),
        ("Foreign-key constraints:", session.catalog.foreign_keys),
        ("Referenced by:", session.catalog.referenced_by),
    )
    for label, query in sections:
        _, rows = session.query(query(*key))
        if rows:
            lines.append(label)
            lines.extend(f"    {row[0]}" for row in rows)
    return lines
