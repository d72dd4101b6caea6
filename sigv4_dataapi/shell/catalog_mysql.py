"""The same catalog questions for MySQL/MariaDB, through ``information_schema``.

MySQL has no schemas inside a database: ``\\dn`` lists databases, and an
unqualified pattern looks in the current database (``DATABASE()``). Aliases
use backticks: double quotes are strings unless ANSI_QUOTES is set.
"""

from __future__ import annotations

from sigv4_dataapi.shell.patterns import NamePattern, like_condition, literal

ENGINE = "mysql"
FOLD_NAMES = False

KINDS = {
    "tables": ("BASE TABLE",),
    "views": ("VIEW", "SYSTEM VIEW"),
    "relations": ("BASE TABLE", "VIEW", "SEQUENCE"),
}


def _like(column: str, pattern: str | None) -> str:
    return like_condition(column, pattern, mysql=True)


def _schema(column: str, pattern: NamePattern) -> str:
    if pattern.schema is None:
        return f"{column} = DATABASE()"
    return f"true{_like(column, pattern.schema)}"


def databases() -> str:
    return (
        "SELECT schema_name AS `Name`, default_character_set_name AS `Encoding`, "
        "default_collation_name AS `Collation` FROM information_schema.schemata ORDER BY 1"
    )


def schemas(pattern: NamePattern) -> str:
    return (
        "SELECT schema_name AS `Name` FROM information_schema.schemata "
        f"WHERE true{_like('schema_name', pattern.name)} ORDER BY 1"
    )


def relations(kind: str, pattern: NamePattern) -> str:
    if kind == "indexes":
        return _indexes(pattern)
    types = ", ".join(literal(t, mysql=True) for t in KINDS[kind])
    return (
        "SELECT table_schema AS `Schema`, table_name AS `Name`, "
        "CASE table_type WHEN 'BASE TABLE' THEN 'table' WHEN 'VIEW' THEN 'view' "
        "ELSE LOWER(table_type) END AS `Type`, engine AS `Engine` "
        f"FROM information_schema.tables WHERE table_type IN ({types}) "
        f"AND {_schema('table_schema', pattern)}{_like('table_name', pattern.name)} "
        "ORDER BY 1, 2"
    )


def _indexes(pattern: NamePattern) -> str:
    return (
        "SELECT table_schema AS `Schema`, index_name AS `Name`, 'index' AS `Type`, "
        "table_name AS `Table` FROM information_schema.statistics "
        f"WHERE {_schema('table_schema', pattern)}{_like('index_name', pattern.name)} "
        "GROUP BY table_schema, index_name, table_name ORDER BY 1, 2"
    )


def find_relation(pattern: NamePattern) -> str:
    """Schema and name of what ``\\d NAME`` describes (no oid in MySQL: the pair is the key)."""
    return (
        "SELECT 0, table_schema, table_name, CASE table_type WHEN 'BASE TABLE' THEN 'table' "
        "WHEN 'VIEW' THEN 'view' ELSE LOWER(table_type) END "
        "FROM information_schema.tables "
        f"WHERE {_schema('table_schema', pattern)}{_like('table_name', pattern.name)} "
        "ORDER BY 2, 3"
    )


def _where(schema: str, name: str) -> str:
    return (
        f"table_schema = {literal(schema, mysql=True)} AND table_name = {literal(name, mysql=True)}"
    )


def columns(schema: str, name: str) -> str:
    return (
        "SELECT column_name AS `Column`, column_type AS `Type`, "
        "CASE WHEN is_nullable = 'NO' THEN 'not null' ELSE '' END AS `Nullable`, "
        "TRIM(CONCAT(CASE WHEN column_default IS NULL OR column_default = 'NULL' THEN '' "
        "ELSE column_default END, ' ', extra)) AS `Default` "  # MariaDB says 'NULL' for none
        f"FROM information_schema.columns WHERE {_where(schema, name)} ORDER BY ordinal_position"
    )


def indexes(schema: str, name: str) -> str:
    """One line per index, in psql's ``Indexes:`` wording."""
    return (
        "SELECT CONCAT('\"', index_name, '\" ', CASE WHEN index_name = 'PRIMARY' "
        "THEN 'PRIMARY KEY, ' WHEN MAX(non_unique) = 0 THEN 'UNIQUE, ' ELSE '' END, "
        "LOWER(MAX(index_type)), ' (', "
        "GROUP_CONCAT(column_name ORDER BY seq_in_index SEPARATOR ', '), ')') "
        f"FROM information_schema.statistics WHERE {_where(schema, name)} "
        "GROUP BY index_name ORDER BY index_name = 'PRIMARY' DESC, index_name"
    )


def foreign_keys(schema: str, name: str) -> str:
    return (
        "SELECT CONCAT('\"', constraint_name, '\" FOREIGN KEY (', "
        "GROUP_CONCAT(column_name ORDER BY ordinal_position SEPARATOR ', '), ') REFERENCES ', "
        "MAX(referenced_table_name), '(', GROUP_CONCAT(referenced_column_name "
        "ORDER BY ordinal_position SEPARATOR ', '), ')') "
        f"FROM information_schema.key_column_usage WHERE {_where(schema, name)} "
        "AND referenced_table_name IS NOT NULL GROUP BY constraint_name ORDER BY 1"
    )


def referenced_by(schema: str, name: str) -> str:
    return (
        "SELECT CONCAT('TABLE \"', table_name, '\" CONSTRAINT \"', constraint_name, "
        "'\" FOREIGN KEY (', GROUP_CONCAT(column_name ORDER BY ordinal_position SEPARATOR ', '), "
        "')') FROM information_schema.key_column_usage "
        f"WHERE referenced_table_schema = {literal(schema, mysql=True)} "
        f"AND referenced_table_name = {literal(name, mysql=True)} "
        "GROUP BY table_name, constraint_name ORDER BY 1"
    )


def completion_names() -> str:
    return (
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = DATABASE()"
    )


def current_database() -> str:
    return "SELECT DATABASE()"


def quote_literal(text: str) -> str:
    return literal(text, mysql=True)
