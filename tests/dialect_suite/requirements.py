"""What the Data API dialects support, for SQLAlchemy's compliance suite.

``SuiteRequirements`` closes many features by default; every one that
PostgreSQL or MariaDB/MySQL has is opened here, for the engines that have it
(as SQLAlchemy's own test/requirements.py answers for those engines). What
stays off has a one-line reason: a limit of the Data API itself (``_DATA_API``)
or of the engine (``_ENGINE``), never a gap in the dialect.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.testing import exclusions
from sqlalchemy.testing.exclusions import only_on, skip_if
from sqlalchemy.testing.requirements import SuiteRequirements

PG = "postgresql"
MY = ("mysql", "mariadb")
BOTH = (PG, *MY)


def _open() -> Any:
    return exclusions.open()


def _off(reason: str) -> Any:
    """Off on every engine, for ``reason``."""
    return skip_if(lambda config: True, reason)


def _only(engines: Any, reason: str) -> Any:
    """On for ``engines``; off elsewhere for ``reason``."""
    return only_on(engines, reason)


def _mariadb_at_least(version: tuple[int, ...]) -> Any:
    def check(config: Any) -> bool:
        dialect = config.db.dialect
        return bool(dialect.name in MY and dialect.is_mariadb
                    and dialect.server_version_info >= version)  # fmt: skip

    return check


_SESSION = "the Data API runs each call on any pooled session: no session state outlives a call"
_TEMP = "temporary objects live in one database session, which the Data API does not keep"


class Requirements(SuiteRequirements):
    # -- turned off: limits of the Data API --------------------------------------------------
    @property
    def temporary_tables(self) -> Any:
        return _off(_TEMP)

    @property
    def temp_table_reflection(self) -> Any:
        return _off(_TEMP)

    @property
    def temp_table_names(self) -> Any:
        return _off(_TEMP)

    @property
    def has_temp_table(self) -> Any:
        return _off(_TEMP)

    @property
    def temporary_views(self) -> Any:
        return _off(_TEMP)

    @property
    def temp_table_comment_reflection(self) -> Any:
        return _off(_TEMP)

    @property
    def create_temp_table_as(self) -> Any:
        return _off(_TEMP)

    @property
    def default_schema_name_switch(self) -> Any:
        return _off(_SESSION + " (SET search_path)")

    @property
    def two_phase_transactions(self) -> Any:
        return _off("the Data API has Begin/Commit/RollbackTransaction only: no two-phase commit")

    @property
    def server_side_cursors(self) -> Any:
        return _only(PG, "the Data API has no server-side cursor on MySQL (DECLARE is PG only)")

    # -- off where the engine lacks the feature -----------------------------------------------
    @property
    def datetime_microseconds(self) -> Any:
        return _only(PG, "MySQL's DATETIME keeps no fraction unless declared DATETIME(fsp)")

    @property
    def time_microseconds(self) -> Any:
        return _only(PG, "MySQL's TIME keeps no fraction unless declared TIME(fsp)")

    @property
    def unbounded_varchar(self) -> Any:
        return _only(PG, "MySQL's VARCHAR needs a length")

    @property
    def precision_generic_float_type(self) -> Any:
        return _only(PG, "MySQL's FLOAT returns 4 decimals")

    @property
    def sql_expression_limit_offset(self) -> Any:
        return _only(PG, "MySQL takes constants only in LIMIT/OFFSET") + self.offset

    @property
    def repeated_remote_col_foreign_keys(self) -> Any:
        return _off("PostgreSQL and MySQL refuse a foreign key naming one remote column twice")

    @property
    def fetch_percent(self) -> Any:
        return _off("PostgreSQL and MariaDB have no FETCH FIRST ... PERCENT")

    # -- open where the engine has the feature ------------------------------------------------
    def get_order_by_collation(self, config: Any) -> str:
        """A collation each engine has (the suite's database is utf8mb4 on MariaDB)."""
        return "POSIX" if config.db.name == PG else "utf8mb4_bin"

    @property
    def fetch_offset_with_options(self) -> Any:
        return _open()

    @property
    def indexes_check_column_order(self) -> Any:
        return _open()

    @property
    def skip_autocommit_rollback(self) -> Any:
        return _open()

    @property
    def create_table_as(self) -> Any:
        return _open()

    @property
    def table_ddl_if_exists(self) -> Any:
        return _open()

    @property
    def index_ddl_if_exists(self) -> Any:
        return _only((PG, "mariadb"), "MySQL has no CREATE INDEX IF NOT EXISTS")

    @property
    def uuid_data_type(self) -> Any:
        return _only((PG, _mariadb_at_least((10, 7))), "MySQL has no UUID type")

    @property
    def foreign_keys_reflect_as_index(self) -> Any:
        return _only(MY, "PostgreSQL creates no index for a foreign key")

    @property
    def unique_index_reflect_as_unique_constraints(self) -> Any:
        return _only(MY, "PostgreSQL keeps unique indexes apart from unique constraints")

    @property
    def unique_constraints_reflect_as_index(self) -> Any:
        return _open()

    @property
    def table_value_constructor(self) -> Any:
        return _only(PG, "MySQL's VALUES needs ROW(); SQLAlchemy renders the PG form")

    @property
    def deferrable_fks(self) -> Any:
        return _only(PG, "MySQL has no deferrable constraints")

    @property
    def repeated_column_foreign_keys(self) -> Any:
        return _only(PG, "MySQL refuses a foreign key naming one local column twice")

    @property
    def boolean_col_expressions(self) -> Any:
        return _open()

    @property
    def nullsordering(self) -> Any:
        return _only(PG, "MySQL has no NULLS FIRST/LAST")

    @property
    def intersect(self) -> Any:
        return _open()

    @property
    def except_(self) -> Any:
        return _open()

    @property
    def window_functions(self) -> Any:
        return _open()

    @property
    def window_range(self) -> Any:
        return _open()

    @property
    def window_range_numeric(self) -> Any:
        return _open()

    @property
    def window_range_non_numeric(self) -> Any:
        return _only(PG, "MySQL allows RANGE frames over numbers and dates only")

    @property
    def ctes(self) -> Any:
        return _open()

    @property
    def ctes_with_update_delete(self) -> Any:
        return _only(PG, "MySQL has no CTE on UPDATE/DELETE in SQLAlchemy's form")

    @property
    def ctes_with_values(self) -> Any:
        return _only((PG, "mariadb"), "MySQL has no CTE over VALUES in SQLAlchemy's form")

    @property
    def ctes_on_dml(self) -> Any:
        return _only(PG, "MySQL has no INSERT/UPDATE/DELETE inside a CTE")

    @property
    def tuple_in(self) -> Any:
        return _open()

    @property
    def emulated_lastrowid(self) -> Any:
        return _only(MY, "PostgreSQL has no last insert id (RETURNING instead)")

    @property
    def emulated_lastrowid_even_with_sequences(self) -> Any:
        return _only(MY, "PostgreSQL has no last insert id (RETURNING instead)")

    @property
    def dbapi_lastrowid(self) -> Any:
        return _only(MY, "PostgreSQL has no last insert id (RETURNING instead)")

    @property
    def views(self) -> Any:
        return _open()

    @property
    def cross_schema_fk_reflection(self) -> Any:
        return _open()

    @property
    def foreign_key_constraint_name_reflection(self) -> Any:
        return _open()

    @property
    def implicit_default_schema(self) -> Any:
        return _only(PG, "MySQL's schemas are databases: there is no default one to imply")

    @property
    def reflects_pk_names(self) -> Any:
        return _only(PG, "MySQL names every primary key PRIMARY")

    @property
    def reflect_tables_no_columns(self) -> Any:
        return _only(PG, "MySQL refuses a table with no columns")

    @property
    def comment_reflection(self) -> Any:
        return _open()

    @property
    def comment_reflection_full_unicode(self) -> Any:
        return _only(PG, "MySQL comments are utf8mb3 in the catalog")

    @property
    def constraint_comment_reflection(self) -> Any:
        return _only(PG, "MySQL has no constraint comments")

    @property
    def column_collation_reflection(self) -> Any:
        return _only(PG, "SQLAlchemy reflects column collations on PostgreSQL only")

    @property
    def schema_create_delete(self) -> Any:
        return _open()

    @property
    def foreign_key_constraint_option_reflection_ondelete(self) -> Any:
        return _open()

    @property
    def fk_constraint_option_reflection_ondelete_restrict(self) -> Any:
        return _only(PG, "MariaDB reports RESTRICT as the default")

    @property
    def fk_constraint_option_reflection_ondelete_noaction(self) -> Any:
        return _open()

    @property
    def foreign_key_constraint_option_reflection_onupdate(self) -> Any:
        return _open()

    @property
    def fk_constraint_option_reflection_onupdate_restrict(self) -> Any:
        return _only(PG, "MariaDB reports RESTRICT as the default")

    @property
    def create_or_replace_view(self) -> Any:
        return _open()

    @property
    def index_reflects_included_columns(self) -> Any:
        return _only(PG, "MySQL has no INCLUDE columns")

    @property
    def indexes_with_expressions(self) -> Any:
        return _only(PG, "SQLAlchemy's MySQL dialect has no expression indexes")

    @property
    def reflect_indexes_with_expressions(self) -> Any:
        return _only(PG, "SQLAlchemy's MySQL dialect has no expression indexes")

    @property
    def inline_check_constraint_reflection(self) -> Any:
        return _only(PG, "SQLAlchemy reflects MySQL check constraints from SHOW CREATE only")

    @property
    def check_constraint_reflection(self) -> Any:
        return _open()

    @property
    def nvarchar_types(self) -> Any:
        return _only(MY, "PostgreSQL has no NVARCHAR")

    @property
    def unicode_ddl(self) -> Any:
        return _open()

    @property
    def datetime_interval(self) -> Any:
        return _only(PG, "MySQL has no interval type")

    @property
    def datetime_literals(self) -> Any:
        return _open()

    @property
    def datetime_timezone(self) -> Any:
        return _only(PG, "MySQL's DATETIME has no time zone")

    @property
    def time_timezone(self) -> Any:
        return _only(PG, "MySQL's TIME has no time zone")

    @property
    def datetime_historic(self) -> Any:
        return _open()

    @property
    def date_historic(self) -> Any:
        return _open()

    @property
    def autocommit(self) -> Any:
        return _open()

    @property
    def isolation_level(self) -> Any:
        return _only(PG, "MySQL over the Data API: BeginTransaction has begun the transaction, "
                         "so SET TRANSACTION is refused (1568) and SET SESSION does not persist")

    @property
    def array_type(self) -> Any:
        return _only(PG, "MySQL has no ARRAY type")

    @property
    def json_type(self) -> Any:
        return _open()

    @property
    def legacy_unconditional_json_extract(self) -> Any:
        return _open()

    @property
    def precision_numerics_enotation_small(self) -> Any:
        return _open()

    @property
    def precision_numerics_many_significant_digits(self) -> Any:
        return _open()

    @property
    def server_defaults(self) -> Any:
        return _open()

    @property
    def expression_server_defaults(self) -> Any:
        return _open()

    @property
    def aggregate_order_by(self) -> Any:
        return _open()

    @property
    def precision_numerics_retains_significant_digits(self) -> Any:
        return _open()

    @property
    def infinity_floats(self) -> Any:
        return _only(PG, "MySQL cannot store infinite floats")

    @property
    def float_or_double_precision_behaves_generically(self) -> Any:
        return _only(PG, "MySQL's FLOAT is single precision")

    @property
    def savepoints(self) -> Any:
        return _open()

    @property
    def update_from(self) -> Any:
        return _open()

    @property
    def delete_from(self) -> Any:
        return _open()

    @property
    def mod_operator_as_percent_sign(self) -> Any:
        return _open()

    @property
    def order_by_label_with_expression(self) -> Any:
        return _only(MY, "PostgreSQL orders by simple labels only")

    @property
    def computed_columns(self) -> Any:
        # PostgreSQL < 18 stores generated columns; SQLAlchemy warns that it does.
        return exclusions.warns_if("postgresql < 18", r".*does not support VIRTUAL", assert_=False)

    @property
    def computed_columns_stored(self) -> Any:
        return self.computed_columns

    @property
    def computed_columns_virtual(self) -> Any:
        return _only(MY, "PostgreSQL before 18 has no VIRTUAL generated columns")

    @property
    def computed_columns_default_persisted(self) -> Any:
        return _only(PG, "MySQL's generated columns are VIRTUAL by default")

    @property
    def computed_columns_reflect_persisted(self) -> Any:
        return self.computed_columns

    @property
    def supports_distinct_on(self) -> Any:
        return _only(PG, "DISTINCT ON is PostgreSQL's")

    @property
    def identity_columns(self) -> Any:
        return _only(PG, "MySQL has AUTO_INCREMENT, not identity columns")

    @property
    def identity_columns_standard(self) -> Any:
        return _only(PG, "MySQL has AUTO_INCREMENT, not identity columns")

    @property
    def regexp_match(self) -> Any:
        return _open()

    @property
    def regexp_replace(self) -> Any:
        return _open()

    @property
    def fetch_first(self) -> Any:
        return _only((PG, _mariadb_at_least((10, 6))), "MySQL has no FETCH FIRST")

    @property
    def fetch_ties(self) -> Any:
        return _only((PG, _mariadb_at_least((10, 6))), "MySQL has no FETCH FIRST ... WITH TIES")

    @property
    def fetch_no_order_by(self) -> Any:
        return _only((PG, _mariadb_at_least((10, 6))), "MySQL has no FETCH FIRST")

    @property
    def fetch_expression(self) -> Any:
        return _only(PG, "MariaDB's OFFSET/FETCH take constants only")

    @property
    def reflect_table_options(self) -> Any:
        return _open()

    @property
    def materialized_views(self) -> Any:
        return _only(PG, "MySQL has no materialized views")

    @property
    def supports_bitwise_or(self) -> Any:
        return _open()

    @property
    def supports_bitwise_and(self) -> Any:
        return _open()

    @property
    def supports_bitwise_not(self) -> Any:
        return _only(PG, "MySQL's ~ works on unsigned 64-bit integers only")

    @property
    def supports_bitwise_xor(self) -> Any:
        return _open()

    @property
    def supports_bitwise_shift(self) -> Any:
        return _open()
