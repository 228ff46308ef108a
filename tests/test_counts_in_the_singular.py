"""Lines a user reads after a command, with a count of one: `collect` closed with "kept 1 posts
(+0 other events)" and `export` said "wrote 1 rows of coordination_summary"."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.collect.progress import Stats, summary
from botwatch.study import open_study


def test_the_collect_summary_counts_one_post_in_the_singular() -> None:
    line = summary(Stats(kept=1, kept_other=1), 0, 0, "cap")
    assert line.startswith("kept 1 post (+1 other event) in ")
    assert summary(Stats(kept=2), 0, 0, "cap").startswith("kept 2 posts (+0 other events) in ")


def test_an_export_of_one_row_says_one_row(tmp_path: Path) -> None:
    study = tmp_path / "s.duckdb"
    with open_study(study, read_only=False) as st:
        st.sql("CREATE TABLE IF NOT EXISTS coordination_summary (summary VARCHAR)")
        st.sql("INSERT INTO coordination_summary VALUES ('{}')")
    res = CliRunner().invoke(app, ["export", str(study), "coordination_summary", "-o", str(tmp_path / "c.jsonl")])
    assert res.exit_code == 0, res.output
    assert "wrote 1 row of coordination_summary to " in res.output and "1 rows" not in res.output


def test_an_impact_headline_of_one_lag_says_one_lag(tmp_path: Path) -> None:
    """The report's impact headline read "(F = 123.32, p = 1.3e-25, q = 5.18e-25 over the 8
    impact tests, 1 lags)" for a VAR of lag order 1 (and "over the 1 impact tests" for one test)."""
    from botwatch.timeline.report import _headlines

    def heads(lag: int) -> str:
        row = ("labour", "3h", "volume", "automated", "rest", 240, 0, lag, 123.32, 1.3e-25, 1, 0.34, 0.28, 0.41, 5.2e-25)
        with open_study(tmp_path / f"e{lag}.duckdb", read_only=False) as st:
            return " ".join(str(h) for h in _headlines(st, None, None, None, [row], {}) if "Granger" in str(h))

    assert "over the 1 impact test, 1 lag)" in heads(1) and "1 lags" not in heads(1)
    assert "2 lags)" in heads(2)
