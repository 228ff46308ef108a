"""The stage runner: order, skips, run records, and refreshing a stage after the one it depends on."""

from __future__ import annotations

from pathlib import Path

import pytest

from botwatch import open_study
from botwatch import pipeline


def test_a_stage_is_refreshed_after_a_later_stage_it_takes_evidence_from(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(pipeline, "_REGISTRY", {})
    monkeypatch.setattr(pipeline, "STAGE_MODULES", [])

    @pipeline.register("scores", refresh_after=("network",))
    def scores(study, ctx):  # type: ignore[no-untyped-def]
        has_network = "network_out" in study.tables()
        calls.append(f"scores(network={has_network})")
        return 1

    @pipeline.register("network")
    def network(study, ctx):  # type: ignore[no-untyped-def]
        study.sql("CREATE OR REPLACE TABLE network_out AS SELECT 1 AS x")
        calls.append("network")
        return 1

    @pipeline.register("needs_missing", needs=("nope",))
    def needs_missing(study, ctx):  # type: ignore[no-untyped-def]
        raise AssertionError("must not run")

    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        results = pipeline.analyze(st, pipeline.Context(log=lambda m: None))
        assert calls == ["scores(network=False)", "network", "scores(network=True)"]
        assert [r[0] for r in results] == ["scores", "network", "scores (refreshed after network)", "needs_missing"]
        assert results[-1][1] == "skipped: needs nope"
        assert st.sql("SELECT stage, status FROM runs ORDER BY started_at") == [("scores", "ok"), ("network", "ok"), ("scores", "ok")]
        calls.clear()
        pipeline.analyze(st, pipeline.Context(log=lambda m: None), only=["scores"])
        assert calls == ["scores(network=True)"]  # run alone: no refresh needed
