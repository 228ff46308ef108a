"""A reviewer ingested more posts into an analysed study: the report's headline and coverage showed
3,701 posts while Parties said "110 of 3,202 posts" and the account scores were the old ones, with
no warning, and `status` flagged nothing. `report` (banner + warning) and `status` now say it."""

from __future__ import annotations

from pathlib import Path

from test_report_overstate import _cli, _text

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"


def test_posts_ingested_after_the_analysis_are_flagged_by_report_and_status(tmp_path: Path) -> None:
    runner, app = _cli()
    study = tmp_path / "s.duckdb"
    out = tmp_path / "s.html"
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    res = runner.invoke(app, ["estimate", str(study), "-e", "uk-ge2017"])
    assert res.exit_code == 0, res.output
    # Fresh: no banner, no warning.
    res = runner.invoke(app, ["report", str(study), "-o", str(out), "--no-exports"])
    assert res.exit_code == 0 and "after the analysis" not in _text(out) and "refresh" not in res.output
    assert "stale analysis" not in runner.invoke(app, ["status", str(study)]).output
    # An ingest that stores nothing new changes nothing.
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    assert "stale analysis" not in runner.invoke(app, ["status", str(study)]).output
    res = runner.invoke(app, ["ingest", str(study), str(FIX / "twarc2_flat.jsonl")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["report", str(study), "-o", str(out), "--no-exports"])
    assert res.exit_code == 0, res.output
    text = _text(out)
    assert "Posts were added after the analysis." in text
    assert "4 posts were ingested" in text and "after the stages content, estimates last ran" in text
    assert "Run botwatch analyze s.duckdb (with the same --election" in text
    said = " ".join(res.output.split())
    assert "warning:" in said and "after the analysis stages content, estimates last ran" in said and "botwatch analyze" in said
    status = " ".join(runner.invoke(app, ["status", str(study)]).output.split())
    assert "stale analysis:" in status and "estimates" in status and "botwatch analyze" in status
