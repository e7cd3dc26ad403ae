"""Where analytics run: the store itself, DuckDB, or Spark — the same Ibis expressions on each.

``open_backend`` gives a :class:`Backend` whose tables have the store's names
and meaning (``member``, ``event``, ``shop_order``, ``membership``, ``member_tag``,
``tag``). On the store engine they *are* the store's tables; DuckDB and Spark get
a copy of one workspace's rows, moved as Arrow. The only operation Ibis does not
express the same way everywhere — reading a text field out of a JSON document —
is :meth:`Backend.json_text`.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd  # type: ignore[import-untyped]
import pyarrow as pa  # type: ignore[import-untyped]

from shequn.analytics.ibisapi import dt, ibis, ir
from shequn.analytics.kinds import EngineKind
from shequn.errors import ConfigError
from shequn.store.store import Store

SOURCE_TABLES = ("member", "event", "shop_order", "membership", "tag", "member_tag")
"""Store tables the analytics read."""

_JSON_COLUMNS = {"member": ("attributes",), "event": ("payload",), "shop_order": ("items",)}


def _text_at(doc: str, path: str) -> str:
    """Signature of a built-in that reads the text at a JSON path."""
    raise NotImplementedError


def _text_of_key(doc: dt.JSON, key: str) -> str:
    """Signature of a PostgreSQL built-in that reads a top-level key's text."""
    raise NotImplementedError


# sqlglot renders this name as SQLite's ->> (text); "json_extract" would become -> (JSON).
_sqlite_json_text = ibis.udf.scalar.builtin(_text_at, name="json_extract_scalar")
_duckdb_json_text = ibis.udf.scalar.builtin(_text_at, name="json_extract_string")
_spark_json_text = ibis.udf.scalar.builtin(_text_at, name="get_json_object")
_postgres_json_text = ibis.udf.scalar.builtin(_text_of_key, name="json_extract_path_text")
_postgres_jsonb_text = ibis.udf.scalar.builtin(_text_of_key, name="jsonb_extract_path_text")


@dataclass
class Backend:
    """An Ibis connection plus the workspace its tables hold."""

    kind: EngineKind
    con: Any
    dialect: str
    _closers: list[Callable[[], None]] = field(default_factory=list)

    def table(self, name: str) -> ir.Table:
        """A source table by its store name."""
        table: ir.Table = self.con.table(name)
        return table

    def json_text(self, document: ir.Value, key: str) -> ir.StringValue:
        """The text value of top-level ``key`` of a JSON document column (NULL when absent)."""
        if self.dialect == "postgres" and document.type().is_json():
            return _postgres_jsonb_text(document, key)
        text = document.cast("string") if document.type().is_json() else document
        if self.dialect == "sqlite":
            return _sqlite_json_text(text, f"$.{key}")
        if self.dialect == "duckdb":
            return _duckdb_json_text(text, f"$.{key}")
        if self.dialect == "pyspark":
            return _spark_json_text(text, f"$.{key}")
        if self.dialect == "postgres":
            return _postgres_json_text(text.cast("json"), key)
        raise ConfigError(f"no JSON support for the {self.dialect} backend")

    def document_text(self, document: ir.Value) -> ir.StringValue:
        """A JSON document as its text (for key-presence tests)."""
        return document.cast("string") if document.type().is_json() else document

    def materialize(self, expr: ir.Table) -> ir.Table:
        """Compute ``expr`` into a temporary table, keeping later SQL shallow (SQLite's parser
        has a fixed stack) and letting the engine reuse the result."""
        if self.dialect == "pyspark":
            cached: ir.Table = expr.cache()
            return cached
        name = f"_shequn_tmp_{uuid.uuid4().hex[:12]}"
        table: ir.Table = self.con.create_table(name, expr, temp=True)
        return table

    def upload(self, data: pa.Table | pd.DataFrame, *, name: str | None = None,
               temporary: bool = True) -> ir.Table:
        """Put local data into the engine as a table (temporary unless told otherwise)."""
        name = name or f"_shequn_up_{uuid.uuid4().hex[:12]}"
        if isinstance(data, pd.DataFrame):
            data = pa.Table.from_pandas(data, preserve_index=False)
        if self.dialect == "pyspark":
            from pyspark.sql.pandas.types import from_arrow_schema

            # An explicit schema, because Spark cannot infer one from an empty table.
            frame = self.con._session.createDataFrame(
                data.to_pandas(), schema=from_arrow_schema(data.schema))
            frame.createOrReplaceTempView(name)
        elif self.dialect == "duckdb":
            # Registered Arrow data is read in place, without a pandas round trip.
            raw = self.con.con
            raw.register("_shequn_incoming", data)
            kind = "TEMP TABLE" if temporary else "TABLE"
            raw.execute(f'CREATE OR REPLACE {kind} "{name}" AS SELECT * FROM _shequn_incoming')
            raw.unregister("_shequn_incoming")
        else:
            self.con.create_table(name, data, temp=temporary, overwrite=True)
        return self.table(name)

    def fetch_and_keep(self, expr: ir.Table) -> tuple[pd.DataFrame, ir.Table]:
        """Compute ``expr`` once into a local frame *and* a table the engine can query again.

        DuckDB reads the fetched Arrow data in place, so nothing is written twice; the
        other engines keep a temporary table and read it back.
        """
        if self.dialect == "duckdb":
            data = self.con.to_pyarrow(expr)
            name = f"_shequn_view_{uuid.uuid4().hex[:12]}"
            self.con.con.register(name, data)
            frame: pd.DataFrame = data.to_pandas()
            return frame, self.table(name)
        table = self.materialize(expr)
        return self.frame(table), table

    def frame(self, expr: ir.Table) -> pd.DataFrame:
        """Run a table expression into a pandas frame, through Arrow (much faster than
        Ibis's own row conversion for wide results)."""
        result: pd.DataFrame = self.con.to_pyarrow(expr).to_pandas()
        return result

    def execute_scalar(self, expr: ir.Scalar) -> Any:
        """Run a scalar expression."""
        return self.con.execute(expr)

    def close(self) -> None:
        """Release connections and sessions (temporary tables go with their connection)."""
        for closer in reversed(self._closers):
            closer()
        self._closers.clear()


