"""Stage by stage, the bundled sample analysed on a lake by Spark (local[2]) gives the tables
DuckDB gives: exact for ids, text and counts, within 1e-6 for floating point, compared as sorted
rows (neither engine promises a row order). One Spark session, one lake, for the module.

The content stage's account prior on the lake is checked here too (it used to have a module of
its own, which ingested, copied and ran the content stage on both engines a second time): the
lake's `post_party` equals DuckDB's, the prior brings no post or account rows to the driver (it
used to collect every `post_party` row and the retweet graph's edges), and the neighbour rounds
under looser weights write the same rows on both engines."""

from __future__ import annotations

import math
import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

pytestmark = pytest.mark.spark

# Stages that run on the lake, in pipeline order (the stages each test compares).
SPARK_STAGES = ["coverage", "content", "accounts", "coordination", "accounts_clusters", "timeline", "bursts", "creation", "circadian", "impact", "estimates"]
TOL = 1e-6
# Values that differ by when and how fast a stage ran, not by what it computed.
VOLATILE_JSON_KEYS = {"coordination_summary": ("built_at", "seconds")}


def _without_volatile(name: str, t: pa.Table) -> pa.Table:
    import json

    keys = VOLATILE_JSON_KEYS.get(name)
    if not keys:
        return t
    for i, f in enumerate(t.schema):
        if pa.types.is_string(f.type):
            vals = []
            for v in t.column(i).to_pylist():
                try:
                    obj = json.loads(v) if v else None
                except ValueError:
                    obj = None
                if isinstance(obj, dict):
                    v = json.dumps({k: x for k, x in obj.items() if k not in keys}, sort_keys=True)
                vals.append(v)
            t = t.set_column(i, f.name, pa.array(vals, pa.string()))
    return t


def _norm(v: Any) -> Any:
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, datetime):
        return v.replace(tzinfo=None)
    if isinstance(v, list):
        return tuple(_norm(x) for x in v)
    if isinstance(v, dict):
        return tuple(sorted((k, _norm(x)) for k, x in v.items()))
    return v


def _key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """Sort key: exact values as text, floats rounded coarsely (ties then compare in any order)."""
    return tuple((0, "") if v is None else (1, f"{v:.3f}") if isinstance(v, float) else (1, repr(v)) for v in row)


def rows(t: pa.Table) -> list[tuple[Any, ...]]:
    cols = [[_norm(v) for v in c.to_pylist()] for c in t.columns]
    return sorted(zip(*cols), key=_key) if cols else []


def assert_same_table(name: str, duck: pa.Table, lake: pa.Table) -> None:
    assert lake.column_names == duck.column_names, name
    # The same types too (nullability aside: Spark stores every column nullable). Values alone
    # hid DECIMAL against DOUBLE and HUGEINT against BIGINT in `clusters`, which the exports showed.
    types = [(f.name, str(f.type), str(g.type)) for f, g in zip(duck.schema, lake.schema) if f.type != g.type]
    assert not types, f"{name}: column types differ (name, duckdb, spark): {types}"
    assert lake.num_rows == duck.num_rows, name
    for i, (a, b) in enumerate(zip(rows(duck), rows(lake))):
        for col, x, y in zip(duck.column_names, a, b):
            if isinstance(x, float) and isinstance(y, float):
                assert (math.isnan(x) and math.isnan(y)) or math.isclose(x, y, rel_tol=TOL, abs_tol=TOL), f"{name}.{col} row {i}: {x} != {y}"
            else:
                if isinstance(x, date) and not isinstance(x, datetime) and isinstance(y, datetime):
                    y = y.date()
                assert x == y, f"{name}.{col} row {i}: {x!r} != {y!r}"


@pytest.fixture(scope="module")
def both(sample_study_path: Path, analysed_sample_path: Path, tmp_path_factory: pytest.TempPathFactory, spark: Any) -> Any:
    """(DuckDB study, lake study) after the same stages ran on each, from the same ingested sample.

    The DuckDB side is a copy of the session's `analysed_sample_path` (every stage, us-2016, the
    DuckDB engine: what this fixture used to run on its own copy of the sample, and SPARK_STAGES is
    every stage), so a worker that already built it for other modules does not analyse the sample
    on DuckDB a second time. The lake is made from the ingested sample, as before."""
    from botwatch import open_study
    from botwatch.elections import load_election
    from botwatch.engines.lake import lake_from_study
    from botwatch.pipeline import Context, analyze, stages

    assert SPARK_STAGES == [s.name for s in stages()], "the DuckDB side is `analysed_sample_path`: every stage"
    tmp = tmp_path_factory.mktemp("parity")
    with open_study(sample_study_path) as ingested:
        lake = lake_from_study(ingested, tmp / "lake", spark=spark)
    shutil.copy(analysed_sample_path, tmp / "s.duckdb")  # a copy: test_neighbour_rounds_equal_duckdb writes into it
    duck = open_study(tmp / "s.duckdb", read_only=False)
    election = load_election("us-2016")
    # What each stage brought to the driver on the lake (`LakeStudy.collected`), for the test of
    # which stages collect what.
    lake.collected_by_stage = {}
    start = lambda stage: lake.collected.clear()  # noqa: E731
    done = lambda stage, status, rows, seconds: lake.collected_by_stage.__setitem__(stage, list(lake.collected))  # noqa: E731
    analyze(lake, Context(election=election, engine="spark", log=lambda m: None), only=SPARK_STAGES, on_start=start, on_done=done)
    yield duck, lake
    lake.close()
    duck.close()


