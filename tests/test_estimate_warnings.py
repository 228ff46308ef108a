"""`botwatch estimate` says what `analyze` says when a study's posts lie outside the election's
window or name none of its parties: it printed a table of zeros, exit 0, and nothing else, which
reads as "this archive holds no party talk"."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app

GOP = Path(__file__).resolve().parent / "fixtures" / "ingest" / "gop_debate_2015_tweets.csv"
GOP_MAP = "account_id=author,handle=author,created_at=created_at,text=text,is_retweet=is_retweet"


def test_estimate_warns_when_no_post_is_in_the_election_window(tmp_path: Path) -> None:
    study = tmp_path / "gop.duckdb"
    assert CliRunner().invoke(app, ["ingest", str(study), str(GOP), "--columns", GOP_MAP]).exit_code == 0
    res = CliRunner().invoke(app, ["estimate", str(study), "-e", "us-2016", "--table", "parties", "--reps", "20"])
    said = " ".join(res.output.split())
    assert res.exit_code == 0, res.output
    assert "warning: None of this study's posts (2015-08-06 to 2015-08-06, days in America/New_York) falls in the US presidential election 2016 window" in said
    # The window is why nothing matched: no "check them (`botwatch elections show`)" of the parties' right terms.
    assert "no post in the study falls in the US presidential election 2016 window, so none names its parties" in said
    assert "check its hashtags, keywords and accounts" not in said and "check them" not in said
    # and again when the posts are already labelled (the content stage does not run a second time)
    again = " ".join(CliRunner().invoke(app, ["estimate", str(study), "-e", "us-2016", "--reps", "20"]).output.split())
    assert "labelling posts" not in again and "falls in the US presidential election 2016 window" in again
    assert "not the parties' hashtags or keywords" in again
