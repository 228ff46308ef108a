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


def test_parties_table_says_where_its_intervals_run_narrow(labelled_sample_path: Path, tmp_path: Path) -> None:
    """The bundled sample's election posts come from a few dozen IRA accounts: the table says how
    much the five most active wrote, as the report's Parties section does (docs/methods.md)."""
    from botwatch import open_study
    from botwatch.cli import app
    from botwatch.report.concentration import concentrated

    path = tmp_path / "s.duckdb"
    shutil.copy(labelled_sample_path, path)
    res = CliRunner().invoke(app, ["estimate", str(path), "--election", "us-2016", "--sample-rate", "0.01", "--reps", "50", "--table", "parties"])
    assert res.exit_code == 0, res.output
    with open_study(path, read_only=True) as st:
        heavy = concentrated(st, ["democrat", "republican", "libertarian", "green"])
    assert heavy
    said = " ".join(res.output.split())
    assert "intervals run too narrow where a few accounts write much of a party's posts: the 5 most active accounts wrote " in said
    assert f"{heavy[0].share:.0%} of the posts naming the party in the campaign window by all accounts" in said or f"{heavy[0].share:.0%}," in said
