"""insertmanyvalues paged by size: each multi-row INSERT fits the service's limits.

SQLAlchemy batches an executemany INSERT ... RETURNING into multi-row
statements of ``insertmanyvalues_page_size`` rows (1,000), whatever their
size. The service refuses SQL over 65,536 characters and requests over 4 MiB,
so a bulk ``add_all`` of ordinary rows already fails on the peer dialect.
Here the rows are grouped first by what they will cost - the characters their
``VALUES (...)`` clause adds to the SQL and the bytes their parameters add to
the request - and SQLAlchemy's own batching runs on each group.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

__all__ = ["REQUEST_BUDGET", "SQL_BUDGET", "InsertManyValuesPaging", "group_rows"]

SQL_BUDGET = 60_000  # characters, of the service's 65,536 (room for the statement's head)
REQUEST_BUDGET = 3 * 1024 * 1024  # bytes, of the 4 MiB request limit
_PARAM_OVERHEAD = 48  # {"name":"…","value":{"stringValue":…},"typeHint":…} around a value


def value_bytes(value: object) -> int:
    """A cheap upper bound of ``value``'s size in the request's JSON."""
    if isinstance(value, str):
        return len(value) if value.isascii() else 6 * len(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return 4 * math.ceil(len(value) / 3)
    return 32


def group_rows(
    rows: Sequence[Mapping[str, Any]], *, row_sql: int, head_sql: int, limit_rows: int
) -> Iterator[int]:
    """Yield the sizes of consecutive groups of ``rows`` that fit both budgets."""
    size = sql = request = 0
    for row in rows:
        cost = sum(value_bytes(v) + len(k) + _PARAM_OVERHEAD for k, v in row.items())
        if size and (
            size >= limit_rows
            or head_sql + sql + row_sql > SQL_BUDGET
            or request + cost + 2 * (head_sql + sql + row_sql) > REQUEST_BUDGET
        ):
            yield size
            size = sql = request = 0
        size += 1
        sql += row_sql
        request += cost
    if size:
        yield size


class InsertManyValuesPaging:
    """Compiler mixin: split ``_deliver_insertmanyvalues_batches`` input by size."""

    def _deliver_insertmanyvalues_batches(
        self,
        statement: str,
        parameters: Sequence[Any],
        compiled_parameters: Sequence[Any],
        generic_setinputsizes: Any,
        batch_size: int,
        sort_by_parameter_order: bool,
        schema_translate_map: Any,
    ) -> Iterator[Any]:
        deliver = super()._deliver_insertmanyvalues_batches  # type: ignore[misc]
        statement = self._values_clause(statement)
        imv = self._insertmanyvalues  # type: ignore[attr-defined]
        if not parameters or not isinstance(parameters[0], Mapping):
            yield from deliver(
                statement, parameters, compiled_parameters, generic_setinputsizes,
                batch_size, sort_by_parameter_order, schema_translate_map,
            )  # fmt: skip
            return
        digits = len(str(len(parameters)))
        names = sum(len(keys) for *_, keys in imv.insert_crud_params)
        row_sql = len(imv.single_values_expr) + 4 + names * (2 + digits)
        if imv.embed_values_counter:  # ", <row number>" in every row
            row_sql += 2 + digits
        head_sql = len(statement) - len(imv.single_values_expr)
        groups = list(group_rows(parameters, row_sql=row_sql, head_sql=head_sql,
                                 limit_rows=batch_size))  # fmt: skip
        start = 0
        batchnum = 0
        for size in groups:
            for batch in deliver(statement, parameters[start : start + size],
                                 compiled_parameters[start : start + size],
                                 generic_setinputsizes, size, sort_by_parameter_order,
                                 schema_translate_map):  # fmt: skip
                batchnum += 1
                yield batch._replace(batchnum=batchnum, total_batches=len(groups))
            start += size

    def _values_clause(self, statement: str) -> str:
        """Hook: the dialect may rewrite the one-row VALUES clause before paging."""
        return statement
