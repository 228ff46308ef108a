"""A labels file whose header is one enormous line is named in a bounded error line.

`train-bot-model my_model.json.gz` (the model file given where the labels go) or
`evaluate-accounts STUDY my_model.json.gz` read the model's one JSON line as the CSV header, and
the error line quoted every one of its 57,000 characters. Each column name is now cut short and
the list ends with how many more there were."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from typer.testing import CliRunner

from botwatch.accounts.botmodel import SHIPPED
from botwatch.cli import app


def test_a_model_file_given_as_labels_is_refused_in_a_short_line(tmp_path: Path) -> None:
    model = tmp_path / "my_model.json.gz"
    model.write_bytes((resources.files("botwatch.accounts") / "models" / SHIPPED).read_bytes())
    runner = CliRunner()
    trained = runner.invoke(app, ["train-bot-model", str(model), "-o", str(tmp_path / "m.json.gz")])
    assert trained.exit_code == 2 and "no `bot` column (columns: " in trained.output and "more)" in trained.output, trained.output[:500]
    assert len(trained.output) < 2000, len(trained.output)
    study = tmp_path / "s.duckdb"  # the labels are read before the study is opened
    measured = runner.invoke(app, ["evaluate-accounts", str(study), str(model)])
    assert measured.exit_code == 2 and "names no account" in measured.output and "more)" in measured.output, measured.output[:500]
    assert len(measured.output) < 1000, len(measured.output)
