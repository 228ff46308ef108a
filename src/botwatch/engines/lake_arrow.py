"""Arrow shapes between a study's contract and Spark: naive-UTC timestamps, what Parquet on Spark
can hold, DuckDB-like pandas, and the one wide table `map_arrow` carries several outputs in
(`mapInArrow` returns one DataFrame)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pyarrow as pa

SPARK_ROW_METADATA = b"org.apache.spark.sql.parquet.row.metadata"


def spark_struct_of_part(path: str) -> Any:
    """The Spark schema (a StructType) Spark gives a folder of Parquet files whose first file is
    `path`, read from that file's footer at the driver: what Spark's own schema inference reads,
    without the Spark job it runs to read it. As Spark reads a folder without merging schemas: the
    Spark schema a Spark writer stored in the footer, else the one Spark derives from the Parquet
    types (an Arrow-written part), every field nullable (Spark reads files so). None when the
    footer cannot say (a type the Arrow path does not know): the caller lets Spark infer."""
    import json

    import pyarrow.parquet as pq
    from pyspark.sql.pandas.types import from_arrow_schema
    from pyspark.sql.types import StructType

    def nullable(x: Any) -> Any:
        if isinstance(x, dict):
            return {k: (True if k in ("nullable", "containsNull", "valueContainsNull") else nullable(v)) for k, v in x.items()}
        return [nullable(v) for v in x] if isinstance(x, list) else x

    try:
        arrow = pq.read_schema(path)
        raw = (arrow.metadata or {}).get(SPARK_ROW_METADATA)
        struct = json.loads(raw) if raw else from_arrow_schema(arrow).jsonValue()
        return StructType.fromJson(nullable(struct))
    except Exception:  # noqa: BLE001 - a type the footer path does not know: Spark says
        return None


def naive_utc(table: pa.Table) -> pa.Table:
    """Spark hands timestamps back as UTC-zoned Arrow; a study's contract is naive UTC."""
    fields = [pa.field(f.name, pa.timestamp(f.type.unit)) if pa.types.is_timestamp(f.type) and f.type.tz else f for f in table.schema]
    want = pa.schema(fields, metadata=table.schema.metadata)
    return table if want.equals(table.schema) else table.cast(want)


def utc_zoned(table: pa.Table) -> pa.Table:
    """Naive (UTC) timestamps marked as UTC, so Parquet says so and Spark reads TIMESTAMP."""
    # Microseconds too: Spark reads no nanosecond Parquet timestamps (pandas gives nanoseconds).
    fields = [pa.field(f.name, pa.timestamp("us", "UTC")) if pa.types.is_timestamp(f.type) else f for f in table.schema]
    want = pa.schema(fields)
    return table if want.equals(table.schema) else table.cast(want, safe=False)


def duck_like_pandas(table: pa.Table) -> Any:
    """Arrow to pandas as DuckDB's `.df()` types it."""
    import pandas as pd

    ints = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(), pa.int64(): pd.Int64Dtype()}
    df = table.to_pandas()
    for f, col in zip(table.schema, table.columns):
        if pa.types.is_boolean(f.type):
            df[f.name] = df[f.name].astype("boolean")
        elif f.type in ints and col.null_count:
            df[f.name] = pd.array(col.to_pylist(), dtype=ints[f.type])
    return df


def storable(table: pa.Table) -> pa.Table:
    """Arrow Spark can store as Parquet: all-null columns (pandas' None) become strings and
    dictionary columns their values."""
    fields = []
    for f in table.schema:
        t = f.type
        if pa.types.is_null(t):
            t = pa.string()
        elif pa.types.is_dictionary(t):
            t = t.value_type
        fields.append(pa.field(f.name, t))
    want = pa.schema(fields)
    return table if want.equals(table.schema) else table.cast(want)


def map_outputs(schema: pa.Schema | dict[str, pa.Schema], out_name: str | None) -> dict[str, pa.Schema]:
    """The tables a `map_arrow` writes: one (`schema`, `out_name`) or several (`{name: schema}`,
    the function then returning one table per name, in order)."""
    if isinstance(schema, pa.Schema):
        if not out_name:
            raise ValueError("map_arrow with one schema needs out_name")
        return {out_name: schema}
    return dict(schema)


def wide_schema(outputs: dict[str, pa.Schema]) -> pa.Schema:
    """One Arrow schema carrying every output's rows (`_out` says whose), as `mapInArrow`
    returns one DataFrame."""
    fields = [pa.field("_out", pa.int32())]
    for k, (name, schema) in enumerate(outputs.items()):
        fields += [pa.field(f"o{k}__{f.name}", f.type) for f in schema]
    return pa.schema(fields)


