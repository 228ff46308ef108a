"""The `timeline` table (the relational part of the time stages) is the same on PySpark as on
DuckDB: the same Ibis expressions over the same inputs, two engines."""

from __future__ import annotations

from datetime import date

import ibis
import pandas as pd
import pytest

from botwatch.pipeline import Context, analyze
from botwatch.timeline import series, zones

from test_timeline import election, synth_study  # noqa: F401  (fixture)

pytestmark = pytest.mark.spark
INPUTS = ("posts", "timeline_groups", "post_party", "post_labels")


def _canon(df: pd.DataFrame) -> pd.DataFrame:
    keys = ["freq", "clock", "dimension", "value", "bucket", "utc_offset_minutes"]
    df = df.copy()
    df["bucket"] = pd.to_datetime(df["bucket"]).dt.tz_localize(None) if getattr(df["bucket"].dt, "tz", None) else pd.to_datetime(df["bucket"])
    df["sentiment_mean"] = df["sentiment_mean"].astype(float).round(9)
    for c in ("posts", "accounts", "sentiment_n"):
        df[c] = df[c].astype("int64")
    df["utc_offset_minutes"] = df["utc_offset_minutes"].astype("Int64")  # NULL on local days
    return df.sort_values(keys).reset_index(drop=True)[keys + ["posts", "accounts", "sentiment_mean", "sentiment_n"]]


def test_timeline_on_spark_equals_duckdb(spark, synth_study) -> None:  # type: ignore[no-untyped-def]
    from test_content_spark import _to_spark

    st = synth_study
    el = election()
    analyze(st, Context(election=el, log=lambda m: None), only=["timeline"])
    duck = st.con.sql("SELECT * FROM timeline").df()
    hours = [r[0] for r in st.sql("SELECT DISTINCT date_trunc('hour', created_at) FROM posts")]
    offsets = zones.offsets_table(hours, el.timezone)
    arrow = {n: st.con.sql(f"SELECT * FROM {n}").to_arrow_table() for n in INPUTS}
    arrow["offsets"] = offsets
    for n, t in arrow.items():
        _to_spark(spark, t).createOrReplaceTempView(f"tl_{n}")
    con = ibis.pyspark.connect(spark)
    t = {n: con.table(f"tl_{n}") for n in arrow}
    expr = series.timeline(series.tagged_posts(t["posts"], t["offsets"], groups=t["timeline_groups"], post_party=t["post_party"], post_labels=t["post_labels"]))
    sp = con.to_pyarrow(expr).to_pandas()
    assert len(sp) == len(duck) > 0
    assert {"local", "utc"} == set(sp["clock"]) and {"party_group", "cluster", "sentiment"} <= set(sp["dimension"])
    pd.testing.assert_frame_equal(_canon(duck), _canon(sp), check_dtype=False)


def _spark_timeline(spark, st, tz: str, inputs: tuple[str, ...]):  # type: ignore[no-untyped-def]
    from test_content_spark import _to_spark

    hours = [r[0] for r in st.sql("SELECT DISTINCT date_trunc('hour', created_at) FROM posts")]
    arrow = {n: st.con.sql(f"SELECT * FROM {n}").to_arrow_table() for n in inputs}
    arrow["offsets"] = zones.offsets_table(hours, tz)
    for n, t in arrow.items():
        _to_spark(spark, t).createOrReplaceTempView(f"tl_{n}")
    con = ibis.pyspark.connect(spark)
    t = {n: con.table(f"tl_{n}") for n in arrow}
    return con.to_pyarrow(series.timeline(series.tagged_posts(t["posts"], t["offsets"]))).to_pandas()


def test_the_repeated_hour_of_a_clock_change_is_two_buckets_on_spark_as_on_duckdb(spark, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The two 02:00 hours of 29 October 2017 in Berlin are two rows (+120, +60) on both engines."""
    from botwatch import open_study
    from test_timeline_repeated_hour import _analysed

    _analysed(tmp_path / "s.duckdb", "Europe/Berlin", date(2017, 10, 29))
    with open_study(tmp_path / "s.duckdb", read_only=True) as st:
        duck = st.con.sql("SELECT * FROM timeline").df()
        sp = _spark_timeline(spark, st, "Europe/Berlin", ("posts",))
    repeated = sp[(sp["clock"] == "local") & (sp["freq"] == "hour") & (sp["dimension"] == "all") & (pd.to_datetime(sp["bucket"]) == pd.Timestamp(2017, 10, 29, 2))]
    assert sorted(zip(repeated["utc_offset_minutes"], repeated["posts"])) == [(60, 1), (120, 1)]
    pd.testing.assert_frame_equal(_canon(duck), _canon(sp), check_dtype=False)


def test_stage_notes_on_a_lake_are_written_as_on_duckdb_without_a_spark_job(spark, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`set_notes` replaces one stage's notes and keeps the others' (a row without a stage too, as
    DELETE keeps it), with the same rows on a lake as on DuckDB; on a local lake with no Spark job
    (a CREATE, DELETE and INSERT were a write job each, two or three around every time stage)."""
    from botwatch.engines.lake import LakeStudy
    from botwatch.study import Study
    from botwatch.timeline.stages import NOTES, set_notes

    def jobs() -> int:
        return int(str(spark.sparkContext._jsc.sc().dagScheduler().nextJobId()))

    steps = [("timeline", []), ("bursts", ["b1", "it's b2"]), ("creation", ["c1"]), ("bursts", ["b3"]), ("creation", []), ("circadian", [])]
    got = {}
    with Study(tmp_path / "s.duckdb") as duck, LakeStudy(tmp_path / "lake", spark=spark) as lake:
        for st in (duck, lake):
            before = jobs()
            for stage, notes in steps[:1]:
                set_notes(st, stage, notes)
            st.sql(f"INSERT INTO {NOTES} VALUES (NULL, 'by hand')")
            between = jobs()
            for stage, notes in steps[1:]:
                set_notes(st, stage, notes)
            if st is lake:
                assert jobs() == between and between - before <= 1  # only the INSERT by hand
            got[st.engine] = sorted(st.sql(f"SELECT stage, note FROM {NOTES}"), key=repr)
        assert NOTES in lake.tables() and lake.columns(NOTES) == ["stage", "note"]
    assert got["spark"] == got["duckdb"] == sorted([(None, "by hand"), ("bursts", "b3")], key=repr)