def _writes(stage: str) -> tuple[str, ...]:
    from botwatch.pipeline import stages

    return next(s.writes + s.updates for s in stages() if s.name == stage)


@pytest.mark.parametrize("stage", SPARK_STAGES)
def test_stage_tables_equal_on_both_engines(both: Any, stage: str) -> None:
    duck, lake = both
    for name in _writes(stage):
        assert name in lake.tables(), f"{stage} did not write {name} on the lake"
        assert_same_table(name, _without_volatile(name, duck.arrow(name)), _without_volatile(name, lake.arrow(name)))


@pytest.mark.parametrize("stage", ["accounts", "accounts_clusters"])
def test_accounts_stages_bring_no_account_rows_to_the_driver(both: Any, stage: str) -> None:
    """The accounts stages score batches of accounts on the executors (`map_arrow`): what reaches
    the driver is one study-prior row per batch and statement results, never a row per account
    (the stages used to collect every account's features, scores and evidence)."""
    duck, lake = both
    accounts = duck.count("accounts")
    assert accounts > 100  # enough that a per-account collect shows
    got = lake.collected_by_stage[stage]
    assert max((rows for rows, _cols in got), default=0) < accounts / 10, got
    assert not [cols for rows, cols in got if "account_id" in cols and rows], got


def test_runs_are_recorded_on_the_lake(both: Any) -> None:
    _, lake = both
    got = lake.sql("SELECT stage, status FROM runs WHERE stage <> 'ingest' ORDER BY started_at")
    # each stage once, in the declared order (accounts_clusters adds the clusters after coordination)
    assert [r[0] for r in got] == SPARK_STAGES and {r[1] for r in got} == {"ok"}


def test_lake_reopens_with_its_tables_and_marker(both: Any, spark: Any) -> None:
    from botwatch import open_study
    from botwatch.engines.lake import is_lake_path

    _, lake = both
    assert is_lake_path(str(lake.path))
    again = open_study(lake.path, spark=spark)
    assert set(again.tables()) == set(lake.tables()) and again.schema_version == lake.schema_version
    assert again.count("posts") == lake.count("posts")


def test_report_is_the_same_report(both: Any, tmp_path: Path) -> None:
    """The report (HTML and the exports beside it) built from the lake is the one built from the
    DuckDB study, once what legitimately differs is normalised (`testsupport.report_compare`)."""
    from botwatch.report.build import build_report
    from botwatch.report.context import study_label
    from testsupport.report_compare import export_differences, report_differences

    from botwatch.engines.lake_report import report_view

    duck, lake = both
    # The lake is read as `build_report` reads it, with a row limit under the sample's posts, so
    # the per-post tables stay on Spark (statements over them and pushed-down derived tables)
    # while the small tables are queried by DuckDB at the driver: both paths are compared.
    view = report_view(lake, hold_rows=1_000)
    html = {}
    for st, engine in ((duck, "duckdb"), (view, "spark")):
        out = build_report(st, tmp_path / engine / "report.html", title="parity", ctx={"nonce": "parity"}, strict=True)
        html[engine] = out.read_text(encoding="utf-8")
    assert {"runs", "accounts", "account_scores"} <= view._held and not {"posts", "post_labels"} & view._held, view._held
    assert view._pushed, "no derived table over posts ran on Spark"
    view.close()
    diffs = report_differences(html["duckdb"], html["spark"], study_label(duck.path)[1], study_label(lake.path)[1])
    assert not diffs, "the reports differ:\n" + "\n".join(diffs[:10])
    diffs = export_differences(tmp_path / "duckdb" / "report-data", tmp_path / "spark" / "report-data")
    assert not diffs, "the exports differ:\n" + "\n".join(diffs[:10])


def test_account_scores_export_names_each_account_on_both_engines(both: Any, tmp_path: Path) -> None:
    """The export of `account_scores` joins each account's handle in (`table_export.source_query`);
    a lake writes it from the table collected to the driver, so it must bring the handles too."""
    import pyarrow.parquet as pq

    duck, lake = both
    duck.export("account_scores", tmp_path / "duck.parquet")
    lake.export("account_scores", tmp_path / "lake.parquet")
    d, k = pq.read_table(tmp_path / "duck.parquet"), pq.read_table(tmp_path / "lake.parquet")
    assert d.column_names[:3] == ["platform", "account_id", "handle"] and d.num_rows == duck.count("account_scores")
    assert any(d.column("handle").to_pylist())
    assert_same_table("account_scores export", d, k)


