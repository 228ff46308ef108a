"""Running botwatch's relational steps on Apache Spark through Ibis.

The canonical merge (`botwatch.canonical`) and every stage's relational code are Ibis
expressions; here they run on a PySpark session instead of DuckDB. Readers stay Python: their
staged Arrow batches are written as Parquet (what a cluster would read from shared storage) and
the same expressions build `posts`, `account_snapshots` and `accounts`.

Install with `pip install botwatch[spark]` (PySpark needs Java 17).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute  # noqa: F401 - pa.compute
import pyarrow.parquet as pq

from botwatch import canonical
from botwatch.schema import ACCOUNT_SNAPSHOTS


def _json_merge_patch(a: str | None, b: str | None) -> str | None:
    """RFC 7396 merge for flat JSON objects (what `extra` holds); mirrors DuckDB's builtin."""
    if a is None or b is None:
        return None
    merged = json.loads(a)
    for k, v in json.loads(b).items():
        if v is None:
            merged.pop(k, None)
        else:
            merged[k] = v
    return json.dumps(merged, separators=(",", ":"))


def spark_backend(session: Any) -> Any:
    """An Ibis backend over `session`, with the SQL functions botwatch's expressions use."""
    import ibis
    from pyspark.sql.types import StringType

    session.conf.set("spark.sql.session.timeZone", "UTC")
    session.udf.register("json_merge_patch", _json_merge_patch, StringType())
    return ibis.pyspark.connect(session)


def build_canonical(backend: Any, staged_files: Iterable[dict[str, pa.Table]], workdir: str | Path | None = None) -> dict[str, Any]:
    """Canonical Ibis tables on `backend` from many files' staged tables, in one batch.

    Equivalent to ingesting the files one after another: posts keep their first occurrence in
    file order (a global `_seq`), snapshots are reduced per file (`_file`) and then merged into
    accounts exactly as the DuckDB ingest does.
    """
    work = Path(workdir or tempfile.mkdtemp(prefix="botwatch-spark-"))
    work.mkdir(parents=True, exist_ok=True)
    parts: dict[str, list[pa.Table]] = {"posts": [], "snapshots": []}
    offset = 0
    for i, staged in enumerate(staged_files):
        for kind in parts:
            t = staged[kind]
            t = t.set_column(t.schema.get_field_index("_seq"), "_seq", pa.compute.add(t["_seq"], offset))
            parts[kind].append(t.append_column("_file", pa.array([i] * t.num_rows, pa.int64())))
        offset += sum(t.num_rows for t in staged.values()) + 1  # `_seq` counts every staged row of a file
    if not parts["posts"]:
        raise ValueError("no staged files")
    tables = {}
    for kind, ts in parts.items():
        path = work / f"stage_{kind}.parquet"
        pq.write_table(pa.concat_tables(ts), path)
        tables[kind] = backend.read_parquet(str(path), table_name=f"stage_{kind}")
    posts = canonical.first_posts(tables["posts"])
    snapshots = canonical.reduce_snapshots(tables["snapshots"], per=("_file",)).select(*ACCOUNT_SNAPSHOTS.names)
    return {"posts": posts, "account_snapshots": snapshots, "accounts": canonical.accounts_from_snapshots(snapshots)}
