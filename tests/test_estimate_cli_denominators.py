"""`botwatch estimate --table parties` prints positive and negative shares; their denominator is
the party's English posts with a sentiment score, not all its posts, and the table must say so
(the report's table does, with its "In English" column). On ordinary Brexit tweets Labour read
"positive 13.6%" of 1,965 scored posts out of 2,106: read bare, a share of all 2,106."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner


def test_parties_table_names_the_sentiment_shares_denominator(labelled_sample_path: Path, tmp_path: Path) -> None:
    from botwatch.cli import app

    path = tmp_path / "s.duckdb"
    shutil.copy(labelled_sample_path, path)
    res = CliRunner().invoke(app, ["estimate", str(path), "--election", "us-2016", "--sample-rate", "0.01", "--reps", "50", "--table", "parties"])
    assert res.exit_code == 0, res.output
    assert "positive / negative: shares of the party's posts in English with a sentiment score, not of all its posts" in res.output, res.output