def test_accounts_scored_export_says_whether_the_model_saw_the_platform_on_both_engines(both: Any, tmp_path: Path) -> None:
    """The export of `accounts_scored` adds `model_platform_seen` from the bot model the study's
    `runs` recorded; a lake writes it from an in-memory copy without `runs`, so it must say which
    model scored the lake itself (else every row read NULL there)."""
    import pyarrow.parquet as pq

    duck, lake = both
    duck.export("accounts_scored", tmp_path / "duck.parquet")
    lake.export("accounts_scored", tmp_path / "lake.parquet")
    d, k = pq.read_table(tmp_path / "duck.parquet"), pq.read_table(tmp_path / "lake.parquet")
    assert d.column_names[-2:] == k.column_names[-2:] == ["model_platform_seen", "origin_model_platform_seen"]

    def seen(t: pa.Table) -> list[tuple[Any, ...]]:
        return sorted((r["platform"], r["account_id"], r["model_platform_seen"]) for r in t.select(["platform", "account_id", "model_platform_seen"]).to_pylist())

    assert seen(d) == seen(k) and any(s is not None for *_, s in seen(k))
    cols = ["platform", "account_id", "origin_model_platform_seen"]
    assert sorted(tuple(r.values()) for r in d.select(cols).to_pylist()) == sorted(tuple(r.values()) for r in k.select(cols).to_pylist())


def test_report_view_runs_small_statements_at_the_driver_and_large_ones_on_spark(both: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """`engines.lake_report`: a statement over small tables runs on the driver's DuckDB (no Spark
    statement), a derived table over posts runs on Spark with only its result collected, and a
    statement over posts alone stays on Spark; every answer is DuckDB's."""
    from botwatch.engines.lake_report import reading

    duck, lake = both
    on_spark: list[str] = []
    collected: list[str] = []
    sql, arrow = lake.sql, lake.arrow
    monkeypatch.setattr(lake, "sql", lambda q, p=None: (on_spark.append(q), sql(q, p))[1])
    monkeypatch.setattr(lake, "arrow", lambda name: (collected.append(name), arrow(name))[1])
    per_account = (
        "SELECT a.account_id, coalesce(pc.posts, 0) AS n FROM accounts a LEFT JOIN "
        "(SELECT platform, account_id, count(*) AS posts FROM posts GROUP BY ALL) pc "
        "ON pc.platform = a.platform AND pc.account_id = a.account_id ORDER BY 1"
    )
    small = "SELECT stage, count(*) FROM runs WHERE stage <> ? GROUP BY ALL ORDER BY 1"
    by_kind = "SELECT kind, count(*) FROM posts GROUP BY ALL ORDER BY 2 DESC, 1"
    with reading(lake, hold_rows=1_000) as view:
        assert view.sql(small, ["ingest"]) == duck.sql(small, ["ingest"])
        assert view.sql(per_account) == duck.sql(per_account)
        assert on_spark == [], "statements over small tables went to Spark"
        assert view.sql(by_kind) == duck.sql(by_kind)
        assert on_spark == [by_kind]
        described = view.sql(f"DESCRIBE {per_account}")
    assert [r[:2] for r in described] == [r[:2] for r in duck.sql(f"DESCRIBE {per_account}")]
    # held: the small tables (read from their Parquet files, a local lake); posts never came whole
    assert {"runs", "accounts"} <= view._held and "posts" not in view._held and "posts" not in collected


def test_post_party_equals_duckdb(both: Any) -> None:
    """The prior decided rows (so their evidence sentences are compared too) and the lake's
    `post_party` is DuckDB's."""
    duck, lake = both
    changed = duck.sql("SELECT count(*) FROM post_party WHERE stance_rule IN ('account_prior', 'retweet_neighbours')")[0][0]
    assert changed > 50
    assert_same_table("post_party", duck.arrow("post_party"), lake.arrow("post_party"))


def test_the_content_stage_brings_no_rows_to_the_driver(both: Any) -> None:
    duck, lake = both
    rows = duck.count("post_party")
    got = lake.collected_by_stage["content"]
    assert max((n for n, _cols in got), default=0) < rows / 100, got
    assert not [cols for n, cols in got if {"post_id", "account_id", "node"} & set(cols) and n], got


def test_neighbour_rounds_equal_duckdb(both: Any) -> None:
    """Under weights where the neighbour rounds decide many rows (and neutral may be given), the
    two engines still write the same rows: the propagation itself, not only the own-posts prior.
    It writes its own table (`post_party_loose`) beside the stages' tables, on both engines alike,
    so it runs last in this module."""
    from botwatch.content.prior_engine import propagate_in_engine
    from tests.test_content_prior_engine import LOOSE

    duck, lake = both
    lake.collected.clear()
    for st in (duck, lake):
        propagate_in_engine(st, LOOSE, out_name="post_party_loose")
    assert not [n for n, _cols in lake.collected if n > 10], lake.collected
    neighbours = duck.sql("SELECT count(*) FROM post_party_loose WHERE stance_rule = 'retweet_neighbours'")[0][0]
    assert neighbours > 50
    assert_same_table("post_party_loose", duck.arrow("post_party_loose"), lake.arrow("post_party_loose"))
