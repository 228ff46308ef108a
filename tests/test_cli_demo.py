"""`botwatch demo`, the README's first command after the install (`scripts/demo.sh`), end to end
on the bundled sample: ingest, every stage, the report. It calls the `ingest` command's function
with a Path, which the command line never does; a check that assumed a str broke it once while
every other test passed."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app


def test_demo_ingests_analyzes_and_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    res = CliRunner().invoke(app, ["demo", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "This is a bug in botwatch" not in res.output
    report = out / "report.html"
    assert report.exists() and report.stat().st_size > 100_000
    assert (out / "sample.duckdb").exists()


def test_a_mistyped_preset_is_refused_before_the_earlier_demo_is_touched(tmp_path: Path) -> None:
    """`demo -e uk2017` deleted the earlier demo's study, ingested the sample again, and only then
    said "no preset named 'uk2017'"."""
    out = tmp_path / "demo"
    out.mkdir()
    study = out / "sample.duckdb"
    study.write_bytes(b"earlier demo")
    res = CliRunner().invoke(app, ["demo", "-o", str(out), "-e", "uk2017", "--force"])
    assert res.exit_code == 2 and "no preset named 'uk2017'" in res.output, res.output
    assert "1/3 ingest" not in res.output and study.read_bytes() == b"earlier demo"
