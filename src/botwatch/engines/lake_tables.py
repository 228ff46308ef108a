"""The few lake operations the Spark ingest needs, in the layout `engines/lake.py` documents.

INTERIM: this adapter exists until `LakeStudy` lands; its methods carry LakeStudy's names
(`df`, `write_df`, `append_arrow`) so the ingest can switch to it by changing one constructor.
Every file operation goes through Hadoop's FileSystem API on the session's JVM, so a lake in a
local folder, on HDFS or in object storage (`s3a://`) is handled by one code path.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pyarrow as pa

from botwatch import __version__
from botwatch.engines.lake import LAKE_FORMAT, LAKE_MARKER, table_path
from botwatch.schema import CANONICAL


class LakeError(RuntimeError):
    """A location that is not (and cannot become) a lake; the message says why."""


def spark_schema(schema: pa.Schema) -> Any:
    """The Spark schema of a canonical Arrow schema (naive timestamps stay naive: TIMESTAMP_NTZ)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema, prefer_timestamp_ntz=True)


def conform(df: Any, schema: pa.Schema) -> Any:
    """`df`'s columns in the table's order and types (an Ibis result may widen or reorder them)."""
    from pyspark.sql import functions as F

    return df.select([F.col(f.name).cast(f.dataType).alias(f.name) for f in spark_schema(schema).fields])


class LakeTables:
    """A lake's canonical tables as Spark DataFrames: read, appended to, or replaced whole."""

    def __init__(self, spark: Any, location: str) -> None:
        self.spark = spark
        self.location = str(location).rstrip("/") or "/"
        self._jvm = spark.sparkContext._jvm
        self._conf = spark.sparkContext._jsc.hadoopConfiguration()

    # -- files ------------------------------------------------------------------------------
    def _path(self, path: str) -> tuple[Any, Any]:
        p = self._jvm.org.apache.hadoop.fs.Path(path)
        return p.getFileSystem(self._conf), p

    def exists(self, path: str) -> bool:
        fs, p = self._path(path)
        return bool(fs.exists(p))

    def delete(self, path: str) -> None:
        fs, p = self._path(path)
        fs.delete(p, True)

    def _rename(self, src: str, dst: str) -> None:
        fs, p = self._path(src)
        if not fs.rename(p, self._path(dst)[1]):
            raise LakeError(f"could not move {src} to {dst}")

    def scratch(self, name: str) -> str:
        """A folder inside the lake for one command's intermediate files (Spark skips `_` names)."""
        return f"{self.location}/_botwatch_work/{name}"

    # -- the lake itself --------------------------------------------------------------------
    def is_lake(self) -> bool:
        return self.exists(f"{self.location}/{LAKE_MARKER}")

    def ensure(self) -> bool:
        """Open the lake, creating it (marker and empty canonical tables) where there is none; True if created."""
        if self.is_lake():
            missing = [t for t in CANONICAL if not self.exists(table_path(self.location, t))]
            for name in missing:  # a lake made by an older version gains the tables added since
                self._write_empty(name)
            return False
        fs, p = self._path(self.location)
        if fs.exists(p):
            if fs.isFile(p):
                raise LakeError(f"{self.location} is a file (a DuckDB study?), not a lake folder: ingest into it without --engine spark")
            if len(fs.listStatus(p)) > 0:
                raise LakeError(f"{self.location} is a folder that is not a botwatch lake (no {LAKE_MARKER}): choose an empty or new folder")
        fs.mkdirs(p)
        for name in CANONICAL:
            self._write_empty(name)
        from botwatch.exports_typed import SCHEMA_VERSION

        marker = json.dumps({"format": LAKE_FORMAT, "schema_version": SCHEMA_VERSION, "created_by": __version__}, sort_keys=True)
        out = fs.create(self._path(f"{self.location}/{LAKE_MARKER}")[1], True)
        try:
            out.write(bytearray(marker.encode()))
        finally:
            out.close()
        return True

    def _write_empty(self, name: str) -> None:
        """An empty table: one Parquet file holding just the schema (what Spark writes for no rows)."""
        path = table_path(self.location, name)
        if "://" not in self.location:  # a local folder: pyarrow writes it without a Spark job per table
            import os

            import pyarrow.parquet as pq

            os.makedirs(path, exist_ok=True)
            pq.write_table(CANONICAL[name].empty_table(), os.path.join(path, "part-00000-empty.parquet"))
            return
        self.spark.createDataFrame([], spark_schema(CANONICAL[name])).write.mode("overwrite").parquet(path)

    # -- tables (LakeStudy's names) ---------------------------------------------------------
    def df(self, name: str) -> Any:
        """A canonical table as a DataFrame, read with its declared schema (an empty table too)."""
        return self.spark.read.schema(spark_schema(CANONICAL[name])).parquet(table_path(self.location, name))

    def write_df(self, name: str, df: Any, mode: str) -> None:
        """Append `df` to a table, or replace the table with it (`mode` = append | overwrite).

        Spark cannot overwrite a folder a plan is still reading, so a replacement is written
        beside the table and moved into place; until the move the old table stays whole."""
        data = conform(df, CANONICAL[name])
        target = table_path(self.location, name)
        if mode == "append":
            data.write.mode("append").parquet(target)
            return
        if mode != "overwrite":
            raise ValueError(f"mode must be append or overwrite, not {mode!r}")
        tag = uuid.uuid4().hex[:8]
        fresh, old = self.scratch(f"{name}-{tag}"), self.scratch(f"{name}-{tag}-old")
        data.write.mode("overwrite").parquet(fresh)
        self._rename(target, old)
        self._rename(fresh, target)
        self.delete(old)

    def append_arrow(self, name: str, table: pa.Table) -> None:
        """Append a small Arrow table (sources and runs rows, built on the driver)."""
        schema = CANONICAL[name]
        self.write_df(name, self.spark.createDataFrame(table.select(schema.names).cast(schema), spark_schema(schema)), "append")
