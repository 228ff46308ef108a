"""DuckDB and Spark give the same answers on a generated study with a planted network (issue 19).

A small crowd with a planted coordinated network (`testsupport.crowd_files`, v1.1 JSON lines) goes
through the command line twice, as a user would run it: `botwatch ingest` and `botwatch analyze`
into a DuckDB study, and the same with `--engine spark` into a lake folder. Then, from what
`botwatch export` writes on each side:
  * the same clusters (as sets of member accounts: cluster numbering may differ),
  * the same `accounts_scored` ids, with bot and origin probabilities within 1e-6,
  * the planted network recovered on both (the ground truth real data never gives).
Generated data tests code paths only; nothing is tuned to it.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

pytestmark = pytest.mark.spark

TOL = 1e-6
STAGES = ["accounts", "coordination", "accounts_clusters"]  # what accounts_scored and cluster_members come from


def _spec():  # noqa: ANN202 - testsupport's CrowdSpec
    from testsupport.coordination_synth import CrowdSpec

    # Small enough for seconds on DuckDB; the planted group is 20 members over 30 campaign posts.
    return CrowdSpec(posts=8_000, accounts=1_000, days=2, planted=20, campaign_posts=30)


def _cli(args: list[str]) -> str:
    from botwatch.cli import app

    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, f"botwatch {' '.join(args[:3])} … failed ({res.exit_code}):\n{res.output[-3000:]}\n{res.exception!r}"
    return res.output


@pytest.fixture(scope="module")
def studies(tmp_path_factory: pytest.TempPathFactory, spark: Any) -> dict[str, Path]:
    """The crowd ingested and analysed on each engine; returns each side's export folder. The
    Spark commands run on the tests' session (`spark`, active here), as under spark-submit, so
    no command starts a JVM of its own."""
    from testsupport.crowd_files import write_crowd

    root = tmp_path_factory.mktemp("planted")
    files = [str(p) for p in write_crowd(root / "files", _spec()).files]
    out: dict[str, Path] = {}
    for engine, study, flag in (("duckdb", root / "study.duckdb", []), ("spark", root / "lake", ["--engine", "spark"])):
        _cli(["ingest", *flag, str(study), *files])
        _cli(["analyze", *flag, str(study), *[x for stage in STAGES for x in ("--only", stage)]])
        folder = root / f"export-{engine}"
        folder.mkdir()
        _cli(["export", str(study), "cluster_members", "-o", str(folder / "m.csv")])
        _cli(["export", str(study), "accounts_scored", "-o", str(folder / "scored.parquet")])
        out[engine] = folder
    return out


def _clusters(folder: Path) -> set[frozenset[str]]:
    by: dict[str, set[str]] = {}
    with open(folder / "m.csv", newline="") as f:
        for row in csv.DictReader(f):
            by.setdefault(row["cluster_id"], set()).add(row["account_id"])
    return {frozenset(m) for m in by.values()}


def _handles(folder: Path) -> dict[str, str]:
    with open(folder / "m.csv", newline="") as f:
        return {row["account_id"]: row["handle"] for row in csv.DictReader(f)}


def test_same_clusters(studies: dict[str, Path]) -> None:
    duck, spark = _clusters(studies["duckdb"]), _clusters(studies["spark"])
    assert duck, "DuckDB found no cluster at all: the planted network should make one"
    only_duck, only_spark = duck - spark, spark - duck
    assert not only_duck and not only_spark, (
        f"clusters differ: {len(only_duck)} only on DuckDB (sizes {sorted(len(c) for c in only_duck)}), "
        f"{len(only_spark)} only on Spark (sizes {sorted(len(c) for c in only_spark)})"
    )


def _scored(folder: Path) -> dict[str, tuple[float | None, float | None, str | None]]:
    t = pq.read_table(folder / "scored.parquet", columns=["account_id", "bot_probability", "origin_probability", "origin_country"])
    rows = t.to_pylist()
    ids = [r["account_id"] for r in rows]
    assert len(ids) == len(set(ids)), "accounts_scored holds an account twice"
    return {r["account_id"]: (r["bot_probability"], r["origin_probability"], r["origin_country"]) for r in rows}


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)) or (isinstance(b, float) and math.isnan(b)):
        return (a is None or math.isnan(a)) and (b is None or math.isnan(b))
    return abs(a - b) <= TOL


def test_same_scored_accounts(studies: dict[str, Path]) -> None:
    duck, spark = _scored(studies["duckdb"]), _scored(studies["spark"])
    assert set(duck) == set(spark), f"{len(set(duck) - set(spark))} ids only on DuckDB, {len(set(spark) - set(duck))} only on Spark"
    for what, i in (("bot probability", 0), ("origin probability", 1)):
        off = sorted((k for k in duck if not _close(duck[k][i], spark[k][i])), key=lambda k: -abs((duck[k][i] or 0) - (spark[k][i] or 0)))
        assert not off, (f"{what} differs beyond {TOL} for {len(off)} of {len(duck)} accounts, e.g. "
                         + ", ".join(f"{k}: {duck[k][i]} vs {spark[k][i]}" for k in off[:3]))
    countries = [k for k in duck if duck[k][2] != spark[k][2]]
    assert not countries, f"most likely origin differs for {len(countries)} accounts, e.g. {countries[:3]}"


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_planted_network_recovered(studies: dict[str, Path], engine: str) -> None:
    from testsupport.crowd_files import planted_handles

    truth = set(planted_handles(_spec()))
    handles = _handles(studies[engine])
    best = max(_clusters(studies[engine]), key=lambda c: len({handles[a] for a in c} & truth))
    members = {handles[a] for a in best}
    recall, precision = len(members & truth) / len(truth), len(members & truth) / len(members)
    assert recall >= 0.9 and precision >= 0.9, f"{engine}: best cluster recall {recall:.2f}, precision {precision:.2f}"
