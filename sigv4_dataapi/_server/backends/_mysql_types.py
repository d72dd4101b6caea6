"""MySQL values and column metadata as Connector/J (and so the service) sees them.

Temporal values come back as the server's text with the fraction's trailing
zeros trimmed, ``BIT(1)`` as a boolean, DECIMAL-hinted text binds as an
exact number. Column metadata carries Connector/J's upper-case type names,
JDBC codes and its precision rules (characters, not bytes).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sigv4_dataapi._server.backends.base import Column, Param, StatementResult, Value

__all__ = ["decoders", "parameter", "statement_result", "trim_fraction"]

# MySQL field types (pymysql.constants.FIELD_TYPE) → Connector/J name and JDBC code.
# YEAR reads as a number, so it is SMALLINT (Connector/J's yearIsDateType=false view).
_BIT = 16
_TINYINT = 1
_BINARY_CHARSET = 63
_NOT_NULL, _UNSIGNED, _AUTO_INCREMENT, _ENUM, _SET = 1, 32, 512, 256, 2048
_TYPES = {
    0: ("DECIMAL", 3), 246: ("DECIMAL", 3), 1: ("TINYINT", -6), 2: ("SMALLINT", 5),
    9: ("MEDIUMINT", 4), 3: ("INT", 4), 8: ("BIGINT", -5), 4: ("FLOAT", 7),
    5: ("DOUBLE", 8), 6: ("NULL", 0), 7: ("TIMESTAMP", 93), 12: ("DATETIME", 93),
    10: ("DATE", 91), 14: ("DATE", 91), 11: ("TIME", 92), 13: ("YEAR", 5),
    16: ("BIT", -7), 245: ("JSON", -1), 247: ("ENUM", 1), 248: ("SET", 1),
    255: ("GEOMETRY", -2),
}  # fmt: skip
_NUMERIC = frozenset({0, 246, 1, 2, 9, 3, 8, 4, 5})
_BLOBS = frozenset({249, 250, 251, 252})
_MAX_BYTES_PER_CHAR = {"utf8mb4": 4, "utf8mb3": 3, "utf8": 3, "ucs2": 2, "utf16": 4, "utf32": 4}


def trim_fraction(text: str) -> str:
    """``03:04:05.120000`` → ``03:04:05.12``; ``.000000`` goes entirely (as the service)."""
    if "." not in text:
        return text
    return text.rstrip("0").rstrip(".")


def decoders(pymysql: Any) -> dict[Any, Any]:
    """PyMySQL's converters, with temporal types kept as the server's text."""
    from pymysql.constants import FIELD_TYPE

    conv: dict[Any, Any] = dict(pymysql.converters.conversions)  # encoders and decoders
    for code in (FIELD_TYPE.DATETIME, FIELD_TYPE.TIMESTAMP, FIELD_TYPE.TIME):
        conv[code] = trim_fraction
    conv[FIELD_TYPE.DATE] = str
    conv[FIELD_TYPE.NEWDATE] = str
    return conv


def parameter(param: Param) -> Any:
    """DECIMAL-hinted text binds as an exact number; other hints as the text itself.

    MySQL converts a quoted date/time/JSON/UUID string to the column's type on
    its own, which is what Connector/J's string parameters rely on as well.
    """
    value = param.value
    if param.type_hint == "DECIMAL" and isinstance(value, str):
        try:
            number = Decimal(value)
        except InvalidOperation:
            return value
        return number if number.is_finite() else value
    return value


def statement_result(cur: Any) -> StatementResult:
    """Rows and metadata, or the update count and last insert id (generatedFields)."""
    if cur.description is None:
        generated: list[Value] = [cur.lastrowid] if cur.lastrowid else []
        return StatementResult(columns=None, rows_updated=max(cur.rowcount, 0), generated=generated)
    fields = cur._result.fields  # PyMySQL keeps the full descriptors only here
    rows = [list(row) for row in cur.fetchall()]
    bits = [i for i, f in enumerate(fields) if _is_boolean(f)]
    for row in rows:
        for index in bits:
            if isinstance(row[index], bytes):
                row[index] = row[index] != b"\x00"
            elif isinstance(row[index], int):
                row[index] = row[index] != 0
    return StatementResult(columns=[_column(f) for f in fields], rows=rows)


def _is_boolean(field: Any) -> bool:
    """``BIT(1)``, and ``TINYINT(1)`` (``BOOLEAN``): Connector/J's default
    ``tinyInt1isBit=true`` reads it as BIT, so the service answers ``booleanValue`` (F9)."""
    return field.type_code in (_BIT, _TINYINT) and field.length == 1


def _column(field: Any) -> Column:
    type_name, jdbc = _type_of(field)
    numeric = field.type_code in _NUMERIC and not _is_boolean(field)
    per_char, case_sensitive = (1, False) if numeric else _charset(field)
    precision, scale = field.length, field.scale
    if field.type_code in (0, 246):
        precision -= (0 if field.flags & _UNSIGNED else 1) + (1 if scale else 0)
    elif jdbc in (1, 12, -1) and per_char > 1:
        precision //= per_char
    return Column(
        name=field.org_name or field.name,
        label=field.name,
        type=jdbc,
        type_name=type_name,
        precision=precision,
        scale=scale if scale < 31 else 0,  # 31/39: "not fixed" float decimals
        nullable=0 if field.flags & _NOT_NULL else 1,
        is_signed=numeric and not field.flags & _UNSIGNED,
        is_auto_increment=bool(field.flags & _AUTO_INCREMENT),
        is_case_sensitive=case_sensitive and jdbc not in (91, 92, 93),
        is_currency=False,
        schema_name="",  # Connector/J reports the database as catalog, not schema
        table_name=field.org_table or field.table_name,
        array_base_column_type=0,
    )


def _type_of(field: Any) -> tuple[str, int]:
    """Connector/J's type name and JDBC code for a field descriptor."""
    code, binary = field.type_code, field.charsetnr == _BINARY_CHARSET
    if field.flags & _ENUM:
        return "ENUM", 1
    if field.flags & _SET:
        return "SET", 1
    if code == _TINYINT and field.length == 1:
        return "BIT", -7
    if code in _BLOBS:
        length = field.length if binary else field.length // _charset(field)[0]
        return _blob_name(length, binary), (-4 if binary else -1)
    if code in (15, 253):
        return ("VARBINARY", -3) if binary else ("VARCHAR", 12)
    if code == 254:
        return ("BINARY", -2) if binary else ("CHAR", 1)
    name, jdbc = _TYPES.get(code, ("UNKNOWN", 1111))
    if code in _NUMERIC and field.flags & _UNSIGNED:
        name += " UNSIGNED"
    return name, jdbc


def _blob_name(length: int, binary: bool) -> str:
    size = "TINY" if length <= 255 else "" if length <= 65535 else (
        "MEDIUM" if length <= 16777215 else "LONG")  # fmt: skip
    return size + ("BLOB" if binary else "TEXT")


def _charset(field: Any) -> tuple[int, bool]:
    """Bytes per character and case sensitivity of a field's collation.

    The server reports the *result* collation (the connection's), not the
    column's, so a ``_bin`` column still reads as case-insensitive: Connector/J
    sees the same.
    """
    if field.charsetnr == _BINARY_CHARSET:
        return 1, True
    from pymysql.charset import charset_by_id

    try:
        charset = charset_by_id(field.charsetnr)
    except KeyError:  # a collation PyMySQL does not list (MariaDB's uca1400_*)
        return 4, False
    per_char = _MAX_BYTES_PER_CHAR.get(charset.name, 1)
    return per_char, not charset.collation.endswith("_ci")
