"""An export says which botwatch wrote it: the code label and the library versions, not only the
release that every revision between two releases shares (`botwatch_version: 0.1.0`)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.code_identity import version_label
from botwatch.library_versions import installed_versions
from botwatch.study import Study


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_an_exports_sidecar_names_the_code_and_libraries(tmp_path: Path, suffix: str) -> None:
    study = tmp_path / "s.duckdb"
    Study(study).close()  # an empty study: its canonical tables, no rows
    out = tmp_path / f"posts{suffix}"
    res = CliRunner().invoke(app, ["export", str(study), "posts", "-o", str(out)])
    assert res.exit_code == 0, res.output
    side = json.loads(Path(f"{out}.schema.json").read_text(encoding="utf-8"))
    assert side["botwatch_code_version"] == version_label() and side["libraries"] == installed_versions()
    assert "duckdb" in side["libraries"]
    if suffix == ".parquet":  # the file itself too, should it travel without its sidecar
        assert pq.read_metadata(out).metadata[b"botwatch_code_version"] == version_label().encode()
