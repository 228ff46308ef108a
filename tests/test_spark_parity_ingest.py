"""The canonical tables built on PySpark (local mode) equal the DuckDB ones, from the same readers."""

from __future__ import annotations

from pathlib import Path

import pytest

from botwatch import open_study
from botwatch.ingest.runner import ingest, stage_file

pytestmark = pytest.mark.spark
FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
FILES = ["v1_uklabour.jsonl", "twarc2_flat.jsonl", "twarc2_two_tweets.jsonl.gz", "twarc2_users.jsonl", "ira_tweets.csv", "ira_authors.csv",
         "twarc2_stream_with_error.jsonl.gz"]


def _rows(table, order: list[str]) -> list[tuple]:  # type: ignore[no-untyped-def]
    df = table.to_pandas().sort_values(order).reset_index(drop=True)
    out = []
    for rec in df.itertuples(index=False):
        out.append(tuple(
            (list(v) if hasattr(v, "__len__") and not isinstance(v, str) else (None if v is None or (isinstance(v, float) and v != v) or str(v) == "NaT" else v))
            for v in rec
        ))
    return out


def test_ingest_to_canonical_tables_on_spark_equals_duckdb(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from botwatch.engines.spark import build_canonical, spark_backend

    paths = [str(FIX / f) for f in FILES]
    # The same posts appear twice (v1 lines) to exercise cross-file duplicates on both engines.
    paths.append(str(FIX / "v1_uklabour_array.json.gz"))
    with open_study(tmp_path / "d.duckdb", read_only=False) as st:
        ingest(st, paths, workers=1)
        duck = {t: st.table(t) for t in ("posts", "accounts")}
        duck_rows = {"posts": _rows(duck["posts"].drop("source"), ["platform", "post_id"]),
                     "accounts": _rows(duck["accounts"], ["platform", "account_id"])}
    backend = spark_backend(spark)
    tables = build_canonical(backend, [stage_file(p) for p in paths], tmp_path / "spark")
    spark_rows = {"posts": _rows(tables["posts"].drop("source"), ["platform", "post_id"]),
                  "accounts": _rows(tables["accounts"], ["platform", "account_id"])}
    assert len(spark_rows["posts"]) == len(duck_rows["posts"]) > 0
    assert spark_rows["posts"] == duck_rows["posts"]
    assert len(spark_rows["accounts"]) == len(duck_rows["accounts"])
    for a, b in zip(spark_rows["accounts"], duck_rows["accounts"]):
        assert a == b
