"""What a reviewer walking through botwatch as a new user met in the ingest and CLI layers: a
refused file reported as ingested on a re-run, user mistakes reported as bugs, tracebacks on
Ctrl-C, files replaced without asking, a non-UTF-8 file name, and friction in a folder walk."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
CLI_FIX = Path(__file__).resolve().parent / "fixtures" / "cli"
runner = CliRunner()


def _said(res) -> str:  # type: ignore[no-untyped-def]
    return " ".join(res.output.split())


def test_a_refused_file_stays_refused_on_every_rerun(tmp_path: Path) -> None:
    """The unreadable file's hash was recorded in `sources` like an ingested one, so the same
    command run again skipped it as "identical content already ingested" and exited 0."""
    study = tmp_path / "s.duckdb"
    cmd = ["ingest", str(study), str(FIX / "v1_uklabour.jsonl"), str(CLI_FIX / "unknown_layout.csv")]
    first = runner.invoke(app, cmd)
    assert first.exit_code == 1, first.output
    for _ in range(2):
        again = runner.invoke(app, cmd)
        assert again.exit_code == 1, again.output
        said = _said(again)
        assert "skipped " + str(FIX / "v1_uklabour.jsonl") in said  # the file taken is not read twice
        assert "unknown_layout.csv: identical content" not in said
        assert "unreadable " + str(CLI_FIX / "unknown_layout.csv") + ": not a format botwatch reads: not JSON" in said
    from botwatch import open_study

    with open_study(study) as st:  # recorded once however often it is refused
        assert st.sql("SELECT count(*) FROM sources WHERE format IS NULL")[0][0] == 1
        assert st.sql("SELECT count(*) FROM rejected")[0][0] == 1
    forced = runner.invoke(app, cmd[:2] + [str(FIX / "v1_uklabour.jsonl")])
    assert forced.exit_code == 0 and "identical content already ingested" in forced.output
