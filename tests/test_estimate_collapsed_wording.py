"""A count whose bootstrap collapsed reads the same in `botwatch estimate --table parties` and in
the report: the CLI wrote "0 [no interval (every resample gave the same count)]" where the
report wrote "0 (every resample of the accounts gave 0: no interval)" for the same cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.estimates.reference import collapsed, interval_text
from botwatch.report.section_parties import _count


def test_one_wording_for_a_collapsed_count() -> None:
    assert _count({"estimate": 0.0, "lo": 0.0, "hi": 0.0, "accounts": 14}) == collapsed("0") == "0 (every resample of the accounts gave 0: no interval)"
    assert interval_text(0.0, 0.0, False, 14, 0.0) == "no interval (every resample of the accounts gave 0)"


def test_the_parties_table_prints_the_reports_wording(labelled_sample_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch.cli import app, common

    monkeypatch.setattr(common.out, "width", 400)  # one line per row, so each cell is read whole
    # Unscaled, the bundled sample's Libertarians: 14 accounts, none of whose posts supports them.
    res = CliRunner().invoke(app, ["estimate", str(labelled_sample_copy), "-e", "us-2016", "--reps", "50", "--table", "parties"])
    assert res.exit_code == 0, res.output
    assert "[no interval" not in res.output
    assert "0 (every resample of the accounts gave 0: no interval)" in res.output
