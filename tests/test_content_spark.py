"""The relational steps of the content and estimates stages give the same tables on PySpark as
on DuckDB (the same Ibis expressions, two engines)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from botwatch.elections import load_election

pytestmark = pytest.mark.spark
US = load_election("us-2016")


def _to_spark(spark, table):  # type: ignore[no-untyped-def]
    """Arrow → Spark with the column types below, handed over as Arrow (no pandas, so no
    pandas-extension dtypes; PySpark casts the table to `schema`). It used to go through one
    Python tuple per row (`to_pylist`), which Spark then read back row by row through its
    pickle bridge: the same values, slower (docs/testing.md, stop 75)."""
    from pyspark.sql import types as T

    def st(t):  # type: ignore[no-untyped-def]
        import pyarrow as pa

        if pa.types.is_string(t):
            return T.StringType()
        if pa.types.is_boolean(t):
            return T.BooleanType()
        if pa.types.is_floating(t):
            return T.DoubleType()
        if pa.types.is_integer(t):
            return T.LongType()
        if pa.types.is_timestamp(t):
            return T.TimestampNTZType()
        if pa.types.is_list(t):
            return T.ArrayType(st(t.value_type))
        raise TypeError(t)

    schema = T.StructType([T.StructField(f.name, st(f.type), True) for f in table.schema])
    return spark.createDataFrame(table, schema=schema)


def _canon(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    df = df.copy()
    for c in df.columns:
        if df[c].dtype == object or str(df[c].dtype).startswith("string"):
            df[c] = df[c].map(lambda v: tuple(v) if isinstance(v, (list, tuple)) or hasattr(v, "tolist") and not isinstance(v, str) else v)
    return df.sort_values(keys).reset_index(drop=True).astype(object).where(lambda d: d.notna(), None)


def test_relational_steps_match_on_spark(spark, sample_study_path: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import ibis

    from botwatch import open_study
    from botwatch.content.relational import label_input
    from botwatch.content.stage import run_content
    from botwatch.estimates.compute import default_windows
    from botwatch.estimates.relational import account_cells, account_groups, party_accounts, units

    path = tmp_path / "s.duckdb"
    shutil.copy(sample_study_path, path)
    with open_study(path, read_only=False) as st:
        # one busy account posing as an official Democrat account: the group 'not_party_accounts'
        # (the own-account cue read from post_party.signals) then leaves someone out on both engines
        st.sql("UPDATE accounts SET handle = 'HillaryClinton' WHERE account_id = 'dorothiebell'")
        run_content(st, US, log=lambda m: None)
        accts = [r[0] for r in st.sql("SELECT DISTINCT account_id FROM post_labels WHERE in_election ORDER BY 1")]
        st.sql("CREATE TABLE account_scores AS SELECT 'twitter' AS platform, account_id, CASE WHEN hash(account_id) % 2 = 0 THEN 0.8 ELSE 0.2 END::DOUBLE AS bot_probability, "
               "CASE WHEN hash(account_id) % 3 = 0 THEN 'RU' ELSE 'US' END AS origin_country, 0.7::DOUBLE AS origin_probability, "
               "CASE WHEN hash(account_id) % 3 = 0 THEN '{\"RU\": 0.45, \"UA\": 0.4, \"US\": 0.15}' ELSE '{\"US\": 0.7, \"RU\": 0.3}' END AS origin_probabilities FROM (SELECT unnest(?::VARCHAR[]) AS account_id)", [accts])
        names = ["posts", "accounts", "post_labels", "post_party", "account_scores"]
        # A slice keeps the JVM hand-over short: the in-election rows and every tenth other row.
        st.sql("CREATE TABLE posts_slice AS SELECT * FROM posts WHERE hash(post_id) % 10 = 0 OR post_id IN (SELECT post_id FROM post_labels WHERE in_election) LIMIT 4000")
        st.sql("CREATE TABLE post_labels_slice AS SELECT * FROM post_labels WHERE post_id IN (SELECT post_id FROM posts_slice)")
        st.sql("CREATE TABLE post_party_slice AS SELECT * FROM post_party WHERE post_id IN (SELECT post_id FROM posts_slice)")
        src = {"posts": "posts_slice", "post_labels": "post_labels_slice", "post_party": "post_party_slice"}
        arrow = {n: st.con.sql(f"SELECT * FROM {src.get(n, n)}").to_arrow_table() for n in names}  # Study.arrow uses a DuckDB 1 API
        windows = default_windows(US)

        def exprs(t):  # type: ignore[no-untyped-def]
            li = label_input(t["posts"], t["accounts"]).select("platform", "post_id", "account_id", "handle")
            cells = account_cells(units(t["post_labels"], t["post_party"]), account_groups(t["account_scores"], US.country), windows,
                                  party_accounts(t["post_party"]))
            return li, cells

        d_li, d_cells = exprs({n: st.table(src.get(n, n)) for n in names})
        duck_li = st.con.sql(ibis.to_sql(d_li, dialect="duckdb")).df()
        duck_cells = st.con.sql(ibis.to_sql(d_cells, dialect="duckdb")).df()

    for n, t in arrow.items():
        _to_spark(spark, t).createOrReplaceTempView(f"bw_{n}")
    con = ibis.pyspark.connect(spark)
    s_li, s_cells = exprs({n: con.table(f"bw_{n}") for n in names})
    spark_li = con.to_pyarrow(s_li).to_pandas()
    spark_cells = con.to_pyarrow(s_cells).to_pandas()

    assert len(duck_li) == len(spark_li) > 0
    pd.testing.assert_frame_equal(_canon(duck_li, ["platform", "post_id"]), _canon(spark_li, ["platform", "post_id"]), check_dtype=False)
    keys = ["period", "account_group", "party", "platform", "account_id"]
    assert set(duck_cells["account_group"]) == {"all", "likely_automated", "foreign_origin", "not_party_accounts"}
    groups = duck_cells["account_group"]
    assert (groups == "not_party_accounts").sum() < (groups == "all").sum()  # the party account's cells are left out
    pd.testing.assert_frame_equal(_canon(duck_cells, keys), _canon(spark_cells, keys)[list(duck_cells.columns)], check_dtype=False)
