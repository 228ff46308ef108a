"""`botwatch estimate`'s reference table on an archive with no election post in the 30 days before
polling day: @UKLabour's 1-7 May 2017 read "posts by foreign-origin accounts, 30 days before
polling day: observed 0, estimate 0", a zero for days the archive never reached, where the report
says "whether foreign-origin accounts posted then is not measured here". The command says so too."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app

SAID = "The study holds no election post from the 30 days before polling day, so whether foreign-origin accounts (or any) posted then is not measured here"


def test_days_the_archive_never_reached_are_said_not_measured(labelled_sample_path: Path, tmp_path: Path) -> None:
    """The labelled sample cut off before those days (9 October 2016 on), as @UKLabour's week is."""
    from botwatch import open_study

    path = tmp_path / "s.duckdb"
    shutil.copy(labelled_sample_path, path)
    with open_study(path, read_only=False) as st:
        for t in ("post_labels", "post_party"):
            st.sql(f"DELETE FROM {t} WHERE created_at >= '2016-10-09'")
    res = CliRunner().invoke(app, ["estimate", str(path), "-e", "us-2016", "--sample-rate", "0.01", "--reps", "20"])
    assert res.exit_code == 0, res.output
    assert SAID in " ".join(res.output.split()), res.output


def test_not_said_where_the_archive_has_those_days(labelled_sample_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    shutil.copy(labelled_sample_path, path)
    res = CliRunner().invoke(app, ["estimate", str(path), "-e", "us-2016", "--reps", "20"])
    assert res.exit_code == 0, res.output
    assert "not measured here" not in res.output and "Posts by foreign-origin accounts" in res.output
