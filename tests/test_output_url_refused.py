"""An output named by URL is refused before any work (`cli.common.local_output`): botwatch writes
local files only, and `report STUDY -o s3://b/r.html` made a local folder "s3:" (the path folds
`//` to `/`) and wrote the report into it without a word; `export -o`, `train-bot-model -o`,
`demo -o`, `coordination --graphml/--csv` and `collect`'s folder did the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.out_path import url_scheme
from testsupport.terminal import flat, wide_consoles

runner = CliRunner()

COMMANDS = {
    "report": ["report", "s.duckdb", "-o", "s3://b/r.html"],
    "export-file": ["export", "s.duckdb", "posts", "-o", "s3://b/posts.csv"],
    "export-folder": ["export", "s.duckdb", "posts", "accounts", "-o", "gs://b/out/"],
    "train-bot-model": ["train-bot-model", "labels.csv", "-o", "hdfs://n/m.json.gz"],
    "demo": ["demo", "-o", "s3://b/demo"],
    "coordination-graphml": ["coordination", "s.duckdb", "--graphml", "s3://b/n.graphml"],
    "coordination-csv": ["coordination", "s.duckdb", "--csv", "file:///tmp/e.csv"],
    "collect": ["collect", "bluesky", "s3://b/capture", "--max-posts", "1"],
}


@pytest.mark.parametrize("args", list(COMMANDS.values()), ids=list(COMMANDS))
def test_a_url_output_is_a_usage_error_and_nothing_is_written(args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wide_consoles(monkeypatch)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args)
    said = flat(result.output)
    assert result.exit_code == 2, said
    assert "writes local files only" in said and "copy" in said, said
    assert list(tmp_path.iterdir()) == []  # no folder "s3:", nothing else either


@pytest.mark.parametrize("path", ["report.html", "out/r.html", "/tmp/x:y/r.html", "C:/r.html", "-", "a:b.html"])
def test_local_names_are_not_urls(path: str) -> None:
    assert url_scheme(Path(path)) is None
