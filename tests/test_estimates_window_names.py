"""An extra estimate window is a period of its own, keyed by its name: `--window campaign=...`
(or one name given twice) made two spans of one period, and every post in both was counted twice
(on @UKLabour's first week of May 2017, 110 campaign posts read 150 in `estimate --table parties`).
Such names are refused before anything runs."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.estimates.compute import EstimateOptions, parse_window


@pytest.mark.parametrize("specs, said", [
    (["campaign=2017-05-01..2017-05-03"], "window name 'campaign' is taken by the built-in period"),
    (["last_30_days=2017-05-01..2017-05-03"], "window name 'last_30_days' is taken by the built-in period"),
    (["a=2017-05-01..2017-05-03", "a=2017-05-05..2017-05-06"], "window name 'a' is given 2 times"),
])
def test_window_names_that_would_merge_periods_are_refused(specs: list[str], said: str) -> None:
    with pytest.raises(ValueError, match=said):
        EstimateOptions(extra_windows=[parse_window(s) for s in specs])


@pytest.mark.parametrize("spec, said", [
    ("a=2017-06-08..2017-05-22", "its last day 2017-05-22 is before its first day 2017-06-08"),
    ("=2017-05-01..2017-05-03", "it has no name before '='"),
])
def test_a_window_refused_says_why_and_the_form_to_write(spec: str, said: str) -> None:
    """A window ending before it starts read "empty name or end before start": neither which of
    the two nor the form to write, which a spec that does not parse is given."""
    with pytest.raises(ValueError) as got:
        parse_window(spec)
    assert said in str(got.value) and "write NAME=YYYY-MM-DD..YYYY-MM-DD (UTC days, both included)" in str(got.value), got.value


def test_distinct_window_names_pass() -> None:
    opts = EstimateOptions(extra_windows=[parse_window("a=2017-05-01..2017-05-03"), ("b", datetime(2017, 5, 5), datetime(2017, 5, 7))])
    assert [w[0] for w in opts.extra_windows] == ["a", "b"]


def test_estimate_command_says_it_in_one_line(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["estimate", str(tmp_path / "s.duckdb"), "--window", "campaign=2017-05-01..2017-05-03"])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert "error: window name 'campaign' is taken by the built-in period of that name" in " ".join(res.output.split())


def test_the_command_says_where_a_windows_figures_went(labelled_sample_path: Path, tmp_path: Path) -> None:
    """`estimate --window debates=...` printed the campaign's tables alone and never named the
    window, as if the option had been ignored; its rows were in the `estimates` table."""
    import shutil

    from botwatch import open_study

    path = tmp_path / "s.duckdb"
    shutil.copy(labelled_sample_path, path)
    res = CliRunner().invoke(app, ["estimate", str(path), "-e", "us-2016", "--reps", "20", "--table", "parties", "--window", "debates=2016-09-26..2016-10-19"])
    assert res.exit_code == 0, res.output
    assert ("--window debates: not in the tables above (the campaign and the 30 days before polling day); its rows are in the "
            "`estimates` table, period debates") in " ".join(res.output.split())
    with open_study(path) as st:
        assert st.sql("SELECT count(*) FROM estimates WHERE period = 'debates'")[0][0] > 0