def widen(names: list[str], outputs: dict[str, pa.Schema], tables: Any, wide: pa.Schema) -> pa.Table:
    """The outputs of one batch as rows of `wide` (NULL in the other outputs' columns)."""
    parts = []
    for k, (name, got) in enumerate(zip(names, tables)):
        got = got if isinstance(got, pa.Table) else pa.Table.from_batches([got])
        got = got.select(outputs[name].names).cast(outputs[name])
        n = got.num_rows
        cols = {"_out": pa.array([k] * n, pa.int32())}
        for j, (other, schema) in enumerate(outputs.items()):
            for f in schema:
                cols[f"o{j}__{f.name}"] = got.column(f.name) if j == k else pa.nulls(n, f.type)
        parts.append(pa.table(cols, schema=wide))
    return pa.concat_tables(parts) if parts else wide.empty_table()


def answers(fn: Callable[[pa.RecordBatch], Any], batches: Iterable[pa.RecordBatch]) -> Iterator[Any]:
    """What `fn` returns for each of `batches`, then, for an `fn` that answers late (a `drain()`
    method: `forkpool.OneBatchLate`, see `Study.map_arrow`), what `drain()` returns after the
    last batch, without which the last batches' outputs would be lost. Both engines' `map_arrow`
    read `fn` through this one loop."""
    for batch in batches:
        yield fn(batch)
    drain = getattr(fn, "drain", None)
    if callable(drain):
        yield from drain()


def map_batches(fn: Callable[[pa.RecordBatch], Any], outputs: dict[str, pa.Schema], wide: pa.Schema,
                batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """What `map_arrow` yields on an executor for one partition's `batches`: each batch (naive
    UTC) through `fn`, its outputs as rows of `wide`.

    An `fn` with a `drain()` method may answer late (`forkpool.OneBatchLate`, see
    `Study.map_arrow`): what `drain()` returns after the partition's last batch is yielded too,
    or that partition's last batch would be lost. Each task unpickles its own `fn`, so what one
    holds back belongs to its own partition."""
    names = list(outputs)

    def rows(got: Any) -> Iterator[pa.RecordBatch]:
        got = (got,) if len(names) == 1 and not isinstance(got, tuple) else got
        yield from widen(names, outputs, got, wide).to_batches()

    naive = (naive_utc(pa.Table.from_batches([b])).to_batches()[0] if b.num_rows else b for b in batches)
    for got in answers(fn, naive):
        yield from rows(got)


def counted_rows(batches: Iterable[pa.RecordBatch], into: Any) -> Iterator[pa.RecordBatch]:
    """`batches` as they are, each one's rows added to the Spark accumulator `into` as it is read
    (`LakeStudy.map_arrow`'s `count_as`). Spark hands an executor's additions to the driver when
    its task ends, so the driver's count moves a partition at a time."""
    for batch in batches:
        into.add(batch.num_rows)
        yield batch


def plain_parquet_parts(folder: str) -> list[str] | None:
    """The paths of a local table folder's Parquet parts, in name order, as Spark lists them
    (names starting '.' or '_' hidden); None where only Spark can read the folder: it is missing,
    empty, or holds a sub-folder (a partition) or a file that is not Parquet. One rule for the
    footer schema and the driver's Arrow reads, so both give up on the same folders."""
    import os

    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return None
    visible = [e for e in entries if not e.name.startswith((".", "_"))]
    if not visible or any(not e.is_file() or not e.name.endswith(".parquet") for e in visible):
        return None
    return [e.path for e in visible]


def read_local_parts(folder: str, columns: list[str], equal: dict[str, Any], among: dict[str, Any] | None = None) -> pa.Table | None:
    """`columns` of a local table folder's rows whose columns equal `equal`'s values (and whose
    columns in `among` hold one of its values, each part filtered as it is read), read by
    Arrow at the driver in the types Spark's `toArrow` gives them (from the first part's footer,
    as `spark_struct_of_part`; each part cast to it, since a Spark-written part keeps timestamps
    as INT96 and an Arrow-written one as UTC microseconds), timestamps naive UTC. None where
    Spark must read: a missing folder, a sub-folder (a partition), a file that is not Parquet, a
    type the footer path does not know."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    from pyspark.sql.pandas.types import to_arrow_schema

    parts = plain_parquet_parts(folder)
    if parts is None:
        return None
    struct = spark_struct_of_part(parts[0])
    try:
        spark_arrow = None if struct is None else to_arrow_schema(struct)
    except Exception:  # noqa: BLE001 - a type Arrow cannot hold: Spark reads it
        return None
    among = among or {}
    read = list(dict.fromkeys([*columns, *equal, *among]))
    if spark_arrow is None or any(spark_arrow.get_field_index(c) < 0 for c in read):
        return None
    want = pa.schema([spark_arrow.field(c) for c in read])
    try:
        tables = []
        for path in parts:
            part = pq.read_table(path, columns=read).cast(want)
            for col, values in among.items():
                part = part.filter(pc.fill_null(pc.is_in(part[col], value_set=pa.array(sorted(values), want.field(col).type)), False))
            tables.append(part)
    except (OSError, pa.ArrowException):
        return None
    table = pa.concat_tables(tables)
    for col, value in equal.items():
        table = table.filter(pc.fill_null(pc.equal(table[col], pa.scalar(value, want.field(col).type)), False))
    return naive_utc(table.select(columns))