def store_backend(store: Store) -> Backend:
    """Ibis on the store's own database."""
    url = store.engine.url
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise ConfigError("analytics on the store need a SQLite file, not :memory:")
        con = ibis.sqlite.connect(url.database)
        backend = Backend(EngineKind.STORE, con, "sqlite")
    elif url.get_backend_name() == "postgresql":
        con = ibis.postgres.connect(host=url.host or "localhost", port=url.port or 5432,
                                    user=url.username, password=url.password,
                                    database=url.database)
        backend = Backend(EngineKind.STORE, con, "postgres")
    else:
        raise ConfigError(f"analytics do not support the {url.get_backend_name()} store")
    backend._closers.append(con.disconnect)
    return backend


def _workspace_rows(source: Backend, name: str, workspace_id: int) -> ir.Table:
    """One workspace's rows of a store table, JSON columns as text (Arrow has no JSON type)."""
    table = source.table(name)
    if "workspace_id" in table.columns:
        table = table.filter(table.workspace_id == workspace_id)
    json_columns = _JSON_COLUMNS.get(name, ())
    return table.mutate(**{c: table[c].cast("string") for c in json_columns}) if json_columns \
        else table


def copy_to(target: Backend, source: Backend, workspace_id: int,
            tables: Iterable[str] = SOURCE_TABLES) -> None:
    """Copy one workspace's source tables from ``source`` into ``target``."""
    for name in tables:
        target.upload(_workspace_rows(source, name, workspace_id).to_pyarrow(), name=name,
                      temporary=False)


def duckdb_backend(path: str | None = None, *, threads: int | None = None) -> Backend:
    """A DuckDB database: in memory, or a file that already holds the source tables."""
    con = ibis.duckdb.connect(path or ":memory:")
    # Row order of intermediate tables never matters here; not keeping it is faster.
    con.raw_sql("SET preserve_insertion_order = false")
    if threads:
        con.raw_sql(f"SET threads TO {int(threads)}")
    backend = Backend(EngineKind.DUCKDB, con, "duckdb")
    backend._closers.append(con.disconnect)
    return backend


def spark_available() -> str | None:
    """None when local Spark can run here, else the reason it cannot."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'shequn[spark]')"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "Spark needs Java: install a JDK or set JAVA_HOME"
    return None


def spark_backend(master: str = "local[2]") -> Backend:
    """A local Spark session driven through Ibis."""
    reason = spark_available()
    if reason is not None:
        raise ConfigError(reason)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master(master).appName("shequn-analytics")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )
    con = ibis.pyspark.connect(session)
    backend = Backend(EngineKind.SPARK, con, "pyspark")
    backend._closers.append(session.stop)
    return backend


def open_backend(kind: EngineKind, store: Store, workspace_id: int) -> Backend:
    """The backend of ``kind`` with the workspace's data (copied in for DuckDB and Spark)."""
    if kind is EngineKind.STORE:
        return store_backend(store)
    target = duckdb_backend() if kind is EngineKind.DUCKDB else spark_backend()
    source = store_backend(store)
    try:
        copy_to(target, source, workspace_id)
    except Exception:
        target.close()
        raise
    finally:
        source.close()
    return target
