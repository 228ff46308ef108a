"""The estimates stage on a lake: the same table as on DuckDB, and only the estimate rows reach the
driver (`LakeStudy.collected`), never the account × cell counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from botwatch.engines.lake import lake_from_study
from botwatch.estimates.compute import EstimateOptions, compute_estimates, write_estimates
from botwatch.report.section_parties import file_cue_counts
from botwatch.study import Study
from testsupport.estimates_plant import US, plant_study

pytestmark = pytest.mark.spark


def test_estimates_on_a_lake_equal_duckdbs_and_collect_no_account_rows(spark: Any, tmp_path: Path) -> None:
    opts = EstimateOptions(sample_rate=0.1, reps=200, seed=4)
    with Study(tmp_path / "s.duckdb") as st:
        plant_study(st, accounts=400, seed=8)
        accounts = st.sql("SELECT count(DISTINCT account_id) FROM post_labels WHERE in_election")[0][0]
        want = compute_estimates(st, US, opts, log=lambda m: None)
        lake = lake_from_study(st, tmp_path / "lake", spark=spark)
    try:
        lake.collected.clear()
        got = compute_estimates(lake, US, opts, log=lambda m: None)
        collected = list(lake.collected)
        # The report's file-cue counts run on the lake as the estimates do (`file_cue_counts`), and
        # their decided pairs are the estimates' support and oppose posts.
        write_estimates(lake, got)
        cues = file_cue_counts(lake, public_only=False)
        assert "_estimate_vectors" not in lake.tables() and "_estimate_vectors" not in lake._temp
    finally:
        lake.close()
    decided: dict[str, float] = {}
    for r in want.to_pylist():
        if (r["period"], r["account_group"]) == ("campaign", "all") and r["metric"] in ("support_posts", "oppose_posts"):
            decided[r["party"]] = decided.get(r["party"], 0) + r["observed"]
    assert {k: c["decided"] for k, c in cues.items()} == {k: int(v) for k, v in decided.items() if v} != {}
    assert got.num_rows == want.num_rows > 100
    assert got.equals(want)  # the bootstrap ran on the executors over the same vectors: same draws
    # The scaled counts' bounds are widened to whole multiples of 1/rate (10) on the executors too.
    counts = [r for r in got.to_pylist() if r["metric"].endswith("posts") and r["ci_low"] is not None]
    assert counts and all(r["ci_low"] % 10 == 0 and r["ci_high"] % 10 == 0 and r["ci_low"] <= r["estimate"] <= r["ci_high"] for r in counts)
    assert collected and not [cols for _, cols in collected if "account_id" in cols]
    assert max(rows for rows, _ in collected) <= got.num_rows and accounts > got.num_rows // 2
