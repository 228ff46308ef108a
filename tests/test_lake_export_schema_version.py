"""A lake's export states the lake's own layout version in its `.schema.json`, as a DuckDB study's
does: it was the version of the in-memory study the lake's table is written through, always the
current one, so a lake made by an older botwatch (read, not upgraded) said the current version."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa

from botwatch.engines.lake import LakeStudy
from botwatch.exports_typed import SCHEMA_VERSION


def _lake(version: int | None) -> SimpleNamespace:
    """The parts of a lake `LakeStudy.export` reads, without Spark."""
    table = pa.table({"cluster_id": [1], "label": ["x"]})
    return SimpleNamespace(_check_table=lambda name: None, _step=lambda what: nullcontext(), arrow=lambda name: table,
                           schema_version=version, tables=lambda: ["clusters"], columns=lambda name: table.column_names)


def test_the_sidecar_gives_the_lakes_own_schema_version(tmp_path: Path) -> None:
    for version in (SCHEMA_VERSION - 1, None):
        out = tmp_path / f"c{version}.csv"
        assert LakeStudy.export(_lake(version), "clusters", out) == 1  # type: ignore[arg-type]
        assert json.loads(Path(f"{out}.schema.json").read_text())["study_schema_version"] == version
