"""The line `estimate` and `analyze` print about the sample rate they use may name an input file
or a capture folder (a capture's file ingested without its manifest, a manifest with no usable
rate); it went to the terminal raw, an escape sequence in the name included, where `status`
printed the same line escaped."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"


def test_the_rate_line_names_a_folder_escaped(tmp_path: Path) -> None:
    from botwatch.cli import app

    name = "x-stream-20260101T000500123456Z-111.jsonl.gz"  # a capture's file, copied out without its manifest
    (tmp_path / "other\x1b[31m").mkdir()
    shutil.copy(FIX / "twarc2_two_tweets.jsonl.gz", tmp_path / "other\x1b[31m" / name)
    study = tmp_path / "s.duckdb"
    run = CliRunner().invoke
    assert run(app, ["ingest", str(study), str(tmp_path / "other\x1b[31m" / name)]).exit_code == 0
    for args in (["estimate", str(study), "-e", "uk-ge2017", "--reps", "20"], ["analyze", str(study), "-e", "uk-ge2017", "--only", "estimates"]):
        res = run(app, args)
        assert res.exit_code == 0, res.output
        assert "rate is unknown" in res.output and "other\\x1b[31m" in res.output, res.output
        assert "\x1b" not in res.output
