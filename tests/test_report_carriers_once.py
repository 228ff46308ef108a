"""Whether a study is a few accounts' timelines (`caveats._one_account`) is read from a GROUP BY
over every post, a Spark job on a lake: a report build ran it 5 times (the parties section,
Methods, the reference table's periods), `estimate` 3 and `analyze` 2, of a study that does not
change meanwhile. Each command reads it once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from test_estimates_zero_bound import _labour_study

GROUP_BY = "GROUP BY platform, account_id) ORDER BY n DESC"


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from botwatch.study import Study

    seen: list[str] = []
    sql = Study.sql

    def counted(self: Any, text: str, *a: Any, **k: Any) -> Any:
        if GROUP_BY in text:
            seen.append(text)
        return sql(self, text, *a, **k)

    monkeypatch.setattr(Study, "sql", counted)
    return seen


def test_each_command_reads_the_accounts_carrying_the_posts_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch.cli import app

    study = _labour_study(tmp_path, alone=True)
    seen = _counting(monkeypatch)
    res = CliRunner().invoke(app, ["estimate", str(study), "-e", "uk-ge2017", "--sample-rate", "0.01", "--reps", "20"])
    assert res.exit_code == 0, res.output
    assert "not platform figures" in res.output and len(seen) == 1
    seen.clear()
    res = CliRunner().invoke(app, ["analyze", str(study), "-e", "uk-ge2017", "--sample-rate", "0.01", "--only", "estimates"])
    assert res.exit_code == 0, res.output
    assert "not platform figures" in res.output and len(seen) == 1
    seen.clear()
    out = tmp_path / "r" / "report.html"
    assert CliRunner().invoke(app, ["report", str(study), "-o", str(out), "--no-exports"]).exit_code == 0
    assert "written by one account" in out.read_text() and len(seen) == 1
    from botwatch.report import caveats

    assert caveats._HELD == {}  # held for the command only: a study open in a notebook may take more posts between two calls

