"""`botwatch impact --freq`: a bucket pandas cannot use is one usage line, not "a bug in botwatch".

`-1h`, `-1d`, `1e9h` and `99999999999d` passed the frequency check (it looked only at the last
letters) and failed inside pandas ("Invalid length for values or for binner", "Cannot cast ...
without overflow"), exit 1 with "This is a bug in botwatch"."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.impact.stage import pandas_freq


@pytest.mark.parametrize("freq, said", [
    ("-1h", "negative length of time"),
    ("-1d", "negative length of time"),
    ("1e9h", "not understood"),
    ("99999999999d", "longer than a year"),
    ("0h", "bucket of no time"),
    # the series are read from hourly counts: a half-hour bucket was empty every other time
    ("30min", "not a whole number of hours"),
    ("0.5h", "not a whole number of hours"),
    ("90min", "not a whole number of hours"),
])
def test_an_unusable_bucket_is_refused_in_words(freq: str, said: str) -> None:
    with pytest.raises(ValueError, match=said):
        pandas_freq(freq)


def test_usable_buckets_are_unchanged() -> None:
    assert [pandas_freq(f) for f in ("1h", "6h", "1d", "day", "hour", "120min", "1.5d", "366d")] == ["1h", "6h", "1D", "1D", "1h", "120min", "1.5D", "366D"]


def test_the_command_says_it_in_one_line(tmp_path: Path) -> None:
    from botwatch.impact.stage import statsmodels_available

    if not statsmodels_available():
        pytest.skip("impact needs statsmodels (botwatch[time])")
    study = tmp_path / "none.duckdb"  # never opened: the frequency is refused first
    for freq in ("-1h", "1e9h", "99999999999d"):
        res = CliRunner().invoke(app, ["impact", str(study), "-p", "labour", "--freq", freq])
        assert res.exit_code == 2 and f"frequency '{freq}'" in res.output and "bug" not in res.output, res.output
