"""How the Spark ingest reads and writes a `LakeStudy`'s tables, and checks where a lake may go.

The canonical expressions run on naive timestamps (the study contract: naive means UTC), which
Spark calls TIMESTAMP_NTZ; a lake stores TIMESTAMP read in the session's UTC zone. The merge
therefore reads each table as NTZ (`read_naive`) and writes back in the table's stored types
(`store`); with the session zone UTC both casts keep every instant exactly.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from botwatch.engines.lake import LAKE_MARKER
from botwatch.schema import CANONICAL
from botwatch.shown_text import name_shown


class LakeError(RuntimeError):
    """A location that is not (and cannot become) a lake; the message says why."""


def spark_schema(schema: pa.Schema) -> Any:
    """The Spark schema of an Arrow schema, naive timestamps as TIMESTAMP_NTZ."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema, prefer_timestamp_ntz=True)


def conform(df: Any, schema: Any) -> Any:
    """`df`'s columns in `schema`'s order and types (a Spark StructType); extra columns go.

    One SQL statement over `df`: built as Column objects (`F.col(c).cast(t).alias(c)`) it took
    some ten py4j round trips per column, about 150 per call, and an ingest conforms each table
    it reads and writes (a sixth of a small ingest's driver time, docs/testing.md). The same
    `CAST` expressions either way."""
    casts = ", ".join(f"CAST({sql_ident(f.name)} AS {sql_type(f.dataType)}) AS {sql_ident(f.name)}" for f in schema.fields)
    return df.sparkSession.sql(f"SELECT {casts} FROM {{df}}", df=df)


def sql_ident(name: str) -> str:
    """A column name quoted for Spark SQL text."""
    return "`" + name.replace("`", "``") + "`"


def sql_type(dt: Any) -> str:
    """A Spark DataType in Spark SQL's type syntax, struct field names quoted (`simpleString`
    leaves them bare), for a `CAST` in SQL text."""
    from pyspark.sql.types import ArrayType, MapType, StructType

    if isinstance(dt, ArrayType):
        return f"ARRAY<{sql_type(dt.elementType)}>"
    if isinstance(dt, MapType):
        return f"MAP<{sql_type(dt.keyType)}, {sql_type(dt.valueType)}>"
    if isinstance(dt, StructType):
        return "STRUCT<" + ", ".join(f"{sql_ident(f.name)}: {sql_type(f.dataType)}" for f in dt.fields) + ">"
    return dt.simpleString()


def read_naive(lake: Any, name: str) -> Any:
    """A canonical table of the lake as a DataFrame with naive (NTZ) timestamps."""
    return conform(lake.df(name), spark_schema(CANONICAL[name]))


def store(lake: Any, name: str, df: Any, mode: str) -> None:
    """Append `df` to a lake table or replace the table with it, in the types the table has."""
    lake.write_df(name, conform(df, lake.df(name).schema), mode)


def _fs(spark: Any, location: str) -> tuple[Any, Any]:
    jvm = spark.sparkContext._jvm
    p = jvm.org.apache.hadoop.fs.Path(location)
    return p.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), p


def check_location(spark: Any, location: str) -> bool:
    """True when `location` holds a lake, False when a new one may be made there.

    A file (a DuckDB study?) or a folder with other things in it is refused: a lake is created
    only where nothing would be mixed into it."""
    fs, p = _fs(spark, location)
    if not fs.exists(p):
        return False
    if fs.isFile(p):
        raise LakeError(f"{name_shown(location)} is a file (a DuckDB study?), not a lake folder: ingest into it without --engine spark")
    if fs.exists(_fs(spark, f"{str(location).rstrip('/')}/{LAKE_MARKER}")[1]):
        return True
    from botwatch.engines.lake_lock import LOCK_FILE

    # A folder holding only a lock is a lake another writer is creating: its lock says so.
    if any(s.getPath().getName() != LOCK_FILE for s in fs.listStatus(p)):
        raise LakeError(f"{name_shown(location)} is a folder that is not a botwatch lake (no {LAKE_MARKER}): choose an empty or new folder")
    return False


def delete_location(spark: Any, location: str) -> None:
    """Remove a lake this command created and left empty."""
    fs, p = _fs(spark, location)
    fs.delete(p, True)
