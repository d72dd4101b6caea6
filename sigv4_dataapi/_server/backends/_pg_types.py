"""PostgreSQL types as pgjdbc (and so the service) sees them: OIDs, JDBC codes, adapters.

Parameters: pgjdbc binds a plain string as ``varchar`` (which is why the
service needs type hints for uuid/json/date columns) and an integer as
``int8``; a hinted string carries the hinted type's OID so that PostgreSQL
itself parses and checks it. Results: the types the service sends as
``stringValue`` load as text, timestamptz (the session runs in UTC) without
its offset, ``bit(1)`` as a boolean.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from sigv4_dataapi._server.backends.base import Param

__all__ = ["ARRAY", "OTHER", "PgType", "TypeRegistry"]

ARRAY = 2003  # java.sql.Types.ARRAY
OTHER = 1111  # java.sql.Types.OTHER

# pgjdbc's JDBC type code per supported PostgreSQL type (TypeInfoCache).
_JDBC_CODES = {
    "bool": -7, "int2": 5, "int4": 4, "int8": -5, "oid": -5,
    "float4": 7, "float8": 8, "numeric": 2,
    "bpchar": 1, "varchar": 12, "text": 12, "name": 12, "bytea": -2,
    "date": 91, "time": 92, "timetz": 92, "timestamp": 93, "timestamptz": 93,
    "interval": 1111, "uuid": 1111, "json": 1111, "jsonb": 1111, "xml": 2009,
    "inet": 1111, "cidr": 1111, "macaddr": 1111, "macaddr8": 1111,
    "bit": -7, "varbit": 1111,
}  # fmt: skip
_NO_ARRAYS = frozenset({"uuid", "bytea"})  # F9: no UUID arrays; ArrayValue has no blobs
_REFUSED = frozenset({"interval", "xml"})  # F17b: UnsupportedResultException (::text works)
_TEXT_LOADED = (
    "uuid", "json", "jsonb", "date", "time", "timetz", "timestamp", "interval",
    "inet", "cidr", "macaddr", "macaddr8", "xml", "varbit",
)  # fmt: skip
_HINT_TYPES = {
    "JSON": "json", "UUID": "uuid", "TIMESTAMP": "timestamp",
    "DATE": "date", "TIME": "time", "DECIMAL": "numeric",
}  # fmt: skip


@dataclass(frozen=True)
class PgType:
    """What this backend knows about one result type OID."""

    name: str  # pg_type.typname: int4, _int4, an enum's name
    jdbc: int
    element: PgType | None = None  # set for arrays
    supported: bool = True  # False: the service cannot put it in a Field (F9)


class TypeRegistry:
    """OID → PgType, the parameter dumpers and the result loaders (per backend)."""

    def __init__(self, psycopg: Any) -> None:
        self.by_oid: dict[int, PgType] = {}
        for name, jdbc in _JDBC_CODES.items():
            info = psycopg.postgres.types.get(name)
            scalar = PgType(name, jdbc, supported=name not in _REFUSED)
            self.by_oid[info.oid] = scalar
            self.by_oid[info.array_oid] = PgType(
                "_" + name,
                ARRAY,
                element=scalar,
                supported=scalar.supported and name not in _NO_ARRAYS,
            )
        self._lock = threading.Lock()
        from psycopg.adapt import AdaptersMap

        self.adapters = AdaptersMap(psycopg.adapters)  # connect(context=...) uses these
        self._hinted = _register_dumpers(self.adapters, psycopg)
        _register_loaders(self.adapters)

    def parameter(self, param: Param) -> Any:
        """The Python value to bind; a hinted string carries its PostgreSQL type."""
        value = param.value
        if isinstance(value, str) and param.type_hint in self._hinted:
            return self._hinted[param.type_hint](value)
        return value

    def lookup(self, oid: int, conn: Any) -> PgType:
        """A type by OID; user types (enums) are read from ``pg_type`` once."""
        found = self.by_oid.get(oid)
        if found is not None:
            return found
        row = conn.execute("SELECT typname, typtype FROM pg_type WHERE oid = %s", [oid])
        name, typtype = row.fetchone() or (str(oid), "")
        found = PgType(name, OTHER, supported=typtype == "e")  # enums read as text
        with self._lock:
            self.by_oid[oid] = found
        return found


def _register_dumpers(adapters: Any, psycopg: Any) -> dict[str, type[str]]:
    """Bind like pgjdbc: ``str`` as varchar (``setString``), ``int`` as int8 (``setLong``).

    Returns one ``str`` subclass per type hint, dumped with the hinted type's
    OID so that the server parses the text as that type.
    """
    from psycopg.types.numeric import Int8Dumper
    from psycopg.types.string import StrDumper

    def text_dumper(name: str, type_name: str) -> type:
        oid = psycopg.postgres.types.get(type_name).oid
        return type(f"{name}Dumper", (StrDumper,), {"oid": oid})

    adapters.register_dumper(str, text_dumper("Varchar", "varchar"))
    adapters.register_dumper(int, Int8Dumper)
    hinted: dict[str, type[str]] = {}
    for hint, type_name in _HINT_TYPES.items():
        wrapper = type(f"Hinted{hint.title()}", (str,), {"__slots__": ()})
        adapters.register_dumper(wrapper, text_dumper(hint.title(), type_name))
        hinted[hint] = wrapper
    return hinted


def _register_loaders(adapters: Any) -> None:
    """Load as the service sends: text for ``stringValue`` types, UTC without offset."""
    from psycopg.adapt import Loader
    from psycopg.types.string import TextLoader

    class UtcTimestampLoader(Loader):
        def load(self, data: Any) -> str:
            return bytes(data).decode().replace("+00", "")

    class BitLoader(Loader):
        def load(self, data: Any) -> bool | str:
            text = bytes(data).decode()
            return text == "1" if len(text) == 1 else text

    for type_name in _TEXT_LOADED:
        adapters.register_loader(type_name, TextLoader)
    adapters.register_loader("timestamptz", UtcTimestampLoader)
    adapters.register_loader("bit", BitLoader)
