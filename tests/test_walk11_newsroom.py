"""What a newsroom data desk met running botwatch on the shared real archives from the README and
docs alone: mistakes a new user makes, and lines that did not say what to do next."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
GOP_MAP = "account_id=author,handle=author,created_at=created_at,text=text,is_retweet=is_retweet"
runner = CliRunner()


def _said(res) -> str:  # type: ignore[no-untyped-def]
    return " ".join(res.output.split())


def test_a_column_map_given_to_an_archive_of_a_known_format_beside_a_mapped_csv_says_to_split_the_command(tmp_path: Path) -> None:
    """`ingest S ira.csv gop.csv --columns ...` (the IRA file botwatch knows, the gop file it needs
    the map for) said only that the IRA file lacks the mapped columns: nothing told the user that
    one map covers every input, so the two need two commands."""
    study = tmp_path / "s.duckdb"
    res = runner.invoke(app, ["ingest", str(study), str(FIX / "ira_tweets.csv"), str(FIX / "gop_debate_2015_tweets.csv"),
                              "--columns", GOP_MAP], env={"COLUMNS": "400"})
    assert res.exit_code == 2 and not study.exists(), res.output
    said = _said(res)
    assert "ira_tweets.csv: the column map names columns this file lacks" in said
    assert ("the map applies to every input of the command and 1 other input has its columns: ingest files of another "
            "layout in a separate command, without the map if botwatch knows their format") in said, said


def test_a_column_map_no_input_fits_is_not_told_to_split_the_command(tmp_path: Path) -> None:
    """With no input readable under the map the map itself is wrong: no hint about other layouts."""
    res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(FIX / "ira_tweets.csv"), "--columns", GOP_MAP],
                        env={"COLUMNS": "400"})
    assert res.exit_code == 2 and "this file lacks" in _said(res) and "applies to every input" not in _said(res), res.output
